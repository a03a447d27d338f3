# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ``modwsgi_sites`` and ``modwsgi_mass_hosting`` options of roles/django_site/meta/argument_specs.yml
(generated from schema.py).

Ansible checks a role's variables against its argument specs when the role starts. validate_sites is the
judge of a site (every problem of every site, with site, field and fix): the generated options must accept
every site (and every mass hosting dict) it accepts, in every form it accepts (Ansible's boolean strings,
decimal strings for numbers, ``static: false``, explicit nulls), so that they never refuse what validation
passed.
"""

from __future__ import annotations

import os

import pytest
import yaml
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.modwsgi.django.plugins.module_utils._layout import schema
from ansible_collections.modwsgi.django.tests.unit.plugins.module_utils.layout.helpers import assert_clean, assert_error, run, site

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
SPECS = os.path.join(ROOT, 'roles', 'django_site', 'meta', 'argument_specs.yml')


def role_options():
    with open(SPECS, encoding='utf-8') as handle:
        return yaml.safe_load(handle)['argument_specs']['main']['options']


def role_validator():
    options = role_options()
    return ArgumentSpecValidator(dict((name, options[name]) for name in ('modwsgi_sites', 'modwsgi_mass_hosting')))


def all_keys(name):
    """A site that sets every key (its documented default where there is one)."""
    given = site(name, source={'type': 'path', 'path': '/opt/src/%s' % name, 'remote': False})
    for entry in schema.SITE_KEYS:
        if entry['key'] not in given and entry.get('default') is not None:
            given[entry['key']] = entry['default']
    given['daemon'] = dict((key, value) for key, value in schema.DAEMON_DEFAULTS.items() if value is not None)
    return given


VALID = [
    site('plain'),
    all_keys('every'),
    site('strings', thread_safe='yes', migrate='off', collectstatic='1', check_deploy='False',
         legacy_relative_imports='n', daemon={'processes': '4', 'threads': ' 3 ', 'maximum_requests': '1000'},
         source={'type': 'archive', 'src': '/opt/strings.tar.gz', 'remote': 'yes'}),
    site('nulls', requirements=None, tls=None, daemon={'processes': None, 'user': None}, settings=None, root=None,
         mode=None, deploy=None),
    site('nostatic', static=False, media=False, mode='embedded'),
    site('dirs', static={'url': '/static/', 'dir': '/srv/django/dirs/static'},
         media={'url': '/media/', 'dir': '/srv/django/dirs/media'}, deploy='restart',
         server_aliases=['www.dirs.example.com', '*.dirs.example.com'], mount='/dirs', health_path='/healthz/',
         script_dir='/srv/django/dirs/apache', python='/usr/bin/python3', session_cookie_name='dirs_sid',
         session_cookie_path='/dirs', csrf_cookie_name='dirs_csrf', manage_steps=['compilemessages', 'compress --force']),
    site('tlsd', tls={'cert': '/etc/ssl/certs/t.pem', 'key': '/etc/ssl/private/t.key', 'hsts': 'true', 'redirect': True},
         env={'APP_MODE': 'prod', 'WORKERS': 4, 'RATIO': 0.5}, secrets={'DJANGO_SECRET_KEY': 'x' * 50, 'PIN': 1234},
         django_settings={'DEBUG': False, 'ADMINS': [['a', 'a@example.com']], 'CACHES': {'default': {'TIMEOUT': None}}}),
    site('gitref', source={'type': 'git', 'repo': 'https://git.example.com/g.git', 'version': 'v1.2'}),
]


@pytest.mark.parametrize('given', VALID, ids=[s['name'] for s in VALID])
def test_what_validation_accepts_the_role_argument_spec_accepts(given):
    assert_clean(run([given]))
    result = role_validator().validate({'modwsgi_sites': [given]})
    assert not result.error_messages, result.error_messages


def test_all_valid_sites_together():
    assert_clean(run(VALID))
    assert not role_validator().validate({'modwsgi_sites': VALID}).error_messages


def _optional_paths(entries, prefix=()):
    """(path of keys, entry) of every optional key, nested ones included."""
    for entry in entries:
        path = prefix + (entry['key'],)
        if not entry.get('required'):
            yield path, entry
        if entry.get('keys'):
            yield from _optional_paths(entry['keys'], path)


def _with_null(base, path):
    given = dict(base)
    inner = given
    for key in path[:-1]:
        inner[key] = dict(inner.get(key) or {})
        inner = inner[key]
    inner[path[-1]] = None
    return given


SITE_NULLS = [path for path, _entry in _optional_paths(schema.SITE_KEYS)]
MASS_NULLS = [path for path, _entry in _optional_paths(schema.MASS_DOC)]


# keys a given parent dict requires (validate_sites refuses their null, naming the field, before the role starts)
REQUIRED_IN_PARENT = {('source', 'path'), ('source', 'repo'), ('source', 'src'), ('tls', 'cert'), ('tls', 'key')}


def _null_base(path):
    """A site to set ``path`` to null in: its source of a type that has the key."""
    source = {'type': 'path', 'path': '/opt/src/nully'}
    if path[0] == 'source' and len(path) > 1:
        kind = next(kind for kind in schema.SOURCE_TYPES if path[1] in schema.SOURCE_KEYS[kind])
        source = {'path': {'type': 'path', 'path': '/opt/src/nully'},
                  'archive': {'type': 'archive', 'src': '/opt/nully.tar.gz'},
                  'git': {'type': 'git', 'repo': 'https://git.example.com/nully.git'}}[kind]
    return site('nully', tls={'cert': '/etc/ssl/certs/n.pem', 'key': '/etc/ssl/private/n.key'}, source=source,
                static={'url': '/static/', 'dir': '/srv/django/nully/static'})


@pytest.mark.parametrize('path', SITE_NULLS, ids=['.'.join(path) for path in SITE_NULLS])
def test_an_explicit_null_validation_takes_passes_the_role_argument_spec(path):
    """Every optional key (nested ones too), set to null: validate_sites takes it (as the default, or as "none"
    for the keys where null means that), and so must the role's argument check. The keys their parent dict
    requires are refused by validate_sites, which names the field."""
    given = _with_null(_null_base(path), path)
    if path in REQUIRED_IN_PARENT:
        assert_error(run([given]), 'schema', field='.'.join(path))
        return
    assert_clean(run([given]))
    result = role_validator().validate({'modwsgi_sites': [given]})
    assert not result.error_messages, result.error_messages


@pytest.mark.parametrize('path', MASS_NULLS, ids=['.'.join(path) for path in MASS_NULLS])
def test_an_explicit_null_in_mass_hosting_passes_the_role_argument_spec(path):
    given = _with_null(dict(MASS, daemon={}), path)
    assert_clean(run([], mass_hosting=given))
    assert not role_validator().validate({'modwsgi_mass_hosting': given}).error_messages


@pytest.mark.parametrize('variable,entries', [('modwsgi_sites', schema.SITE_KEYS), ('modwsgi_mass_hosting', schema.MASS_DOC)])
def test_role_spec_defaults_are_the_schema_defaults(variable, entries):
    """An option gives the schema's default as ``default``, or names it in its text (null_in_text)."""
    for path, entry in _optional_paths(entries):
        spec = role_options()[variable]
        for key in path:
            spec = spec['options'][key]
        if entry.get('default') is None:
            assert 'default' not in spec, path
        elif 'default' in spec:
            assert spec['default'] == entry['default'], path
        elif not entry.get('default_doc'):
            assert 'Default: V(' in spec['description'][0], path


