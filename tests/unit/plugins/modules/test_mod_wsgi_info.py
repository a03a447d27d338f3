# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The mod_wsgi_info module: main() with module args against fake module files."""

from __future__ import annotations

import os

from ansible_collections.modwsgi.django.plugins.modules import mod_wsgi_info
from ansible_collections.modwsgi.django.tests.unit.plugins.modules.utils import run_module as _run_module


def run_module(capsys, args):
    return _run_module(mod_wsgi_info.main, capsys, args)


def test_reports_version_and_python(capsys, tmp_path):
    real = tmp_path / "mod_wsgi.so-3.11"
    real.write_bytes(b"\x7fELF\x00libpython3.11.so.1.0\x00mod_wsgi/4.9.4\x00")
    link = tmp_path / "mod_wsgi.so"
    os.symlink(real.name, str(link))
    code, result = run_module(capsys, {"path": str(link), "_ansible_check_mode": True})
    assert code == 0
    assert result["changed"] is False
    assert result["version"] == "4.9.4"
    assert result["python_version"] == "3.11"
    assert result["realpath"] == str(real)


def test_unreadable_module_fails(capsys, tmp_path):
    code, result = run_module(capsys, {"path": str(tmp_path / "missing.so")})
    assert code == 1
    assert "cannot read mod_wsgi module" in result["msg"]


def test_not_a_mod_wsgi_module_fails(capsys, tmp_path):
    path = tmp_path / "mod_php.so"
    path.write_bytes(b"\x7fELF\x00libphp8.2.so\x00")
    code, result = run_module(capsys, {"path": str(path)})
    assert code == 1
    assert "libpython" in result["msg"]
