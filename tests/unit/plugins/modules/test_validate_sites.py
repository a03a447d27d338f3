# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.django maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests of the validate_sites module wrapper (AnsibleModule patched)."""

from __future__ import annotations

import contextlib
import json

import pytest

from ansible.module_utils import basic
from ansible.module_utils.common.text.converters import to_bytes

from ansible_collections.modwsgi.django.plugins.modules import validate_sites

SECRET = 'correct-horse-battery-staple'


class AnsibleExitJson(Exception):
    pass


class AnsibleFailJson(Exception):
    pass


def exit_json(self, **kwargs):
    kwargs.setdefault('changed', False)
    raise AnsibleExitJson(kwargs)


def fail_json(self, **kwargs):
    kwargs['failed'] = True
    raise AnsibleFailJson(kwargs)


@contextlib.contextmanager
def set_module_args(args):
    """The usual set_module_args, for ansible-core with and without patch_module_args."""
    try:
        from ansible.module_utils.testing import patch_module_args
    except ImportError:  # ansible-core < 2.19
        patch_module_args = None
    if patch_module_args is not None:
        with patch_module_args(args):
            yield
        return
    old = basic._ANSIBLE_ARGS
    basic._ANSIBLE_ARGS = to_bytes(json.dumps({'ANSIBLE_MODULE_ARGS': args}))
    try:
        yield
    finally:
        basic._ANSIBLE_ARGS = old


@pytest.fixture
def module_calls(monkeypatch):
    warnings = []
    monkeypatch.setattr(basic.AnsibleModule, 'exit_json', exit_json)
    monkeypatch.setattr(basic.AnsibleModule, 'fail_json', fail_json)
    monkeypatch.setattr(basic.AnsibleModule, 'warn', lambda self, msg: warnings.append(msg))
    return warnings


def run_module(args):
    with set_module_args(args):
        with pytest.raises((AnsibleExitJson, AnsibleFailJson)) as caught:
            validate_sites.main()
    return caught.value.args[0]


def site(name='shop', **kw):
    data = {'name': name, 'server_name': '%s.example.com' % name, 'project': name,
            'source': {'type': 'git', 'repo': 'https://git.example.com/%s.git' % name}}
    data.update(kw)
    return data


def test_success_returns_normalized_sites(module_calls):
    result = run_module({'sites': [site(secrets={'DJANGO_SECRET_KEY': SECRET}), site('blog', mode='embedded')],
                         'check_filesystem': False})
    assert result['changed'] is False
    assert 'failed' not in result
    names = [s['name'] for s in result['sites']]
    assert names == ['blog', 'shop']
    shop = result['sites'][1]
    assert shop['daemon_groups'] == ['shop_blue', 'shop_green']
    assert shop['paths']['script'] == '/srv/django/shop/apache/django.wsgi'
    assert result['vhosts'][0]['server_name'] == 'blog.example.com'
    assert result['restrict_embedded'] is False
    assert result['mass_hosting'] is None
    assert result['findings'] == []


