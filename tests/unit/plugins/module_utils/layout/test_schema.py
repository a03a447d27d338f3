# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.django maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""schema.py: the structures validation reads are derived from the documented keys, and are exactly the
hand-written ones they replaced (same keys, same values, same order: the rules iterate over them, so the
order of the findings depends on it)."""

from __future__ import annotations

import pytest

from ansible_collections.modwsgi.django.plugins.module_utils._layout import schema

# The values validation used before the keys were documented in schema.py (commit 168d486).
BEFORE_SITE_SCHEMA = [
    ('name', 'str'), ('server_name', 'str'), ('server_aliases', 'list'), ('mount', 'str'), ('project', 'str'),
    ('settings', 'str'), ('root', 'str'), ('source', 'dict'), ('requirements', 'str'), ('python', 'str'),
    ('mode', 'str'), ('deploy', 'str'), ('thread_safe', 'bool'), ('daemon', 'dict'), ('static', 'dict_or_false'),
    ('media', 'dict_or_false'), ('session_cookie_name', 'str'), ('session_cookie_path', 'str'),
    ('csrf_cookie_name', 'str'), ('env', 'dict'), ('secrets', 'dict'), ('django_settings', 'dict'), ('tls', 'dict'),
    ('migrate', 'bool'), ('collectstatic', 'bool'), ('health_path', 'str'), ('legacy_relative_imports', 'bool'),
    ('script_dir', 'str'), ('check_deploy', 'bool'), ('manage_steps', 'list'),
]
BEFORE_DAEMON_DEFAULTS = [
    ('user', None), ('group', None), ('processes', None), ('threads', 15), ('display_name', '%{GROUP}'),
    ('maximum_requests', 0), ('graceful_timeout', 15), ('request_timeout', 60), ('inactivity_timeout', 0),
    ('queue_timeout', 45), ('socket_timeout', 60), ('connect_timeout', 15), ('shutdown_timeout', 5),
    ('deadlock_timeout', 60), ('startup_timeout', 15), ('listen_backlog', 100), ('home', None),
    ('lang', 'C.UTF-8'), ('locale', 'C.UTF-8'),
]
BEFORE_SOURCE_KEYS = [
    ('path', [('type', True), ('path', True), ('remote', False)]),
    ('git', [('type', True), ('repo', True), ('version', False)]),
    ('archive', [('type', True), ('src', True), ('remote', False)]),
]

# The mass hosting keys and the normalized values validation started from before they were documented.
BEFORE_MASS_KEYS = ('server_name', 'base_dir', 'mode', 'daemon', 'python_home')
BEFORE_MASS_DEFAULTS = [('server_name', None), ('base_dir', None), ('mode', 'daemon'), ('daemon', None), ('python_home', None)]


def test_site_schema_is_the_one_validation_used():
    assert list(schema.SITE_SCHEMA.items()) == BEFORE_SITE_SCHEMA
    assert schema.SITE_REQUIRED == ('name', 'server_name', 'project', 'source')


def test_daemon_defaults_are_the_ones_validation_used():
    assert list(schema.DAEMON_DEFAULTS.items()) == BEFORE_DAEMON_DEFAULTS
    assert set(schema.DAEMON_INT_RANGE) <= set(schema.DAEMON_DEFAULTS)


def test_source_tls_static_keys_are_the_ones_validation_used():
    assert [(kind, list(keys.items())) for kind, keys in schema.SOURCE_KEYS.items()] == BEFORE_SOURCE_KEYS
    assert schema.TLS_KEYS == ('cert', 'key', 'chain', 'hsts', 'redirect')
    assert schema.STATIC_KEYS == ('url', 'dir')
    assert (schema.MODES, schema.DEPLOYS) == (('daemon', 'embedded'), ('bluegreen', 'restart'))


def test_mass_keys_and_defaults_are_the_ones_validation_used():
    assert schema.MASS_KEYS == BEFORE_MASS_KEYS
    assert list(schema.MASS_DEFAULTS.items()) == BEFORE_MASS_DEFAULTS
    assert schema.MASS_REQUIRED == ('server_name', 'base_dir')


def _entries(keys, prefix=''):
    for entry in keys:
        yield prefix + entry['key'], entry
        yield from _entries(entry.get('keys', ()), prefix + entry['key'] + '.')


@pytest.mark.parametrize('keys', [schema.SITE_KEYS, schema.MASS_DOC], ids=['site', 'mass_hosting'])
def test_every_documented_key_is_described_and_consistent(keys):
    seen = list(_entries(keys))
    assert len(seen) == len(dict(seen))  # no key documented twice
    for name, entry in seen:
        assert entry['kind'] in ('str', 'bool', 'int', 'list', 'dict', 'dict_or_false'), name
        assert entry['doc'].strip() and entry['doc'].endswith('.'), name
        assert not (entry.get('required') and ('default' in entry or 'default_doc' in entry)), name
        assert ('elements' in entry) == (entry['kind'] == 'list'), name
        if entry.get('choices') and entry.get('default') is not None:
            assert entry['default'] in entry['choices'], name


def test_every_default_validation_fills_in_is_the_documented_one():
    documented = dict(_entries(schema.SITE_KEYS))
    for key, value in schema.DAEMON_DEFAULTS.items():
        assert documented['daemon.' + key]['default'] == value
