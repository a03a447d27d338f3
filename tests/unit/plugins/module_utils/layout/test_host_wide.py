# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.django maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Host-wide rules (_layout/host_wide.py): what the sites of one host must not share."""

from __future__ import annotations

from ansible_collections.modwsgi.django.plugins.module_utils._layout.rules import WARNING
from ansible_collections.modwsgi.django.tests.unit.plugins.module_utils.layout.helpers import (
    TLS,
    assert_clean,
    assert_error,
    assert_warning,
    by_name,
    find,
    run,
    site,
)


# ---------------------------------------------------------------------------
# name
# ---------------------------------------------------------------------------

def test_name_duplicates():
    result = run([site('shop'), site('shop', server_name='other.example.com')])
    finding = assert_error(result, 'name', 'name')
    assert 'sites[0]' in finding.message


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
    warnings = find(result, 'mount-nesting', WARNING)
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
# tls-mismatch
# ---------------------------------------------------------------------------

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
# static-url (across sites)
# ---------------------------------------------------------------------------

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


def test_static_url_nested_sites_ok():
    result = run([site('a', server_name='www.example.com'), site('blog', server_name='www.example.com', mount='/blog')])
    assert_clean(result)


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
