# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ``modwsgi_sites`` options of roles/django_site/meta/argument_specs.yml (generated from schema.py).

Ansible checks a role's variables against its argument specs when the role starts. validate_sites is the
judge of a site (every problem of every site, with site, field and fix): the generated options must accept
every site it accepts, in every form it accepts (Ansible's boolean strings, decimal strings for numbers,
``static: false``, explicit nulls), so that they never refuse what validation passed.
"""

from __future__ import annotations

import os

import pytest
import yaml
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.modwsgi.django.plugins.module_utils._layout import schema
from ansible_collections.modwsgi.django.tests.unit.plugins.module_utils.layout.helpers import assert_clean, run, site

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
SPECS = os.path.join(ROOT, 'roles', 'django_site', 'meta', 'argument_specs.yml')


def role_validator():
    with open(SPECS, encoding='utf-8') as handle:
        options = yaml.safe_load(handle)['argument_specs']['main']['options']
    return ArgumentSpecValidator({'modwsgi_sites': options['modwsgi_sites']})


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
    site('nulls', requirements=None, tls=None, daemon={'processes': None, 'user': None}, settings=None, root=None),
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


def test_the_spec_documents_every_key_validation_knows():
    with open(SPECS, encoding='utf-8') as handle:
        spec = yaml.safe_load(handle)['argument_specs']['main']['options']['modwsgi_sites']
    assert list(spec['options']) == list(schema.SITE_SCHEMA)
    assert [k for k, v in spec['options'].items() if v.get('required')] == list(schema.SITE_REQUIRED)
    assert list(spec['options']['daemon']['options']) == list(schema.DAEMON_DEFAULTS)
    assert tuple(spec['options']['tls']['options']) == schema.TLS_KEYS
    assert tuple(spec['options']['static']['options']) == schema.STATIC_KEYS
    assert spec['options']['secrets'].get('no_log') is True
