# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.django maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Input contract (docs/dev/contract.md): site keys, defaults, limits and the patterns values must match."""

from __future__ import annotations

import re
import sys

from ansible_collections.modwsgi.django.plugins.module_utils._site_tree import SETTINGS_SHIM, SUBDIRS

MODES = ('daemon', 'embedded')
DEPLOYS = ('bluegreen', 'restart')
SOURCE_TYPES = ('path', 'git', 'archive')


def _key(key, kind, doc, **extra):
    """One documented input key: ``kind`` is what validation checks (str, bool, int, list, dict, dict_or_false)
    and ``doc`` its description in Ansible markup. Optional: ``required``, ``default`` (a literal),
    ``default_doc`` (a derived default, in words), ``type_doc`` (the type in words, when it says more than
    ``kind``), ``elements``, ``choices``, ``keys`` (the documented sub-keys), ``no_log``."""
    entry = {'key': key, 'kind': kind, 'doc': doc}
    entry.update(extra)
    return entry


# --- The input contract, documented -------------------------------------------------------------------
# The one source of the site keys and of the mass hosting keys: validation uses what is derived from it
# (SITE_SCHEMA, SITE_REQUIRED, DAEMON_DEFAULTS, SOURCE_KEYS, TLS_KEYS, STATIC_KEYS, MASS_KEYS, MASS_DEFAULTS),
# and scripts/gen-schema-docs.py renders it into the ``modwsgi_sites`` and ``modwsgi_mass_hosting`` options
# of roles/django_site/meta/argument_specs.yml (so docs/variables.md and ``ansible-doc -t role``), the input
# tables of docs/dev/contract.md and the keys of validate_sites' ``sites`` and ``mass_hosting``
# (scripts/check-docs.sh fails when one of them is stale).

DAEMON_KEYS = (
    _key('user', 'str', 'Unix user of the daemon processes; never root.', default=None, default_doc='the site name'),
    _key('group', 'str', 'Unix group of the daemon processes; never root.', default=None, default_doc='the user'),
    _key('processes', 'int', 'Number of daemon processes. Left out, the role gives one per core within the memory and Apache '
         'worker budget (docs/operations.md); V(null) is one process with C(wsgi.multiprocess) false. V(1) warns (rule '
         'processes-1): it makes C(wsgi.multiprocess) true.', default=None, default_doc='derived from the host'),
    _key('threads', 'int', 'Threads per daemon process.', default=15, default_doc='V(15); V(1) when C(thread_safe) is false'),
    _key('display_name', 'str', 'Process name shown by C(ps).', default='%{GROUP}'),
    _key('maximum_requests', 'int', 'Requests after which a process is restarted; V(0) never.', default=0),
    _key('graceful_timeout', 'int', 'Seconds a process may finish its requests before a restart forces it.', default=15),
    _key('request_timeout', 'int', 'Seconds a request may take before the process is restarted.', default=60),
    _key('inactivity_timeout', 'int', 'Seconds without a request after which a process is restarted; V(0) off.', default=0),
    _key('queue_timeout', 'int', 'Seconds a request may wait for a free thread before it is answered 504.', default=45),
    _key('socket_timeout', 'int', 'Seconds of inactivity on the socket between Apache and the daemon.', default=60),
    _key('connect_timeout', 'int', 'Seconds Apache waits to connect to the daemon.', default=15),
    _key('shutdown_timeout', 'int', 'Seconds a process may take to shut down.', default=5),
    _key('deadlock_timeout', 'int', 'Seconds the Python GIL may stay held before the process is restarted.', default=60),
    _key('startup_timeout', 'int', 'Seconds a process may take to load the application.', default=15),
    _key('listen_backlog', 'int', 'Backlog of the daemon listener socket.', default=100),
    _key('home', 'str', 'Working directory of the daemon processes (absolute path).', default=None,
         default_doc='the release directory'),
    _key('lang', 'str', 'C(LANG) of the daemon processes.', default='C.UTF-8'),
    _key('locale', 'str', 'Locale of the daemon processes (C(LC_ALL)).', default='C.UTF-8'),
)

# ``types``: the source types that take the key, and whether it is required there.
SOURCE_DOC = (
    _key('type', 'str', 'Where the code comes from: a directory (V(path)), a git repository (V(git)) or a gzipped tarball '
         'holding the project at its top level (V(archive)).', required=True, choices=SOURCE_TYPES, types={}),
    _key('path', 'str', 'V(path) sources, required: the directory holding the project.', types={'path': True}),
    _key('repo', 'str', 'V(git) sources, required: the repository URL, cloned on the target.', types={'git': True}),
    _key('version', 'str', 'V(git) sources: the branch, tag or commit.', default='HEAD', types={'git': False}),
    _key('src', 'str', 'V(archive) sources, required: the tarball.', types={'archive': True}),
    _key('remote', 'bool', 'V(path) and V(archive) sources: V(false) the directory or file is on the controller (packed there '
         'and copied), V(true) it is on the target.', default=False, types={'path': False, 'archive': False}),
)

