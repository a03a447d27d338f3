# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.django maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Make ``ansible_collections.modwsgi.django`` importable when pytest runs from a plain checkout.

Under ``ansible-test units`` the collection already sits at
``.../ansible_collections/modwsgi/django`` and nothing is done.  Otherwise a
temporary ``ansible_collections/modwsgi/django`` symlink to the repository root
is created and its parent prepended to ``sys.path``.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))


def _make_importable():
    parts = REPO_ROOT.split(os.sep)
    if parts[-3:-1] == ['ansible_collections', 'modwsgi'] and parts[-1] == 'django':
        parent = os.sep.join(parts[:-3])
    else:
        parent = tempfile.mkdtemp(prefix='modwsgi-django-unit-')
        atexit.register(shutil.rmtree, parent, True)
        os.makedirs(os.path.join(parent, 'ansible_collections', 'modwsgi'))
        os.symlink(REPO_ROOT, os.path.join(parent, 'ansible_collections', 'modwsgi', 'django'))
    if parent not in sys.path:
        sys.path.insert(0, parent)


_make_importable()
