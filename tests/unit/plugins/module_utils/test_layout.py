# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.django maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Unit tests of the pure layout rules (no Ansible involved)."""

from __future__ import annotations

import copy
import json
import os
import random
import re
import subprocess

import pytest

from ansible_collections.modwsgi.django.plugins.module_utils import _layout as L

DOCS_RULES = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'docs', 'rules.md')


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------

def site(name='shop', **kw):
    data = {
        'name': name,
        'server_name': kw.pop('server_name', '%s.example.com' % name.replace('_', '-')),
        'project': kw.pop('project', name),
        'source': kw.pop('source', {'type': 'git', 'repo': 'https://git.example.com/%s.git' % name}),
    }
    data.update(kw)
    return data


def run(sites, **opts):
    opts.setdefault('check_filesystem', False)
    return L.validate(sites, **opts)


def find(result, rule, severity=None, field=None, site_label=None):
    return [f for f in result.findings
            if f.id == rule and (severity is None or f.severity == severity)
            and (field is None or f.field == field) and (site_label is None or f.site == site_label)]


def errors(result, rule=None):
    return [f for f in result.errors if rule is None or f.id == rule]


def assert_error(result, rule, field=None, site_label=None):
    hits = find(result, rule, L.ERROR, field, site_label)
    assert hits, 'expected error %s (field %s) in:\n%s' % (rule, field, '\n'.join(str(f) for f in result.findings))
    assert result.failed
    assert result.sites == [] and result.vhosts == []
    return hits[0]


def assert_warning(result, rule, field=None):
    hits = find(result, rule, L.WARNING, field)
    assert hits, 'expected warning %s in:\n%s' % (rule, '\n'.join(str(f) for f in result.findings))
    return hits[0]


def assert_clean(result, rule=None):
    bad = [f for f in result.findings if (rule is None and f.severity == L.ERROR) or (rule is not None and f.id == rule)]
    assert not bad, '\n'.join(str(f) for f in bad)


def by_name(result):
    return dict((s['name'], s) for s in result.sites)


class FakeFS(L.FileSystem):
    """Real filesystem, fake interpreters."""

    def __init__(self, versions):
        self.versions = versions
        self.calls = []

    def python_version(self, python):
        self.calls.append(python)
        if python not in self.versions:
            return None, 'does not exist'
        return self.versions[python], None


# ---------------------------------------------------------------------------
# the rule table and the docs
# ---------------------------------------------------------------------------

def test_rule_table_has_every_id_and_severity():
    expected = {
        'schema', 'name', 'server-name', 'path', 'env', 'tls-mismatch', 'alias-conflict', 'static-url', 'deploy',
        'mount', 'mount-unique', 'mount-nesting', 'script-dir', 'script-name', 'settings-in-script-dir', 'exposed',
        'settings-module', 'sys-path', 'force-script-name', 'processes-1', 'thread-safety', 'embedded-user',
        'daemon-name', 'session-cookie', 'capacity', 'python-abi', 'restrict-embedded', 'mpm-choice',
        'manage-steps',
    }
    assert set(L.RULES) == expected
    assert L.RULES['mount-nesting'][0] == L.WARNING
    assert L.RULES['processes-1'][0] == L.WARNING
    assert L.RULES['capacity'][0] == L.WARNING


def test_every_rule_is_documented():
    with open(DOCS_RULES) as handle:
        text = handle.read()
    for rule in L.RULES:
        assert re.search(r'^## `%s`' % re.escape(rule), text, re.M), rule


def test_finding_format_is_one_line_and_names_site_field_fix():
    result = run([site(mount='/a/')])
    text = str(assert_error(result, 'mount', 'mount'))
    assert text.startswith("[mount] site 'shop', field 'mount': ")
    assert " Fix: use '/a'" in text
    assert all(line.startswith('[') for line in result.error_message.splitlines())
    data = result.as_dict()
    assert data['findings'][0]['id'] == 'mount'
    assert set(data['findings'][0]) == {'id', 'severity', 'site', 'field', 'message', 'fix'}


def test_all_errors_of_all_sites_in_one_pass():
    result = run([site('a', mount='a/'), site('b', settings='settings'), {'name': 5}])
    ids = result.ids(L.ERROR)
    assert {'mount', 'settings-module', 'schema'} <= set(ids)
    assert len(result.error_message.splitlines()) == len(result.errors)


# ---------------------------------------------------------------------------
# schema
# ---------------------------------------------------------------------------

def test_schema_minimal_site_passes():
    result = run([site()])
    assert_clean(result)
    assert result.sites[0]['name'] == 'shop'


def test_schema_unknown_key_suggests_spelling():
    finding = assert_error(run([site(server_nmae='x')]), 'schema', 'server_nmae')
    assert "did you mean 'server_name'?" in finding.message


def test_schema_unknown_nested_keys_suggest_spelling():
    result = run([site(daemon={'thread': 4}, tls={'cert': '/c', 'key': '/k', 'hst': True}, static={'uri': '/s/'})])
    assert "did you mean 'threads'?" in assert_error(result, 'schema', 'daemon.thread').message
    assert "did you mean 'hsts'?" in assert_error(result, 'schema', 'tls.hst').message
    assert "did you mean 'url'?" in assert_error(result, 'schema', 'static.uri').message


@pytest.mark.parametrize('key', ['name', 'server_name', 'project', 'source'])
def test_schema_required_keys(key):
    data = site()
    del data[key]
    assert_error(run([data]), 'schema', key)


@pytest.mark.parametrize('key,value', [
    ('name', 42), ('server_name', ['a']), ('mount', 1), ('project', None), ('daemon', 'threads=5'),
    ('env', ['A=1']), ('secrets', 'x'), ('django_settings', []), ('thread_safe', 'maybe'), ('static', True),
    ('media', 'yes'), ('server_aliases', 'www.example.com'), ('tls', 'on'), ('source', 'git'), ('migrate', 3),
    ('settings', 3.5), ('root', {}), ('check_deploy', []),
])
def test_schema_wrong_types(key, value):
    data = site()
    data[key] = value
    result = run([data])
    assert any(f.id == 'schema' and f.field == key for f in result.errors), result.error_message


def test_schema_none_values_mean_default():
    result = run([site(mount=None, daemon=None, env=None, static=None, thread_safe=None)])
    assert_clean(result)
    assert result.sites[0]['mount'] == '/'
    assert result.sites[0]['static']['url'] == '/static/'


def test_schema_null_requirements_and_tls_mean_none():
    result = run([site(requirements=None, tls=None)])
    assert_clean(result)
    assert result.sites[0]['requirements'] is None and result.sites[0]['tls'] is None


def test_schema_boolean_strings_accepted():
    result = run([site(migrate='no', thread_safe='yes')])
    assert_clean(result)
    assert result.sites[0]['migrate'] is False


@pytest.mark.parametrize('sites', [[], None, 'shop', {'name': 'shop'}, 7])
def test_schema_sites_must_be_non_empty_list(sites):
    assert_error(L.validate(sites, check_filesystem=False), 'schema', 'sites')


def test_schema_site_item_not_a_dict():
    finding = assert_error(run([site(), 'shop']), 'schema')
    assert finding.site == 'sites[1]'


def test_schema_empty_sites_allowed_with_mass_hosting():
    result = L.validate([], check_filesystem=False, mass_hosting={'server_name': 'm.example.com', 'base_dir': '/srv/mass'})
    assert_clean(result)
    assert result.mass_hosting['daemon_group'] == 'modwsgi_mass'


@pytest.mark.parametrize('source', [
    {'type': 'svn', 'repo': 'x'}, {'type': 'git'}, {'type': 'git', 'repo': 'x', 'branch': 'main'},
    {'type': 'path'}, {'type': 'archive', 'src': 5}, {'type': {'a': 1}}, {'type': 'path', 'path': 'x', 'remote': 'maybe'},
])
def test_schema_source(source):
    assert_error(run([site(source=source)]), 'schema')


@pytest.mark.parametrize('source', [
    {'type': 'git', 'repo': '--upload-pack=touch /tmp/x'}, {'type': 'git', 'repo': 'x', 'version': '-b evil'},
    {'type': 'path', 'path': 'a\nb'}, {'type': 'path', 'path': 'rel/dir', 'remote': True},
])
def test_path_source_values(source):
    assert_error(run([site(source=source)]), 'path')


def test_source_normalized():
    result = run([site(source={'type': 'git', 'repo': 'https://x/y.git'}), site('b', source={'type': 'archive', 'src': '/tmp/b.tgz'})])
    assert_clean(result)
    sites = by_name(result)
    assert sites['shop']['source'] == {'type': 'git', 'repo': 'https://x/y.git', 'version': 'HEAD'}
    assert sites['b']['source'] == {'type': 'archive', 'src': '/tmp/b.tgz', 'remote': False}


