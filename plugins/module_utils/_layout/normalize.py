# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.django maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Normalization (only when there is no error): the sites and vhosts the templates consume."""

from __future__ import annotations

import copy
import re

from ansible_collections.modwsgi.django.plugins.module_utils._layout.schema import SCRIPT_NAME, SETTINGS_SHIM
from ansible_collections.modwsgi.django.plugins.module_utils._layout.runtime import daemon_groups
from ansible_collections.modwsgi.django.plugins.module_utils._layout.host_wide import _effective_cookie


def _normalize_site(st, opts):
    n = st.n
    name, root, mount, mode, deploy = n['name'], n['root'], n['mount'], n['mode'], n['deploy']
    shared = n.get('_shared', False)
    paths = {
        'root': root,
        'releases': root + '/releases',
        'venvs': root + '/venvs',
        'conf': root + '/conf',
        'site_json': root + '/conf/site.json',
        'settings_module_file': '%s/conf/%s.py' % (root, SETTINGS_SHIM),
        'script_dir': n['script_dir'],
        'script': n['script_dir'] + '/' + SCRIPT_NAME,
        'manage': root + '/bin/manage',
        'current': root + '/current',
        'blue': root + '/blue',
        'green': root + '/green',
    }
    daemon = copy.deepcopy(n['daemon'])
    if daemon is not None and daemon['home'] is None and deploy == 'restart':
        daemon['home'] = paths['current']
    if mode == 'daemon':
        user, group = daemon['user'], daemon['group']
    else:
        user, group = opts['apache_user'], opts['apache_group']
    session_name = _effective_cookie(st, 'session_cookie_name', shared)
    csrf_name = _effective_cookie(st, 'csrf_cookie_name', shared)
    cookie_path = n['session_cookie_path']
    hosts = [n['server_name']] + n['server_aliases']
    effective = {
        'SESSION_COOKIE_NAME': session_name,
        'SESSION_COOKIE_PATH': cookie_path,
        'CSRF_COOKIE_NAME': csrf_name,
        'CSRF_COOKIE_PATH': cookie_path,
        # read by conf/_modwsgi_messages.py: Django's cookie message storage, scoped to the site
        'MODWSGI_MESSAGES_COOKIE_NAME': '%s_messages' % name if shared else 'messages',
        'MODWSGI_MESSAGES_COOKIE_PATH': cookie_path,
    }
    if n['static']:
        effective['STATIC_URL'] = n['static']['url']
        effective['STATIC_ROOT'] = n['static']['dir']
    if n['media']:
        effective['MEDIA_URL'] = n['media']['url']
        effective['MEDIA_ROOT'] = n['media']['dir']
    effective['ALLOWED_HOSTS'] = [h[1:] if h.startswith('*.') else h for h in hosts]
    if n['tls']:
        effective['CSRF_TRUSTED_ORIGINS'] = ['https://' + h for h in hosts]
    effective.update(copy.deepcopy(n['django_settings']))
    extra = [paths['conf']]
    if n['legacy_relative_imports']:
        extra.append('%s/%s' % (paths['current'], n['project']))
    groups = daemon_groups(name, mode, deploy)
    return {
        'name': name,
        'server_name': n['server_name'],
        'server_aliases': list(n['server_aliases']),
        'mount': mount,
        'project': n['project'],
        'settings': n['settings'],
        'root': root,
        'source': dict(n['source']),
        'requirements': n['requirements'],
        'python': n['python'],
        'mode': mode,
        'deploy': deploy,
        'thread_safe': n['thread_safe'],
        'daemon': daemon,
        'static': dict(n['static']) if n['static'] else False,
        'media': dict(n['media']) if n['media'] else False,
        'session_cookie_name': session_name,
        'session_cookie_path': cookie_path,
        'csrf_cookie_name': csrf_name,
        'csrf_cookie_path': cookie_path,
        'env': dict(n['env']),
        'secrets': dict(n['secrets']),
        'django_settings': copy.deepcopy(n['django_settings']),
        'tls': dict(n['tls']) if n['tls'] else None,
        'migrate': n['migrate'],
        'collectstatic': n['collectstatic'],
        'health_path': n['health_path'],
        'legacy_relative_imports': n['legacy_relative_imports'],
        'script_dir': n['script_dir'],
        'check_deploy': n['check_deploy'],
        'manage_steps': copy.deepcopy(n['manage_steps']),
        'user': user,
        'group': group,
        'health_url_path': re.sub('/+', '/', mount + n['health_path']),
        'paths': paths,
        'daemon_groups': groups,
        'process_group': name if mode == 'daemon' and deploy == 'restart' else None,
        'application_group': '%{GLOBAL}' if mode == 'daemon' else '%{RESOURCE}',
        'code_dir': paths['current'],
        'python_path_extra': extra,
        'django_settings_module': SETTINGS_SHIM,
        'effective_settings': effective,
    }


def _vhosts(sites):
    out = {}
    for site in sites:
        vh = out.setdefault(site['server_name'], {'server_name': site['server_name'], 'server_aliases': set(),
                                                  'tls': site['tls'], 'sites': []})
        vh['server_aliases'].update(site['server_aliases'])
        vh['sites'].append(site['name'])
    result = []
    for name in sorted(out):
        vh = out[name]
        vh['server_aliases'] = sorted(vh['server_aliases'])
        result.append(vh)
    return result
