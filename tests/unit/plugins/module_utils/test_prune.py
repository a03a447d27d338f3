# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import os

from ansible_collections.modwsgi.django.plugins.module_utils._prune import plan, prune


def make_release(root, name, mtime, venv=None):
    path = root / "releases" / name
    path.mkdir(parents=True)
    if venv is not None:
        (root / "venvs" / venv).mkdir(parents=True, exist_ok=True)
        os.symlink(str(root / "venvs" / venv), str(path / ".modwsgi-venv"))
    os.utime(str(path), ns=(mtime, mtime))
    return path


def test_keeps_newest_n_removes_older(tmp_path):
    for index in range(6):
        make_release(tmp_path, "r%d" % index, index * 10**9)
    releases, venvs = plan(str(tmp_path), 3)
    assert releases == ["r2", "r1", "r0"]
    assert venvs == []


def test_live_links_kept_but_counted(tmp_path):
    for index in range(5):
        make_release(tmp_path, "r%d" % index, index * 10**9)
    os.symlink("releases/r0", str(tmp_path / "current"))
    os.symlink(str(tmp_path / "releases" / "r1") + "/", str(tmp_path / "blue"))
    os.symlink("releases/r4", str(tmp_path / "green"))
    # newest first: r4 r3 | r2 r1 r0 with keep=2; r1 and r0 are live
    assert plan(str(tmp_path), 2) == (["r2"], [])


def test_partial_and_hidden_entries_untouched(tmp_path):
    make_release(tmp_path, "new", 3 * 10**9)
    make_release(tmp_path, "old", 1 * 10**9)
    make_release(tmp_path, "build.partial", 0)
    make_release(tmp_path, ".hidden", 0)
    (tmp_path / "venvs" / "v.partial").mkdir(parents=True)
    (tmp_path / "venvs" / ".tmp").mkdir()
    assert plan(str(tmp_path), 1) == (["old"], [])


def test_equal_mtimes_ordered_by_name(tmp_path):
    for name in ("b", "a", "c"):
        make_release(tmp_path, name, 10**9)
    assert plan(str(tmp_path), 1)[0] == ["b", "c"]


def test_venvs_of_removed_releases_go_used_ones_stay(tmp_path):
    make_release(tmp_path, "new", 2 * 10**9, venv="v2")
    make_release(tmp_path, "old", 1 * 10**9, venv="v1")
    (tmp_path / "venvs" / "orphan").mkdir()
    assert plan(str(tmp_path), 1) == (["old"], ["orphan", "v1"])
    assert plan(str(tmp_path), 2) == ([], ["orphan"])


def test_root_without_releases_skipped_even_with_venvs(tmp_path):
    (tmp_path / "venvs" / "orphan").mkdir(parents=True)
    assert plan(str(tmp_path), 1) == ([], [])
    assert prune([str(tmp_path), str(tmp_path / "missing")], 1) == []
    assert (tmp_path / "venvs" / "orphan").is_dir()


def test_keep_zero_removes_every_release_not_live(tmp_path):
    make_release(tmp_path, "a", 1)
    make_release(tmp_path, "b", 2)
    os.symlink("releases/a", str(tmp_path / "current"))
    assert plan(str(tmp_path), 0) == (["b"], [])


def test_prune_removes_and_check_mode_does_not(tmp_path):
    site = tmp_path / "site"
    make_release(site, "new", 2 * 10**9, venv="v2")
    make_release(site, "old", 1 * 10**9, venv="v1")
    (site / "releases" / "stray-file").write_text("x")
    os.utime(str(site / "releases" / "stray-file"), ns=(0, 0))
    expected = [str(site / "releases" / "old"), str(site / "releases" / "stray-file"), str(site / "venvs" / "v1")]
    assert prune([str(site)], 1, check_mode=True) == expected
    assert (site / "releases" / "old").is_dir() and (site / "venvs" / "v1").is_dir()
    assert prune([str(site)], 1) == expected
    assert sorted(os.listdir(str(site / "releases"))) == ["new"]
    assert os.listdir(str(site / "venvs")) == ["v2"]
    assert prune([str(site)], 1) == []


def test_symlinked_release_entry_removed_as_link_only(tmp_path):
    target = tmp_path / "elsewhere"
    target.mkdir()
    make_release(tmp_path / "site", "new", 2 * 10**9)
    os.symlink(str(target), str(tmp_path / "site" / "releases" / "linked"))
    os.utime(str(tmp_path / "site" / "releases" / "linked"), ns=(1, 1), follow_symlinks=False)
    assert prune([str(tmp_path / "site")], 1) == [str(tmp_path / "site" / "releases" / "linked")]
    assert target.is_dir()