# ---------------------------------------------------------------------------
# module options
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('opts,field', [
    ({'mpm': 'evnt'}, 'mpm'), ({'document_roots': 'x'}, 'document_roots'), ({'document_roots': ['rel']}, 'document_roots[0]'),
    ({'mod_wsgi_python': 'three'}, 'mod_wsgi_python'), ({'base_dir': 'srv'}, 'base_dir'), ({'apache_user': 'www data'}, 'apache_user'),
    ({'max_request_workers': 0}, 'max_request_workers'), ({'server_memory_mb': 'lots'}, 'server_memory_mb'),
    ({'check_filesystem': 'perhaps'}, 'check_filesystem'),
])
def test_options_are_validated(opts, field):
    result = L.validate([site()], **dict({'check_filesystem': False}, **opts))
    assert any(f.field == field for f in result.errors), result.error_message


@pytest.mark.parametrize('base_dir,ok', [('/srv', True), ('/opt', True), ('/home', True), ('/srv/django', True),
                                         ('/', False), ('/etc', False), ('/var/www', False), ('/tmp', False)])
def test_base_dir(base_dir, ok):
    result = run([site()], base_dir=base_dir)
    assert result.failed is not ok
    if ok:
        assert result.sites[0]['root'] == base_dir.rstrip('/') + '/shop'


def test_mpm_suggestion():
    result = run([site()], mpm='evnt')
    assert "did you mean 'event'?" in result.errors[0].fix


# ---------------------------------------------------------------------------
# name
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('name', ['Shop', '1shop', 'shop-1', 'shop.x', '_shop', 'a' * 32, 'shöp', ''])
def test_name_pattern(name):
    finding = assert_error(run([site(name=name, server_name='x.example.com', project='shop')]), 'name', 'name')
    assert finding.site == 'sites[0]'


def test_name_ok():
    assert_clean(run([site('shop_2', project='shop2')]))


def test_name_duplicates():
    result = run([site('shop'), site('shop', server_name='other.example.com')])
    finding = assert_error(result, 'name', 'name')
    assert 'sites[0]' in finding.message


# ---------------------------------------------------------------------------
# server-name
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('host', [
    'shop.example.com:8080', 'shop.example.com.', 'shop_1.example.com', '-shop.example.com', 'shop..example.com',
    '*.example.com', 'a' * 64 + '.example.com', ('a' * 60 + '.') * 5 + 'com', 'shop example.com', '',
])
def test_server_name_bad(host):
    assert_error(run([site(server_name=host)]), 'server-name', 'server_name')


def test_server_name_cyrillic_lookalike_is_flagged_with_punycode():
    finding = assert_error(run([site(server_name='sh\u043ep.example.com')]), 'server-name', 'server_name')
    assert 'CYRILLIC SMALL LETTER O' in finding.message
    assert 'xn--' in finding.fix


def test_server_name_uppercase_is_normalized():
    result = run([site(server_name='Shop.Example.COM', server_aliases=['WWW.Shop.example.com', '*.Shop.example.com'])])
    assert_clean(result)
    assert result.sites[0]['server_name'] == 'shop.example.com'
    assert result.sites[0]['server_aliases'] == ['www.shop.example.com', '*.shop.example.com']


@pytest.mark.parametrize('alias', ['*', 'www.*.example.com', 'a b', 'www.example.com:80', '*example.com'])
def test_server_alias_bad(alias):
    assert_error(run([site(server_aliases=[alias])]), 'server-name', 'server_aliases[0]')


def test_server_alias_wrong_type():
    assert_error(run([site(server_aliases=[5])]), 'schema', 'server_aliases[0]')


# ---------------------------------------------------------------------------
# mount
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('mount', ['/', '/a', '/a/b', '/shop-2', '/a_b/c~d'])
def test_mount_ok(mount):
    result = run([site(mount=mount)])
    assert_clean(result)
    assert result.sites[0]['mount'] == mount


@pytest.mark.parametrize('mount,fix', [
    ('/a/', '/a'), ('//', '/'), ('/a//b', '/a/b'), ('a', '/a'), ('', '/'), ('/a b', '/a-b'), ('/a.b', '/a-b'),
    ('/a$', '/a'), ('/(shop)', '/shop'), ('/a*', '/a'), ('/caf\u00e9', '/cafe'), ('/\u0448\u043e\u043f', '/'),
    ('/a\nb', '/a-b'), ('/a%20b', '/a-20b'),
])
def test_mount_bad(mount, fix):
    finding = assert_error(run([site(mount=mount)]), 'mount', 'mount')
    assert "use '%s'" % fix in finding.fix


def test_mount_unicode_fix_is_ascii():
    finding = assert_error(run([site(mount='/caf\u00e9')]), 'mount', 'mount')
    assert 'non-ASCII' in finding.message
    assert all(ord(c) < 128 for c in str(finding))


# ---------------------------------------------------------------------------
# mount-unique / mount-nesting
# ---------------------------------------------------------------------------

def test_mount_unique():
    result = run([site('a', server_name='www.example.com'), site('b', server_name='www.example.com')])
    assert_error(result, 'mount-unique', 'mount', 'b')


def test_same_mount_on_different_hosts_is_fine():
    assert_clean(run([site('a', mount='/x'), site('b', mount='/x')]))


def test_mount_nesting_warns():
    result = run([site('main', server_name='www.example.com'), site('blog', server_name='www.example.com', mount='/blog'),
                  site('sub', server_name='www.example.com', mount='/blog/sub')])
    assert_clean(result)
    warnings = find(result, 'mount-nesting', L.WARNING)
    assert {w.site for w in warnings} == {'blog', 'sub'}
    assert "site 'blog'" in [w for w in warnings if w.site == 'sub'][0].message
    assert [s['name'] for s in result.sites] == ['sub', 'blog', 'main']
    assert result.vhosts[0]['sites'] == ['sub', 'blog', 'main']


def test_mount_nesting_needs_the_same_host():
    assert_clean(run([site('a', mount='/'), site('b', mount='/b')]), 'mount-nesting')


def test_sibling_mounts_do_not_nest():
    result = run([site('a', server_name='www.example.com', mount='/ab'), site('b', server_name='www.example.com', mount='/a')])
    assert_clean(result, 'mount-nesting')


# ---------------------------------------------------------------------------
# settings-module
# ---------------------------------------------------------------------------

def test_settings_module_default():
    assert run([site()]).sites[0]['settings'] == 'shop.settings'


def test_settings_module_bare_settings():
    finding = assert_error(run([site(settings='settings')]), 'settings-module', 'settings')
    assert "'shop.settings'" in finding.fix


@pytest.mark.parametrize('value', ['mysite.settings', 'shop.', 'shop..settings', 'shop.settings-prod', 'shop.class', '.shop'])
def test_settings_module_bad(value):
    assert_error(run([site(settings=value)]), 'settings-module', 'settings')


def test_settings_module_nested_ok():
    result = run([site(settings='shop.settings.production')])
    assert_clean(result)
    assert result.sites[0]['settings'] == 'shop.settings.production'


# ---------------------------------------------------------------------------
# sys-path
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('project', ['my-site', '1site', 'class', 'django', 'test', 'site', 'os', 'json', 'email', 'code',
                                     'mod_wsgi', '_modwsgi_settings', 'caf\u00e9'])
def test_sys_path_project(project):
    assert_error(run([site(project=project, settings=None)]), 'sys-path', 'project')


def test_sys_path_root_relative():
    assert_error(run([site(root='srv/django/shop')]), 'sys-path', 'root')


def test_sys_path_legacy_relative_imports_warns_and_adds_project_dir():
    result = run([site(legacy_relative_imports=True)])
    assert_clean(result)
    assert_warning(result, 'sys-path', 'legacy_relative_imports')
    assert result.sites[0]['python_path_extra'] == ['/srv/django/shop/conf', '/srv/django/shop/current/shop']


def test_sys_path_ok():
    result = run([site(project='shop_site', root='/opt/sites/shop')])
    assert_clean(result)
    assert_clean(result, 'sys-path')
    assert result.sites[0]['python_path_extra'] == ['/opt/sites/shop/conf']


