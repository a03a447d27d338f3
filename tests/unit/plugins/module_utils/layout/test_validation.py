# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.django maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""validate() (_layout/validation.py): one pass over every site, any input, never an exception."""

from __future__ import annotations

import copy
import json
import random

import pytest

from ansible_collections.modwsgi.django.plugins.module_utils._layout.rules import ERROR, RULES
from ansible_collections.modwsgi.django.plugins.module_utils._layout.schema import SITE_SCHEMA
from ansible_collections.modwsgi.django.plugins.module_utils._layout.validation import validate
from ansible_collections.modwsgi.django.tests.unit.plugins.module_utils.layout.helpers import (
    TLS,
    assert_error,
    run,
    site,
)


# ---------------------------------------------------------------------------
# one pass over every site
# ---------------------------------------------------------------------------

def test_all_errors_of_all_sites_in_one_pass():
    result = run([site('a', mount='a/'), site('b', settings='settings'), {'name': 5}])
    ids = result.ids(ERROR)
    assert {'mount', 'settings-module', 'schema'} <= set(ids)
    assert len(result.error_message.splitlines()) == len(result.errors)


@pytest.mark.parametrize('sites', [[], None, 'shop', {'name': 'shop'}, 7])
def test_schema_sites_must_be_non_empty_list(sites):
    assert_error(validate(sites, check_filesystem=False), 'schema', 'sites')


def test_schema_site_item_not_a_dict():
    finding = assert_error(run([site(), 'shop']), 'schema')
    assert finding.site == 'sites[1]'


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


@pytest.mark.parametrize('value', [None, 0, 1.5, True, [], {}, ['x'], {'a': 1}, object()])
@pytest.mark.parametrize('key', sorted(SITE_SCHEMA))
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
        result = validate(sites, check_filesystem=False, mass_hosting=mass, mpm=rnd.choice(['event', 'prefork']),
                          max_request_workers=rnd.choice([None, 5]), server_memory_mb=rnd.choice([None, 64]))
        for finding in result.findings:
            assert '\n' not in str(finding)
            assert finding.id in RULES
