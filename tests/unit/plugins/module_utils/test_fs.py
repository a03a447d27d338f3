# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The file-system helpers every engine writes through, against a real temporary directory."""

from __future__ import annotations

import os
import stat

import pytest

from ansible_collections.modwsgi.django.plugins.module_utils import _fs as F


def mode_of(path):
    return stat.S_IMODE(os.lstat(str(path)).st_mode)


# -- parse_mode -----------------------------------------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    ("0644", 0o644), ("644", 0o644), (0o644, 0o644), ("2755", 0o2755), ("0750", 0o750),
    ("0o640", 0o640), (" 0600 ", 0o600), ("0", 0), ("7777", 0o7777), (0o2750, 0o2750),
])
def test_parse_mode_valid(value, expected):
    assert F.parse_mode(value) == expected


@pytest.mark.parametrize("value, message", [
    ("0999", "not an octal number"), ("u=rw", "not an octal number"), ("", "not an octal number"),
    (None, "not an octal number"), (True, "not an octal number"), ("17777", "out of range"),
    (0o10000, "out of range"), (-1, "out of range"), ("-1", "out of range"),
])
def test_parse_mode_invalid(value, message):
    with pytest.raises(ValueError, match=message) as caught:
        F.parse_mode(value)
    assert repr(value) in str(caught.value)


# -- atomic_write ---------------------------------------------------------------------------------

def test_atomic_write_creates_with_mode(tmp_path):
    path = tmp_path / "site.json"
    F.atomic_write(str(path), b"{}\n", 0o640)
    assert path.read_bytes() == b"{}\n"
    assert mode_of(path) == 0o640
    assert os.listdir(str(tmp_path)) == ["site.json"]


def test_atomic_write_replaces_contents_inode_and_mode(tmp_path):
    path = tmp_path / "ports.conf"
    path.write_bytes(b"Listen 80\n")
    os.chmod(str(path), 0o600)
    inode = os.stat(str(path)).st_ino
    F.atomic_write(str(path), b"Listen 81\n", "2755")
    assert path.read_bytes() == b"Listen 81\n"
    assert mode_of(path) == 0o2755  # set after the (no-op) chown, which would clear set-id bits
    assert os.stat(str(path)).st_ino != inode  # renamed over, not written in place
    assert os.listdir(str(tmp_path)) == ["ports.conf"]


def test_atomic_write_replaces_a_symlink_instead_of_writing_through_it(tmp_path):
    victim = tmp_path / "victim"
    victim.write_bytes(b"keep")
    path = tmp_path / "conf.py"
    os.symlink(str(victim), str(path))
    F.atomic_write(str(path), b"mine", "0644")
    assert not os.path.islink(str(path)) and path.read_bytes() == b"mine"
    assert victim.read_bytes() == b"keep"


def test_atomic_write_sets_owner_before_the_rename(tmp_path, monkeypatch):
    calls = []
    real_replace = os.replace
    monkeypatch.setattr(os, "fchown", lambda fd, uid, gid: calls.append(("fchown", uid, gid)))
    monkeypatch.setattr(os, "replace", lambda src, dst: calls.append(("replace",)) or real_replace(src, dst))
    F.atomic_write(str(tmp_path / "a"), b"x", 0o644, uid=1234)
    F.atomic_write(str(tmp_path / "b"), b"x", 0o644, gid=99)
    F.atomic_write(str(tmp_path / "c"), b"x", 0o644)
    assert calls == [("fchown", 1234, -1), ("replace",), ("fchown", -1, 99), ("replace",), ("replace",)]


def test_atomic_write_fsyncs_file_and_directory(tmp_path, monkeypatch):
    synced = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(os.path.realpath("/proc/self/fd/%d" % fd)) or real_fsync(fd))
    path = tmp_path / "map"
    F.atomic_write(str(path), b"shop blue\n", 0o644)
    # the temp file (its name is gone after the rename) first, then the directory
    assert len(synced) == 2
    assert os.path.dirname(synced[0]) == str(tmp_path) and synced[0] != str(path)
    assert synced[1] == str(tmp_path)


def test_atomic_write_failure_leaves_old_file_and_no_temp(tmp_path, monkeypatch):
    path = tmp_path / "site.json"
    path.write_bytes(b"old")

    def broken_fsync(fd):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="Input/output"):
        F.atomic_write(str(path), b"new", 0o640)
    assert path.read_bytes() == b"old"
    assert os.listdir(str(tmp_path)) == ["site.json"]


def test_atomic_write_failing_write_leaves_no_temp(tmp_path):
    with pytest.raises(TypeError):
        F.atomic_write(str(tmp_path / "x"), "text, not bytes", 0o644)
    assert os.listdir(str(tmp_path)) == []


def test_atomic_write_bad_mode_writes_nothing(tmp_path):
    with pytest.raises(ValueError, match="octal"):
        F.atomic_write(str(tmp_path / "x"), b"x", "rw-r--r--")
    assert os.listdir(str(tmp_path)) == []


def test_fsync_dir_tolerates_file_systems_without_it(tmp_path, monkeypatch):
    def unsupported(fd):
        raise OSError(22, "Invalid argument")

    monkeypatch.setattr(os, "fsync", unsupported)
    F.fsync_dir(str(tmp_path))  # no error