# ---------------------------------------------------------------------------
# path
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('field,value', [
    ('root', '/srv/django/../etc'), ('root', '/srv/django/shop/'), ('root', '/srv//shop'), ('root', '/srv/shop app'),
    ('root', '/'), ('root', '/etc'), ('root', '/srv/x$y'), ('root', '/srv/' + 'a' * 300), ('python', 'python3'),
    ('script_dir', 'apache'), ('script_dir', '/srv/a;b'), ('requirements', '/srv/req.txt'), ('requirements', '../req.txt'),
    ('requirements', ''), ('health_path', 'healthz'), ('health_path', '/a b'), ('health_path', '/../x'),
])
def test_path_bad(field, value):
    assert_error(run([site(**{field: value})]), 'path', field)


def test_path_fix_suggests_normalized_path():
    finding = assert_error(run([site(root='/srv/django/shop/')]), 'path', 'root')
    assert "use '/srv/django/shop'" in finding.fix


def test_path_dotdot_never_resolved_in_fix():
    finding = assert_error(run([site(root='/srv/django/../../etc')]), 'path', 'root')
    assert '/etc' not in finding.fix


def test_path_tls_files():
    assert_error(run([site(tls={'cert': 'cert.pem', 'key': '/k'})]), 'path', 'tls.cert')
    assert_error(run([site(tls={'cert': '/c'})]), 'schema', 'tls.key')


def test_path_static_dir():
    assert_error(run([site(static={'dir': 'static'})]), 'path', 'static.dir')


def test_path_roots_unique_and_not_nested():
    result = run([site('a', root='/srv/x'), site('b', root='/srv/x')])
    assert_error(result, 'path', 'root', 'b')
    result = run([site('a', root='/srv/x'), site('b', root='/srv/x/b')])
    assert_error(result, 'path', 'root', 'b')


def test_path_daemon_home():
    assert_error(run([site(daemon={'home': 'rel'})]), 'path', 'daemon.home')


# ---------------------------------------------------------------------------
# env / force-script-name
# ---------------------------------------------------------------------------

def test_env_ok_and_numbers_become_strings():
    result = run([site(env={'DJANGO_DEBUG': 0, 'RATIO': 1.5, 'NAME': 'x'}, secrets={'DJANGO_SECRET_KEY': 's3cr3t'})])
    assert_clean(result)
    assert result.sites[0]['env'] == {'DJANGO_DEBUG': '0', 'RATIO': '1.5', 'NAME': 'x'}
    assert result.sites[0]['secrets'] == {'DJANGO_SECRET_KEY': 's3cr3t'}


@pytest.mark.parametrize('env', [
    {'lower': 'x'}, {'1A': 'x'}, {'A-B': 'x'}, {'A': 'line\nbreak'}, {'A': 'nul\x00'}, {'A': 'cr\r'}, {'A': True},
    {'A': None}, {'A': ['x']}, {'A': {'b': 1}}, {'DJANGO_SETTINGS_MODULE': 'x.settings'}, {5: 'x'}, {'A': 'x' * 70000},
])
def test_env_bad(env):
    assert_error(run([site(env=env)]), 'env')


def test_env_key_in_env_and_secrets():
    assert_error(run([site(env={'A': '1'}, secrets={'A': '2'})]), 'env', 'secrets.A')


def test_env_secretish_key_in_env_warns():
    result = run([site(env={'DJANGO_SECRET_KEY': 'x'})])
    assert_clean(result)
    assert_warning(result, 'env', 'env.DJANGO_SECRET_KEY')


def test_django_settings():
    result = run([site(django_settings={'DEBUG': False, 'ADMINS': [['a', 'a@example.com']], 'X': None})])
    assert_clean(result)
    assert result.sites[0]['effective_settings']['ADMINS'] == [['a', 'a@example.com']]
    assert_error(run([site(django_settings={'debug': True})]), 'env', 'django_settings')
    assert_error(run([site(django_settings={'X': float('nan')})]), 'env', 'django_settings.X')
    assert_error(run([site(django_settings={'X': {1, 2}})]), 'env', 'django_settings.X')
    assert_warning(run([site(django_settings={'SECRET_KEY': 'x'})]), 'env', 'django_settings.SECRET_KEY')


@pytest.mark.parametrize('where', ['env', 'secrets', 'django_settings'])
def test_force_script_name(where):
    assert_error(run([site(**{where: {'FORCE_SCRIPT_NAME': '/shop'}})]), 'force-script-name', '%s.FORCE_SCRIPT_NAME' % where)


def test_force_script_name_never_in_output():
    result = run([site(mount='/shop')])
    assert_clean(result)
    assert 'FORCE_SCRIPT_NAME' not in json.dumps(result.as_dict())


def test_secret_values_never_in_findings():
    secret = 'hunter2\nsuper-secret-value'
    result = run([site(secrets={'DB_PASSWORD': secret, 'bad key': 'another-secret-value', 'OK': True},
                       mount='/a/')])
    text = json.dumps(result.as_dict())
    assert result.failed
    assert 'super-secret-value' not in text and 'hunter2' not in text and 'another-secret-value' not in text
    result = run([site(secrets='plain-secret-string')])
    assert 'plain-secret-string' not in json.dumps(result.as_dict())


def test_mask_secrets():
    masked = L.mask_secrets([site(secrets={'A': 'x'}), site('b', secrets='str'), 'junk', site('c')])
    assert masked[0]['secrets'] == {'A': L.SECRET_MASK}
    assert masked[1]['secrets'] == L.SECRET_MASK
    assert masked[2] == 'junk'
    assert L.mask_secrets('x') == 'x'


# ---------------------------------------------------------------------------
# tls-mismatch
# ---------------------------------------------------------------------------

TLS = {'cert': '/etc/ssl/certs/www.pem', 'key': '/etc/ssl/private/www.key'}


def test_tls_mismatch():
    result = run([site('a', server_name='www.example.com', tls=TLS), site('b', server_name='www.example.com', mount='/b')])
    assert_error(result, 'tls-mismatch', 'tls', 'b')


def test_tls_same_on_shared_host_is_fine():
    result = run([site('a', server_name='www.example.com', tls=dict(TLS)),
                  site('b', server_name='www.example.com', mount='/b', tls=dict(TLS, hsts=False))])
    assert_clean(result)
    assert result.vhosts[0]['tls'] == dict(TLS, chain=None, hsts=False, redirect=False)


# ---------------------------------------------------------------------------
# alias-conflict
# ---------------------------------------------------------------------------

def test_alias_equal_to_other_server_name():
    result = run([site('a', server_name='a.example.com', server_aliases=['b.example.com']), site('b', server_name='b.example.com')])
    assert_error(result, 'alias-conflict', 'server_aliases', 'a')


def test_alias_on_two_hosts():
    result = run([site('a', server_aliases=['www.example.com']), site('b', server_aliases=['www.example.com'])])
    assert_error(result, 'alias-conflict', 'server_aliases', 'b')


def test_alias_wildcard_covering_other_host_warns():
    result = run([site('a', server_name='example.com', server_aliases=['*.example.com']), site('b', server_name='b.example.com')])
    assert_clean(result)
    assert_warning(result, 'alias-conflict', 'server_aliases')


def test_alias_repeating_server_name_warns():
    assert_warning(run([site(server_aliases=['shop.example.com'])]), 'alias-conflict')


def test_aliases_union_on_shared_host_is_fine():
    result = run([site('a', server_name='www.example.com', server_aliases=['b.example.com']),
                  site('b', server_name='www.example.com', mount='/b', server_aliases=['a.example.com', 'b.example.com'])])
    assert_clean(result)
    assert result.vhosts[0]['server_aliases'] == ['a.example.com', 'b.example.com']


def test_alias_conflict_with_mass_hosting():
    result = run([site(server_aliases=['m.example.com'])], mass_hosting={'server_name': 'm.example.com', 'base_dir': '/srv/mass'})
    assert_error(result, 'alias-conflict', 'server_aliases')
    result = run([site(server_name='m.example.com')], mass_hosting={'server_name': 'm.example.com', 'base_dir': '/srv/mass'})
    assert_error(result, 'alias-conflict', 'server_name')


# ---------------------------------------------------------------------------
# static-url
# ---------------------------------------------------------------------------

def test_static_url_defaults_follow_mount():
    result = run([site(mount='/shop')])
    assert result.sites[0]['static'] == {'url': '/shop/static/', 'dir': '/srv/django/shop/static'}
    assert result.sites[0]['media'] == {'url': '/shop/media/', 'dir': '/srv/django/shop/media'}


@pytest.mark.parametrize('url', ['/static', 'static/', '/', '/st.atic/', '/st*/', '/a b/', '//static/', '/st\u00e4tic/', '/$x/'])
def test_static_url_bad(url):
    assert_error(run([site(static={'url': url})]), 'static-url', 'static.url')