def test_the_spec_documents_every_key_validation_knows():
    spec = role_options()['modwsgi_sites']
    assert list(spec['options']) == list(schema.SITE_SCHEMA)
    assert [k for k, v in spec['options'].items() if v.get('required')] == list(schema.SITE_REQUIRED)
    assert list(spec['options']['daemon']['options']) == list(schema.DAEMON_DEFAULTS)
    assert tuple(spec['options']['tls']['options']) == schema.TLS_KEYS
    assert tuple(spec['options']['static']['options']) == schema.STATIC_KEYS
    assert spec['options']['secrets'].get('no_log') is True


MASS = {'server_name': 'm.example.com', 'base_dir': '/srv/mass'}
DAEMON_GIVEN = dict((key, value) for key, value in schema.DAEMON_DEFAULTS.items() if value is not None)
VALID_MASS = {
    'minimal': dict(MASS),
    'every': dict(MASS, server_name='Sites.Example.com', mode='daemon', python_home='/srv/mass-venv',
                  daemon=dict(DAEMON_GIVEN, user='massuser', group='massgroup', processes=2, home='/srv/mass')),
    'strings': dict(MASS, daemon={'processes': '4', 'threads': ' 3 ', 'maximum_requests': '1000'}),
    'nulls': dict(MASS, mode=None, daemon=None, python_home=None),
    'nulls-inside': dict(MASS, daemon={'processes': None, 'user': None, 'threads': None}),
    'embedded': dict(MASS, mode='embedded'),
    'embedded-empty-daemon': dict(MASS, mode='embedded', daemon={}),
    'system-base': dict(MASS, base_dir='/srv'),
}


@pytest.mark.parametrize('given', list(VALID_MASS.values()), ids=list(VALID_MASS))
def test_the_mass_hosting_validation_accepts_the_role_argument_spec_accepts(given):
    result = run([], mass_hosting=given)
    assert_clean(result)
    assert result.mass_hosting is not None
    assert not role_validator().validate({'modwsgi_mass_hosting': given}).error_messages
    # and beside sites, as an inventory has them
    both = {'modwsgi_sites': VALID, 'modwsgi_mass_hosting': given}
    assert_clean(run(both['modwsgi_sites'], mass_hosting=given))
    assert not role_validator().validate(both).error_messages


def test_no_mass_hosting_passes_the_role_argument_spec():
    assert not role_validator().validate({}).error_messages
    assert not role_validator().validate({'modwsgi_mass_hosting': None}).error_messages


def test_the_spec_documents_every_mass_hosting_key_validation_knows():
    spec = role_options()['modwsgi_mass_hosting']
    assert tuple(spec['options']) == schema.MASS_KEYS
    assert tuple(k for k, v in spec['options'].items() if v.get('required')) == schema.MASS_REQUIRED
    # named in the description, not as ``default`` and ``choices``: Ansible would refuse the explicit null
    # validate_sites takes as the default
    assert 'choices' not in spec['options']['mode'] and 'default' not in spec['options']['mode']
    assert 'Choices: V(daemon), V(embedded). Default: V(daemon).' in spec['options']['mode']['description'][0]


def test_an_unknown_mass_hosting_key_is_refused_by_both():
    """Through the deploy playbook validate_sites speaks first (its pre_tasks run before the role's argument
    check, molecule scenario validation); used on its own, the role refuses the key in its argument check."""
    given = dict(MASS, basedir='/srv/mass')
    assert_error(run([], mass_hosting=given), 'schema', field='mass_hosting.basedir')
    messages = role_validator().validate({'modwsgi_mass_hosting': given}).error_messages
    assert messages and 'basedir' in ' '.join(messages)
