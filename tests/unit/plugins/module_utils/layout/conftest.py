# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.django maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Fixtures of the _layout unit tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def tree(tmp_path):
    www = tmp_path / 'www'
    www.mkdir()
    base = tmp_path / 'django'
    base.mkdir()
    root = base / 'shop'
    for sub in ('apache', 'conf', 'current', 'static', 'media', 'releases'):
        (root / sub).mkdir(parents=True)
    (root / 'apache' / 'django.wsgi').write_text('application = None\n')
    return {'tmp': tmp_path, 'www': str(www), 'base': str(base), 'root': str(root)}
