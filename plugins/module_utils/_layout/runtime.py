# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.django maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Runtime rules: mode and deploy, daemon settings, thread-safety, embedded-user, python-abi, the default
daemon processes, capacity and mpm-choice (the arithmetic is in _sizing)."""

from __future__ import annotations

from ansible_collections.modwsgi.django.plugins.module_utils._sizing import (
    MB_PER_PYTHON_PROCESS,
    MEMORY_WARN_RATIO,
    daemon_load,
    daemon_processes,
    memory_exceeded,
    python_memory_mb,
)
from ansible_collections.modwsgi.django.plugins.module_utils._layout.schema import (
    DAEMON_DEFAULTS,
    DAEMON_INT_RANGE,
    DEPLOYS,
    DISPLAY_NAME_RE,
    LOCALE_RE,
    MODES,
    THREADED_MPMS,
    UNIX_NAME_RE,
)
from ansible_collections.modwsgi.django.plugins.module_utils._site_tree import COLORS, daemon_group
from ansible_collections.modwsgi.django.plugins.module_utils._layout.text import (
    as_int,
    fs_path_fix,
    fs_path_problems,
    key_label,
    show,
    suggest,
    type_name,
)


def rule_deploy(ctx, site):
    """schema/deploy: mode daemon|embedded; deploy bluegreen|restart for daemon only."""
    mode = site.given.get('mode', 'daemon')
    if mode not in MODES:
        ctx.error('schema', site, 'mode', '%s is not daemon or embedded%s.' % (show(mode), suggest(mode, MODES)),
                  'set mode: daemon (recommended) or mode: embedded.')
        return
    site.normalized['mode'] = mode
    deploy = site.given.get('deploy')
    if deploy is None:
        site.normalized['deploy'] = 'bluegreen' if mode == 'daemon' else None
        return
    if deploy not in DEPLOYS:
        ctx.error('deploy', site, 'deploy', '%s is not bluegreen or restart%s.' % (show(deploy), suggest(deploy, DEPLOYS)),
                  'set deploy: bluegreen (zero-downtime) or deploy: restart.')
        return
    if mode != 'daemon':
        ctx.error('deploy', site, 'deploy', 'deploy: %s needs daemon process groups, but mode is embedded (a code '
                  'change in embedded mode means an Apache graceful restart).' % deploy,
                  'remove deploy, or set mode: daemon.')
        return
    site.normalized['deploy'] = deploy


def rule_daemon(ctx, site):
    """embedded-user, processes-1, thread-safety (+ schema of daemon keys)."""
    mode = site.normalized.get('mode')
    thread_safe = site.given.get('thread_safe', True)
    site.normalized['thread_safe'] = thread_safe
    daemon = site.given.get('daemon', {})
    if mode == 'embedded':
        site.normalized['daemon'] = None
        if daemon:
            keys = ', '.join(sorted(key_label(key) for key in daemon))
            ctx.error('embedded-user', site, 'daemon', 'has settings (%s) but mode is embedded: embedded mode runs '
                      'inside the Apache children as %s, with no daemon process.' % (keys, ctx.options['apache_user']),
                      'remove daemon, or set mode: daemon to run the site as its own user.')
        if not thread_safe and ctx.options['mpm'] in THREADED_MPMS:
            ctx.error('thread-safety', site, 'thread_safe', 'is false but the %s MPM runs embedded sites in many '
                      'threads per process.' % ctx.options['mpm'],
                      'use mode: daemon with daemon.threads: 1 (and daemon.processes: N), or mpm: prefork.')
        return
    if mode != 'daemon':
        return
    norm = dict(DAEMON_DEFAULTS)
    ok = True
    for key in daemon:
        if key not in DAEMON_DEFAULTS:
            ctx.error('schema', site, 'daemon.%s' % key_label(key), 'is not a daemon setting%s.' % suggest(key, DAEMON_DEFAULTS),
                      'use one of: %s.' % ', '.join(sorted(DAEMON_DEFAULTS)))
            ok = False
    for key in DAEMON_DEFAULTS:
        value = daemon.get(key)
        if value is None:
            continue
        if not check_daemon_value(ctx, site, 'daemon', key, value, norm):
            ok = False
    name = site.normalized.get('name')
    if norm['user'] is None:
        norm['user'] = name
    if norm['group'] is None:
        norm['group'] = norm['user']
    if daemon.get('threads') is None and not thread_safe:
        norm['threads'] = 1
    if norm['processes'] == 1:
        ctx.warn('processes-1', site, 'daemon.processes', 'processes: 1 makes mod_wsgi set wsgi.multiprocess to True '
                 'although there is one process (in-browser debuggers then refuse to run).',
                 'set daemon.processes: null for a single process.')
    if not thread_safe and isinstance(norm['threads'], int) and norm['threads'] > 1:
        ctx.error('thread-safety', site, 'daemon.threads', 'is %d but thread_safe is false: requests would run '
                  'concurrently in one interpreter.' % norm['threads'],
                  'set daemon.threads: 1 and scale with daemon.processes, or make the code thread safe.')
        ok = False
    if ok:
        site.normalized['daemon'] = norm


def check_daemon_value(ctx, site, prefix, key, value, norm):
    """schema/path of one daemon setting; a good value goes into norm. Returns False on an error."""
    field = '%s.%s' % (prefix, key)
    if key in DAEMON_INT_RANGE:
        low, high = DAEMON_INT_RANGE[key]
        number = as_int(value)
        if number is None or not low <= number <= high:
            ctx.error('schema', site, field, '%s is not an integer between %d and %d.' % (show(value), low, high),
                      'give a number in that range.')
            return False
        norm[key] = number
        return True
    if not isinstance(value, str):
        ctx.error('schema', site, field, 'is %s, expected a string.' % type_name(value), 'give a string.')
        return False
    if key in ('user', 'group'):
        if not UNIX_NAME_RE.match(value):
            ctx.error('schema', site, field, '%s is not a valid unix %s name.' % (show(value), key),
                      'use a name matching ^[a-z_][a-z0-9_-]{0,31}$.')
            return False
        if value == 'root':
            ctx.error('schema', site, field, 'is root: the site would run with full privileges.',
                      'run the daemon as the site user (omit %s to default to the site name).' % field)
            return False
    elif key == 'display_name':
        if not DISPLAY_NAME_RE.match(value):
            ctx.error('schema', site, field, '%s is neither %%{GROUP} nor a plain name (letters, digits, _ . : @ + -).' % show(value),
                      "use '%{GROUP}' or a short plain name.")
            return False
    elif key in ('lang', 'locale'):
        if not LOCALE_RE.match(value):
            ctx.error('schema', site, field, '%s is not a locale name.' % show(value), "use e.g. 'C.UTF-8'.")
            return False
    elif key == 'home':
        problems = fs_path_problems(value)
        if problems:
            ctx.error('path', site, field, '%s %s.' % (show(value), '; '.join(problems)), fs_path_fix(value))
            return False
    norm[key] = value
    return True


def daemon_groups(name, mode, deploy):
    """Daemon process group names of a site: <name> (restart), <name>_blue and <name>_green (bluegreen)."""
    if mode != 'daemon' or name is None:
        return []
    if deploy == 'restart':
        return [daemon_group(name)]
    return [daemon_group(name, color) for color in COLORS]


def rule_python_abi(ctx, sites, mass):
    """python-abi: each site's Python (and mass hosting's) is the major.minor mod_wsgi was built for."""
    want = ctx.options['mod_wsgi_python']
    if not want or not ctx.options['check_filesystem']:
        return
    cache = {}
    checks = [(site, 'python', site.normalized['python']) for site in sites if site.normalized.get('python')]
    if mass and mass.get('python_home'):
        checks.append((None, 'mass_hosting.python_home', mass['python_home'] + '/bin/python'))
    for site, field, python in checks:
        if python not in cache:
            try:
                cache[python] = ctx.fs.python_version(python)
            except Exception as exc:  # a broken fake or odd OS error must not crash validation
                cache[python] = (None, 'cannot be run (%s)' % exc.__class__.__name__)
        version, problem = cache[python]
        if problem:
            ctx.error('python-abi', site, field, 'the interpreter %s %s.' % (python, problem),
                      'install Python %s there or point %s at the interpreter mod_wsgi was built for (/usr/bin/python%s).'
                      % (want, field, want))
        elif version != want:
            ctx.error('python-abi', site, field, '%s is Python %s but mod_wsgi is built for Python %s: the venv\'s '
                      'compiled packages would not load.' % (python, version, want),
                      'set %s to /usr/bin/python%s (or install the mod_wsgi build for Python %s).' % (field, want, version))


def size_daemons(ctx, sites, mass):
    """daemon.processes left out: derived from the host's cores and memory (``server_cores``).

    Without ``server_cores`` the mod_wsgi default stays (processes omitted: one process). An explicit
    ``processes: null`` also keeps it: one process with wsgi.multiprocess False, as the guide describes.
    """
    if ctx.options.get('server_cores') is None:
        return
    defaulted, defaulted_copies, defaulted_threads, explicit = [], 0, 0, []
    for site in sites:
        daemon = site.normalized.get('daemon')
        if site.normalized.get('mode') != 'daemon' or not daemon:
            continue
        site_copies = 2 if site.normalized.get('deploy') == 'bluegreen' else 1
        given_daemon = site.given.get('daemon') if isinstance(site.given.get('daemon'), dict) else {}
        if 'processes' not in given_daemon:
            defaulted.append(site)
            defaulted_copies += site_copies
            defaulted_threads += daemon['threads']
        else:
            explicit.append((daemon['processes'], daemon['threads'], site_copies))
    if mass and mass.get('daemon'):
        explicit.append((mass['daemon']['processes'], mass['daemon']['threads'], 1))
    if not defaulted:
        return
    reserved, reserved_threads = daemon_load(explicit)
    per_site = daemon_processes(ctx.options['server_cores'], ctx.options['server_memory_mb'], defaulted_copies, reserved,
                                MB_PER_PYTHON_PROCESS, ctx.options['max_request_workers'], defaulted_threads, reserved_threads)
    for site in defaulted:
        site.normalized['daemon']['processes'] = per_site if per_site > 1 else None


def rule_mpm_choice(ctx, sites, mass):
    """prefork with no embedded site: one Apache process per connection only to relay to the daemons."""
    if ctx.options['mpm'] != 'prefork' or not sites and not mass:
        return
    if any(site.normalized.get('mode') == 'embedded' for site in sites) or (mass and mass['mode'] == 'embedded'):
        return
    ctx.warn('mpm-choice', None, 'mpm', 'is prefork but every site runs in daemon mode: each connection then holds a '
             'whole Apache process that only relays to the daemons (serve benchmark, c64: p99 1.0 s and 22 timeouts '
             'under prefork while children were forked, 79 ms under event).',
             'set apache_mpm: event (prefork is for embedded sites whose code is not thread safe).')


def rule_capacity(ctx, sites, mass):
    """capacity: Apache workers can feed the daemons, and the Python processes fit in memory (warnings)."""
    max_request_workers = ctx.options['max_request_workers']
    memory = ctx.options['server_memory_mb']
    groups = []
    embedded = 0
    for site in sites:
        if site.normalized.get('mode') == 'embedded':
            embedded += 1
            continue
        daemon = site.normalized.get('daemon')
        if not daemon:
            continue
        groups.append((daemon['processes'], daemon['threads'], 2 if site.normalized.get('deploy') == 'bluegreen' else 1))
    if mass:
        if mass['mode'] == 'embedded':
            embedded += 1
        elif mass.get('daemon'):
            groups.append((mass['daemon']['processes'], mass['daemon']['threads'], 1))
    # memory: both colors are resident; feeding: only the live color gets requests
    processes, threads = daemon_load(groups)
    if max_request_workers is not None and max_request_workers < threads:
        ctx.warn('capacity', None, 'max_request_workers', 'Apache has %d workers but the daemons have %d threads '
                 '(the live color of bluegreen sites): the daemons can never be fully used and requests queue in Apache.'
                 % (max_request_workers, threads), 'raise MaxRequestWorkers to at least %d or lower daemon processes/threads.' % threads)
    if memory is None:
        return
    estimate, children = python_memory_mb(processes, embedded, ctx.options['mpm'], max_request_workers)
    if memory_exceeded(estimate, memory):
        if ctx.options['mpm'] == 'prefork':
            note = 'each prefork child loads every embedded site'
        else:
            note = 'each Apache child loads every embedded site'
        detail = '%d daemon processes' % processes
        if embedded:
            detail += ' + %d embedded site(s) x %d Apache children (%s)' % (embedded, children, note)
        ctx.warn('capacity', None, 'server_memory_mb', 'estimated Python memory %d MB (%s, %d MB each) exceeds %d%% of '
                 '%d MB.' % (estimate, detail, MB_PER_PYTHON_PROCESS, int(MEMORY_WARN_RATIO * 100), memory),
                 'use daemon mode%s, fewer processes, or a bigger server.'
                 % (' instead of embedded under prefork' if embedded and ctx.options['mpm'] == 'prefork' else ''))