def test_static_and_media_must_differ():
    assert_error(run([site(static={'url': '/files/'}, media={'url': '/files/'})]), 'static-url', 'media.url')
    assert_error(run([site(static={'url': '/files/'}, media={'url': '/files/media/'})]), 'static-url', 'media.url')
    assert_error(run([site(static={'dir': '/srv/files'}, media={'dir': '/srv/files'})]), 'static-url', 'media.dir')


def test_static_url_outside_mount_warns():
    result = run([site(mount='/shop', static={'url': '/static/'})])
    assert_clean(result)
    assert_warning(result, 'static-url', 'static.url')


def test_static_url_shared_between_sites_on_host():
    result = run([site('a', server_name='www.example.com', mount='/a', static={'url': '/static/'}),
                  site('b', server_name='www.example.com', mount='/b', static={'url': '/static/'})])
    assert_error(result, 'static-url', 'static.url', 'b')


def test_static_url_covering_another_mount():
    result = run([site('a', server_name='www.example.com', static={'url': '/blog/'}),
                  site('blog', server_name='www.example.com', mount='/blog')])
    assert_error(result, 'static-url', 'static.url', 'a')
    result = run([site('a', server_name='www.example.com', static={'url': '/blog/static/'}),
                  site('blog', server_name='www.example.com', mount='/blog', static={'url': '/blog/files/'})])
    assert_error(result, 'static-url', 'static.url', 'a')


def test_static_false_disables():
    result = run([site(static=False, media=False)])
    assert_clean(result)
    assert result.sites[0]['static'] is False
    assert 'STATIC_URL' not in result.sites[0]['effective_settings']


def test_static_url_nested_sites_ok():
    result = run([site('a', server_name='www.example.com'), site('blog', server_name='www.example.com', mount='/blog')])
    assert_clean(result)


# ---------------------------------------------------------------------------
# deploy
# ---------------------------------------------------------------------------

def test_deploy_only_for_daemon():
    assert_error(run([site(mode='embedded', deploy='bluegreen')]), 'deploy', 'deploy')


def test_deploy_bad_value():
    finding = assert_error(run([site(deploy='blugreen')]), 'deploy', 'deploy')
    assert "did you mean 'bluegreen'?" in finding.message


def test_deploy_defaults():
    result = run([site('a'), site('b', mode='embedded'), site('c', deploy='restart')])
    assert_clean(result)
    sites = by_name(result)
    assert sites['a']['deploy'] == 'bluegreen' and sites['a']['daemon_groups'] == ['a_blue', 'a_green']
    assert sites['a']['process_group'] is None and sites['a']['daemon']['home'] is None
    assert sites['b']['deploy'] is None and sites['b']['daemon_groups'] == [] and sites['b']['daemon'] is None
    assert sites['c']['process_group'] == 'c' and sites['c']['daemon']['home'] == '/srv/django/c/current'


def test_mode_bad_value():
    assert "did you mean 'daemon'?" in assert_error(run([site(mode='deamon')]), 'schema', 'mode').message


# ---------------------------------------------------------------------------
# script-dir / script-name / settings-in-script-dir (on paper)
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('script_dir', [
    '/srv/django/shop', '/srv/django/shop/current/apache', '/srv/django/shop/releases/1/apache', '/srv/django/shop/blue',
    '/srv/django/shop/conf/apache', '/srv/django/shop/venvs/x', '/srv/django', '/srv/django/other/apache',
])
def test_script_dir_bad_places(script_dir):
    result = run([site(script_dir=script_dir), site('other')])
    assert_error(result, 'script-dir', 'script_dir')


def test_script_dir_shared():
    result = run([site('a', script_dir='/srv/wsgi/x'), site('b', script_dir='/srv/wsgi/x')])
    assert_error(result, 'script-dir', 'script_dir', 'b')


def test_script_dir_custom_ok():
    result = run([site(script_dir='/srv/wsgi/shop')])
    assert_clean(result)
    assert result.sites[0]['paths']['script'] == '/srv/wsgi/shop/django.wsgi'


@pytest.mark.parametrize('script_dir', ['/srv/django/shop/conf', '/srv/django/shop/current/shop', '/srv/django/shop/releases/20240101/shop'])
def test_settings_in_script_dir_on_paper(script_dir):
    assert_error(run([site(script_dir=script_dir)]), 'settings-in-script-dir', 'script_dir')


# ---------------------------------------------------------------------------
# filesystem: script dir contents, django.py, exposure through symlinks
# ---------------------------------------------------------------------------

@pytest.fixture
def tree(tmp_path):
    www = tmp_path / 'www'
    www.mkdir()
    base = tmp_path / 'django'
    base.mkdir()
    root = base / 'shop'
    for sub in ('apache', 'conf', 'current', 'static', 'media', 'releases'):
        (root / sub).mkdir(parents=True)
    (root / 'apache' / 'django.wsgi').write_text('application = None\n')
    return {'tmp': tmp_path, 'www': str(www), 'base': str(base), 'root': str(root)}


def fsrun(tree, sites=None, **opts):
    opts.setdefault('document_roots', [tree['www']])
    opts.setdefault('base_dir', tree['base'])
    return L.validate(sites if sites is not None else [site()], check_filesystem=True, **opts)


def test_fs_clean_tree_passes(tree):
    assert_clean(fsrun(tree))


@pytest.mark.parametrize('entry,rule', [
    ('django.py', 'script-name'), ('helpers.py', 'script-name'), ('settings.py', 'settings-in-script-dir'),
    ('local_settings.py', 'settings-in-script-dir'), ('settings_prod.pyc', 'settings-in-script-dir'),
    ('README', 'script-dir'), ('.env', 'script-dir'),
])
def test_fs_script_dir_contents(tree, entry, rule):
    with open(os.path.join(tree['root'], 'apache', entry), 'w') as handle:
        handle.write('x')
    finding = assert_error(fsrun(tree), rule, 'script_dir')
    assert entry in finding.message


def test_fs_script_dir_subdirectory(tree):
    os.mkdir(os.path.join(tree['root'], 'apache', '__pycache__'))
    assert_error(fsrun(tree), 'script-dir', 'script_dir')


def test_fs_django_py_on_sys_path(tree):
    with open(os.path.join(tree['root'], 'current', 'django.py'), 'w') as handle:
        handle.write('x')
    assert_error(fsrun(tree), 'script-name', 'root')


def test_fs_checks_skipped_on_paper(tree):
    with open(os.path.join(tree['root'], 'apache', 'django.py'), 'w') as handle:
        handle.write('x')
    assert_clean(L.validate([site()], check_filesystem=False, base_dir=tree['base'], document_roots=[tree['www']]))


def test_fs_symlink_in_document_root_to_site_root(tree):
    os.symlink(tree['root'], os.path.join(tree['www'], 'code'))
    finding = assert_error(fsrun(tree), 'exposed', 'root')
    assert 'symlink' in finding.message


def test_fs_symlink_in_document_root_into_code(tree):
    os.symlink(os.path.join(tree['root'], 'current'), os.path.join(tree['www'], 'code'))
    assert_error(fsrun(tree), 'exposed')


def test_fs_symlink_to_parent_of_root(tree):
    os.symlink(tree['base'], os.path.join(tree['www'], 'all'))
    assert_error(fsrun(tree), 'exposed')


def test_fs_symlink_to_public_static_is_fine(tree):
    os.symlink(os.path.join(tree['root'], 'static'), os.path.join(tree['www'], 'static'))
    assert_clean(fsrun(tree))


def test_fs_root_is_a_symlink_into_document_root(tree):
    real = os.path.join(tree['www'], 'shop')
    os.mkdir(real)
    link = os.path.join(tree['base'], 'linked')
    os.symlink(real, link)
    finding = assert_error(fsrun(tree, [site('linked', project='shop')]), 'exposed', 'root')
    assert 'really' in finding.message


def test_fs_document_root_is_a_symlink(tree):
    link = str(tree['tmp'] / 'wwwlink')
    os.symlink(tree['base'], link)
    assert_error(fsrun(tree, document_roots=[link]), 'exposed', 'root')


def test_fs_missing_paths_judged_on_paper(tree):
    result = fsrun(tree, [site('ghost')], document_roots=[str(tree['tmp'] / 'nope')])
    assert_clean(result)


# ---------------------------------------------------------------------------
# exposed (on paper)
# ---------------------------------------------------------------------------

def test_exposed_root_under_document_root():
    finding = assert_error(run([site(root='/var/www/html/shop')]), 'exposed', 'root')
    assert 'document root /var/www/html' in finding.message
    # one finding for the root, not one per sub directory
    assert len(find(run([site(root='/var/www/html/shop')]), 'exposed')) == 1