STATIC_DOC = (
    _key('url', 'str', 'URL path Apache serves the directory at (C(Alias)).'),
    _key('dir', 'str', 'The directory (absolute path; never under a directory of the site root that holds code, data or '
         'secrets).'),
)

TLS_DOC = (
    _key('cert', 'str', 'Certificate file (absolute path on the target); required when C(tls) is set.'),
    _key('key', 'str', 'Private key file (absolute path on the target); required when C(tls) is set.'),
    _key('chain', 'str', 'Intermediate certificates file (absolute path on the target).'),
    _key('hsts', 'bool', 'Send C(Strict-Transport-Security).', default=False),
    _key('redirect', 'bool', 'Redirect the port 80 vhost to https.', default=False),
)

SITE_KEYS = (
    _key('name', 'str', 'C(^[a-z][a-z0-9_]{0,30}$), unique per host; the default daemon user and group and the name of the '
         'site root.', required=True),
    _key('server_name', 'str', 'Host name of the vhost (RFC 1123 labels, no port).', required=True),
    _key('server_aliases', 'list', 'More host names of the vhost; a C(*.) wildcard prefix is allowed.', elements='str', default=[],
         type_doc='list of host names'),
    _key('mount', 'str', 'URL prefix such as C(/blog): a leading slash, no trailing slash, no C(//), no regular expression '
         'characters.', default='/'),
    _key('project', 'str', 'The Python package (a directory of the release) holding C(settings.py); a Python identifier that '
         'shadows no standard module.', required=True),
    _key('settings', 'str', 'Dotted settings module, starting with C(<project>.).', default_doc='C(<project>.settings)'),
    _key('root', 'str', 'The site root: the parent of the project package.', type_doc='absolute path',
         default_doc='C(<base_dir>/<name>) (the role: C(django_site_base_dir), V(/srv/django))'),
    _key('source', 'dict', 'Where the code comes from.', required=True, keys=SOURCE_DOC),
    _key('requirements', 'str', 'Requirements file inside the release, pip-installed into the site virtualenv; V(null) for none.',
         default='requirements.txt', type_doc='relative path, or null'),
    _key('python', 'str', 'Interpreter of the site virtualenv; must be the Python mod_wsgi embeds (rule python-abi).',
         default='/usr/bin/python3', type_doc='absolute path'),
    _key('mode', 'str', 'The mod_wsgi mode the site runs in: daemon mode or embedded mode.', default='daemon', choices=MODES),
    _key('deploy', 'str', 'Daemon mode only: how new code goes live - two daemon groups and a switch between them (V(bluegreen)) '
         'or a restart of the one group (V(restart)).', default='bluegreen', choices=DEPLOYS),
    _key('thread_safe', 'bool', 'V(false) forces one thread per daemon process, and refuses embedded mode under a threaded MPM.',
         default=True),
    _key('daemon', 'dict', 'Daemon mode only: the C(WSGIDaemonProcess) options, all optional.', default={}, keys=DAEMON_KEYS),
    _key('static', 'dict_or_false', 'Served by Apache (C(Alias)); C(collectstatic) writes there. V(false) for none.',
         default_doc='C({url: <mount>/static/, dir: <root>/static})', type_doc='dict {url, dir}, or false', keys=STATIC_DOC),
    _key('media', 'dict_or_false', 'Served by Apache (C(Alias)); the only directory the site user may write. V(false) for none.',
         default_doc='C({url: <mount>/media/, dir: <root>/media})', type_doc='dict {url, dir}, or false', keys=STATIC_DOC),
    _key('session_cookie_name', 'str', 'C(SESSION_COOKIE_NAME), C(^[A-Za-z0-9_-]+$).',
         default_doc='V(sessionid), or C(<name>_sessionid) when several sites share the host'),
    _key('session_cookie_path', 'str', 'C(SESSION_COOKIE_PATH), a URL path.', default_doc='the mount'),
    _key('csrf_cookie_name', 'str', 'C(CSRF_COOKIE_NAME), C(^[A-Za-z0-9_-]+$).',
         default_doc='V(csrftoken), or C(<name>_csrftoken) when several sites share the host'),
    _key('env', 'dict', 'Environment of the site: keys C(^[A-Z_][A-Z0-9_]*$), string values without NUL or newline.', default={},
         type_doc='dict str to str'),
    _key('secrets', 'dict', 'Like C(env), but never logged, shown in diffs or returned; written to C(<root>/conf/site.json), '
         'mode 0640 root:<site group>.', default={}, no_log=True, type_doc='dict str to str'),
    _key('django_settings', 'dict', 'Django setting name (C(^[A-Z][A-Z0-9_]*$)) to JSON value, applied last by the settings '
         'shim C(_modwsgi_settings); never C(FORCE_SCRIPT_NAME).', default={}, type_doc='dict setting name to JSON value'),
    _key('tls', 'dict', 'A port 443 vhost; sites sharing a host name must share it. V(null) for none.', default=None,
         type_doc='dict, or null', keys=TLS_DOC),
    _key('migrate', 'bool', 'Run C(manage.py migrate) on each new release.', default=True),
    _key('collectstatic', 'bool', 'Run C(manage.py collectstatic) on each new release (when C(static) is set).', default=True),
    _key('health_path', 'str', 'Relative to the mount, starts with C(/); must answer 2xx or 3xx after activation.', default='/'),
    _key('legacy_relative_imports', 'bool', 'Also put C(<release>/<project>) on C(sys.path).', default=False),
    _key('script_dir', 'str', 'Directory of the WSGI script C(django.wsgi); it holds nothing else.', type_doc='absolute path',
         default_doc='C(<root>/apache)'),
    _key('check_deploy', 'bool', 'Run C(manage.py check --deploy) on each new release.', default=True),
    _key('manage_steps', 'list', 'More management command lines (for example C(compilemessages), C(createcachetable), '
         'C(compress --force)), run in order after C(collectstatic) on each new release, before it is activated, once per '
         'release, as the site user; split like a shell would but never run through one.', elements='str', default=[],
         type_doc='list of command lines'),
)

