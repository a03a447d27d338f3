# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Transactional Apache configuration against a real temporary /etc/apache2-like tree."""

from __future__ import annotations

import os
import stat

import pytest

from ansible_collections.modwsgi.django.plugins.module_utils._apache_config import (
    ConfigError,
    LocalFS,
    Transaction,
    run,
)

APACHE_ERROR = ("AH00526: Syntax error on line 3 of /etc/apache2/conf-enabled/local.conf:\n"
                "Invalid command 'ThisIsNotADirective', perhaps misspelled or defined by a module "
                "not included in the server configuration")

MODS = {
    "mpm_event.load": "LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so\n",
    "mpm_event.conf": "<IfModule mpm_event_module>\n\tMaxRequestWorkers 150\n</IfModule>\n",
    "mpm_prefork.load": "# Conflicts: mpm_event mpm_worker\nLoadModule mpm_prefork_module /usr/lib/apache2/modules/mod_mpm_prefork.so\n",
    "mpm_prefork.conf": "<IfModule mpm_prefork_module>\n\tMaxRequestWorkers 150\n</IfModule>\n",
    "mpm_worker.load": "LoadModule mpm_worker_module /usr/lib/apache2/modules/mod_mpm_worker.so\n",
    "headers.load": "LoadModule headers_module /usr/lib/apache2/modules/mod_headers.so\n",
    "wsgi.load": "LoadModule wsgi_module /usr/lib/apache2/modules/mod_wsgi.so\n",
    "wsgi.conf": "<IfModule mod_wsgi.c>\n</IfModule>\n",
    "proxy.load": "LoadModule proxy_module /usr/lib/apache2/modules/mod_proxy.so\n",
    "proxy.conf": "<IfModule mod_proxy.c>\n</IfModule>\n",
    "proxy_http.load": "# Depends: proxy\nLoadModule proxy_http_module /usr/lib/apache2/modules/mod_proxy_http.so\n",
    "socache_shmcb.load": "LoadModule socache_shmcb_module /usr/lib/apache2/modules/mod_socache_shmcb.so\n",
    "setenvif.load": "LoadModule setenvif_module /usr/lib/apache2/modules/mod_setenvif.so\n",
    "ssl.load": "# Depends: setenvif mime socache_shmcb\nLoadModule ssl_module /usr/lib/apache2/modules/mod_ssl.so\n",
    "mime.load": "LoadModule mime_module /usr/lib/apache2/modules/mod_mime.so\n",
    "loop_a.load": "# Depends: loop_b\nLoadModule a_module a.so\n",
    "loop_b.load": "# Depends: loop_a\nLoadModule b_module b.so\n",
}
CONFS = {
    "security.conf": "ServerTokens OS\n",
    "charset.conf": "#AddDefaultCharset UTF-8\n",
    "local.conf": "ServerTokens Prod\n",
}
SITES = {
    "000-default.conf": "<VirtualHost *:80>\n\tDocumentRoot /var/www/html\n</VirtualHost>\n",
    "shop.conf": "<VirtualHost *:80>\n\tServerName shop.example.com\n</VirtualHost>\n",
}


class Runner:
    """Stands in for `apache2ctl -t`; records every call."""

    def __init__(self, rc=0, out="", err="Syntax OK"):
        self.rc, self.out, self.err = rc, out, err
        self.calls = []

    def __call__(self, argv):
        self.calls.append(list(argv))
        return self.rc, self.out, self.err


def _write(path, text, mode=0o644):
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(path, mode)


@pytest.fixture
def etc(tmp_path):
    """A Debian-style Apache tree: *-available files, *-enabled relative symlinks."""
    root = tmp_path / "apache2"
    for kind in ("mods", "conf", "sites"):
        (root / ("%s-available" % kind)).mkdir(parents=True)
        (root / ("%s-enabled" % kind)).mkdir()
    for kind, files in (("mods", MODS), ("conf", CONFS), ("sites", SITES)):
        for name, text in files.items():
            _write(str(root / ("%s-available" % kind) / name), text)
    # local.conf is deliberately not world-readable, to prove modes come back.
    os.chmod(str(root / "conf-available" / "local.conf"), 0o640)
    for kind, name in (("mods", "mpm_event.load"), ("mods", "mpm_event.conf"), ("mods", "headers.load"),
                       ("conf", "security.conf"), ("conf", "local.conf"), ("sites", "000-default.conf")):
        os.symlink(os.path.join("..", "%s-available" % kind, name), str(root / ("%s-enabled" % kind) / name))
    # One enabled link with an absolute target, as some admins create them by hand.
    os.symlink(str(root / "conf-available" / "charset.conf"), str(root / "conf-enabled" / "charset.conf"))
    _write(str(root / "ports.conf"), "Listen 80\n")
    return str(root)


