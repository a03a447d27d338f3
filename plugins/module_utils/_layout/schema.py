# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.django maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Input contract (docs/dev/contract.md): site keys, defaults, limits and the patterns values must match."""

from __future__ import annotations

import re
import sys

from ansible_collections.modwsgi.django.plugins.module_utils._site_tree import SETTINGS_SHIM, SUBDIRS

SITE_SCHEMA = {
    'name': 'str',
    'server_name': 'str',
    'server_aliases': 'list',
    'mount': 'str',
    'project': 'str',
    'settings': 'str',
    'root': 'str',
    'source': 'dict',
    'requirements': 'str',
    'python': 'str',
    'mode': 'str',
    'deploy': 'str',
    'thread_safe': 'bool',
    'daemon': 'dict',
    'static': 'dict_or_false',
    'media': 'dict_or_false',
    'session_cookie_name': 'str',
    'session_cookie_path': 'str',
    'csrf_cookie_name': 'str',
    'env': 'dict',
    'secrets': 'dict',
    'django_settings': 'dict',
    'tls': 'dict',
    'migrate': 'bool',
    'collectstatic': 'bool',
    'health_path': 'str',
    'legacy_relative_imports': 'bool',
    'script_dir': 'str',
    'check_deploy': 'bool',
    'manage_steps': 'list',
}
SITE_REQUIRED = ('name', 'server_name', 'project', 'source')
# keys where an explicit null means something (not "use the default")
NULL_MEANS_NONE = ('requirements', 'tls')

DAEMON_DEFAULTS = {
    'user': None,            # -> site name
    'group': None,           # -> user
    'processes': None,       # omitted: one process, wsgi.multiprocess False
    'threads': 15,           # 1 when thread_safe is false
    'display_name': '%{GROUP}',
    'maximum_requests': 0,
    'graceful_timeout': 15,
    'request_timeout': 60,
    'inactivity_timeout': 0,
    'queue_timeout': 45,
    'socket_timeout': 60,
    'connect_timeout': 15,
    'shutdown_timeout': 5,
    'deadlock_timeout': 60,
    'startup_timeout': 15,
    'listen_backlog': 100,
    'home': None,            # release dir
    'lang': 'C.UTF-8',
    'locale': 'C.UTF-8',
}
DAEMON_INT_RANGE = {
    'processes': (1, 1000),
    'threads': (1, 1000),
    'maximum_requests': (0, 10000000),
    'graceful_timeout': (0, 86400),
    'request_timeout': (0, 86400),
    'inactivity_timeout': (0, 86400),
    'queue_timeout': (0, 86400),
    'socket_timeout': (0, 86400),
    'connect_timeout': (0, 86400),
    'shutdown_timeout': (0, 86400),
    'deadlock_timeout': (0, 86400),
    'startup_timeout': (0, 86400),
    'listen_backlog': (1, 65535),
}
SOURCE_KEYS = {
    'path': {'type': True, 'path': True, 'remote': False},
    'git': {'type': True, 'repo': True, 'version': False},
    'archive': {'type': True, 'src': True, 'remote': False},
}
TLS_KEYS = ('cert', 'key', 'chain', 'hsts', 'redirect')
STATIC_KEYS = ('url', 'dir')
MASS_KEYS = ('server_name', 'base_dir', 'mode', 'daemon', 'python_home')

MODES = ('daemon', 'embedded')
DEPLOYS = ('bluegreen', 'restart')
MPMS = ('prefork', 'worker', 'event')
THREADED_MPMS = ('worker', 'event')
MASS_GROUP = 'modwsgi_mass'

MAX_PATH = 1024
MAX_URL = 255
MAX_ENV_VALUE = 65536

NAME_RE = re.compile(r'^[a-z][a-z0-9_]{0,30}$')
UNIX_NAME_RE = re.compile(r'^[a-z_][a-z0-9_-]{0,31}$')
IDENT_RE = re.compile(r'^[A-Za-z_][A-Za-z0-9_]*$')
LABEL_RE = re.compile(r'^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$')
ENV_KEY_RE = re.compile(r'^[A-Z_][A-Z0-9_]{0,127}$')
SETTING_KEY_RE = re.compile(r'^[A-Z][A-Z0-9_]{0,127}$')
COOKIE_RE = re.compile(r'^[A-Za-z0-9_-]{1,128}$')
DISPLAY_NAME_RE = re.compile(r'^(?:%\{GROUP\}|[A-Za-z0-9_.:@+-]{1,64})$')
MAX_IDENT = 64
LOCALE_RE = re.compile(r'^[A-Za-z0-9_.@-]{1,64}$')
PY_VERSION_RE = re.compile(r'^[0-9]+\.[0-9]+$')
SECRETISH_RE = re.compile(r'SECRET|PASSWORD|PASSWD|TOKEN|PRIVATE|API_KEY|CREDENTIAL')

