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
"""

from __future__ import annotations

import os

from ansible_collections.modwsgi.django.plugins.module_utils._fs import remove, rmdir_if_empty


def discard(site, check_mode=False):
    """{'changed', 'removed': [paths], 'kept': [paths], 'skipped': reason or None} for one normalized site."""
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
    if check_mode:
        present = [path for path in owned if os.path.lexists(path)]
        return {'changed': bool(present), 'removed': present, 'kept': [], 'skipped': None}
    removed = []
    removed.extend(path for path in owned if remove(path))
    removed.extend(path for path in maybe_empty + [root] if rmdir_if_empty(path))
    kept = [path for path in maybe_empty + [root] if os.path.isdir(path)]
    return {'changed': bool(removed), 'removed': removed, 'kept': kept, 'skipped': None}
