# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.django maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The module options (mpm, document_roots, base_dir, apache user, capacity inputs...)."""

from __future__ import annotations

from ansible_collections.modwsgi.django.plugins.module_utils._layout.schema import (
    BASE_DIR_OK,
    MPMS,
    PY_VERSION_RE,
    SYSTEM_DIRS,
    UNIX_NAME_RE,
)
from ansible_collections.modwsgi.django.plugins.module_utils._layout.text import (
    as_bool,
    as_int,
    fs_path_fix,
    fs_path_problems,
    show,
    suggest,
    type_name,
)


def _check_options(ctx, opts):
    """Module options: validated into ctx.o (bad ones are reported and neutralized)."""
    o = ctx.o
    if o['mpm'] not in MPMS:
        ctx.error('schema', None, 'mpm', 'is %s, not one of %s.' % (show(o['mpm']), ', '.join(MPMS)),
                  'set mpm to prefork, worker or event%s.' % suggest(o['mpm'], MPMS))
        o['mpm'] = 'event'
    doc_roots = []
    if o['document_roots'] is None:
        o['document_roots'] = ['/var/www/html']
    if not isinstance(o['document_roots'], (list, tuple)):
        ctx.error('schema', None, 'document_roots', 'is %s, not a list of paths.' % type_name(o['document_roots']),
                  'give a list such as [/var/www/html].')
    else:
        for i, d in enumerate(o['document_roots']):
            field = 'document_roots[%d]' % i
            if not isinstance(d, str):
                ctx.error('schema', None, field, 'is %s, not a path.' % type_name(d), 'give an absolute path.')
                continue
            problems = fs_path_problems(d)
            if problems:
                ctx.error('path', None, field, '%s %s.' % (show(d), '; '.join(problems)), fs_path_fix(d))
                continue
            doc_roots.append(d)
    o['document_roots'] = doc_roots
    for key in ('base_dir',):
        value = o[key]
        if not isinstance(value, str):
            ctx.error('schema', None, key, 'is %s, not a path.' % type_name(value), 'give an absolute path.')
            o[key] = None
            continue
        problems = fs_path_problems(value)
        if not problems and value in SYSTEM_DIRS and value not in BASE_DIR_OK:
            problems = ['is a system directory']
        if problems:
            ctx.error('path', None, key, '%s %s.' % (show(value), '; '.join(problems)), fs_path_fix(value))
            o[key] = None
    for key in ('apache_user', 'apache_group'):
        value = o[key]
        if not isinstance(value, str) or not UNIX_NAME_RE.match(value):
            ctx.error('schema', None, key, '%s is not a valid user/group name.' % show(value),
                      'use a name matching ^[a-z_][a-z0-9_-]{0,31}$ (Debian: www-data).')
            o[key] = 'www-data'
    check = as_bool(o['check_filesystem'])
    if check is None:
        ctx.error('schema', None, 'check_filesystem', 'is %s, not a boolean.' % type_name(o['check_filesystem']),
                  'set true or false.')
        check = False
    o['check_filesystem'] = check
    pyver = o['mod_wsgi_python']
    if pyver is not None:
        if isinstance(pyver, float):
            pyver = repr(pyver)
        if not isinstance(pyver, str) or not PY_VERSION_RE.match(pyver.strip()):
            ctx.error('schema', None, 'mod_wsgi_python', '%s is not a major.minor version.' % show(pyver),
                      'give the version as a quoted string such as "3.11".')
            pyver = None
        else:
            pyver = pyver.strip()
    o['mod_wsgi_python'] = pyver
    for key in ('max_request_workers', 'server_memory_mb', 'server_cores'):
        value = o[key]
        if value is None:
            continue
        number = as_int(value)
        if number is None or number < 1:
            ctx.error('schema', None, key, '%s is not a positive integer.' % show(value), 'give a number >= 1 or omit it.')
            number = None
        o[key] = number
