# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.django maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The result helpers of bench/_common.py that the benchmarks' figures go through."""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..', 'bench'))

import _common as C  # noqa: E402


def test_percentile_is_the_nearest_rank_of_the_sorted_sample():
    values = [0.5, 0.1, 0.4, 0.2, 0.3]
    assert C.percentile(values, 0) == 0.1
    assert C.percentile(values, 0.5) == 0.3
    assert C.percentile(values, 0.99) == 0.5 and C.percentile(values, 1) == 0.5
    assert C.percentile(list(range(1, 101)), 0.9) == 90
    assert C.percentile([7], 0.99) == 7
    assert C.percentile([], 0.5) is None


def test_fmt_seconds_in_ms_below_a_second():
    assert C.fmt_seconds(None) == 'n/a'
    assert C.fmt_seconds(0.0474) == '47 ms'
    assert C.fmt_seconds(5.94) == '5.9 s'
    assert C.fmt_seconds(2.5, ms=True) == '2500 ms'


def test_spread_drops_missing_values():
    assert C.spread([3, None, 1, 2]) == {'median': 2, 'min': 1, 'max': 3, 'n': 3}
    assert C.spread([None]) == {'median': None, 'min': None, 'max': None, 'n': 0}


def test_tree_hash_follows_names_and_contents(tmp_path, monkeypatch):
    monkeypatch.setattr(C, 'REPO', str(tmp_path))
    (tmp_path / 'a').mkdir()
    (tmp_path / 'a' / 'x.py').write_text('one')
    first = C.tree_hash('a')
    assert len(first) == 12 and C.tree_hash('a') == first
    (tmp_path / 'a' / '__pycache__').mkdir()
    (tmp_path / 'a' / '__pycache__' / 'x.pyc').write_text('ignored')
    assert C.tree_hash('a') == first
    (tmp_path / 'a' / 'x.py').write_text('two')
    changed = C.tree_hash('a')
    assert changed != first
    (tmp_path / 'a' / 'x.py').rename(tmp_path / 'a' / 'y.py')
    assert C.tree_hash('a') not in (first, changed)