def test_exposed_script_dir_under_document_root():
    assert_error(run([site(script_dir='/var/www/html/wsgi')]), 'exposed', 'script_dir')


def test_exposed_static_dir_containing_root():
    assert_error(run([site(static={'dir': '/srv/django/shop'})]), 'exposed', 'root')
    assert_error(run([site(static={'dir': '/srv/django'})]), 'exposed', 'root')


def test_exposed_other_sites_media_dir():
    result = run([site('a', media={'dir': '/srv/django/b/releases'}), site('b')])
    assert_error(result, 'exposed', 'paths.releases', 'b')


@pytest.mark.parametrize('sub', ['releases', 'releases/abc/static', 'venvs', 'conf', 'data', 'run', 'cache', 'bin',
                                 'apache', 'blue', 'green', 'current', 'current/static'])
@pytest.mark.parametrize('key', ['static', 'media'])
def test_exposed_public_dir_in_private_part_of_own_root(key, sub):
    finding = assert_error(run([site(**{key: {'dir': '/srv/django/shop/' + sub}})]), 'exposed', key + '.dir', 'shop')
    assert '/srv/django/shop/' + sub.split('/')[0] in finding.message
    assert 'default' in finding.fix


@pytest.mark.parametrize('key', ['static', 'media'])
def test_exposed_public_dir_in_another_sites_root(key):
    result = run([site('a', **{key: {'dir': '/srv/django/b/public'}}), site('b')])
    finding = assert_error(result, 'exposed', key + '.dir', 'a')
    assert "site 'b'" in finding.message
    # b's own public dirs anywhere in its root (other than the private parts) are fine
    assert_clean(run([site('a'), site('b', static={'dir': '/srv/django/b/public/static'})]))


def test_exposed_public_dir_beside_private_names_is_fine():
    assert_clean(run([site(static={'dir': '/srv/django/shop/static-files'}, media={'dir': '/srv/django/shop/databank'})]))
    assert_clean(run([site(static={'dir': '/var/lib/shop/static'})]))


def test_fs_exposed_public_dir_symlinked_into_releases(tree):
    link = os.path.join(tree['root'], 'pub')
    os.symlink(os.path.join(tree['root'], 'current'), link)
    finding = assert_error(fsrun(tree, [site(static={'dir': link})]), 'exposed', 'static.dir')
    assert 'really' in finding.message


def test_exposed_document_root_inside_site_root():
    assert_error(run([site()], document_roots=['/srv/django/shop/htdocs']), 'exposed', 'root')
    assert_clean(run([site()], document_roots=['/srv/django/shop/static']))


def test_exposed_custom_document_roots():
    assert_error(run([site()], document_roots=['/srv']), 'exposed', 'root')
    assert_clean(run([site(root='/var/www/html/shop')], document_roots=['/var/www/public']))


def test_exposed_mass_hosting():
    result = run([site()], mass_hosting={'server_name': 'm.example.com', 'base_dir': '/var/www/html/mass'})
    assert_error(result, 'exposed', 'mass_hosting.base_dir')
    result = run([site()], mass_hosting={'server_name': 'm.example.com', 'base_dir': '/srv/django'})
    assert_error(result, 'exposed', 'root', 'shop')
    assert_clean(run([site()], mass_hosting={'server_name': 'm.example.com', 'base_dir': '/srv/mass'}))


# ---------------------------------------------------------------------------
# processes-1 / thread-safety / embedded-user
# ---------------------------------------------------------------------------

def test_processes_1_warns():
    result = run([site(daemon={'processes': 1})])
    assert_clean(result)
    finding = assert_warning(result, 'processes-1', 'daemon.processes')
    assert 'processes: null' in finding.fix


def test_processes_omitted_or_more_do_not_warn():
    assert not find(run([site(), site('b', daemon={'processes': 3})]), 'processes-1')


def test_thread_safety_daemon_threads():
    assert_error(run([site(thread_safe=False, daemon={'threads': 5})]), 'thread-safety', 'daemon.threads')


def test_thread_safety_default_threads_become_1():
    result = run([site(thread_safe=False, daemon={'processes': 5})])
    assert_clean(result)
    assert result.sites[0]['daemon']['threads'] == 1


@pytest.mark.parametrize('mpm', ['worker', 'event'])
def test_thread_safety_embedded_threaded_mpm(mpm):
    assert_error(run([site(mode='embedded', thread_safe=False)], mpm=mpm), 'thread-safety', 'thread_safe')


def test_thread_safety_embedded_prefork_ok():
    assert_clean(run([site(mode='embedded', thread_safe=False)], mpm='prefork'))


@pytest.mark.parametrize('daemon', [{'user': 'shop'}, {'group': 'shop'}, {'threads': 5}])
def test_embedded_user(daemon):
    assert_error(run([site(mode='embedded', daemon=daemon)]), 'embedded-user', 'daemon')


def test_embedded_runs_as_apache_user():
    result = run([site(mode='embedded', daemon={})], apache_user='apache', apache_group='apache')
    assert_clean(result)
    assert (result.sites[0]['user'], result.sites[0]['group']) == ('apache', 'apache')
    assert result.sites[0]['application_group'] == '%{RESOURCE}'


@pytest.mark.parametrize('daemon,field', [
    ({'user': 'root'}, 'daemon.user'), ({'user': 'Shop User'}, 'daemon.user'), ({'threads': 0}, 'daemon.threads'),
    ({'processes': 'two'}, 'daemon.processes'), ({'threads': True}, 'daemon.threads'), ({'display_name': 'a b'}, 'daemon.display_name'),
    ({'lang': 'C.UTF-8\nX'}, 'daemon.lang'), ({'graceful_timeout': -1}, 'daemon.graceful_timeout'), ({'group': 5}, 'daemon.group'),
])
def test_daemon_values(daemon, field):
    assert_error(run([site(daemon=daemon)]), 'schema', field)


def test_daemon_defaults_filled():
    result = run([site(daemon={'processes': '2', 'user': 'www_shop'})])
    assert_clean(result)
    daemon = result.sites[0]['daemon']
    assert set(daemon) == set(L.DAEMON_DEFAULTS)
    assert daemon['processes'] == 2 and daemon['threads'] == 15 and daemon['group'] == 'www_shop'
    assert (result.sites[0]['user'], result.sites[0]['group']) == ('www_shop', 'www_shop')


# ---------------------------------------------------------------------------
# daemon-name
# ---------------------------------------------------------------------------

def test_daemon_name_collision_bluegreen_vs_restart():
    result = run([site('shop'), site('shop_blue', project='shopblue', deploy='restart')])
    finding = assert_error(result, 'daemon-name', 'name', 'shop_blue')
    assert "'shop_blue'" in finding.message


def test_daemon_name_80_and_443_share_one_group():
    result = run([site('shop', tls=TLS, deploy='restart')])
    assert_clean(result)
    assert result.sites[0]['daemon_groups'] == ['shop']
    assert len(result.vhosts) == 1


def test_daemon_name_with_mass_hosting():
    result = run([site('modwsgi_mass', project='mass', deploy='restart')],
                 mass_hosting={'server_name': 'm.example.com', 'base_dir': '/srv/mass'})
    assert_error(result, 'daemon-name', 'name')
    assert_clean(run([site('modwsgi_mass', project='mass', deploy='restart')],
                     mass_hosting={'server_name': 'm.example.com', 'base_dir': '/srv/mass', 'mode': 'embedded'}))


def test_daemon_name_embedded_has_no_group():
    assert_clean(run([site('shop'), site('shop_blue', project='x', mode='embedded')]))


# ---------------------------------------------------------------------------
# session-cookie
# ---------------------------------------------------------------------------

def test_session_cookie_defaults_single_site():
    result = run([site()])
    s = result.sites[0]
    assert (s['session_cookie_name'], s['csrf_cookie_name'], s['session_cookie_path']) == ('sessionid', 'csrftoken', '/')


def test_session_cookie_defaults_shared_host():
    result = run([site('a', server_name='www.example.com'), site('blog', server_name='www.example.com', mount='/blog')])
    assert_clean(result)
    blog = by_name(result)['blog']
    assert blog['session_cookie_name'] == 'blog_sessionid' and blog['csrf_cookie_name'] == 'blog_csrftoken'
    assert blog['session_cookie_path'] == '/blog' and blog['csrf_cookie_path'] == '/blog'
    assert blog['effective_settings']['SESSION_COOKIE_NAME'] == 'blog_sessionid'