FS_PATH_CHARS = frozenset('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+~@/-')
URL_SEGMENT_CHARS = frozenset('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_~-')
URL_PATH_CHARS = URL_SEGMENT_CHARS | frozenset('./')
REGEX_CHARS = frozenset('^$.*+?()[]{}|\\')
SOURCE_BAD_CHARS = frozenset('\x00\n\r\t')

BOOL_STRINGS = {
    'yes': True, 'y': True, 'true': True, 't': True, 'on': True, '1': True,
    'no': False, 'n': False, 'false': False, 'f': False, 'off': False, '0': False,
}

SYSTEM_DIRS = frozenset((
    '/', '/bin', '/boot', '/dev', '/etc', '/home', '/lib', '/lib64', '/opt', '/proc', '/root',
    '/run', '/sbin', '/srv', '/sys', '/tmp', '/usr', '/usr/bin', '/usr/lib', '/usr/local',
    '/usr/share', '/var', '/var/lib', '/var/log', '/var/tmp', '/var/www',
))

# system directories that are fine as the *parent* of site roots (base_dir)
BASE_DIR_OK = frozenset(('/srv', '/opt', '/home'))

# Trees a static/media directory must never be in (rule exposed): Apache would publish their files to
# anyone. Each maps to what it holds, for the message. /var/lib and /var/cache are not listed: the FHS
# gives applications /var/lib/<name> and /var/cache/<name> of their own; /tmp is left to the
# ownership of the directory (a root-owned 0755 directory there is as private as anywhere).
SENSITIVE_TREES = {
    '/etc': 'the system configuration, keys and passwords',
    '/root': 'the files of root (its home directory)',
    '/boot': 'the kernel and the boot loader',
    '/proc': 'kernel interfaces', '/sys': 'kernel interfaces', '/dev': 'device files',
    '/run': 'runtime state (sockets, pid files, credentials)',
    '/var/spool': 'spools (mail, print, cron jobs)',
    '/var/backups': 'system backups (passwd and shadow copies)', '/var/mail': 'mailboxes',
    '/var/log': 'the logs',
    '/bin': 'programs', '/sbin': 'programs', '/usr/bin': 'programs', '/usr/sbin': 'programs',
    '/usr/local/bin': 'programs', '/usr/local/sbin': 'programs', '/usr/local/etc': 'local configuration',
    '/lib': 'libraries', '/lib32': 'libraries', '/lib64': 'libraries', '/libx32': 'libraries',
    '/usr/lib': 'libraries', '/usr/libexec': 'programs', '/usr/local/lib': 'libraries',
    '/lost+found': 'recovered file fragments',
}

# Directories of a site root (docs/getting-started.md §6) that hold code, the virtualenv, secrets,
# the site's private data or its process state: never a static/media dir, nor under one.
PRIVATE_SUBDIRS = SUBDIRS

# Management commands the role runs itself (site keys) or that need a terminal / never end.
MANAGE_STEP_RE = re.compile(r'^[a-z][a-z0-9_]{0,63}$')
MANAGE_STEP_OWN = {'migrate': 'migrate: true', 'collectstatic': 'collectstatic: true', 'check': 'check_deploy: true'}
MANAGE_STEP_REFUSED = ('runserver', 'shell', 'dbshell', 'shell_plus', 'testserver', 'test', 'makemigrations',
                       'squashmigrations', 'flush', 'startapp', 'startproject', 'changepassword')
MAX_MANAGE_STEPS = 20

# Package names that must not be used for the project: they would shadow (or be
# shadowed by) a module every site imports.  sys.stdlib_module_names is exact on
# 3.10+; the short list keeps the important ones on older interpreters.
SHADOWED_NAMES = frozenset(getattr(sys, 'stdlib_module_names', ())) | frozenset((
    'django', 'test', 'tests', 'site', 'os', 'sys', 'json', 'email', 'logging', 'socket', 'string',
    'types', 'code', 'io', 'random', 'select', 'signal', 'queue', 'http', 'html', 'xml', 'typing',
    'collections', 'abc', 'enum', 'time', 'calendar', 'secrets', 'token', 'uuid', 'wsgiref',
    'mod_wsgi', 'encodings', 'importlib', 'inspect', 'ssl', 'locale', 'platform',
    SETTINGS_SHIM,
))