def test_secrets_never_returned(module_calls):
    result = run_module({'sites': [site(secrets={'DJANGO_SECRET_KEY': SECRET})], 'check_filesystem': False})
    text = json.dumps(result)
    assert SECRET not in text
    assert result['sites'][0]['secrets'] == {'DJANGO_SECRET_KEY': 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'}
    assert result['invocation']['module_args']['sites'][0]['secrets'] == {'DJANGO_SECRET_KEY': 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'}


def test_secrets_never_in_failure(module_calls):
    result = run_module({'sites': [site(mount='/a/', secrets={'DJANGO_SECRET_KEY': SECRET, 'BAD': SECRET + '\nx'})],
                         'check_filesystem': False})
    assert result['failed'] is True
    assert SECRET not in json.dumps(result)


def test_errors_fail_with_one_line_per_error(module_calls):
    result = run_module({'sites': [site(mount='/a/'), site('blog', settings='settings'), site('shop')],
                         'check_filesystem': False})
    assert result['failed'] is True
    lines = result['msg'].split('\n')
    assert len(lines) == len([f for f in result['findings'] if f['severity'] == 'error'])
    assert any(line.startswith("[mount] site 'shop', field 'mount'") for line in lines)
    assert any(line.startswith("[settings-module] site 'blog'") for line in lines)
    assert any(line.startswith("[name] site 'shop'") for line in lines)
    assert {'id', 'severity', 'site', 'field', 'message', 'fix'} == set(result['findings'][0])
    assert 'sites' not in result


def test_warnings_go_through_module_warn(module_calls):
    result = run_module({'sites': [site(daemon={'processes': 1})], 'check_filesystem': False})
    assert 'failed' not in result
    assert len(module_calls) == 1 and module_calls[0].startswith('[processes-1]')
    assert result['findings'][0]['severity'] == 'warning'


def test_options_passed_through(module_calls):
    result = run_module({'sites': [site(mode='embedded', thread_safe=False)], 'mpm': 'worker', 'check_filesystem': False})
    assert result['failed'] is True and '[thread-safety]' in result['msg']
    result = run_module({'sites': [site(mode='embedded', thread_safe=False)], 'mpm': 'prefork', 'check_filesystem': False,
                         'apache_user': 'apache', 'apache_group': 'apache'})
    assert result['sites'][0]['user'] == 'apache'
    result = run_module({'sites': [site(root='/var/www/html/shop')], 'check_filesystem': False})
    assert '[exposed]' in result['msg']
    result = run_module({'sites': [site(root='/var/www/html/shop')], 'document_roots': ['/srv/www'], 'check_filesystem': False})
    assert 'failed' not in result
    result = run_module({'sites': [site()], 'base_dir': '/opt/django', 'check_filesystem': False,
                         'max_request_workers': 10, 'server_memory_mb': 100000,
                         'mass_hosting': {'server_name': 'm.example.com', 'base_dir': '/srv/mass'}})
    assert result['sites'][0]['root'] == '/opt/django/shop'
    assert result['mass_hosting']['daemon_group'] == 'modwsgi_mass'
    assert any(f['id'] == 'capacity' for f in result['findings'])


def test_python_abi_through_module(module_calls, tmp_path):
    fake = tmp_path / 'python'
    fake.write_text('#!/bin/sh\necho 3.13\n')
    fake.chmod(0o755)
    result = run_module({'sites': [site(python=str(fake), root=str(tmp_path / 'shop'))], 'mod_wsgi_python': '3.11',
                         'document_roots': [str(tmp_path / 'www')]})
    assert result['failed'] is True
    assert result['msg'].startswith('[python-abi]')
    assert 'is Python 3.13 but mod_wsgi is built for Python 3.11' in result['msg']


def test_python_abi_runs_the_interpreter_through_run_command(module_calls, monkeypatch, tmp_path):
    fake = tmp_path / 'python'
    fake.write_text('')
    calls = []

    def run_command(self, args, **kwargs):
        calls.append(list(args))
        return 0, '3.11\n', ''
    monkeypatch.setattr(basic.AnsibleModule, 'run_command', run_command)
    result = run_module({'sites': [site(python=str(fake), root=str(tmp_path / 'shop'))], 'mod_wsgi_python': '3.11',
                         'document_roots': [str(tmp_path / 'www')]})
    assert 'failed' not in result, result.get('msg')
    assert len(calls) == 1 and calls[0][-3:] == [str(fake), '-c', 'import sys;print("%d.%d"%sys.version_info[:2])']


def test_bad_argument_types_fail_cleanly(module_calls):
    result = run_module({'sites': [5], 'check_filesystem': False})
    assert result['failed'] is True
    result = run_module({'sites': [site()], 'mpm': 'winnt'})
    assert result['failed'] is True


def test_internal_error_is_reported_not_raised(module_calls, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError(SECRET)
    monkeypatch.setattr(validate_sites, 'validate', boom)
    result = run_module({'sites': [site(secrets={'A': SECRET})], 'check_filesystem': False})
    assert result['failed'] is True
    assert 'internal error (RuntimeError)' in result['msg']
    assert SECRET not in result['msg']


def test_check_mode_supported(module_calls):
    result = run_module({'sites': [site()], 'check_filesystem': False, '_ansible_check_mode': True})
    assert result['changed'] is False and 'skipped' not in result


def test_documentation_matches_argument_spec():
    import yaml
    doc = yaml.safe_load(validate_sites.DOCUMENTATION)
    yaml.safe_load(validate_sites.EXAMPLES)
    yaml.safe_load(validate_sites.RETURN)
    assert doc['version_added'] == '0.1.0'
    assert set(doc['options']) == {'sites', 'mpm', 'document_roots', 'check_filesystem', 'mod_wsgi_python', 'mass_hosting',
                                   'base_dir', 'apache_user', 'apache_group', 'max_request_workers', 'server_memory_mb', 'server_cores',
                                   'rollout', 'apache_sizing', 'observe'}


ROLLOUT = {'migrate_on': 'web1', 'play_hosts': ['web1', 'web2', 'web3'], 'inventory_hosts': ['web1', 'web2', 'web3']}


def test_rollout_only_the_migrate_host_migrates(module_calls):
    first = run_module({'sites': [site()], 'check_filesystem': False, 'rollout': dict(ROLLOUT, host='web1', batch=['web1'])})
    other = run_module({'sites': [site()], 'check_filesystem': False, 'rollout': dict(ROLLOUT, host='web2', batch=['web2'])})
    assert first['sites'][0]['migrate'] is True
    assert other['sites'][0]['migrate'] is False
    assert other['sites'][0]['collectstatic'] is True


def test_rollout_refuses_a_host_deployed_before_the_migrate_host(module_calls):
    result = run_module({'sites': [site()], 'check_filesystem': False,
                         'rollout': dict(ROLLOUT, migrate_on='web3', host='web1', batch=['web1'])})
    assert result['failed'] is True
    assert result['msg'].startswith("[migrate-once] field 'django_site_migrate_on': host 'web1' is deployed before 'web3'")
    assert [f['id'] for f in result['findings']] == ['migrate-once']


def test_rollout_refuses_an_unknown_migrate_host(module_calls):
    result = run_module({'sites': [site()], 'check_filesystem': False,
                         'rollout': dict(ROLLOUT, migrate_on='web9', host='web1', batch=['web1'])})
    assert result['failed'] is True
    assert "'web9' is not a host of the inventory" in result['msg']


def test_rollout_warns_when_the_migrate_host_is_not_in_the_play(module_calls):
    result = run_module({'sites': [site()], 'check_filesystem': False,
                         'rollout': dict(ROLLOUT, play_hosts=['web2'], host='web2', batch=['web2'])})
    assert 'failed' not in result and result['sites'][0]['migrate'] is False
    assert [w for w in module_calls if w.startswith("[migrate-once] django_site_migrate_on: 'web1' is not in this play")]
