# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Remove what a failed first deploy of a site wrote (the engine of the ``discard_first_deploy`` module).

A site that has never been live (no ``current`` link) and whose first build failed (pip, a management
step) would otherwise leave a half-built tree behind: ``conf/site.json`` with its secrets, an unpacked
release, a partial virtualenv. This removes what the role writes - conf, releases, venvs, cache,
bin/manage, the WSGI script, the color links, run/ - and the generated static files under the root,
then every directory that is left empty. Directories holding anything else (``data/`` with a
database, ``media/`` with uploads, files the operator put there) are kept and listed.
A site with a ``current`` link is never touched.

With ``log_dir``, the site's virtual host logs (``modwsgi-<server_name>-{error,access,ssl-access}.log``)
go too, unless an enabled Apache configuration file still names them: then Apache writes them (the
server name is live for another site) and they are kept and listed.
"""

from __future__ import annotations

import os

from ansible_collections.modwsgi.django.plugins.module_utils._fs import remove, remove_file, rmdir_if_empty
from ansible_collections.modwsgi.django.plugins.module_utils._site_tree import vhost_logs as log_names

ENABLED_DIRS = ('sites-enabled', 'conf-enabled')


def vhost_logs(server_name, log_dir):
    """The log files the django_site role makes for a virtual host (vhost.conf.j2's ErrorLog/CustomLog)."""
    logs = log_names(server_name)
    return [os.path.join(log_dir, logs[kind]) for kind in ('error', 'access', 'ssl_access')]


def logs_in_use(server_name, conf_root):
    """The enabled Apache files that name the virtual host's logs (Apache has them open and writes them)."""
    needles = [name.encode() for name in log_names(server_name).values()]
    users = []
    for sub in ENABLED_DIRS:
        folder = os.path.join(conf_root, sub)
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            continue
        for name in names:
            path = os.path.join(folder, name)
            try:
                with open(path, 'rb') as handle:
                    text = handle.read()
                    if any(needle in text for needle in needles):
                        users.append(path)
            except OSError:
                continue
    return users


def discard_logs(site, log_dir, conf_root, check_mode=False):
    """(removed, kept) log files of the site's virtual host: kept when an enabled Apache file names them."""
    present = [path for path in vhost_logs(site['server_name'], log_dir) if os.path.lexists(path)]
    if not present:
        return [], []
    if logs_in_use(site['server_name'], conf_root):
        return [], present
    if check_mode:
        return present, []
    return [path for path in present if remove_file(path)], []


def discard(site, check_mode=False, log_dir=None, conf_root='/etc/apache2'):
    """{'changed', 'removed': [paths], 'kept': [paths], 'skipped': reason or None} for one normalized site.

    ``log_dir``: Apache's log directory; the site's virtual host logs are removed as well (see discard_logs).
    """
    paths = site['paths']
    root = paths['root']
    if os.path.lexists(paths['current']):
        return {'changed': False, 'removed': [], 'kept': [], 'skipped': 'the site has a live release (%s)' % paths['current']}
    if not os.path.isdir(root):
        return {'changed': False, 'removed': [], 'kept': [], 'skipped': 'nothing was written (%s does not exist)' % root}
    owned = [paths['conf'], paths['releases'], paths['venvs'], paths['cache'], paths['manage'], paths['script'],
             paths['blue'], paths['green'], paths['run']]
    static = site.get('static')
    if isinstance(static, dict) and static['dir'].startswith(root + '/'):
        owned.append(static['dir'])
    maybe_empty = [paths['bin'], paths['script_dir'], paths['data']]
    for key in ('static', 'media'):
        if isinstance(site.get(key), dict):
            maybe_empty.append(site[key]['dir'])
    logs, logs_kept = discard_logs(site, log_dir, conf_root, check_mode) if log_dir else ([], [])
    if check_mode:
        present = [path for path in owned if os.path.lexists(path)] + logs
        return {'changed': bool(present), 'removed': present, 'kept': logs_kept, 'skipped': None}
    removed = []
    removed.extend(path for path in owned if remove(path))
    removed.extend(path for path in maybe_empty + [root] if rmdir_if_empty(path))
    removed.extend(logs)
    kept = [path for path in maybe_empty + [root] if os.path.isdir(path)] + logs_kept
    return {'changed': bool(removed), 'removed': removed, 'kept': kept, 'skipped': None}
