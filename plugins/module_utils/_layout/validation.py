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
from ansible_collections.modwsgi.django.plugins.module_utils._layout.state import _Ctx, _Site
from ansible_collections.modwsgi.django.plugins.module_utils._layout.options import _check_options
from ansible_collections.modwsgi.django.plugins.module_utils._layout.site_input import (
    _rule_cookie_syntax,
    _rule_env,
    _rule_manage_steps,
    _rule_mount,
    _rule_name,
    _rule_schema,
    _rule_server_name,
    _rule_settings_module,
    _rule_source,
    _rule_static_url,
    _rule_tls,
)
from ansible_collections.modwsgi.django.plugins.module_utils._layout.site_paths import (
    _rule_exposed,
    _rule_filesystem,
    _rule_paths,
    _rule_roots,
    _rule_script_dir,
    _rule_sys_path,
)
from ansible_collections.modwsgi.django.plugins.module_utils._layout.runtime import (
    _rule_capacity,
    _rule_daemon,
    _rule_deploy,
    _rule_mpm_choice,
    _rule_python_abi,
    _size_daemons,
)
from ansible_collections.modwsgi.django.plugins.module_utils._layout.host_wide import (
    _by_host,
    _rule_alias_conflict,
    _rule_daemon_name,
    _rule_mount_nesting,
    _rule_mount_unique,
    _rule_name_unique,
    _rule_session_cookie,
    _rule_static_url_cross,
    _rule_tls_mismatch,
)
from ansible_collections.modwsgi.django.plugins.module_utils._layout.mass_hosting import _check_mass
from ansible_collections.modwsgi.django.plugins.module_utils._layout.normalize import _normalize_site, _vhosts


def _check_site(ctx, st):
    """Every per-site rule, in dependency order (later rules use st.n from earlier ones)."""
    _rule_schema(ctx, st)
    _rule_name(ctx, st)
    _rule_server_name(ctx, st)
    _rule_mount(ctx, st)
    _rule_sys_path(ctx, st)
    _rule_settings_module(ctx, st)
    _rule_paths(ctx, st)
    _rule_source(ctx, st)
    _rule_deploy(ctx, st)
    _rule_daemon(ctx, st)
    _rule_static_url(ctx, st)
    _rule_env(ctx, st)
    _rule_cookie_syntax(ctx, st)
    _rule_tls(ctx, st)
    _rule_manage_steps(ctx, st)
    for key in ('migrate', 'collectstatic', 'legacy_relative_imports', 'check_deploy'):
        if key not in st.bad:
            st.n[key] = st.v.get(key, key != 'legacy_relative_imports')


def validate(sites, mpm='event', document_roots=None, check_filesystem=True, mod_wsgi_python=None,
             mass_hosting=None, base_dir='/srv/django', apache_user='www-data', apache_group='www-data',
             max_request_workers=None, server_memory_mb=None, fs=None, server_cores=None):
    """Check every rule on every site and return a :class:`Result`.

    ``sites`` is the ``modwsgi_sites`` list.  With ``check_filesystem`` the rules
    that need the target's real paths (symlinks, script dir contents, the site
    Python's version) run through ``fs`` (default: a :class:`FileSystem` without a command
    runner, which cannot run the site Python: pass ``fs=FileSystem(runner)`` for python-abi).
    """
    opts = {
        'mpm': mpm, 'document_roots': document_roots, 'check_filesystem': check_filesystem,
        'mod_wsgi_python': mod_wsgi_python, 'base_dir': base_dir, 'apache_user': apache_user,
        'apache_group': apache_group, 'max_request_workers': max_request_workers,
        'server_memory_mb': server_memory_mb, 'server_cores': server_cores,
    }
    ctx = _Ctx(opts, fs if fs is not None else FileSystem())
    _check_options(ctx, opts)
    mass = _check_mass(ctx, mass_hosting)

    states = []
    if not isinstance(sites, (list, tuple)):
        ctx.error('schema', None, 'sites', 'is %s, expected a list of site dicts.' % type_name(sites),
                  'give modwsgi_sites as a list (one dict per site).')
    elif not sites and mass_hosting is None:
        ctx.error('schema', None, 'sites', 'is empty: there is nothing to deploy.', 'add at least one site (or set mass_hosting).')
    else:
        for index, raw in enumerate(sites):
            st = _Site(index, raw)
            if not isinstance(raw, dict):
                ctx.error('schema', st, None, 'is %s, expected a dict.' % type_name(raw), 'give each site as a dict of keys.')
                continue
            _check_site(ctx, st)
            states.append(st)

    roots = _rule_roots(ctx, states)
    _rule_name_unique(ctx, states)
    hosts = _by_host(states)
    _rule_mount_unique(ctx, hosts)
    _rule_mount_nesting(ctx, hosts)
    _rule_tls_mismatch(ctx, hosts)
    _rule_alias_conflict(ctx, hosts, mass)
    _rule_daemon_name(ctx, states, mass)
    _rule_session_cookie(ctx, hosts)
    _rule_static_url_cross(ctx, hosts)
    _rule_script_dir(ctx, states, roots)
    _rule_exposed(ctx, states, mass)
    _rule_filesystem(ctx, states)
    _rule_python_abi(ctx, states, mass)
    _size_daemons(ctx, states, mass)
    _rule_capacity(ctx, states, mass)
    _rule_mpm_choice(ctx, states, mass)

    findings = ctx.findings
    if any(f.severity == ERROR for f in findings):
        return Result([], [], False, None, findings)
    normalized = [_normalize_site(st, ctx.o) for st in states]
    normalized.sort(key=lambda s: (s['server_name'], -url_depth(s['mount']), s['mount']))
    restrict = all(s['mode'] == 'daemon' for s in normalized) and (mass is None or mass['mode'] == 'daemon')
    return Result(normalized, _vhosts(normalized), restrict, mass, findings)