def test_session_cookie_explicit_collision():
    result = run([site('a', server_name='www.example.com', session_cookie_name='sid'),
                  site('b', server_name='www.example.com', mount='/b', session_cookie_name='sid')])
    assert_error(result, 'session-cookie', 'session_cookie_name', 'b')


def test_session_cookie_same_name_disjoint_paths_ok():
    result = run([site('a', server_name='www.example.com', mount='/a', session_cookie_name='sid'),
                  site('b', server_name='www.example.com', mount='/ab', session_cookie_name='sid')])
    assert_clean(result)


def test_session_cookie_prefix_at_segment_boundary():
    result = run([site('a', server_name='www.example.com', mount='/a', session_cookie_name='sid'),
                  site('b', server_name='www.example.com', mount='/a/b', session_cookie_name='sid')])
    assert_error(result, 'session-cookie', 'session_cookie_name')


def test_csrf_cookie_collision():
    result = run([site('a', server_name='www.example.com', csrf_cookie_name='csrf'),
                  site('b', server_name='www.example.com', mount='/b', csrf_cookie_name='csrf')])
    assert_error(result, 'session-cookie', 'csrf_cookie_name', 'b')


def test_session_cookie_collision_through_django_settings():
    result = run([site('a', server_name='www.example.com', django_settings={'SESSION_COOKIE_NAME': 'sid'}),
                  site('b', server_name='www.example.com', mount='/b', session_cookie_name='sid')])
    assert_error(result, 'session-cookie', 'session_cookie_name')


def test_session_cookie_bad_syntax_and_equal_names():
    assert_error(run([site(session_cookie_name='a b')]), 'session-cookie', 'session_cookie_name')
    assert_error(run([site(session_cookie_name='x', csrf_cookie_name='x')]), 'session-cookie', 'csrf_cookie_name')
    assert_error(run([site(session_cookie_path='blog')]), 'session-cookie', 'session_cookie_path')


def test_session_cookie_path_not_covering_mount_warns():
    result = run([site(mount='/shop', session_cookie_path='/other')])
    assert_clean(result)
    assert_warning(result, 'session-cookie', 'session_cookie_path')
    assert not find(run([site(mount='/shop', session_cookie_path='/')]), 'session-cookie')


# ---------------------------------------------------------------------------
# capacity
# ---------------------------------------------------------------------------

def test_capacity_workers():
    # only the live color gets requests: 2 processes x 15 threads = 30, bluegreen or not
    result = run([site(daemon={'processes': 2})], max_request_workers=25)
    finding = assert_warning(result, 'capacity', 'max_request_workers')
    assert '30 threads' in finding.message
    assert not find(run([site(daemon={'processes': 2})], max_request_workers=30), 'capacity')
    assert not find(run([site(deploy='restart', daemon={'processes': 2})], max_request_workers=30), 'capacity')


def test_default_processes_stay_within_what_apache_can_feed():
    # 150 workers, 4 sites x 15 threads: 2 processes each (120 threads), not the 8 cores
    result = run([site('s%d' % i) for i in range(4)], server_cores=8, server_memory_mb=65536, max_request_workers=150)
    assert {s['daemon']['processes'] for s in result.sites} == {2}
    assert not find(result, 'capacity')


def test_capacity_memory_daemon():
    # 10 bluegreen sites x 2 colors x 2 processes x 60 MB = 2400 MB > 80% of 2048
    sites = [site('s%d' % i, daemon={'processes': 2}) for i in range(10)]
    assert_warning(run(sites, server_memory_mb=2048), 'capacity', 'server_memory_mb')
    assert not find(run(sites, server_memory_mb=8192), 'capacity')


def test_capacity_memory_embedded_prefork():
    finding = assert_warning(run([site(mode='embedded')], mpm='prefork', server_memory_mb=4096), 'capacity', 'server_memory_mb')
    assert 'prefork' in finding.message
    assert not find(run([site(mode='embedded')], mpm='prefork'), 'capacity')


def test_capacity_without_limits_is_silent():
    assert not find(run([site(daemon={'processes': 50, 'threads': 100})]), 'capacity')


# ---------------------------------------------------------------------------
# python-abi
# ---------------------------------------------------------------------------

def test_python_abi_mismatch(tree):
    fs = FakeFS({'/usr/bin/python3': '3.13'})
    finding = assert_error(fsrun(tree, mod_wsgi_python='3.11', fs=fs), 'python-abi', 'python')
    assert '3.13' in finding.message and '/usr/bin/python3.11' in finding.fix


def test_python_abi_match_and_cache(tree):
    fs = FakeFS({'/usr/bin/python3': '3.11'})
    assert_clean(fsrun(tree, [site('a'), site('b')], mod_wsgi_python='3.11', fs=fs))
    assert fs.calls == ['/usr/bin/python3']


def test_python_abi_missing_interpreter(tree):
    finding = assert_error(fsrun(tree, [site(python='/opt/py/bin/python3')], mod_wsgi_python='3.11', fs=FakeFS({})),
                           'python-abi', 'python')
    assert '/opt/py/bin/python3' in finding.message


def test_python_abi_skipped_on_paper_or_without_version(tree):
    fs = FakeFS({})
    assert_clean(L.validate([site()], check_filesystem=False, mod_wsgi_python='3.11', fs=fs))
    assert_clean(fsrun(tree, fs=fs))
    assert fs.calls == []


def subprocess_runner(argv):
    """What the module's run_command runner does, for the tests: (rc, stdout, stderr)."""
    proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60, check=False)
    return proc.returncode, proc.stdout.decode('utf-8', 'replace'), proc.stderr.decode('utf-8', 'replace')


def test_python_abi_real_interpreter(tree):
    fs = L.FileSystem(subprocess_runner)
    fake = tree['tmp'] / 'python'
    fake.write_text('#!/bin/sh\necho 3.11\n')
    fake.chmod(0o755)
    assert_clean(fsrun(tree, [site(python=str(fake))], mod_wsgi_python='3.11', fs=fs))
    assert_error(fsrun(tree, [site(python=str(fake))], mod_wsgi_python='3.12', fs=fs), 'python-abi')
    assert_error(fsrun(tree, [site(python=str(tree['tmp'] / 'missing'))], mod_wsgi_python='3.11', fs=fs), 'python-abi')
    broken = tree['tmp'] / 'broken'
    broken.write_text('#!/bin/sh\nexit 3\n')
    broken.chmod(0o755)
    assert 'exit code 3' in assert_error(fsrun(tree, [site(python=str(broken))], mod_wsgi_python='3.11', fs=fs), 'python-abi').message
    not_runnable = tree['tmp'] / 'not-runnable'
    not_runnable.write_text('#!/bin/sh\necho 3.11\n')
    not_runnable.chmod(0o644)
    finding = assert_error(fsrun(tree, [site(python=str(not_runnable))], mod_wsgi_python='3.11', fs=fs), 'python-abi')
    assert 'cannot be run (PermissionError)' in finding.message


def test_python_abi_runner_gets_argv_and_may_return_bytes(tree):
    python = tree['tmp'] / 'python-never-run'
    python.write_text('')
    calls = []

    def runner(argv):
        calls.append(argv)
        return 0, b'3.11\n', b''
    assert_clean(fsrun(tree, [site(python=str(python))], mod_wsgi_python='3.11', fs=L.FileSystem(runner)))
    assert calls == [[str(python), '-c', L.PYTHON_VERSION_CODE]]


def test_python_abi_without_runner_is_a_finding_not_a_subprocess(tree):
    python = tree['tmp'] / 'python-never-run'
    python.write_text('')
    finding = assert_error(fsrun(tree, [site(python=str(python))], mod_wsgi_python='3.11'), 'python-abi', 'python')
    assert 'no command runner' in finding.message


def test_python_abi_mass_hosting_python_home(tree):
    fs = FakeFS({'/usr/bin/python3': '3.11'})
    result = fsrun(tree, mod_wsgi_python='3.11', fs=fs,
                   mass_hosting={'server_name': 'm.example.com', 'base_dir': '/srv/mass', 'python_home': '/srv/mass-venv'})
    assert_error(result, 'python-abi', 'mass_hosting.python_home')


def test_python_abi_fs_exception_is_a_finding(tree):
    class Boom(L.FileSystem):
        def python_version(self, python):
            raise RuntimeError('boom')
    assert_error(fsrun(tree, mod_wsgi_python='3.11', fs=Boom()), 'python-abi')


# ---------------------------------------------------------------------------
# restrict-embedded and normalization
# ---------------------------------------------------------------------------

