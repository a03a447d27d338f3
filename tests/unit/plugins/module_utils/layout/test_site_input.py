# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.django maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Per-site input rules (_layout/site_input.py)."""

from __future__ import annotations

import json

import pytest

from ansible_collections.modwsgi.django.plugins.module_utils._layout.site_input import manage_step_marker
from ansible_collections.modwsgi.django.tests.unit.plugins.module_utils.layout.helpers import (
    assert_clean,
    assert_error,
    assert_warning,
    by_name,
    find,
    run,
    site,
)


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
# name
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('name', ['Shop', '1shop', 'shop-1', 'shop.x', '_shop', 'a' * 32, 'shöp', ''])
def test_name_pattern(name):
    finding = assert_error(run([site(name=name, server_name='x.example.com', project='shop')]), 'name', 'name')
    assert finding.site == 'sites[0]'


def test_name_ok():
    assert_clean(run([site('shop_2', project='shop2')]))


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
# path: tls files, static dirs
# ---------------------------------------------------------------------------

def test_path_tls_files():
    assert_error(run([site(tls={'cert': 'cert.pem', 'key': '/k'})]), 'path', 'tls.cert')
    assert_error(run([site(tls={'cert': '/c'})]), 'schema', 'tls.key')


def test_path_static_dir():
    assert_error(run([site(static={'dir': 'static'})]), 'path', 'static.dir')


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


def test_env_values_with_control_chars_rejected():
    for value in ('a\nb', 'a\rb', 'a\x00b'):
        finding = assert_error(run([site(env={'A': value})]), 'env', 'env.A')
        assert value not in finding.message


# Secrets reach the application through conf/site.json (JSON), byte for byte: multi-line material
# (keys, certificates) and every quoting or expansion character are kept, never escaped or refused.
TRICKY_SECRETS = ['-----BEGIN KEY-----\nline2\r\nline3\n', 'a"b\'c', '$HOME ${X} $(id) `id`', '100% %s %(x)s %%',
                  'back\\slash \\n \\x00', '\ttab ; | & < > # ! * ?', 'caf\u00e9 \u2603']


@pytest.mark.parametrize('value', TRICKY_SECRETS)
def test_secret_values_are_kept_byte_for_byte(value):
    result = run([site(secrets={'DJANGO_SECRET_KEY': value})])
    assert_clean(result)
    assert result.sites[0]['secrets'] == {'DJANGO_SECRET_KEY': value}


def test_secret_value_with_nul_refused_without_showing_it():
    finding = assert_error(run([site(secrets={'API_TOKEN': 'tok\x00en-Zr4Ne8Mu2Pk6'})]), 'env', 'secrets.API_TOKEN')
    assert 'NUL' in finding.message and 'Zr4Ne8Mu2Pk6' not in str(finding)


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


def test_static_false_disables():
    result = run([site(static=False, media=False)])
    assert_clean(result)
    assert result.sites[0]['static'] is False
    assert 'STATIC_URL' not in result.sites[0]['effective_settings']


# ---------------------------------------------------------------------------
# session-cookie (one site)
# ---------------------------------------------------------------------------

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
# manage-steps
# ---------------------------------------------------------------------------

def test_manage_steps_normalized_with_argv_and_stable_marker():
    result = run([site(manage_steps=['compilemessages', 'compress --force "a b"'])])
    steps = result.sites[0]['manage_steps']
    assert [s['argv'] for s in steps] == [['compilemessages'], ['compress', '--force', 'a b']]
    assert steps[1]['name'] == "compress --force 'a b'"
    assert steps[0]['marker'] == manage_step_marker(['compilemessages'])
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
