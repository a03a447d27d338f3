# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.django maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Rule table: id -> (severity, what it checks).  Ids are stable (docs/rules.md)."""

from __future__ import annotations

ERROR = 'error'
WARNING = 'warning'

RULES = {
    # input hygiene
    'schema': (ERROR, 'types, required keys, unknown keys, a non-empty sites list'),
    'name': (ERROR, 'site name pattern ^[a-z][a-z0-9_]{0,30}$ and uniqueness'),
    'server-name': (ERROR, 'server_name / server_aliases are ASCII RFC 1123 host names without port'),
    'path': (ERROR, 'paths are absolute, normalized and hold no character that could break a directive'),
    'env': (ERROR, 'env / secrets / django_settings keys and values are safe'),
    'tls-mismatch': (ERROR, 'sites sharing a server_name share one tls setup'),
    'alias-conflict': (ERROR, 'no host name is claimed by two virtual hosts'),
    'static-url': (ERROR, 'static/media URLs are clean, distinct and shadow no application'),
    'deploy': (ERROR, 'deploy (bluegreen|restart) applies to daemon mode only'),
    # layout rules (DESIGN.md)
    'mount': (ERROR, 'mount is "/" or "/a/b": no trailing slash, no "//", no regex chars, no whitespace'),
    'mount-unique': (ERROR, 'no two sites on the same server_name + mount'),
    'mount-nesting': (WARNING, 'a mount under another site\'s mount on the same host is reported'),
    'script-dir': (ERROR, 'the WSGI script dir holds only django.wsgi and is outside the code tree'),
    'script-name': (ERROR, 'no django.py (or other *.py) where it could shadow a package'),
    'settings-in-script-dir': (ERROR, 'no settings file (any *.py) in the script dir'),
    'exposed': (ERROR, 'root, releases, conf, script dir, venvs and data are never served by Apache; static/media dirs are never in a system tree'),
    'manage-steps': (ERROR, 'extra management steps are Django command lines, each given once'),
    'settings-module': (ERROR, 'settings is dotted and starts with the project package'),
    'sys-path': (ERROR, 'root is absolute, project an importable, non-shadowing identifier'),
    'force-script-name': (ERROR, 'FORCE_SCRIPT_NAME is never set: the mount sets SCRIPT_NAME'),
    'processes-1': (WARNING, 'processes: 1 sets wsgi.multiprocess; processes: null gives one process'),
    'thread-safety': (ERROR, 'thread_safe: false means one thread per process'),
    'embedded-user': (ERROR, 'embedded mode runs as the Apache user: no daemon settings'),
    'daemon-name': (ERROR, 'daemon process group names are unique'),
    'session-cookie': (ERROR, 'sites sharing a host use distinct cookie names or disjoint paths'),
    'capacity': (WARNING, 'Apache workers and memory can feed the daemons'),
    'mpm-choice': (WARNING, 'prefork only for embedded sites: daemon-only hosts use event'),
    'python-abi': (ERROR, 'site Python major.minor equals the one mod_wsgi was built for'),
    'migrate-once': (ERROR, 'several hosts: only django_site_migrate_on migrates, and it is deployed first (module option rollout)'),
    'restrict-embedded': ('output', 'all sites daemon -> WSGIRestrictEmbedded On'),
}
