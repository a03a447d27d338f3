# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""verify_sites module through its arguments (the checks themselves: module_utils/test_verify.py)."""

from __future__ import annotations

import socket

from ansible_collections.modwsgi.django.plugins.modules import verify_sites
from ansible_collections.modwsgi.django.tests.unit.plugins.modules.utils import run_module

SECRET = 'verify-secret-0123456789abcdefghijklmnopqrstuvwxyz'


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def site(tmp_path, **extra):
    data = {'name': 'shop', 'server_name': 'shop.test', 'project': 'shop', 'source': {'type': 'path', 'path': '/src'},
            'secrets': {'DJANGO_SECRET_KEY': SECRET}, 'root': str(tmp_path / 'shop')}
    data.update(extra)
    return data


def args(tmp_path, sites, **extra):
    data = {'sites': sites, 'port': free_port(), 'conf_root': str(tmp_path / 'apache2'), 'base_dir': str(tmp_path),
            'document_roots': [str(tmp_path / 'www')], 'settle': 0, 'timeout': 2}
    data.update(extra)
    return data


def test_sites_that_do_not_validate_fail_naming_the_rule(capsys, tmp_path):
    code, result = run_module(verify_sites.main, capsys, args(tmp_path, [site(tmp_path, mount='/shop/')]))
    assert code == 1 and result['msg'].startswith('verify_sites: the sites do not validate: [mount]')
    assert SECRET not in str(result)


def test_extra_paths_must_be_lists_of_strings(capsys, tmp_path):
    code, result = run_module(verify_sites.main, capsys, args(tmp_path, [site(tmp_path)], extra_paths={'shop': 'session/'}))
    assert code == 1 and 'extra_paths.shop must be a list' in result['msg']


def test_a_site_nobody_serves_fails_every_probe_and_names_them(capsys, tmp_path):
    code, result = run_module(verify_sites.main, capsys, args(tmp_path, [site(tmp_path)]))
    assert code == 1 and result['msg'].startswith('verify_sites: ') and "site 'shop', check mount: GET / on shop.test answered no answer" in result['msg']
    assert result['summary']['failed'] >= 3 and result['changed'] is False
    assert {item['check'] for item in result['checks']} >= {'mount', 'colors', 'static', 'media', 'daemon', 'cookies', 'exposed'}
    assert SECRET not in str(result)


def test_results_without_failing_and_check_mode_writes_nothing(capsys, tmp_path):
    static = tmp_path / 'shop' / 'static'
    static.mkdir(parents=True)
    arguments = args(tmp_path, [site(tmp_path)], fail_on_failures=False, _ansible_check_mode=True)
    code, result = run_module(verify_sites.main, capsys, arguments)
    assert code == 0 and result['failures'] and result['failures'] == [
        "site '%s', check %s: %s" % (item['site'], item['check'], item['detail']) for item in result['checks'] if item['status'] == 'failed']
    [static_check] = [item for item in result['checks'] if item['check'] == 'static']
    assert static_check['status'] == 'skipped' and 'check mode writes no marker' in static_check['detail']
    assert list(static.iterdir()) == []