# The keys of the ``mass_hosting`` option (the role's ``modwsgi_mass_hosting``): one vhost for every
# ``<base_dir>/<x>/apache/django.wsgi``. ``daemon`` takes a site's daemon keys (DAEMON_KEYS), checked the same way.
MASS_DOC = (
    _key('server_name', 'str', 'Host name of the mass hosting vhost (RFC 1123 labels, no port, no wildcard).', required=True),
    _key('base_dir', 'str', 'Parent directory of the mass-hosted sites: C(<base_dir>/<x>/apache/django.wsgi) answers at '
         'C(/<x>), C(<base_dir>/<x>/media) at C(/<x>/media/).',
         required=True, type_doc='absolute path'),
    _key('mode', 'str', 'The mod_wsgi mode of all mass-hosted sites: daemon mode runs them in one daemon group C(modwsgi_mass), '
         'embedded mode in the Apache processes.', default='daemon', choices=MODES),
    _key('daemon', 'dict', 'Daemon mode only: the C(WSGIDaemonProcess) options of the group C(modwsgi_mass), all optional, the '
         'same keys as a site\'s C(daemon) (C(user) and C(group) default to the Apache user and group). The vhost renders '
         'every one of them as a site\'s vhost does (C(home) only when given).', default=None,
         type_doc='dict, or null'),
    _key('python_home', 'str', 'Virtualenv the mass-hosted sites run in (WSGI C(python-home)); the role builds it with '
         'C(django_site_mass_python) and installs C(django_site_mass_requirements) into it.', default=None,
         type_doc='absolute path', default_doc='the role\'s C(django_site_mass_venv)'),
)

SITE_SCHEMA = dict((entry['key'], entry['kind']) for entry in SITE_KEYS)
SITE_REQUIRED = tuple(entry['key'] for entry in SITE_KEYS if entry.get('required'))
# keys where an explicit null means something (not "use the default")
NULL_MEANS_NONE = ('requirements', 'tls')

DAEMON_DEFAULTS = dict((entry['key'], entry['default']) for entry in DAEMON_KEYS)
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
# per source type: {key: required}
SOURCE_KEYS = dict((kind, dict([('type', True)] + [(entry['key'], entry['types'][kind]) for entry in SOURCE_DOC if kind in entry['types']]))
                   for kind in SOURCE_TYPES)
TLS_KEYS = tuple(entry['key'] for entry in TLS_DOC)
STATIC_KEYS = tuple(entry['key'] for entry in STATIC_DOC)
MASS_KEYS = tuple(entry['key'] for entry in MASS_DOC)
MASS_REQUIRED = tuple(entry['key'] for entry in MASS_DOC if entry.get('required'))
# the normalized mass_hosting before the given values are applied (a key left out or null keeps its default)
MASS_DEFAULTS = dict((entry['key'], entry.get('default')) for entry in MASS_DOC)
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
