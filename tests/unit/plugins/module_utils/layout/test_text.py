# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.django maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Text and path helpers (_layout/text.py)."""

from __future__ import annotations

from ansible_collections.modwsgi.django.plugins.module_utils._layout.text import (
    ancestors,
    as_bool,
    as_int,
    ascii_url_suggestion,
    show,
    type_name,
    under,
)


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------

def test_helpers():
    assert under('/a/b', '/a') and under('/a', '/a') and under('/x', '/') and not under('/ab', '/a')
    assert list(ancestors('/a/b')) == ['/a/b', '/a', '/']
    assert as_int('12') == 12 and as_int(True) is None and as_int('1e3') is None
    assert as_bool('Yes') is True and as_bool(1) is None
    assert show('x' * 100).endswith('...')
    assert ascii_url_suggestion('/Caf\u00e9 Bar/', False) == '/Cafe-Bar'
    assert type_name(object()) == 'a object'
