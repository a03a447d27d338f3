# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The apache_config module end to end: main() with module args, a real temp tree, real commands."""

from __future__ import annotations

import os
import stat

import pytest

from ansible_collections.modwsgi.django.plugins.modules import apache_config
from ansible_collections.modwsgi.django.tests.unit.plugins.modules.utils import run_module as _run_module


def run_module(capsys, args):
    return _run_module(apache_config.main, capsys, args)


@pytest.fixture
def etc(tmp_path):
    root = tmp_path / "apache2"
    for kind in ("mods", "conf", "sites"):
        (root / ("%s-available" % kind)).mkdir(parents=True)
        (root / ("%s-enabled" % kind)).mkdir()
    (root / "mods-available" / "mpm_event.load").write_text("LoadModule mpm_event_module x.so\n")
    (root / "mods-available" / "mpm_prefork.load").write_text("LoadModule mpm_prefork_module x.so\n")
    (root / "mods-available" / "proxy.load").write_text("LoadModule proxy_module x.so\n")
    (root / "mods-available" / "proxy_http.load").write_text("# Depends: proxy\nLoadModule proxy_http_module x.so\n")
    (root / "sites-available" / "000-default.conf").write_text("<VirtualHost *:80>\n</VirtualHost>\n")
    (root / "conf-available" / "local.conf").write_text("ServerTokens Prod\n")
    os.chmod(str(root / "conf-available" / "local.conf"), 0o640)
    os.symlink("../mods-available/mpm_event.load", str(root / "mods-enabled" / "mpm_event.load"))
    os.symlink("../sites-available/000-default.conf", str(root / "sites-enabled" / "000-default.conf"))
    os.symlink("../conf-available/local.conf", str(root / "conf-enabled" / "local.conf"))
    return str(root)


def tree(root):
    state = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            info = os.lstat(path)
            if stat.S_ISLNK(info.st_mode):
                state[path] = os.readlink(path)
            elif stat.S_ISREG(info.st_mode):
                with open(path, "rb") as handle:
                    state[path] = (handle.read(), stat.S_IMODE(info.st_mode))
    return state


def test_change_with_passing_configtest(capsys, etc):
    path = os.path.join(etc, "conf-available", "local.conf")
    code, result = run_module(capsys, {
        "root": etc,
        "configtest_command": ["true"],
        "files": [{"path": path, "content": "ServerTokens Prod\nServerSignature Off\n", "mode": "0644"}],
        "enable": {"mods": ["proxy_http"]},
    })
    assert code == 0
    assert result["changed"] is True
    assert result["reload_required"] is True
    assert result["restart_required"] is False
    assert result["configtest"] == "Syntax OK"  # `true` prints nothing
    assert path in result["changed_paths"]
    assert os.path.join(etc, "mods-enabled", "proxy.load") in result["changed_paths"]
    assert "diff" not in result
    with open(path) as handle:
        assert handle.read() == "ServerTokens Prod\nServerSignature Off\n"


def test_second_run_is_a_noop(capsys, etc):
    args = {"root": etc, "configtest_command": ["true"], "enable": {"sites": ["000-default"], "mods": ["mpm_event"]},
            "files": [{"path": os.path.join(etc, "conf-available", "local.conf"), "content": "ServerTokens Prod\n",
                       "mode": "0640"}]}
    code, result = run_module(capsys, args)
    assert code == 0
    assert result["changed"] is False
    assert result["configtest"] == "Syntax OK"   # tested on every run, also when nothing changed
    assert result["postponed"] == [] and "warnings" not in result


def test_unchanged_run_on_a_configuration_broken_by_hand_fails(capsys, etc):
    args = {"root": etc, "configtest_command": ["false"], "enable": {"mods": ["mpm_event"]}}
    code, result = run_module(capsys, args)
    assert code == 1 and result["failed"] is True
    assert "fails although this run changed nothing" in result["msg"] and result["changed_paths"] == []


def test_failing_configtest_restores_and_fails(capsys, etc):
    before = tree(etc)
    path = os.path.join(etc, "conf-available", "local.conf")
    code, result = run_module(capsys, {
        "root": etc,
        "configtest_command": ["false"],
        "files": [{"path": path, "content": "Bogus\n"}],
        "disable": {"sites": ["000-default"], "mods": ["mpm_event"]},
        "enable": {"mods": ["mpm_prefork"]},
    })
    assert code == 1
    assert result["failed"] is True
    assert "Apache config test (false) failed" in result["msg"]
    assert path in result["msg"]
    assert "restored" in result["msg"]
    assert path in result["changed_paths"]
    assert result["configtest"] == ""
    assert tree(etc) == before


def test_failing_configtest_quotes_apache(capsys, etc):
    script = "echo \"AH00526: Syntax error on line 1 of $0: Invalid command 'Bogus'\" >&2; exit 1"
    code, result = run_module(capsys, {
        "root": etc,
        "configtest_command": ["sh", "-c", script, "local.conf"],
        "files": [{"path": os.path.join(etc, "conf-available", "local.conf"), "content": "Bogus\n"}],
    })
    assert code == 1
    assert "Invalid command 'Bogus'" in result["msg"]
    assert "AH00526" in result["configtest"]


def test_check_mode_with_diff_writes_nothing(capsys, etc):
    before = tree(etc)
    path = os.path.join(etc, "sites-available", "shop.conf")
    code, result = run_module(capsys, {
        "root": etc,
        "configtest_command": ["false"],   # would fail: check mode must not run it
        "files": [{"path": path, "content": "<VirtualHost *:80>\n</VirtualHost>\n"}],
        "enable": {"mods": ["mpm_prefork"]},
        "disable": {"mods": ["mpm_event"]},
        "_ansible_check_mode": True,
        "_ansible_diff": True,
    })
    assert code == 0
    assert result["changed"] is True
    assert result["restart_required"] is True
    assert result["configtest"] == "skipped"
    assert result["diff"] == [{"before_header": path, "after_header": path, "before": "",
                               "after": "<VirtualHost *:80>\n</VirtualHost>\n"}]
    assert tree(etc) == before


def test_missing_site_fails_cleanly(capsys, etc):
    code, result = run_module(capsys, {"root": etc, "configtest_command": ["true"], "enable": {"sites": ["nope"]}})
    assert code == 1
    assert "cannot enable sites 'nope'" in result["msg"]


@pytest.mark.parametrize("item, message", [
    ({"path": "relative.conf", "content": "x"}, "absolute 'path'"),
    ({"content": "x"}, "absolute 'path'"),
    ({"path": "/tmp/x.conf", "content": "x", "state": "gone"}, "present or absent"),
])
def test_bad_file_items_are_rejected(capsys, etc, item, message):
    code, result = run_module(capsys, {"root": etc, "configtest_command": ["true"], "files": [item]})
    assert code == 1
    assert message in result["msg"]


def test_unknown_option_is_rejected(capsys, etc):
    code, result = run_module(capsys, {"root": etc, "enable": {"modules": ["x"]}})
    assert code == 1
    assert "modules" in result["msg"]
