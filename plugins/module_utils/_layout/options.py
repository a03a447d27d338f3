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


def check_options(ctx):
    """Module options: validated in place in ctx.options (bad ones are reported and neutralized)."""
    options = ctx.options
    if options['mpm'] not in MPMS:
        ctx.error('schema', None, 'mpm', 'is %s, not one of %s.' % (show(options['mpm']), ', '.join(MPMS)),
                  'set mpm to prefork, worker or event%s.' % suggest(options['mpm'], MPMS))
        options['mpm'] = 'event'
    doc_roots = []
    if options['document_roots'] is None:
        options['document_roots'] = ['/var/www/html']
    if not isinstance(options['document_roots'], (list, tuple)):
        ctx.error('schema', None, 'document_roots', 'is %s, not a list of paths.' % type_name(options['document_roots']),
                  'give a list such as [/var/www/html].')
    else:
        for i, doc_root in enumerate(options['document_roots']):
            field = 'document_roots[%d]' % i
            if not isinstance(doc_root, str):
                ctx.error('schema', None, field, 'is %s, not a path.' % type_name(doc_root), 'give an absolute path.')
                continue
            problems = fs_path_problems(doc_root)
            if problems:
                ctx.error('path', None, field, '%s %s.' % (show(doc_root), '; '.join(problems)), fs_path_fix(doc_root))
                continue
            doc_roots.append(doc_root)
    options['document_roots'] = doc_roots
    for key in ('base_dir',):
        value = options[key]
        if not isinstance(value, str):
            ctx.error('schema', None, key, 'is %s, not a path.' % type_name(value), 'give an absolute path.')
            options[key] = None
            continue
        problems = fs_path_problems(value)
        if not problems and value in SYSTEM_DIRS and value not in BASE_DIR_OK:
            problems = ['is a system directory']
        if problems:
            ctx.error('path', None, key, '%s %s.' % (show(value), '; '.join(problems)), fs_path_fix(value, example='/srv/django'))
            options[key] = None
    for key in ('apache_user', 'apache_group'):
        value = options[key]
        if not isinstance(value, str) or not UNIX_NAME_RE.match(value):
            ctx.error('schema', None, key, '%s is not a valid user/group name.' % show(value),
                      'use a name matching ^[a-z_][a-z0-9_-]{0,31}$ (Debian: www-data).')
            options[key] = 'www-data'
    check = as_bool(options['check_filesystem'])
    if check is None:
        ctx.error('schema', None, 'check_filesystem', 'is %s, not a boolean.' % type_name(options['check_filesystem']),
                  'set true or false.')
        check = False
    options['check_filesystem'] = check
    pyver = options['mod_wsgi_python']
    if pyver is not None:
        if isinstance(pyver, float):
            pyver = repr(pyver)
        if not isinstance(pyver, str) or not PY_VERSION_RE.match(pyver.strip()):
            ctx.error('schema', None, 'mod_wsgi_python', '%s is not a major.minor version.' % show(pyver),
                      'give the version as a quoted string such as "3.11".')
            pyver = None
        else:
            pyver = pyver.strip()
    options['mod_wsgi_python'] = pyver
    for key in ('max_request_workers', 'server_memory_mb', 'server_cores'):
        value = options[key]
        if value is None:
            continue
        number = as_int(value)
        if number is None or number < 1:
            ctx.error('schema', None, key, '%s is not a positive integer.' % show(value), 'give a number >= 1 or omit it.')
            number = None
        options[key] = number
