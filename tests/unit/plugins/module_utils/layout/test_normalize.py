# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.django maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Normalization (_layout/normalize.py): the sites and vhosts the templates consume."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.modwsgi.django.plugins.module_utils._layout.schema import SITE_SCHEMA
from ansible_collections.modwsgi.django.tests.unit.plugins.module_utils.layout.helpers import (
    TLS,
    assert_clean,
    by_name,
    run,
    site,
)


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
        'bin': '/srv/django/blog/bin', 'cache': '/srv/django/blog/cache', 'run': '/srv/django/blog/run',
        'data': '/srv/django/blog/data', 'boot': '/srv/django/blog/conf/_modwsgi_boot.py',
        'messages': '/srv/django/blog/conf/_modwsgi_messages.py', 'source_archive': '/srv/django/blog/cache/source.tar.gz',
        'git_clone': '/srv/django/blog/cache/git', 'release_marker': '.modwsgi-release', 'venv_link': '.modwsgi-venv',
        'partial_suffix': '.partial',
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
    assert set(SITE_SCHEMA) <= set(blog)
    logs = {'error': 'modwsgi-www.example.com-error.log', 'access': 'modwsgi-www.example.com-access.log',
            'ssl_access': 'modwsgi-www.example.com-ssl-access.log'}
    assert result.vhosts == [{'server_name': 'www.example.com', 'server_aliases': ['*.blog.example.com', 'example.com'],
                              'tls': dict(TLS, chain=None, hsts=False, redirect=False), 'sites': ['blog', 'main'],
                              'bluegreen': ['blog', 'main'], 'file': 'modwsgi-www.example.com.conf', 'logs': logs}]
    assert blog['logs'] == logs and blog['release_id_length'] == 12


@pytest.mark.parametrize('extra, derived', [
    ({}, {'bluegreen': True, 'activation': 'bluegreen', 'color_groups': {'blue': 'a_blue', 'green': 'a_green'},
          'script_process_group': None, 'maintenance_retry_after': 5,
          'daemons': [{'group': 'a_blue', 'code': '/srv/django/a/blue', 'home': '/srv/django/a/blue'},
                      {'group': 'a_green', 'code': '/srv/django/a/green', 'home': '/srv/django/a/green'}]}),
    ({'daemon': {'home': '/srv/django/a/data'}},
     {'daemons': [{'group': 'a_blue', 'code': '/srv/django/a/blue', 'home': '/srv/django/a/data'},
                  {'group': 'a_green', 'code': '/srv/django/a/green', 'home': '/srv/django/a/data'}]}),
    ({'deploy': 'restart'}, {'bluegreen': False, 'activation': 'restart', 'color_groups': {}, 'script_process_group': 'a',
                             'daemons': [{'group': 'a', 'code': '/srv/django/a/current', 'home': '/srv/django/a/current'}]}),
    ({'mode': 'embedded'}, {'bluegreen': False, 'activation': 'embedded', 'color_groups': {}, 'daemons': [],
                            'script_process_group': '%{GLOBAL}', 'maintenance_retry_after': None}),
])
def test_derived_values_the_templates_read(extra, derived):
    result = run([site('a', **extra)])
    assert_clean(result)
    got = result.sites[0]
    assert dict((key, got[key]) for key in derived) == derived
    assert result.vhosts[0]['bluegreen'] == (['a'] if got['bluegreen'] else [])


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
