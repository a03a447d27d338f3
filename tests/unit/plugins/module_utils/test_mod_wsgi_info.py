# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading mod_wsgi's version and embedded Python from the module binary itself."""

from __future__ import annotations

import os

import pytest

from ansible_collections.modwsgi.django.plugins.module_utils._mod_wsgi_info import inspect

ELF_HEAD = b"\x7fELF\x02\x01\x01" + b"\x00" * 9


def fake_module(path, *strings):
    """Bytes shaped like a shared object: ELF magic, a dynamic string table, filler."""
    with open(path, "wb") as handle:
        handle.write(ELF_HEAD + os.urandom(64).replace(b"l", b"L"))
        handle.write(b"\x00".join([b"libc.so.6", b"libpthread.so.0"] + list(strings)) + b"\x00")
        handle.write(b"\x00\xff" * 512)
    return str(path)


def test_debian12_module(tmp_path):
    path = fake_module(tmp_path / "mod_wsgi.so", b"libpython3.11.so.1.0", b"mod_wsgi/4.9.4", b"Python/3.11")
    assert inspect(path) == {
        "path": path,
        "realpath": path,
        "version": "4.9.4",
        "python_version": "3.11",
    }


def test_debian13_module(tmp_path):
    path = fake_module(tmp_path / "mod_wsgi.so", b"mod_wsgi/5.0.2", b"libpython3.13.so.1.0")
    info = inspect(path)
    assert info["version"] == "5.0.2"
    assert info["python_version"] == "3.13"


def test_two_digit_minor(tmp_path):
    path = fake_module(tmp_path / "mod_wsgi.so", b"libpython3.10.so.1.0", b"mod_wsgi/4.9.0")
    assert inspect(path)["python_version"] == "3.10"


def test_symlink_is_resolved(tmp_path):
    """Debian ships mod_wsgi.so as a symlink (alternatives) to mod_wsgi.so-3.X."""
    real = fake_module(tmp_path / "mod_wsgi.so-3.11", b"libpython3.11.so.1.0", b"mod_wsgi/4.9.4")
    middle = tmp_path / "alternatives-mod_wsgi.so"
    os.symlink(real, str(middle))
    link = tmp_path / "mod_wsgi.so"
    os.symlink(os.path.basename(str(middle)), str(link))
    info = inspect(str(link))
    assert info["path"] == str(link)
    assert info["realpath"] == os.path.realpath(real)
    assert info["python_version"] == "3.11"
    assert info["version"] == "4.9.4"


def test_missing_libpython_is_an_error_naming_the_file(tmp_path):
    path = fake_module(tmp_path / "mod_php.so", b"libphp8.2.so", b"mod_wsgi/4.9.4")
    with pytest.raises(ValueError) as caught:
        inspect(path)
    assert path in str(caught.value)
    assert "libpython" in str(caught.value)


def test_missing_version_banner_gives_none(tmp_path):
    path = fake_module(tmp_path / "mod_wsgi.so", b"libpython3.11.so.1.0")
    info = inspect(path)
    assert info["version"] is None
    assert info["python_version"] == "3.11"


def test_missing_file_raises_oserror(tmp_path):
    with pytest.raises(OSError):
        inspect(str(tmp_path / "absent.so"))


def test_dangling_symlink_raises_oserror(tmp_path):
    link = tmp_path / "mod_wsgi.so"
    os.symlink(str(tmp_path / "gone.so-3.11"), str(link))
    with pytest.raises(OSError):
        inspect(str(link))
