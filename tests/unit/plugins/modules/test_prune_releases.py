# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""prune_releases module: main() with module args."""

from __future__ import annotations

import os

from ansible_collections.modwsgi.django.plugins.modules import prune_releases
from ansible_collections.modwsgi.django.tests.unit.plugins.modules.utils import run_module


def _site(tmp_path):
    root = tmp_path / "shop"
    for index, name in enumerate(("r1", "r2", "r3")):
        (root / "releases" / name).mkdir(parents=True)
        os.utime(str(root / "releases" / name), ns=(index * 10**9, index * 10**9))
    os.symlink("releases/r1", str(root / "current"))
    (root / "venvs" / "unused").mkdir(parents=True)
    return root


def test_prune_releases_check_mode_reports_and_keeps(capsys, tmp_path):
    root = _site(tmp_path)
    code, result = run_module(prune_releases.main, capsys, {"roots": [str(root)], "keep": 1, "_ansible_check_mode": True})
    assert code == 0 and result["changed"] is True
    assert result["removed"] == [str(root / "releases" / "r2"), str(root / "venvs" / "unused")]
    assert sorted(os.listdir(str(root / "releases"))) == ["r1", "r2", "r3"]


def test_prune_releases_removes_then_is_idempotent(capsys, tmp_path):
    root = _site(tmp_path)
    code, result = run_module(prune_releases.main, capsys, {"roots": [str(root)], "keep": 1})
    assert code == 0 and result["changed"] is True
    assert sorted(os.listdir(str(root / "releases"))) == ["r1", "r3"]
    code, result = run_module(prune_releases.main, capsys, {"roots": [str(root)], "keep": 1})
    assert code == 0 and result["changed"] is False and result["removed"] == []


def test_prune_releases_default_keep_is_five(capsys, tmp_path):
    root = _site(tmp_path)
    code, result = run_module(prune_releases.main, capsys, {"roots": [str(root)]})
    assert code == 0 and result["removed"] == [str(root / "venvs" / "unused")]