def test_restrict_embedded():
    assert run([site('a'), site('b', deploy='restart')]).restrict_embedded is True
    assert run([site('a'), site('b', mode='embedded')]).restrict_embedded is False
    mass = {'server_name': 'm.example.com', 'base_dir': '/srv/mass', 'mode': 'embedded'}
    assert run([site('a')], mass_hosting=mass).restrict_embedded is False


def test_normalized_contract_example():
    result = run([
        site('main', server_name='www.example.com', tls=TLS),
        site('blog', server_name='www.example.com', mount='/blog', tls=TLS, health_path='/healthz/',
             server_aliases=['example.com', '*.blog.example.com'], django_settings={'DEBUG': False, 'ALLOWED_HOSTS': ['*']}),
    ])
    assert_clean(result)
    blog = by_name(result)['blog']
    assert blog['health_url_path'] == '/blog/healthz/'
    assert by_name(result)['main']['health_url_path'] == '/'
    assert blog['paths'] == {
        'root': '/srv/django/blog', 'releases': '/srv/django/blog/releases', 'venvs': '/srv/django/blog/venvs',
        'conf': '/srv/django/blog/conf', 'site_json': '/srv/django/blog/conf/site.json',
        'settings_module_file': '/srv/django/blog/conf/_modwsgi_settings.py', 'script_dir': '/srv/django/blog/apache',
        'script': '/srv/django/blog/apache/django.wsgi', 'manage': '/srv/django/blog/bin/manage',
        'current': '/srv/django/blog/current', 'blue': '/srv/django/blog/blue', 'green': '/srv/django/blog/green',
    }
    assert blog['daemon_groups'] == ['blog_blue', 'blog_green'] and blog['process_group'] is None
    assert blog['application_group'] == '%{GLOBAL}' and blog['code_dir'] == '/srv/django/blog/current'
    assert blog['django_settings_module'] == '_modwsgi_settings' and blog['python_path_extra'] == ['/srv/django/blog/conf']
    eff = blog['effective_settings']
    assert eff['STATIC_URL'] == '/blog/static/' and eff['MEDIA_ROOT'] == '/srv/django/blog/media'
    assert eff['CSRF_TRUSTED_ORIGINS'] == ['https://www.example.com', 'https://example.com', 'https://*.blog.example.com']
    assert eff['ALLOWED_HOSTS'] == ['*']   # django_settings win
    assert by_name(result)['main']['effective_settings']['ALLOWED_HOSTS'] == ['www.example.com']
    assert 'FORCE_SCRIPT_NAME' not in eff
    assert set(L.SITE_SCHEMA) <= set(blog)
    assert result.vhosts == [{'server_name': 'www.example.com', 'server_aliases': ['*.blog.example.com', 'example.com'],
                              'tls': dict(TLS, chain=None, hsts=False, redirect=False), 'sites': ['blog', 'main']}]


def test_wildcard_alias_in_allowed_hosts():
    result = run([site(server_aliases=['*.shop.example.com'])])
    assert result.sites[0]['effective_settings']['ALLOWED_HOSTS'] == ['shop.example.com', '.shop.example.com']
    assert 'CSRF_TRUSTED_ORIGINS' not in result.sites[0]['effective_settings']


def test_sorting_by_host_then_depth():
    result = run([site('z', server_name='b.example.com'), site('y', server_name='a.example.com', mount='/x'),
                  site('x', server_name='a.example.com'), site('w', server_name='a.example.com', mount='/a/b')])
    assert [s['name'] for s in result.sites] == ['w', 'y', 'x', 'z']
    assert [v['server_name'] for v in result.vhosts] == ['a.example.com', 'b.example.com']


def test_normalization_does_not_alias_input():
    data = site(daemon={'processes': 2}, env={'A': '1'}, django_settings={'L': [1]})
    before = copy.deepcopy(data)
    result = run([data])
    result.sites[0]['daemon']['processes'] = 9
    result.sites[0]['effective_settings']['L'].append(2)
    assert data == before


def test_mass_hosting_normalized():
    result = run([site()], mass_hosting={'server_name': 'Sites.Example.com', 'base_dir': '/srv/mass',
                                         'daemon': {'processes': 2}, 'python_home': '/srv/mass-venv'})
    assert_clean(result)
    mass = result.mass_hosting
    assert mass['server_name'] == 'sites.example.com' and mass['daemon_group'] == 'modwsgi_mass'
    assert mass['daemon']['user'] == 'www-data' and mass['daemon']['processes'] == 2
    assert mass['application_group'] == '%{RESOURCE}'
    assert mass['script_pattern'] == '/srv/mass/*/apache/django.wsgi'


@pytest.mark.parametrize('mass,rule', [
    ('yes', 'schema'), ({'base_dir': '/srv/mass'}, 'schema'), ({'server_name': 'm.example.com'}, 'schema'),
    ({'server_name': 'm example', 'base_dir': '/srv/mass'}, 'server-name'),
    ({'server_name': 'm.example.com', 'base_dir': '/srv/../mass'}, 'path'),
    ({'server_name': 'm.example.com', 'base_dir': '/srv/mass', 'mode': 'embedded', 'daemon': {'threads': 2}}, 'embedded-user'),
    ({'server_name': 'm.example.com', 'base_dir': '/srv/mass', 'daemon': {'thread': 2}}, 'schema'),
    ({'server_name': 'm.example.com', 'base_dir': '/srv/mass', 'servername': 'x'}, 'schema'),
])
def test_mass_hosting_bad(mass, rule):
    assert_error(run([site()], mass_hosting=mass), rule)


# ---------------------------------------------------------------------------
# hostile strings: always a finding, never a traceback, never a raw newline
# ---------------------------------------------------------------------------

HOSTILE = [
    'a\nb', 'a\rb', 'a\x00b', 'a\tb', '"quoted"', "it's", '`id`', '$(id)', '${APACHE_LOG_DIR}', '%{ENV:X}',
    '</VirtualHost>', '</Directory>\n<Directory />', 'x\n</VirtualHost>\n<VirtualHost *:80>', '..', '../..', '/../etc',
    'a;b', 'a|b', 'a&b', 'a#b', 'a\\b', '<script>', 'a b', ' leading', 'trailing ', '', 'x' * 256, 'y' * 5000,
    'sh\u043ep', '\u0430pple', 'caf\u00e9', '\u202eevil', '\ufeffbom', 'emoji\U0001F600', 'a\u2028b', '-rf', '*', '?',
    '[a]', '{a}', 'a/b', '/', '.', 'a..b', 'Include /etc/shadow', 'a\x1bb',
]
HOSTILE_FIELDS = [
    'name', 'server_name', 'mount', 'project', 'settings', 'root', 'script_dir', 'python', 'health_path',
    'session_cookie_name', 'server_aliases', 'env_key', 'env_value', 'static_url', 'daemon_user', 'tls_cert',
    'daemon_display_name', 'mass_server_name',
]


def hostile_input(field, value):
    data = site()
    opts = {}
    if field == 'server_aliases':
        data['server_aliases'] = [value]
    elif field == 'env_key':
        data['env'] = {value: '1'}
    elif field == 'env_value':
        data['env'] = {'A': value}
    elif field == 'static_url':
        data['static'] = {'url': value}
    elif field == 'daemon_user':
        data['daemon'] = {'user': value}
    elif field == 'daemon_display_name':
        data['daemon'] = {'display_name': value}
    elif field == 'tls_cert':
        data['tls'] = {'cert': value, 'key': '/k'}
    elif field == 'mass_server_name':
        opts['mass_hosting'] = {'server_name': value, 'base_dir': '/srv/mass'}
    else:
        data[field] = value
    return [data], opts


# values that are legitimately valid for some fields
HOSTILE_ALLOWED = {
    ('mount', '/'), ('env_value', '"quoted"'), ("env_value", "it's"), ('env_value', '`id`'), ('env_value', '$(id)'),
    ('env_value', '${APACHE_LOG_DIR}'), ('env_value', '%{ENV:X}'), ('env_value', '</VirtualHost>'), ('env_value', '..'),
    ('env_value', '../..'), ('env_value', '/../etc'), ('env_value', 'a;b'), ('env_value', 'a|b'), ('env_value', 'a&b'),
    ('env_value', 'a#b'), ('env_value', 'a\\b'), ('env_value', '<script>'), ('env_value', 'a b'), ('env_value', ' leading'),
    ('env_value', 'trailing '), ('env_value', ''), ('env_value', 'x' * 256), ('env_value', 'y' * 5000), ('env_value', 'sh\u043ep'),
    ('env_value', '\u0430pple'), ('env_value', 'caf\u00e9'), ('env_value', '\u202eevil'), ('env_value', '\ufeffbom'),
    ('env_value', 'emoji\U0001F600'), ('env_value', 'a\u2028b'), ('env_value', '-rf'), ('env_value', '*'), ('env_value', '?'),
    ('env_value', '[a]'), ('env_value', '{a}'), ('env_value', 'a/b'), ('env_value', '/'), ('env_value', '.'),
    ('env_value', 'a..b'), ('env_value', 'Include /etc/shadow'), ('env_value', 'a\x1bb'), ('env_value', 'a\tb'),
    ('health_path', '/'), ('server_aliases', '*'), ('session_cookie_name', '-rf'), ('daemon_display_name', '-rf'),
    ('daemon_display_name', '.'), ('daemon_display_name', '..'), ('daemon_display_name', 'a..b'),
}


