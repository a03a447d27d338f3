# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.django maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Normalization (only when there is no error): the sites and vhosts the templates consume."""

from __future__ import annotations

import copy
import re

from ansible_collections.modwsgi.django.plugins.module_utils._layout.schema import SETTINGS_SHIM
from ansible_collections.modwsgi.django.plugins.module_utils._layout.runtime import daemon_groups
from ansible_collections.modwsgi.django.plugins.module_utils._site_tree import (
    COLORS, RELEASE_ID_LENGTH, daemon_group, site_paths, vhost_file, vhost_logs)
from ansible_collections.modwsgi.django.plugins.module_utils._layout.host_wide import effective_cookie


# Retry-After (seconds) of the 503 a bluegreen site answers while the colors map names no live color for
# it (vhost.conf.j2): long enough not to hammer, short enough for a map repaired by the next converge.
MAINTENANCE_RETRY_AFTER = 5


def normalize_site(site, options):
    """The normalized site the templates consume (docs/dev/contract.md): defaults, paths, effective settings."""
    values = site.normalized
    name, root, mount, mode, deploy = values['name'], values['root'], values['mount'], values['mode'], values['deploy']
    shared = values.get('_shared', False)
    paths = site_paths(root, values['script_dir'])
    daemon = copy.deepcopy(values['daemon'])
    if daemon is not None and daemon['home'] is None and deploy == 'restart':
        daemon['home'] = paths['current']
    if mode == 'daemon':
        user, group = daemon['user'], daemon['group']
    else:
        user, group = options['apache_user'], options['apache_group']
    session_name = effective_cookie(site, 'session_cookie_name', shared)
    csrf_name = effective_cookie(site, 'csrf_cookie_name', shared)
    cookie_path = values['session_cookie_path']
    hosts = [values['server_name']] + values['server_aliases']
    effective = {
        'SESSION_COOKIE_NAME': session_name,
        'SESSION_COOKIE_PATH': cookie_path,
        'CSRF_COOKIE_NAME': csrf_name,
        'CSRF_COOKIE_PATH': cookie_path,
        # read by conf/_modwsgi_messages.py: Django's cookie message storage, scoped to the site
        'MODWSGI_MESSAGES_COOKIE_NAME': '%s_messages' % name if shared else 'messages',
        'MODWSGI_MESSAGES_COOKIE_PATH': cookie_path,
    }
    if values['static']:
        effective['STATIC_URL'] = values['static']['url']
        effective['STATIC_ROOT'] = values['static']['dir']
    if values['media']:
        effective['MEDIA_URL'] = values['media']['url']
        effective['MEDIA_ROOT'] = values['media']['dir']
    effective['ALLOWED_HOSTS'] = [host[1:] if host.startswith('*.') else host for host in hosts]
    if values['tls']:
        effective['CSRF_TRUSTED_ORIGINS'] = ['https://' + host for host in hosts]
    effective.update(copy.deepcopy(values['django_settings']))
    extra = [paths['conf']]
    if values['legacy_relative_imports']:
        extra.append('%s/%s' % (paths['current'], values['project']))
    bluegreen = mode == 'daemon' and deploy == 'bluegreen'
    colors = dict((color, daemon_group(name, color)) for color in COLORS) if bluegreen else {}
    # the WSGIDaemonProcess lines: each group runs the code of its link (python-path, python-home)
    if bluegreen:
        daemons = [{'group': colors[color], 'code': paths[color], 'home': daemon['home'] or paths[color]} for color in COLORS]
    elif mode == 'daemon':
        daemons = [{'group': daemon_group(name), 'code': paths['current'], 'home': daemon['home']}]
    else:
        daemons = []
    return {
        'name': name,
        'server_name': values['server_name'],
        'server_aliases': list(values['server_aliases']),
        'mount': mount,
        'project': values['project'],
        'settings': values['settings'],
        'root': root,
        'source': dict(values['source']),
        'requirements': values['requirements'],
        'python': values['python'],
        'mode': mode,
        'deploy': deploy,
        'thread_safe': values['thread_safe'],
        'daemon': daemon,
        'static': dict(values['static']) if values['static'] else False,
        'media': dict(values['media']) if values['media'] else False,
        'session_cookie_name': session_name,
        'session_cookie_path': cookie_path,
        'csrf_cookie_name': csrf_name,
        'csrf_cookie_path': cookie_path,
        'env': dict(values['env']),
        'secrets': dict(values['secrets']),
        'django_settings': copy.deepcopy(values['django_settings']),
        'tls': dict(values['tls']) if values['tls'] else None,
        'migrate': values['migrate'],
        'collectstatic': values['collectstatic'],
        'health_path': values['health_path'],
        'legacy_relative_imports': values['legacy_relative_imports'],
        'script_dir': values['script_dir'],
        'check_deploy': values['check_deploy'],
        'manage_steps': copy.deepcopy(values['manage_steps']),
        'user': user,
        'group': group,
        'health_url_path': re.sub('/+', '/', mount + values['health_path']),
        'paths': paths,
        'bluegreen': bluegreen,
        'activation': deploy if mode == 'daemon' else 'embedded',
        'daemon_groups': daemon_groups(name, mode, deploy),
        'color_groups': colors,
        'daemons': daemons,
        'process_group': daemon_group(name) if mode == 'daemon' and deploy == 'restart' else None,
        'script_process_group': None if bluegreen else daemon_group(name) if mode == 'daemon' else '%{GLOBAL}',
        'maintenance_retry_after': MAINTENANCE_RETRY_AFTER if bluegreen else None,
        'application_group': '%{GLOBAL}' if mode == 'daemon' else '%{RESOURCE}',
        'code_dir': paths['current'],
        'python_path_extra': extra,
        'django_settings_module': SETTINGS_SHIM,
        'effective_settings': effective,
        'logs': vhost_logs(values['server_name']),
        'release_id_length': RELEASE_ID_LENGTH,
    }


def build_vhosts(sites):
    """One virtual host per server_name: its aliases (union), tls, sites (and which of them are bluegreen),
    its file in sites-available and its log files."""
    out = {}
    for site in sites:
        vhost = out.setdefault(site['server_name'], {'server_name': site['server_name'], 'server_aliases': set(),
                                                     'tls': site['tls'], 'sites': [], 'bluegreen': [],
                                                     'file': vhost_file(site['server_name']), 'logs': site['logs']})
        vhost['server_aliases'].update(site['server_aliases'])
        vhost['sites'].append(site['name'])
        if site['bluegreen']:
            vhost['bluegreen'].append(site['name'])
    result = []
    for name in sorted(out):
        vhost = out[name]
        vhost['server_aliases'] = sorted(vhost['server_aliases'])
        result.append(vhost)
    return result
