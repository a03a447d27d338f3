# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.django maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The entry point: every rule on every site in one pass, then normalization."""

from __future__ import annotations

from ansible_collections.modwsgi.django.plugins.module_utils._layout.rules import ERROR
from ansible_collections.modwsgi.django.plugins.module_utils._layout.findings import Result
from ansible_collections.modwsgi.django.plugins.module_utils._layout.filesystem import FileSystem
from ansible_collections.modwsgi.django.plugins.module_utils._layout.text import type_name, url_depth
from ansible_collections.modwsgi.django.plugins.module_utils._layout.state import Context, SiteState
from ansible_collections.modwsgi.django.plugins.module_utils._layout.options import check_options
from ansible_collections.modwsgi.django.plugins.module_utils._layout.site_input import (
    rule_cookie_syntax,
    rule_env,
    rule_manage_steps,
    rule_mount,
    rule_name,
    rule_schema,
    rule_server_name,
    rule_settings_module,
    rule_source,
    rule_static_url,
    rule_tls,
)
from ansible_collections.modwsgi.django.plugins.module_utils._layout.site_paths import (
    rule_exposed,
    rule_filesystem,
    rule_paths,
    rule_roots,
    rule_script_dir,
    rule_sys_path,
)
from ansible_collections.modwsgi.django.plugins.module_utils._layout.runtime import (
    rule_capacity,
    rule_daemon,
    rule_deploy,
    rule_mpm_choice,
    rule_python_abi,
    size_daemons,
)
from ansible_collections.modwsgi.django.plugins.module_utils._layout.host_wide import (
    rule_alias_conflict,
    rule_daemon_name,
    rule_mount_nesting,
    rule_mount_unique,
    rule_name_unique,
    rule_session_cookie,
    rule_static_url_cross,
    rule_tls_mismatch,
    sites_by_host,
)
from ansible_collections.modwsgi.django.plugins.module_utils._layout.mass_hosting import check_mass
from ansible_collections.modwsgi.django.plugins.module_utils._layout.normalize import build_vhosts, normalize_site


def check_site(ctx, site):
    """Every per-site rule, in dependency order (later rules use site.normalized from earlier ones)."""
    rule_schema(ctx, site)
    rule_name(ctx, site)
    rule_server_name(ctx, site)
    rule_mount(ctx, site)
    rule_sys_path(ctx, site)
    rule_settings_module(ctx, site)
    rule_paths(ctx, site)
    rule_source(ctx, site)
    rule_deploy(ctx, site)
    rule_daemon(ctx, site)
    rule_static_url(ctx, site)
    rule_env(ctx, site)
    rule_cookie_syntax(ctx, site)
    rule_tls(ctx, site)
    rule_manage_steps(ctx, site)
    for key in ('migrate', 'collectstatic', 'legacy_relative_imports', 'check_deploy'):
        if key not in site.invalid_keys:
            site.normalized[key] = site.given.get(key, key != 'legacy_relative_imports')


def validate(sites, mpm='event', document_roots=None, check_filesystem=True, mod_wsgi_python=None,
             mass_hosting=None, base_dir='/srv/django', apache_user='www-data', apache_group='www-data',
             max_request_workers=None, server_memory_mb=None, fs=None, server_cores=None):
    """Check every rule on every site and return a :class:`Result`.

    ``sites`` is the ``modwsgi_sites`` list.  With ``check_filesystem`` the rules
    that need the target's real paths (symlinks, script dir contents, the site
    Python's version) run through ``fs`` (default: a :class:`FileSystem` without a command
    runner, which cannot run the site Python: pass ``fs=FileSystem(runner)`` for python-abi).
    """
    options = {
        'mpm': mpm, 'document_roots': document_roots, 'check_filesystem': check_filesystem,
        'mod_wsgi_python': mod_wsgi_python, 'base_dir': base_dir, 'apache_user': apache_user,
        'apache_group': apache_group, 'max_request_workers': max_request_workers,
        'server_memory_mb': server_memory_mb, 'server_cores': server_cores,
    }
    ctx = Context(options, fs if fs is not None else FileSystem())
    check_options(ctx)
    mass = check_mass(ctx, mass_hosting)

    states = []
    if not isinstance(sites, (list, tuple)):
        ctx.error('schema', None, 'sites', 'is %s, expected a list of site dicts.' % type_name(sites),
                  'give modwsgi_sites as a list (one dict per site).')
    elif not sites and mass_hosting is None:
        ctx.error('schema', None, 'sites', 'is empty: there is nothing to deploy.', 'add at least one site (or set mass_hosting).')
    else:
        for index, raw in enumerate(sites):
            site = SiteState(index, raw)
            if not isinstance(raw, dict):
                ctx.error('schema', site, None, 'is %s, expected a dict.' % type_name(raw), 'give each site as a dict of keys.')
                continue
            check_site(ctx, site)
            states.append(site)

    roots = rule_roots(ctx, states)
    rule_name_unique(ctx, states)
    hosts = sites_by_host(states)
    rule_mount_unique(ctx, hosts)
    rule_mount_nesting(ctx, hosts)
    rule_tls_mismatch(ctx, hosts)
    rule_alias_conflict(ctx, hosts, mass)
    rule_daemon_name(ctx, states, mass)
    rule_session_cookie(ctx, hosts)
    rule_static_url_cross(ctx, hosts)
    rule_script_dir(ctx, states, roots)
    rule_exposed(ctx, states, mass)
    rule_filesystem(ctx, states)
    rule_python_abi(ctx, states, mass)
    size_daemons(ctx, states, mass)
    rule_capacity(ctx, states, mass)
    rule_mpm_choice(ctx, states, mass)

    findings = ctx.findings
    if any(finding.severity == ERROR for finding in findings):
        return Result([], [], False, None, findings)
    normalized = [normalize_site(site, ctx.options) for site in states]
    normalized.sort(key=lambda item: (item['server_name'], -url_depth(item['mount']), item['mount']))
    restrict = all(item['mode'] == 'daemon' for item in normalized) and (mass is None or mass['mode'] == 'daemon')
    return Result(normalized, build_vhosts(normalized), restrict, mass, findings)
