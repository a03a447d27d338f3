# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The paths every site needs, as ``file_batch`` entries (used by the ``site_entries`` and
``site_json`` filters of the ``django_site`` role).

Owners and modes (docs/dev/contract.md): the site root is 0711 root so each site's user can reach
only its own tree; releases, venvs and conf are root:<site group> 0750 (the site reads, never
writes its code); run/ and data/ belong to the site user; static is root:<apache group> 2755,
public content readable by everyone including the site's own processes (which read
``staticfiles.json`` and scan it), writable by the site only while collectstatic and the extra
management steps run (``_manage``); media <site user>:<apache group> 2750.
"""

from __future__ import annotations

import json


def _directory(path, mode, owner='root', group='root'):
    return {'path': path, 'state': 'directory', 'owner': owner, 'group': group, 'mode': mode}


def layout_entries(sites, rendered, apache_group):
    """Directories, then the four generated files (tagged with the site name), for every site.

    ``rendered``: site name to {'boot', 'settings', 'wsgi', 'manage', 'messages'} rendered template text.
    """
    entries = []
    for site in sites:
        name, paths, user, group = site['name'], site['paths'], site['user'], site['group']
        root = paths['root']
        entries += [
            _directory(root, '0711'),
            _directory(paths['releases'], '0750', group=group),
            _directory(paths['venvs'], '0750', group=group),
            _directory(paths['conf'], '0750', group=group),
            _directory(paths['script_dir'], '0755'),
            _directory(paths['bin'], '0755'),
            _directory(paths['cache'], '0700'),
            _directory(paths['run'], '0750', user, group),
            _directory(paths['data'], '0750', user, group),
        ]
        if isinstance(site.get('static'), dict):
            entries.append(_directory(site['static']['dir'], '2755', 'root', apache_group))
        if isinstance(site.get('media'), dict):
            entries.append(_directory(site['media']['dir'], '2750', user, apache_group))
        texts = rendered[name]
        for key, path, file_group, mode in (
                ('boot', paths['boot'], group, '0640'),
                ('settings', paths['settings_module_file'], group, '0640'),
                ('wsgi', paths['script'], 'root', '0644'),
                ('manage', paths['manage'], 'root', '0755'),
                ('messages', paths['messages'], group, '0640')):
            entries.append({'path': path, 'state': 'file', 'owner': 'root', 'group': file_group, 'mode': mode,
                            'content': texts[key], 'tag': name})
    return entries


def site_json(site, secrets):
    """Text of conf/site.json: the environment (env, then secrets over it) and the effective settings."""
    environ = dict(site.get('env') or {})
    # Secrets come from the raw inventory: a number there (validate_sites accepts int and float) is the text
    # the application reads, as env values already are after validation.
    environ.update((key, value if isinstance(value, str) else str(value)) for key, value in (secrets or {}).items())
    data = {'environ': environ, 'settings': site.get('effective_settings') or {}}
    return json.dumps(data, indent=4, sort_keys=True, separators=(',', ': ')) + '\n'


def json_entries(sites, inventory_sites):
    """One no-diff entry per site for conf/site.json (0640 root:<site group>); secrets come from the inventory."""
    secrets = {}
    for item in inventory_sites or []:
        if isinstance(item, dict) and isinstance(item.get('name'), str):
            secrets[item['name']] = item.get('secrets') or {}
    return [{'path': site['paths']['site_json'], 'state': 'file', 'owner': 'root', 'group': site['group'], 'mode': '0640',
             'content': site_json(site, secrets.get(site['name'])), 'tag': site['name'], 'no_diff': True}
            for site in sites]
