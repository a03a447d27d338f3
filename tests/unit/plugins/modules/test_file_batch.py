# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""file_batch, release_status and pack_sources modules: main() with module args."""

from __future__ import annotations

import os

from ansible_collections.modwsgi.django.plugins.modules import file_batch, pack_sources, release_status
from ansible_collections.modwsgi.django.tests.unit.plugins.modules.utils import run_module


def test_file_batch_writes_reports_tags_and_diff(capsys, tmp_path):
    path = str(tmp_path / 'conf' / 'boot.py')
    args = {'entries': [{'path': str(tmp_path / 'conf'), 'state': 'directory', 'mode': '0750'},
                        {'path': path, 'content': 'X = 1\n', 'tag': 'shop'}],
            '_ansible_diff': True}
    code, result = run_module(file_batch.main, capsys, args)
    assert code == 0 and result['changed'] is True
    assert result['changed_paths'] == [str(tmp_path / 'conf'), path]
    assert result['changed_tags'] == ['shop']
    assert result['diff'][0]['after'] == 'X = 1\n'
    code, result = run_module(file_batch.main, capsys, args)
    assert result['changed'] is False and result['changed_tags'] == [] and 'diff' not in result


def test_file_batch_check_mode_changes_nothing(capsys, tmp_path):
    code, result = run_module(file_batch.main, capsys, {'entries': [{'path': str(tmp_path / 'f'), 'content': 'x'}],
                                                        '_ansible_check_mode': True})
    assert code == 0 and result['changed'] is True
    assert not os.path.exists(str(tmp_path / 'f'))


def test_file_batch_failure_names_the_path(capsys, tmp_path):
    (tmp_path / 'f').write_text('')
    code, result = run_module(file_batch.main, capsys, {'entries': [{'path': str(tmp_path / 'f'), 'state': 'directory'}]})
    assert code == 1
    assert result['msg'] == 'file_batch: %s exists and is not a directory' % (tmp_path / 'f')


def test_release_status_module_lists_sites_to_build(capsys, tmp_path):
    site = {'name': 'shop', 'mode': 'daemon', 'deploy': 'restart', 'python': '/usr/bin/python3', 'requirements': None,
            'paths': {'root': str(tmp_path), 'releases': str(tmp_path / 'releases'), 'venvs': str(tmp_path / 'venvs')}}
    code, result = run_module(release_status.main, capsys, {'sites': [site], 'release_ids': {'shop': 'a' * 40},
                                                            'map_path': str(tmp_path / 'map')})
    assert code == 0 and result['changed'] is False
    assert result['build'] == ['shop'] and result['activate'] == ['shop']
    assert result['releases'] == {'shop': str(tmp_path / 'releases' / ('a' * 12))}


def test_release_status_module_rejects_unnormalized_sites(capsys):
    code, result = run_module(release_status.main, capsys, {'sites': [{'name': 'shop'}]})
    assert code == 1 and 'normalized sites of validate_sites' in result['msg']


def test_pack_sources_module(capsys, tmp_path):
    src = tmp_path / 'proj'
    src.mkdir()
    (src / 'manage.py').write_text('')
    code, result = run_module(pack_sources.main, capsys, {
        'sites': [{'name': 'shop', 'source': {'type': 'path', 'path': str(src)}},
                  {'name': 'wiki', 'source': {'type': 'git', 'repo': 'https://example.invalid/w.git'}}],
        'dest': str(tmp_path), 'prefix': 'h-'})
    assert code == 0 and result['changed'] is False
    assert list(result['sources']) == ['shop'] and result['sources']['shop']['file'] == str(tmp_path / 'h-shop.tar.gz')
    assert result['checksums'] == {'shop': result['sources']['shop']['checksum']}
    code, result = run_module(pack_sources.main, capsys, {'sites': [{'name': 'x', 'source': {'type': 'path', 'path': str(tmp_path / 'no')}}],
                                                          'dest': str(tmp_path)})
    assert code == 1 and 'does not exist on the controller' in result['msg']


def test_health_check_module_against_a_local_server(capsys):
    import http.server
    import threading

    from ansible_collections.modwsgi.django.plugins.modules import health_check

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            code = 200 if self.headers["Host"] == "good.test" else 500
            self.send_response(code)
            self.send_header("X-Modwsgi-Release", "abc123")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        good = {"name": "good", "server_name": "good.test", "health_url_path": "/healthz/", "mount": "/"}
        code, result = run_module(health_check.main, capsys, {"sites": [good], "port": port, "retries": 2, "delay": 0})
        assert code == 0 and result["sites"] == {"good": 200} and result["changed"] is False
        bad = {"name": "bad", "host": "bad.test", "path": "/"}
        code, result = run_module(health_check.main, capsys, {"sites": [good, bad], "port": port, "retries": 2, "delay": 0})
        assert code == 1 and list(result["failed_sites"]) == ["bad"]
        assert result["msg"].startswith("health check failed for 1 of 2 sites: site bad: health check / on the site failed after 2 tries: HTTP 500")
        code, result = run_module(health_check.main, capsys, {"sites": [{"name": "x"}], "port": port})
        assert code == 1 and "needs a name, a host" in result["msg"]
    finally:
        server.shutdown()
