# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.django maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The mass_hosting option: one vhost serving <base_dir>/<x>/apache/django.wsgi at /<x>."""

from __future__ import annotations

from ansible_collections.modwsgi.django.plugins.module_utils._layout.schema import (
    BASE_DIR_OK,
    DAEMON_DEFAULTS,
    MASS_DEFAULTS,
    MASS_GROUP,
    MASS_KEYS,
    MASS_REQUIRED,
    MODES,
    SYSTEM_DIRS,
)
from ansible_collections.modwsgi.django.plugins.module_utils._site_tree import SCRIPT_NAME, vhost_logs
from ansible_collections.modwsgi.django.plugins.module_utils._layout.text import (
    fs_path_fix,
    fs_path_problems,
    hostname_problem,
    key_label,
    show,
    suggest,
    type_name,
)
from ansible_collections.modwsgi.django.plugins.module_utils._layout.runtime import check_daemon_value


def check_mass(ctx, value):
    """Validate the mass_hosting option; returns the normalized dict or None."""
    if value is None:
        return None
    if not isinstance(value, dict):
        ctx.error('schema', None, 'mass_hosting', 'is %s, expected a dict or null.' % type_name(value),
                  'give {%s} or null.' % ', '.join(MASS_KEYS))
        return None
    ok = True
    for key in value:
        if key not in MASS_KEYS:
            ctx.error('schema', None, 'mass_hosting.%s' % key_label(key), 'is not a mass hosting setting%s.'
                      % suggest(key, MASS_KEYS), 'use %s.' % ', '.join(MASS_KEYS))
            ok = False
    out = dict(MASS_DEFAULTS)
    name = value.get('server_name')
    if not isinstance(name, str):
        ctx.error('schema', None, 'mass_hosting.server_name', 'is %s, expected a host name.' % type_name(name), 'set it.')
        ok = False
    else:
        problem, fix = hostname_problem(name, allow_wildcard=False)
        if problem:
            ctx.error('server-name', None, 'mass_hosting.server_name', '%s %s.' % (show(name), problem), fix)
            ok = False
        else:
            out['server_name'] = name.lower()
    for key in ('base_dir', 'python_home'):
        path = value.get(key)
        field = 'mass_hosting.%s' % key
        if path is None and key not in MASS_REQUIRED:
            continue
        if not isinstance(path, str):
            ctx.error('schema', None, field, 'is %s, expected an absolute path.' % type_name(path), 'set it.')
            ok = False
            continue
        problems = fs_path_problems(path)
        if not problems and path in SYSTEM_DIRS and path not in BASE_DIR_OK:
            problems = ['is a system directory']
        if problems:
            ctx.error('path', None, field, '%s %s.' % (show(path), '; '.join(problems)),
                      fs_path_fix(path, example='/srv/django' if key == 'base_dir' else None))
            ok = False
            continue
        out[key] = path
    mode = value.get('mode')
    if mode is not None:
        if mode not in MODES:
            ctx.error('schema', None, 'mass_hosting.mode', '%s is not daemon or embedded.' % show(mode), 'set daemon or embedded.')
            ok = False
        else:
            out['mode'] = mode
    daemon = value.get('daemon')
    if daemon is not None and not isinstance(daemon, dict):
        ctx.error('schema', None, 'mass_hosting.daemon', 'is %s, expected a dict.' % type_name(daemon), 'give daemon settings as a dict.')
        ok = False
        daemon = None
    daemon = daemon or {}
    if out['mode'] == 'embedded':
        if daemon:
            ctx.error('embedded-user', None, 'mass_hosting.daemon', 'is set but mass hosting mode is embedded (it runs '
                      'as the Apache user).', 'remove daemon or set mode: daemon.')
            ok = False
    else:
        norm = dict(DAEMON_DEFAULTS)
        for key in daemon:
            if key not in DAEMON_DEFAULTS:
                ctx.error('schema', None, 'mass_hosting.daemon.%s' % key_label(key), 'is not a daemon setting%s.'
                          % suggest(key, DAEMON_DEFAULTS), 'use one of: %s.' % ', '.join(sorted(DAEMON_DEFAULTS)))
                ok = False
        for key in DAEMON_DEFAULTS:
            if daemon.get(key) is not None and not check_daemon_value(ctx, None, 'mass_hosting.daemon', key, daemon[key], norm):
                ok = False
        norm['user'] = norm['user'] or ctx.options['apache_user']
        norm['group'] = norm['group'] or (ctx.options['apache_group'] if norm['user'] == ctx.options['apache_user'] else norm['user'])
        if norm['processes'] == 1:
            ctx.warn('processes-1', None, 'mass_hosting.daemon.processes', 'processes: 1 sets wsgi.multiprocess '
                     'to True although there is one process.', 'omit processes for a single process.')
        out['daemon'] = norm
    if not ok:
        return None
    out['daemon_group'] = MASS_GROUP if out['mode'] == 'daemon' else None
    out['application_group'] = '%{RESOURCE}'
    out['script_pattern'] = out['base_dir'] + '/*/apache/' + SCRIPT_NAME
    out['logs'] = vhost_logs(out['server_name'])
    return out