def test_fsync_dir_reports_real_errors(tmp_path, monkeypatch):
    def broken(fd):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", broken)
    with pytest.raises(OSError, match="Input/output"):
        F.fsync_dir(str(tmp_path))


# -- atomic_symlink -------------------------------------------------------------------------------

def test_atomic_symlink_creates_and_is_idempotent(tmp_path):
    path = str(tmp_path / "current")
    assert F.atomic_symlink("/a", path) is True
    assert F.atomic_symlink("/a", path) is False
    assert F.atomic_symlink("/b", path) is True
    assert os.readlink(path) == "/b"
    assert sorted(os.listdir(str(tmp_path))) == ["current"]


def test_atomic_symlink_renames_a_temp_link_over_the_old_one(tmp_path, monkeypatch):
    path = str(tmp_path / "blue")
    os.symlink("releases/r1", path)
    seen = []
    real_replace = os.replace

    def spy(src, dst):
        # at the moment of the swap the old link is still there and the new one is complete
        seen.append((os.path.dirname(src), os.readlink(src), dst, os.readlink(dst)))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    monkeypatch.setattr(os, "unlink", lambda p: pytest.fail("the old link must not be removed first: %s" % p))
    assert F.atomic_symlink("releases/r2", path) is True
    assert seen == [(str(tmp_path), "releases/r2", path, "releases/r1")]
    assert os.readlink(path) == "releases/r2"
    assert os.listdir(str(tmp_path)) == ["blue"]


def test_atomic_symlink_replaces_a_regular_file(tmp_path):
    path = tmp_path / "shop.conf"
    path.write_text("hand-made")
    assert F.atomic_symlink("../sites-available/shop.conf", str(path)) is True
    assert os.readlink(str(path)) == "../sites-available/shop.conf"


def test_atomic_symlink_refuses_a_directory_and_cleans_up(tmp_path):
    (tmp_path / "current").mkdir()
    with pytest.raises(OSError):
        F.atomic_symlink("/a", str(tmp_path / "current"))
    assert os.listdir(str(tmp_path)) == ["current"]
    assert os.path.isdir(str(tmp_path / "current")) and not os.path.islink(str(tmp_path / "current"))


def test_atomic_symlink_skips_a_taken_temp_name(tmp_path, monkeypatch):
    names = iter([b"\x00\x00\x00\x01", b"\x00\x00\x00\x02"])
    monkeypatch.setattr(os, "urandom", lambda n: next(names))
    taken = tmp_path / (".current.%d.00000001.tmp" % os.getpid())
    os.symlink("/stale", str(taken))
    assert F.atomic_symlink("/a", str(tmp_path / "current")) is True
    assert os.readlink(str(tmp_path / "current")) == "/a"
    assert sorted(os.listdir(str(tmp_path))) == sorted(["current", taken.name])


# -- readlink, read_bytes, touch, remove ----------------------------------------------------------

def test_readlink(tmp_path):
    regular = tmp_path / "file"
    regular.write_text("x")
    os.symlink("/nowhere", str(tmp_path / "dangling"))
    assert F.readlink(str(tmp_path / "dangling")) == "/nowhere"
    assert F.readlink(str(tmp_path / "missing")) is None
    assert F.readlink(str(regular)) is None
    assert F.readlink(str(tmp_path)) is None
    assert F.readlink(str(regular / "below-a-file")) is None


def test_read_bytes(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(b"\x00abc")
    assert F.read_bytes(str(path)) == b"\x00abc"
    assert F.read_bytes(str(tmp_path / "missing")) is None
    assert F.read_bytes(str(path / "below-a-file")) is None


def test_touch_creates_keeps_contents_and_sets_mode(tmp_path):
    path = tmp_path / ".modwsgi-migrated"
    F.touch(str(path), 0o640)
    assert path.read_bytes() == b"" and mode_of(path) == 0o640
    path.write_bytes(b"kept")
    F.touch(str(path), "0600")
    assert path.read_bytes() == b"kept" and mode_of(path) == 0o600
    os.chmod(str(path), 0o604)
    F.touch(str(path))
    assert mode_of(path) == 0o604


def test_remove_files_links_and_trees(tmp_path):
    target = tmp_path / "target"
    (target / "sub").mkdir(parents=True)
    (target / "sub" / "f").write_text("x")
    os.symlink(str(target), str(tmp_path / "link"))
    (tmp_path / "file").write_text("x")
    assert F.remove(str(tmp_path / "link")) is True
    assert (target / "sub" / "f").exists()  # never the link's target
    assert F.remove(str(tmp_path / "file")) is True
    assert F.remove(str(target)) is True
    assert F.remove(str(tmp_path / "missing")) is False
    assert os.listdir(str(tmp_path)) == []


def test_remove_file_and_rmdir_if_empty(tmp_path):
    (tmp_path / "f").write_text("x")
    assert F.remove_file(str(tmp_path / "f")) is True
    assert F.remove_file(str(tmp_path / "f")) is False
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "keep").write_text("x")
    (tmp_path / "empty").mkdir()
    assert F.rmdir_if_empty(str(tmp_path / "full")) is False
    assert F.rmdir_if_empty(str(tmp_path / "empty")) is True
    assert F.rmdir_if_empty(str(tmp_path / "missing")) is False
    assert os.listdir(str(tmp_path)) == ["full"]