@pytest.mark.parametrize('value', HOSTILE, ids=[ascii(v)[:30] for v in HOSTILE])
@pytest.mark.parametrize('field', HOSTILE_FIELDS)
def test_hostile_strings_rejected(field, value):
    sites, opts = hostile_input(field, value)
    result = run(sites, **opts)
    if (field, value) in HOSTILE_ALLOWED:
        if field == 'server_aliases' and value == '*':
            assert result.failed       # a bare "*" is not a valid alias
        return
    assert result.failed, (field, value)
    for line in result.error_message.split('\n'):
        assert line.startswith('['), line
    text = json.dumps([f.as_dict() for f in result.findings])
    if '\n' in value or '\r' in value:
        assert value not in text


def test_hostile_strings_count():
    assert len(HOSTILE) >= 40


def test_env_values_with_control_chars_rejected():
    for value in ('a\nb', 'a\rb', 'a\x00b'):
        assert_error(run([site(env={'A': value})]), 'env', 'env.A')


@pytest.mark.parametrize('value', [None, 0, 1.5, True, [], {}, ['x'], {'a': 1}, object()])
@pytest.mark.parametrize('key', sorted(L.SITE_SCHEMA))
def test_wrong_types_everywhere(key, value):
    data = site()
    data[key] = value
    result = run([data])          # never raises
    for finding in result.findings:
        assert '\n' not in str(finding)


def test_random_fuzz_never_raises():
    rnd = random.Random(1234)
    base = site(server_aliases=['a.example.com'], mount='/shop', daemon={'processes': 2, 'threads': 4},
                static={'url': '/shop/static/', 'dir': '/srv/django/shop/static'}, env={'A': '1'}, secrets={'B': '2'},
                tls=dict(TLS), django_settings={'DEBUG': False}, session_cookie_name='s', health_path='/h/')
    values = HOSTILE[:20] + [None, 0, -1, True, False, 1.5, [], [None], {}, {1: 2}, {'type': 'git'}, '/', '/a/']

    def mutate(data, depth=0):
        data = copy.deepcopy(data)
        for dummy in range(rnd.randint(1, 4)):
            key = rnd.choice(list(data) + ['bogus', 1])
            if isinstance(data.get(key), dict) and depth < 2 and rnd.random() < 0.5:
                data[key] = mutate(data[key], depth + 1)
            else:
                data[key] = rnd.choice(values)
        return data

    for dummy in range(400):
        sites = [mutate(base) for dummy in range(rnd.randint(1, 3))]
        mass = rnd.choice([None, {'server_name': 'm.example.com', 'base_dir': '/srv/mass'},
                           mutate({'server_name': 'm.example.com', 'base_dir': '/srv/mass', 'daemon': {'threads': 2}})])
        result = L.validate(sites, check_filesystem=False, mass_hosting=mass, mpm=rnd.choice(['event', 'prefork']),
                            max_request_workers=rnd.choice([None, 5]), server_memory_mb=rnd.choice([None, 64]))
        for finding in result.findings:
            assert '\n' not in str(finding)
            assert finding.id in L.RULES


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------

def test_helpers():
    assert L.under('/a/b', '/a') and L.under('/a', '/a') and L.under('/x', '/') and not L.under('/ab', '/a')
    assert list(L.ancestors('/a/b')) == ['/a/b', '/a', '/']
    assert L.as_int('12') == 12 and L.as_int(True) is None and L.as_int('1e3') is None
    assert L.as_bool('Yes') is True and L.as_bool(1) is None
    assert L.show('x' * 100).endswith('...')
    assert L.ascii_url_suggestion('/Caf\u00e9 Bar/', False) == '/Cafe-Bar'
    assert L.type_name(object()) == 'a object'


# ---------------------------------------------------------------------------
# default daemon processes from server_cores / server_memory_mb
# ---------------------------------------------------------------------------

def test_daemon_processes_default_to_one_per_core():
    result = run([site('shop'), site('blog', daemon={'processes': 3, 'threads': 2}), site('emb', mode='embedded')],
                 server_cores=2, server_memory_mb=24000, mpm='event')
    by_name = {s['name']: s for s in result.sites}
    assert by_name['shop']['daemon']['processes'] == 2
    assert by_name['blog']['daemon']['processes'] == 3          # explicit values win
    assert by_name['emb'].get('daemon') in (None, {})


def test_daemon_processes_without_cores_keep_the_mod_wsgi_default():
    result = run([site('shop')], server_memory_mb=24000)
    assert result.sites[0]['daemon']['processes'] is None


def test_explicit_null_processes_means_one_process():
    result = run([site('shop', daemon={'processes': None, 'threads': 2})], server_cores=4, server_memory_mb=24000)
    assert result.sites[0]['daemon']['processes'] is None
    assert not [f for f in result.findings if f.id == 'processes-1']


def test_daemon_processes_shrink_to_fit_memory_and_one_means_left_out():
    sites = [site('s%02d' % i) for i in range(20)]
    result = run(sites, server_cores=8, server_memory_mb=4096)
    # 4096 / 2 / 60 = 34 processes for 20 bluegreen sites (40 copies): one each, left out
    assert {s['daemon']['processes'] for s in result.sites} == {None}
    assert not [f for f in result.findings if f.id == 'capacity']


def test_server_cores_must_be_positive():
    assert_error(run([site('shop')], server_cores=0), 'schema', field='server_cores')


def test_mpm_choice_warns_for_prefork_without_embedded_sites():
    finding = assert_warning(run([site('shop')], mpm='prefork'), 'mpm-choice', 'mpm')
    assert 'apache_mpm: event' in finding.fix
    assert not find(run([site('shop'), site('emb', mode='embedded')], mpm='prefork'), 'mpm-choice')
    assert not find(run([site('shop')], mpm='event'), 'mpm-choice')
    assert not find(run([site('shop')], mpm='worker'), 'mpm-choice')


# ---------------------------------------------------------------------------
# manage-steps
# ---------------------------------------------------------------------------

def test_manage_steps_normalized_with_argv_and_stable_marker():
    result = run([site(manage_steps=['compilemessages', 'compress --force "a b"'])])
    steps = result.sites[0]['manage_steps']
    assert [s['argv'] for s in steps] == [['compilemessages'], ['compress', '--force', 'a b']]
    assert steps[1]['name'] == "compress --force 'a b'"
    assert steps[0]['marker'] == L.manage_step_marker(['compilemessages'])
    assert steps[0]['marker'] != steps[1]['marker'] and steps[0]['marker'].startswith('.modwsgi-step-')
    assert run([site()]).sites[0]['manage_steps'] == []


@pytest.mark.parametrize('value, words', [
    (['migrate'], 'migrate: true'),
    (['collectstatic --clear'], 'collectstatic: true'),
    (['check --deploy'], 'check_deploy: true'),
    (['python manage.py compress'], 'management command name'),
    (['./manage.py compress'], 'management command name'),
    (['Compress'], 'management command name'),
    (['runserver 0:80'], 'interactive'),
    (['shell -c "x"'], 'interactive'),
    (['compress', 'compress'], 'repeats'),
    (['compress --force', "compress '--force'"], 'repeats'),
    (['a "b'], 'cannot be split'),
    (['compress\nrm -rf /'], 'newline'),
    (['   '], 'is empty'),
    ([''], 'is empty'),
    ([5], 'expected a command line'),
    ([['compress']], 'expected a command line'),
    (['x'] * 21, 'at most 20'),
])
def test_manage_steps_refused(value, words):
    finding = assert_error(run([site(manage_steps=value)]), 'manage-steps', site_label='shop')
    assert finding.field.startswith('manage_steps')
    assert words in finding.message + ' ' + finding.fix


def test_manage_steps_not_a_list():
    assert_error(run([site(manage_steps='compress')]), 'schema', 'manage_steps')