def snapshot(root):
    """Every entry under root: links by target, files by bytes and mode, directories by mode."""
    state = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            info = os.lstat(path)
            if stat.S_ISLNK(info.st_mode):
                state[path] = ("link", os.readlink(path))
            elif stat.S_ISDIR(info.st_mode):
                state[path] = ("dir", stat.S_IMODE(info.st_mode))
            else:
                with open(path, "rb") as handle:
                    state[path] = ("file", handle.read(), stat.S_IMODE(info.st_mode))
    return state


def enabled(root, kind, name):
    path = os.path.join(root, "%s-enabled" % kind, name)
    return os.readlink(path) if os.path.islink(path) else None


def read(path):
    with open(path, "rb") as handle:
        return handle.read()


def mode(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


# -- no-op ----------------------------------------------------------------------------------------

def test_unchanged_input_is_a_noop_without_configtest(etc):
    before = snapshot(etc)
    runner = Runner()
    result = run({
        "root": etc,
        "files": [{"path": os.path.join(etc, "ports.conf"), "content": "Listen 80\n", "mode": "0644"}],
        "enable": {"mods": ["mpm_event", "headers"], "conf": ["security"], "sites": ["000-default"]},
        "disable": {"mods": ["mpm_prefork", "mpm_worker"], "sites": ["shop"]},
    }, runner)
    assert result["changed"] is False
    assert result["changed_paths"] == []
    assert result["configtest"] == "skipped"
    assert result["reload_required"] is False and result["restart_required"] is False
    assert runner.calls == []
    assert snapshot(etc) == before


def test_mode_change_alone_is_a_change(etc):
    path = os.path.join(etc, "conf-available", "local.conf")
    result = run({"root": etc, "files": [{"path": path, "content": "ServerTokens Prod\n", "mode": "0644"}]}, Runner())
    assert result["changed_paths"] == [path]
    assert mode(path) == 0o644


# -- change + passing test ------------------------------------------------------------------------

def test_file_change_with_passing_configtest(etc):
    runner = Runner(err="Syntax OK\n")
    path = os.path.join(etc, "ports.conf")
    result = run({"root": etc, "files": [{"path": path, "content": "Listen 8080\n"}]}, runner)
    assert runner.calls == [["apache2ctl", "-t"]]
    assert result["changed"] is True
    assert result["changed_paths"] == [path]
    assert result["reload_required"] is True
    assert result["restart_required"] is False
    assert result["configtest"] == "Syntax OK"
    assert read(path) == b"Listen 8080\n"
    assert mode(path) == 0o644
    assert result["diff"] == [{"before_header": path, "after_header": path,
                               "before": "Listen 80\n", "after": "Listen 8080\n"}]
    # No temporary files left next to the target.
    assert [n for n in os.listdir(etc) if n.startswith(".modwsgi-")] == []


def test_custom_configtest_command_and_mode(etc):
    runner = Runner(out="ok", err="")
    path = os.path.join(etc, "conf-available", "new.conf")
    result = run({"root": etc, "configtest_command": ["/usr/sbin/apachectl", "-t", "-f", "x"],
                  "files": [{"path": path, "content": "# new\n", "mode": "0600"}],
                  "enable": {"conf": ["new"]}}, runner)
    assert runner.calls == [["/usr/sbin/apachectl", "-t", "-f", "x"]]
    assert result["configtest"] == "ok"
    assert mode(path) == 0o600
    assert enabled(etc, "conf", "new.conf") == "../conf-available/new.conf"


def test_absent_file_is_removed(etc):
    path = os.path.join(etc, "conf-available", "charset.conf")
    result = run({"root": etc, "files": [{"path": path, "state": "absent"}]}, Runner())
    assert result["changed_paths"] == [path]
    assert not os.path.exists(path)
    again = run({"root": etc, "files": [{"path": path, "state": "absent"}]}, Runner())
    assert again["changed"] is False


# -- failing test: everything restored --------------------------------------------------------------

def test_failing_configtest_restores_everything_byte_for_byte(etc):
    before = snapshot(etc)
    runner = Runner(rc=1, out="", err=APACHE_ERROR)
    local = os.path.join(etc, "conf-available", "local.conf")
    new_site = os.path.join(etc, "sites-available", "blog.conf")
    ports = os.path.join(etc, "ports.conf")
    params = {
        "root": etc,
        "files": [
            {"path": local, "content": "ServerTokens Prod\nThisIsNotADirective on\n", "mode": "0644"},
            {"path": new_site, "content": "<VirtualHost *:80>\n</VirtualHost>\n"},
            {"path": ports, "state": "absent"},
        ],
        "disable": {"mods": ["headers"], "conf": ["charset", "security"], "sites": ["000-default"]},
        "enable": {"mods": ["proxy_http", "ssl"], "sites": ["blog", "shop"]},
    }
    with pytest.raises(ConfigError) as caught:
        run(params, runner)
    err = caught.value
    message = str(err)
    # Names what changed and quotes Apache.
    for path in (local, new_site, ports, os.path.join(etc, "sites-enabled", "000-default.conf"),
                 os.path.join(etc, "mods-enabled", "proxy.load")):
        assert path in message
        assert path in err.changed_paths
    assert "ThisIsNotADirective" in message
    assert "apache2ctl -t" in message
    assert "restored" in message
    assert err.output == APACHE_ERROR
    assert runner.calls == [["apache2ctl", "-t"]]
    # Files (content and mode), enabled links (relative and absolute targets) and disabled links.
    assert snapshot(etc) == before
    assert not os.path.exists(new_site)
    assert mode(local) == 0o640
    assert enabled(etc, "conf", "charset.conf") == os.path.join(etc, "conf-available", "charset.conf")
    assert enabled(etc, "sites", "000-default.conf") == "../sites-available/000-default.conf"
    assert enabled(etc, "mods", "proxy.load") is None
    assert enabled(etc, "sites", "shop.conf") is None


def test_new_file_is_removed_on_rollback(etc):
    path = os.path.join(etc, "conf-available", "brand-new.conf")
    with pytest.raises(ConfigError):
        run({"root": etc, "files": [{"path": path, "content": "Bogus\n"}], "enable": {"conf": ["brand-new"]}},
            Runner(rc=1, err="Invalid command 'Bogus'"))
    assert not os.path.lexists(path)
    assert enabled(etc, "conf", "brand-new.conf") is None


def test_failing_configtest_without_output_says_so(etc):
    with pytest.raises(ConfigError) as caught:
        run({"root": etc, "files": [{"path": os.path.join(etc, "ports.conf"), "content": "Listen 81\n"}]},
            Runner(rc=1, out="", err=""))
    assert "(no output)" in str(caught.value)
    assert read(os.path.join(etc, "ports.conf")) == b"Listen 80\n"


def test_enabling_a_missing_site_restores_earlier_changes_without_configtest(etc):
    before = snapshot(etc)
    runner = Runner()
    with pytest.raises(ConfigError) as caught:
        run({"root": etc, "files": [{"path": os.path.join(etc, "ports.conf"), "content": "Listen 81\n"}],
             "enable": {"sites": ["nope"]}}, runner)
    assert "nope" in str(caught.value)
    assert runner.calls == []
    assert snapshot(etc) == before


def test_write_error_restores_and_raises_configerror(etc):
    before = snapshot(etc)
    missing_dir = os.path.join(etc, "no-such-dir", "x.conf")
    with pytest.raises(ConfigError) as caught:
        run({"root": etc, "files": [{"path": os.path.join(etc, "ports.conf"), "content": "Listen 81\n"},
                                    {"path": missing_dir, "content": "x\n"}]}, Runner())
    assert "previous files restored" in str(caught.value)
    assert snapshot(etc) == before


# -- MPM switch, dependencies ---------------------------------------------------------------------

def test_mpm_switch_requires_restart(etc):
    result = run({"root": etc, "disable": {"mods": ["mpm_event", "mpm_worker"]}, "enable": {"mods": ["mpm_prefork"]}},
                 Runner())
    assert result["restart_required"] is True
    assert result["reload_required"] is False
    assert enabled(etc, "mods", "mpm_event.load") is None
    assert enabled(etc, "mods", "mpm_event.conf") is None
    assert enabled(etc, "mods", "mpm_prefork.load") == "../mods-available/mpm_prefork.load"
    assert enabled(etc, "mods", "mpm_prefork.conf") == "../mods-available/mpm_prefork.conf"


def test_non_mpm_module_only_needs_reload(etc):
    result = run({"root": etc, "enable": {"mods": ["wsgi"]}}, Runner())
    assert result["restart_required"] is False
    assert result["reload_required"] is True
    assert enabled(etc, "mods", "wsgi.load") == "../mods-available/wsgi.load"
    assert enabled(etc, "mods", "wsgi.conf") == "../mods-available/wsgi.conf"


def test_dependencies_are_enabled_first(etc):
    result = run({"root": etc, "enable": {"mods": ["ssl", "proxy_http"]}}, Runner())
    mods = os.path.join(etc, "mods-enabled")
    assert result["changed_paths"] == [os.path.join(mods, n) for n in (
        "setenvif.load", "mime.load", "socache_shmcb.load", "ssl.load",
        "proxy.load", "proxy.conf", "proxy_http.load")]
    for name in ("setenvif.load", "mime.load", "socache_shmcb.load", "ssl.load", "proxy.load", "proxy_http.load"):
        assert enabled(etc, "mods", name) == "../mods-available/" + name
    assert enabled(etc, "mods", "ssl.conf") is None  # modules without a .conf are fine


def test_dependency_cycles_terminate(etc):
    run({"root": etc, "enable": {"mods": ["loop_a"]}}, Runner())
    assert enabled(etc, "mods", "loop_a.load") and enabled(etc, "mods", "loop_b.load")


def test_missing_module_fails(etc):
    with pytest.raises(ConfigError, match="does_not_exist"):
        run({"root": etc, "enable": {"mods": ["does_not_exist"]}}, Runner())


def test_wrong_link_target_is_repointed(etc):
    link = os.path.join(etc, "sites-enabled", "shop.conf")
    os.symlink("/tmp/elsewhere.conf", link)
    result = run({"root": etc, "enable": {"sites": ["shop"]}}, Runner())
    assert result["changed_paths"] == [link]
    assert os.readlink(link) == "../sites-available/shop.conf"


# -- check mode -----------------------------------------------------------------------------------

def test_check_mode_writes_nothing(etc):
    before = snapshot(etc)
    runner = Runner()
    path = os.path.join(etc, "conf-available", "new.conf")
    result = run({
        "root": etc,
        "files": [{"path": path, "content": "# new\n"},
                  {"path": os.path.join(etc, "ports.conf"), "content": "Listen 81\n"},
                  {"path": os.path.join(etc, "conf-available", "charset.conf"), "state": "absent"}],
        "disable": {"mods": ["mpm_event"], "sites": ["000-default"]},
        "enable": {"mods": ["mpm_prefork", "proxy_http"], "conf": ["charset"]},
    }, runner, check_mode=True)
    assert snapshot(etc) == before
    assert runner.calls == []
    assert result["changed"] is True
    assert result["restart_required"] is True
    assert result["configtest"] == "skipped"
    assert path in result["changed_paths"]
    assert os.path.join(etc, "mods-enabled", "proxy.load") in result["changed_paths"]
    assert {"before_header": path, "after_header": path, "before": "", "after": "# new\n"} in result["diff"]


# -- the filesystem layer -------------------------------------------------------------------------

def test_localfs_missing_paths(tmp_path):
    fs = LocalFS()
    missing = str(tmp_path / "missing")
    assert fs.read(missing) is None
    assert fs.mode(missing) is None
    assert fs.readlink(missing) is None
    assert fs.exists(missing) is False
    fs.remove(missing)  # no error


def test_transaction_rollback_on_demand(etc):
    before = snapshot(etc)
    txn = Transaction(root=etc)
    txn.put_file(os.path.join(etc, "ports.conf"), b"Listen 1\n", "0600")
    txn.disable("sites", "000-default")
    txn.enable("mods", "proxy_http")
    assert snapshot(etc) != before
    txn.rollback()
    assert snapshot(etc) == before


def test_regular_file_in_enabled_dir_survives_rollback(etc):
    """Hand-made real files in *-enabled (not links) come back byte for byte too."""
    real = os.path.join(etc, "sites-enabled", "shop.conf")
    _write(real, "# hand-made copy\n", 0o600)
    before = snapshot(etc)
    with pytest.raises(ConfigError):
        run({"root": etc, "enable": {"sites": ["shop"]}, "disable": {"sites": ["000-default"]}},
            Runner(rc=1, err="broken"))
    assert snapshot(etc) == before
    assert read(real) == b"# hand-made copy\n"


def test_check_mode_can_enable_a_file_the_same_transaction_writes(tmp_path):
    """A new vhost is written and enabled in one transaction: check mode plans it as the real run does it."""
    from ansible_collections.modwsgi.django.plugins.module_utils import _apache_config as AC

    for kind in ('sites', 'conf'):
        (tmp_path / ('%s-available' % kind)).mkdir()
        (tmp_path / ('%s-enabled' % kind)).mkdir()
    params = {'root': str(tmp_path), 'files': [{'path': str(tmp_path / 'sites-available' / 'new.conf'), 'content': 'X\n'}],
              'enable': {'sites': ['new']}}
    planned = AC.run(params, runner=None, check_mode=True)
    assert not (tmp_path / 'sites-available' / 'new.conf').exists()
    done = AC.run(params, runner=lambda argv: (0, 'Syntax OK', ''))
    assert planned['changed_paths'] == done['changed_paths'] == [str(tmp_path / 'sites-available' / 'new.conf'),
                                                                 str(tmp_path / 'sites-enabled' / 'new.conf')]
