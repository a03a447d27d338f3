# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.django maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Layout rules and normalization for modwsgi.django sites.

Pure Python (standard library only, no Ansible import): the ``validate_sites``
module is a thin wrapper around :func:`validate`, and the unit tests call this
file directly.  The rules come from the mod_wsgi "Integration With Django"
guide and from Apache/mod_wsgi behaviour; docs/rules.md explains each rule id.

Every problem of every site is gathered in one pass.  Any input (wrong types,
hostile strings) yields findings, never an exception.  Values that could break
out of an Apache directive or the env file are rejected, never escaped.
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import json
import keyword
import os
import posixpath
import re
import shlex
import sys
import unicodedata

from ansible_collections.modwsgi.django.plugins.module_utils._sizing import (
    MB_PER_PYTHON_PROCESS,
    MEMORY_WARN_RATIO,
    daemon_load,
    daemon_processes,
    memory_exceeded,
    python_memory_mb,
)

# ---------------------------------------------------------------------------
# Rule table: id -> (severity, what it checks).  Ids are stable (docs/rules.md).
# ---------------------------------------------------------------------------

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
    'exposed': (ERROR, 'root, releases, conf, script dir, venvs and data are never served by Apache'),
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
    'restrict-embedded': ('output', 'all sites daemon -> WSGIRestrictEmbedded On'),
}

# ---------------------------------------------------------------------------
# Input contract (docs/dev/contract.md)
# ---------------------------------------------------------------------------

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
COLORS = ('blue', 'green')
MASS_GROUP = 'modwsgi_mass'
SCRIPT_NAME = 'django.wsgi'
SETTINGS_SHIM = '_modwsgi_settings'
SECRET_MASK = 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'

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

# Package names that must not be used for the project: they would shadow (or be
# shadowed by) a module every site imports.  sys.stdlib_module_names is exact on
# 3.10+; the short list keeps the important ones on older interpreters.
# Directories of a site root (docs/getting-started.md §6) that hold code, the virtualenv, secrets,
# the site's private data or its process state: never a static/media dir, nor under one.
PRIVATE_SUBDIRS = ('releases', 'venvs', 'conf', 'data', 'run', 'cache', 'bin', 'apache', 'blue', 'green', 'current')
# Management commands the role runs itself (site keys) or that need a terminal / never end.
MANAGE_STEP_RE = re.compile(r'^[a-z][a-z0-9_]{0,63}$')
MANAGE_STEP_OWN = {'migrate': 'migrate: true', 'collectstatic': 'collectstatic: true', 'check': 'check_deploy: true'}
MANAGE_STEP_REFUSED = ('runserver', 'shell', 'dbshell', 'shell_plus', 'testserver', 'test', 'makemigrations',
                       'squashmigrations', 'flush', 'startapp', 'startproject', 'changepassword')
MAX_MANAGE_STEPS = 20

SHADOWED_NAMES = frozenset(getattr(sys, 'stdlib_module_names', ())) | frozenset((
    'django', 'test', 'tests', 'site', 'os', 'sys', 'json', 'email', 'logging', 'socket', 'string',
    'types', 'code', 'io', 'random', 'select', 'signal', 'queue', 'http', 'html', 'xml', 'typing',
    'collections', 'abc', 'enum', 'time', 'calendar', 'secrets', 'token', 'uuid', 'wsgiref',
    'mod_wsgi', 'encodings', 'importlib', 'inspect', 'ssl', 'locale', 'platform',
    SETTINGS_SHIM,
))

CHAR_NAMES = {
    '\n': 'a newline', '\r': 'a carriage return', '\t': 'a tab', '\x00': 'a NUL byte', ' ': 'a space',
    '"': 'a double quote', "'": 'a single quote', '`': 'a backtick', '$': 'a dollar sign',
    '\\': 'a backslash', '<': "'<'", '>': "'>'", '#': "'#'", ';': "';'", '%': "'%'", '&': "'&'",
    '|': "'|'", '*': "'*'", '?': "'?'",
}


# ---------------------------------------------------------------------------
# Findings and result
# ---------------------------------------------------------------------------

def _one_line(text):
    return ' '.join(str(text).split())


class Finding(object):
    """One problem: rule id, severity, site, field, message and fix."""

    __slots__ = ('id', 'severity', 'site', 'field', 'message', 'fix')

    def __init__(self, rule, severity, site, field, message, fix):
        self.id = rule
        self.severity = severity
        self.site = site
        self.field = field
        self.message = _one_line(message)
        self.fix = _one_line(fix)

    def as_dict(self):
        return {
            'id': self.id,
            'severity': self.severity,
            'site': self.site,
            'field': self.field,
            'message': self.message,
            'fix': self.fix,
        }

    def __str__(self):
        where = []
        if self.site is not None:
            where.append("site '%s'" % self.site)
        if self.field:
            where.append("field '%s'" % self.field)
        head = '[%s] %s' % (self.id, ', '.join(where)) if where else '[%s]' % self.id
        return '%s: %s Fix: %s' % (head, self.message, self.fix)

    def __repr__(self):
        return '<Finding %s>' % self


class Result(object):
    """What validate() returns; the normalized parts are empty when there are errors."""

    def __init__(self, sites, vhosts, restrict_embedded, mass_hosting, findings):
        self.sites = sites
        self.vhosts = vhosts
        self.restrict_embedded = restrict_embedded
        self.mass_hosting = mass_hosting
        self.findings = findings

    @property
    def errors(self):
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def warnings(self):
        return [str(f) for f in self.findings if f.severity == WARNING]

    @property
    def failed(self):
        return bool(self.errors)

    @property
    def error_message(self):
        return '\n'.join(str(f) for f in self.errors)

    def ids(self, severity=None):
        """Rule ids of the findings (handy in tests)."""
        return sorted(set(f.id for f in self.findings if severity is None or f.severity == severity))

    def as_dict(self):
        return {
            'sites': self.sites,
            'vhosts': self.vhosts,
            'restrict_embedded': self.restrict_embedded,
            'mass_hosting': self.mass_hosting,
            'findings': [f.as_dict() for f in self.findings],
            'warnings': self.warnings,
        }


# ---------------------------------------------------------------------------
# Filesystem access (replaceable in tests)
# ---------------------------------------------------------------------------

PYTHON_VERSION_CODE = 'import sys;print("%d.%d"%sys.version_info[:2])'


class FileSystem(object):
    """Read-only view of the target's filesystem. Tests pass a fake or subclass.

    ``runner(argv) -> (rc, stdout, stderr)`` runs a program (the module passes one built on
    ``AnsibleModule.run_command``); it raises ``OSError`` when the program cannot be started.
    Without a runner no program is run: :meth:`python_version` reports that it cannot check.
    """

    max_entries = 10000

    def __init__(self, runner=None):
        self.runner = runner

    def realpath(self, path):
        return os.path.realpath(path)

    def exists(self, path):
        return os.path.lexists(path)

    def isdir(self, path):
        return os.path.isdir(path)

    def islink(self, path):
        return os.path.islink(path)

    def listdir(self, path):
        try:
            return sorted(os.listdir(path))[:self.max_entries]
        except OSError:
            return []

    def python_version(self, python):
        """Return (major.minor, None) or (None, reason)."""
        if not os.path.lexists(python):
            return None, 'does not exist'
        if self.runner is None:
            return None, 'cannot be run (no command runner)'
        try:
            rc, out, dummy = self.runner([python, '-c', PYTHON_VERSION_CODE])
        except OSError as exc:
            return None, 'cannot be run (%s)' % exc.__class__.__name__
        if isinstance(out, bytes):
            out = out.decode('ascii', 'replace')
        out = (out or '').strip()
        if rc != 0 or not PY_VERSION_RE.match(out):
            return None, 'did not report its version (exit code %s)' % rc
        return out, None


# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------

def show(value, limit=60):
    """A one-line, ASCII, truncated rendering of a (possibly hostile) value."""
    try:
        text = ascii(value)
    except Exception:  # pragma: no cover - ascii() of exotic objects
        text = '<%s>' % type(value).__name__
    if len(text) > limit:
        text = text[:limit] + '...'
    return text


def type_name(value):
    if value is None:
        return 'null'
    if isinstance(value, bool):
        return 'a boolean'
    if isinstance(value, int):
        return 'an integer'
    if isinstance(value, float):
        return 'a float'
    if isinstance(value, str):
        return 'a string'
    if isinstance(value, (list, tuple)):
        return 'a list'
    if isinstance(value, dict):
        return 'a dict'
    return 'a %s' % type(value).__name__


def char_name(ch):
    if ch in CHAR_NAMES:
        return CHAR_NAMES[ch]
    code = ord(ch)
    if code < 32 or code == 127:
        return 'control character U+%04X' % code
    if code > 127:
        return 'non-ASCII U+%04X %s' % (code, unicodedata.name(ch, 'character'))
    return repr(ch)


def bad_chars(value, allowed, limit=5):
    """Describe the characters of value that are not in allowed (distinct, in order)."""
    seen = []
    for ch in value:
        if ch not in allowed and ch not in seen:
            seen.append(ch)
            if len(seen) > limit:
                break
    if not seen:
        return ''
    names = [char_name(c) for c in seen[:limit]]
    if len(seen) > limit:
        names.append('...')
    return ', '.join(names)


def suggest(word, choices):
    if not isinstance(word, str):
        return ''
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return " (did you mean '%s'?)" % match[0] if match else ''


def key_label(key):
    if isinstance(key, str) and re.match(r'^[A-Za-z0-9_.-]{1,64}$', key):
        return key
    return show(key, 40)


def as_bool(value):
    """bool, or one of Ansible's boolean strings; None when it is neither."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return BOOL_STRINGS.get(value.strip().lower())
    return None


def as_int(value):
    """int (not bool) or a decimal string; None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.match(r'^[0-9]{1,9}$', value.strip()):
        return int(value.strip())
    return None


def under(child, parent):
    """True when child is parent or below it (normalized absolute paths / URL paths)."""
    if child == parent or parent == '/':
        return True
    return child.startswith(parent + '/')


def ancestors(path, include_self=True):
    """'/a/b' -> '/a/b', '/a', '/'."""
    if include_self:
        yield path
    while path not in ('/', ''):
        path = posixpath.dirname(path)
        yield path


def url_depth(mount):
    return 0 if mount == '/' else mount.count('/')


def ascii_url_suggestion(value, trailing):
    text = unicodedata.normalize('NFKD', value).encode('ascii', 'ignore').decode('ascii')
    text = re.sub(r'[^A-Za-z0-9_~/-]+', '-', text)
    segments = [s.strip('-') for s in text.split('/')]
    segments = [s for s in segments if s]
    out = '/' + '/'.join(segments)
    if trailing and out != '/':
        out += '/'
    return out


def fs_path_problems(value):
    """Problems of an absolute filesystem path as a list of phrases (empty = fine)."""
    if value == '':
        return ['is empty']
    problems = []
    if len(value) > MAX_PATH:
        problems.append('is %d characters long (limit %d)' % (len(value), MAX_PATH))
    chars = bad_chars(value, FS_PATH_CHARS)
    if chars:
        problems.append('contains %s' % chars)
    if not value.startswith('/'):
        problems.append('is not absolute')
    segments = value.split('/')
    if '..' in segments:
        problems.append("contains a '..' segment")
    if '.' in segments:
        problems.append("contains a '.' segment")
    if '//' in value:
        problems.append("contains '//'")
    if len(value) > 1 and value.endswith('/'):
        problems.append('ends with a slash')
    if any(len(s) > 255 for s in segments):
        problems.append('has a component longer than 255 characters')
    return problems


def file_path_problems(value):
    """fs_path_problems for a path that names a file (never "/" or a system directory)."""
    problems = fs_path_problems(value)
    if not problems and value in SYSTEM_DIRS:
        problems = ['is a directory, not a file']
    return problems


def fs_path_fix(value, what='an absolute path'):
    structural_only = (isinstance(value, str) and value.startswith('/') and '..' not in value.split('/')
                       and not bad_chars(value, FS_PATH_CHARS) and len(value) <= MAX_PATH)
    if structural_only:
        return "use '%s'." % posixpath.normpath(value)
    return ("use %s made of ASCII letters, digits and . _ - + ~ @ only, without '..', "
            "'.', '//' or a trailing slash." % what)


def hostname_problem(value, allow_wildcard):
    """(problem, fix) for a host name, or (None, None) when it is fine."""
    if value == '':
        return 'is empty', 'give a fully qualified host name such as shop.example.com.'
    non_ascii = [c for c in value if ord(c) > 127]
    if non_ascii:
        try:
            puny = value.encode('idna').decode('ascii')
        except (UnicodeError, ValueError):
            puny = None
        what = char_name(non_ascii[0])
        fix = 'type the name in plain ASCII (look-alike letters are a classic spoofing trick)'
        if puny:
            fix += "; if you really mean an internationalized name, use its punycode form '%s'" % puny
        return 'contains %s (%d non-ASCII character(s))' % (what, len(non_ascii)), fix + '.'
    if len(value) > 253:
        return 'is %d characters long (limit 253)' % len(value), 'use a real host name.'
    if ':' in value:
        return 'contains a port or a colon', "drop ':<port>': ports come from the tls setting (80 and 443)."
    host = value.lower()
    if host.endswith('.'):
        return 'ends with a dot', "use '%s'." % host.rstrip('.')
    labels = host.split('.')
    if allow_wildcard and labels[0] == '*' and len(labels) > 1:
        labels = labels[1:]
    for label in labels:
        if not LABEL_RE.match(label):
            chars = bad_chars(label, frozenset('abcdefghijklmnopqrstuvwxyz0123456789-'))
            why = 'contains %s' % chars if chars else 'has an empty label or one starting/ending with "-" or longer than 63'
            fix = 'use RFC 1123 labels: a-z, 0-9 and inner "-" only, separated by single dots'
            if allow_wildcard:
                fix += '; a wildcard is only allowed as a leading "*."'
            return why, fix + '.'
    return None, None


# ---------------------------------------------------------------------------
# Per-site state
# ---------------------------------------------------------------------------

class _Site(object):
    """One inventory item while it is being checked."""

    def __init__(self, index, raw):
        self.index = index
        self.raw = raw
        self.label = 'sites[%d]' % index
        self.v = {}          # type-checked input values
        self.n = {}          # validated + defaulted values, safe for cross-site rules
        self.explicit = set()  # keys given (not null) in the inventory
        self.bad = set()     # top-level keys with an error


class _Ctx(object):

    def __init__(self, opts, fs):
        self.o = opts
        self.fs = fs
        self.findings = []
        self.realpath_cache = {}

    def add(self, rule, severity, site, field, message, fix):
        if isinstance(site, _Site):
            if severity == ERROR and field:
                site.bad.add(field.split('.')[0])
            site = site.label
        self.findings.append(Finding(rule, severity, site, field, message, fix))

    def error(self, rule, site, field, message, fix):
        self.add(rule, ERROR, site, field, message, fix)

    def warn(self, rule, site, field, message, fix):
        self.add(rule, WARNING, site, field, message, fix)

    def real(self, path):
        """realpath on the target when check_filesystem, else the path as written."""
        if not self.o['check_filesystem']:
            return path
        if path not in self.realpath_cache:
            try:
                self.realpath_cache[path] = self.fs.realpath(path)
            except (OSError, ValueError):
                self.realpath_cache[path] = path
        return self.realpath_cache[path]


# ---------------------------------------------------------------------------
# Options
# ---------------------------------------------------------------------------

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


# ---------------------------------------------------------------------------
# Per-site rules
# ---------------------------------------------------------------------------

def _rule_schema(ctx, st):
    """schema: unknown keys (with a suggestion), required keys, value types."""
    raw = st.raw
    for key in raw:
        if key not in SITE_SCHEMA:
            ctx.error('schema', st, key_label(key), 'is not a known site key%s.' % suggest(key, SITE_SCHEMA),
                      'remove it or fix its spelling; known keys are listed in docs/rules.md and the variables reference.')
    for key in SITE_REQUIRED:
        if raw.get(key) is None:
            ctx.error('schema', st, key, 'is required but %s.' % ('missing' if key not in raw else 'null'),
                      'set %s for this site.' % key)
    for key, kind in SITE_SCHEMA.items():
        if key not in raw:
            continue
        value = raw[key]
        if value is None:
            if key in NULL_MEANS_NONE:
                st.v[key] = None
                st.explicit.add(key)
            continue
        ok = True
        if kind == 'str':
            ok = isinstance(value, str)
        elif kind == 'bool':
            converted = as_bool(value)
            ok = converted is not None
            value = converted
        elif kind == 'list':
            ok = isinstance(value, (list, tuple))
        elif kind == 'dict':
            ok = isinstance(value, dict)
        elif kind == 'dict_or_false':
            ok = isinstance(value, dict) or value is False
        if not ok:
            want = {'str': 'a string', 'bool': 'a boolean', 'list': 'a list', 'dict': 'a dict',
                    'dict_or_false': 'a dict or false'}[kind]
            shown = '' if key == 'secrets' else ' %s' % show(value, 40)
            ctx.error('schema', st, key, 'is %s%s, expected %s.' % (type_name(value), shown, want),
                      'give %s %s.' % (key, want))
            st.bad.add(key)
            continue
        st.v[key] = value
        st.explicit.add(key)


def _rule_name(ctx, st):
    """name: ^[a-z][a-z0-9_]{0,30}$ (uniqueness is checked across sites)."""
    name = st.v.get('name')
    if name is None:
        return
    if NAME_RE.match(name):
        st.label = name
        st.n['name'] = name
        return
    hint = re.sub(r'[^a-z0-9_]+', '_', unicodedata.normalize('NFKD', name).encode('ascii', 'ignore').decode().lower())
    hint = hint.strip('_')
    if hint and not hint[0].isalpha():
        hint = 's_' + hint
    hint = hint[:31] or 'site'
    ctx.error('name', st, 'name', '%s does not match ^[a-z][a-z0-9_]{0,30}$ (it becomes a unix user and a '
              'daemon process group name).' % show(name), "use something like '%s'." % hint)


def _rule_server_name(ctx, st):
    """server-name: RFC 1123 ASCII host names; aliases may start with '*.'."""
    value = st.v.get('server_name')
    if value is not None:
        problem, fix = hostname_problem(value, allow_wildcard=False)
        if problem and value.startswith('*.') and hostname_problem(value, True)[0] is None:
            problem, fix = 'is a wildcard', 'put wildcards in server_aliases and give a real server_name.'
        if problem:
            ctx.error('server-name', st, 'server_name', '%s %s.' % (show(value), problem), fix)
        else:
            st.n['server_name'] = value.lower()
    aliases = st.v.get('server_aliases', [])
    good = []
    for i, alias in enumerate(aliases):
        field = 'server_aliases[%d]' % i
        if not isinstance(alias, str):
            ctx.error('schema', st, field, 'is %s, not a host name.' % type_name(alias), 'give host names as strings.')
            continue
        problem, fix = hostname_problem(alias, allow_wildcard=True)
        if problem:
            ctx.error('server-name', st, field, '%s %s.' % (show(alias), problem), fix)
            continue
        alias = alias.lower()
        if alias not in good:
            good.append(alias)
    if 'server_aliases' not in st.bad:
        st.n['server_aliases'] = good


def _rule_mount(ctx, st):
    """mount: "/" or "/a/b" - leading slash, no trailing slash, no //, no regex chars, no whitespace."""
    value = st.v.get('mount', '/')
    if value == '/':
        st.n['mount'] = '/'
        return
    problems = []
    if len(value) > MAX_URL:
        problems.append('is %d characters long (limit %d)' % (len(value), MAX_URL))
    if not value.startswith('/'):
        problems.append('does not start with "/"')
    if '//' in value:
        problems.append('contains "//"')
    if value.endswith('/'):
        problems.append('ends with "/" (WSGIScriptAlias /x/ would not match /x and mangles SCRIPT_NAME)')
    if any(c.isspace() for c in value):
        problems.append('contains whitespace')
    regex = [c for c in value if c in REGEX_CHARS]
    if regex:
        problems.append('contains regex characters %s' % ' '.join(sorted(set(regex))))
    if any(ord(c) > 127 for c in value):
        problems.append('contains non-ASCII characters (%s)' % bad_chars(value, URL_PATH_CHARS))
    else:
        other = bad_chars(value, URL_SEGMENT_CHARS | frozenset('/') | REGEX_CHARS | frozenset(' \t'))
        if other:
            problems.append('contains %s' % other)
    if problems:
        ctx.error('mount', st, 'mount', '%s %s.' % (show(value), '; '.join(problems)),
                  "use '%s' (\"/\" or \"/a/b\": ASCII letters, digits, - _ ~ per segment, no trailing slash)."
                  % ascii_url_suggestion(value, trailing=False))
        return
    st.n['mount'] = value


def _rule_sys_path(ctx, st):
    """sys-path: project is an importable identifier that shadows nothing; root is absolute."""
    project = st.v.get('project')
    if project is not None:
        why = None
        if not IDENT_RE.match(project):
            why = 'is not a Python identifier (ASCII letters, digits, _; not starting with a digit)'
        elif len(project) > MAX_IDENT:
            why = 'is longer than %d characters' % MAX_IDENT
        elif keyword.iskeyword(project):
            why = 'is a Python keyword'
        elif project in SHADOWED_NAMES:
            why = "shadows (or is shadowed by) the module '%s' that every site imports" % project
        if why:
            hint = re.sub(r'[^A-Za-z0-9_]', '_', project)[:30].strip('_') or 'my'
            ctx.error('sys-path', st, 'project', '%s %s; sys.path gets the parent of the project package, '
                      'so the package name must be importable and unique.' % (show(project), why),
                      'rename the project package (the startproject name), e.g. %s_site.' % hint.lower())
        else:
            st.n['project'] = project
    _check_root(ctx, st)
    if st.v.get('legacy_relative_imports'):
        ctx.warn('sys-path', st, 'legacy_relative_imports', 'adds <code>/<project> to sys.path as well: modules '
                 'become importable under two names (imported twice, e.g. duplicate signals/models).',
                 "use absolute imports ('%s.x') and set legacy_relative_imports: false." % st.n.get('project', 'project'))


def _check_root(ctx, st):
    root = st.v.get('root')
    if root is None:
        if 'name' in st.n and ctx.o['base_dir']:
            st.n['root'] = posixpath.join(ctx.o['base_dir'], st.n['name'])
        return
    if not root.startswith('/'):
        ctx.error('sys-path', st, 'root', '%s is not an absolute path (root is the sys.path entry: the '
                  'parent of the project package).' % show(root), "use an absolute path such as '%s'."
                  % posixpath.join(ctx.o['base_dir'] or '/srv/django', st.n.get('name', 'site')))
        return
    problems = fs_path_problems(root)
    if not problems and root in SYSTEM_DIRS:
        problems = ['is a system directory']
    if problems:
        ctx.error('path', st, 'root', '%s %s.' % (show(root), '; '.join(problems)), fs_path_fix(root))
        return
    st.n['root'] = root


def _rule_settings_module(ctx, st):
    """settings-module: dotted, starts with '<project>.'; bare 'settings' is an error."""
    project = st.n.get('project')
    value = st.v.get('settings')
    if value is None:
        if project:
            st.n['settings'] = project + '.settings'
        return
    parts = value.split('.')
    if len(parts) == 1:
        fix = "use '%s.%s'." % (project, value) if project and IDENT_RE.match(value) else "use '<project>.settings'."
        ctx.error('settings-module', st, 'settings', '%s is not qualified by the project package: the guide warns '
                  'that a bare settings module diverges from how Django itself loads it.' % show(value), fix)
        return
    if len(value) > MAX_URL or not all(IDENT_RE.match(p) and not keyword.iskeyword(p) for p in parts):
        ctx.error('settings-module', st, 'settings', '%s is not a dotted Python module path.' % show(value),
                  "use '%s.settings' (identifiers separated by dots)." % (project or '<project>'))
        return
    if project and parts[0] != project:
        ctx.error('settings-module', st, 'settings', "%s does not start with the project package '%s'." % (show(value), project),
                  "use '%s.%s', or set project: %s if that is the package holding settings.py."
                  % (project, '.'.join(parts[1:]), parts[0]))
        return
    if project:
        st.n['settings'] = value


def _rule_paths(ctx, st):
    """path: python, script_dir, requirements, health_path."""
    python = st.v.get('python', '/usr/bin/python3')
    problems = file_path_problems(python)
    if problems:
        ctx.error('path', st, 'python', '%s %s.' % (show(python), '; '.join(problems)), fs_path_fix(python, 'an absolute interpreter path'))
    else:
        st.n['python'] = python
    script_dir = st.v.get('script_dir')
    if script_dir is not None:
        problems = fs_path_problems(script_dir)
        if not problems and script_dir in SYSTEM_DIRS:
            problems = ['is a system directory']
        if problems:
            ctx.error('path', st, 'script_dir', '%s %s.' % (show(script_dir), '; '.join(problems)), fs_path_fix(script_dir))
        else:
            st.n['script_dir'] = script_dir
    elif 'root' in st.n:
        st.n['script_dir'] = st.n['root'] + '/apache'
    if 'requirements' in st.v and st.v['requirements'] is None:
        st.n['requirements'] = None
    else:
        req = st.v.get('requirements', 'requirements.txt')
        if req == '':
            problems = ['is empty']
        elif req.startswith('/'):
            problems = ['is absolute (it is relative to the release)']
        else:
            problems = fs_path_problems('/' + req)
        if problems:
            ctx.error('path', st, 'requirements', '%s %s.' % (show(req), '; '.join(problems)),
                      "give a path inside the release such as 'requirements.txt' or 'requirements/prod.txt', or null.")
        else:
            st.n['requirements'] = req
    health = st.v.get('health_path', '/')
    problems = url_path_problems(health)
    if problems:
        ctx.error('path', st, 'health_path', '%s %s.' % (show(health), '; '.join(problems)),
                  "give a URL path relative to the mount such as '/healthz/'.")
    else:
        st.n['health_path'] = health


def url_path_problems(value):
    if value == '':
        return ['is empty']
    problems = []
    if len(value) > MAX_URL:
        problems.append('is %d characters long (limit %d)' % (len(value), MAX_URL))
    if not value.startswith('/'):
        problems.append('does not start with "/"')
    chars = bad_chars(value, URL_PATH_CHARS)
    if chars:
        problems.append('contains %s' % chars)
    if '//' in value:
        problems.append('contains "//"')
    if '..' in value.split('/') or '.' in value.split('/'):
        problems.append("contains a '.' or '..' segment")
    return problems


def _rule_source(ctx, st):
    """schema/path: source {type: path|git|archive, ...}."""
    src = st.v.get('source')
    if src is None:
        return
    kind = src.get('type')
    if not isinstance(kind, str) or kind not in SOURCE_KEYS:
        ctx.error('schema', st, 'source.type', '%s is not one of path, git, archive%s.' % (show(kind), suggest(kind, SOURCE_KEYS)),
                  'set source.type to path, git or archive.')
        return
    spec = SOURCE_KEYS[kind]
    ok = True
    norm = {'type': kind}
    for key in src:
        if key not in spec:
            ctx.error('schema', st, 'source.%s' % key_label(key), 'is not a key of a %s source%s.'
                      % (kind, suggest(key, spec)), 'a %s source takes %s.' % (kind, ', '.join(sorted(spec))))
            ok = False
    for key, required in spec.items():
        if key == 'type':
            continue
        value = src.get(key)
        field = 'source.%s' % key
        if key == 'remote':
            flag = False if value is None else as_bool(value)
            if flag is None:
                ctx.error('schema', st, field, 'is %s, not a boolean.' % type_name(value), 'set true or false.')
                ok = False
            norm[key] = flag
            continue
        if value is None:
            if required:
                ctx.error('schema', st, field, 'is required for a %s source.' % kind, 'set %s.' % field)
                ok = False
            elif key == 'version':
                norm[key] = 'HEAD'
            continue
        if not isinstance(value, str) or value == '':
            ctx.error('schema', st, field, 'is %s, expected a non-empty string.' % type_name(value), 'set %s.' % field)
            ok = False
            continue
        problem = None
        if any(c in SOURCE_BAD_CHARS or ord(c) < 32 for c in value):
            problem = 'contains %s' % bad_chars(value, frozenset(c for c in value if ord(c) >= 32))
        elif key in ('repo', 'version') and (value.startswith('-') or any(c.isspace() for c in value)):
            problem = 'starts with "-" or contains whitespace (it would be read as a git option)'
        elif len(value) > 4096:
            problem = 'is too long'
        elif key in ('path', 'src') and (src.get('remote') is True or as_bool(src.get('remote')) is True):
            fs = fs_path_problems(value)
            if fs:
                problem = '; '.join(fs) + ' (remote sources are absolute paths on the target)'
        if problem:
            ctx.error('path', st, field, '%s %s.' % (show(value), problem), 'give a plain path, URL or git ref.')
            ok = False
            continue
        norm[key] = value
    if ok:
        st.n['source'] = norm


def _rule_deploy(ctx, st):
    """schema/deploy: mode daemon|embedded; deploy bluegreen|restart for daemon only."""
    mode = st.v.get('mode', 'daemon')
    if mode not in MODES:
        ctx.error('schema', st, 'mode', '%s is not daemon or embedded%s.' % (show(mode), suggest(mode, MODES)),
                  'set mode: daemon (recommended) or mode: embedded.')
        return
    st.n['mode'] = mode
    deploy = st.v.get('deploy')
    if deploy is None:
        st.n['deploy'] = 'bluegreen' if mode == 'daemon' else None
        return
    if deploy not in DEPLOYS:
        ctx.error('deploy', st, 'deploy', '%s is not bluegreen or restart%s.' % (show(deploy), suggest(deploy, DEPLOYS)),
                  'set deploy: bluegreen (zero-downtime) or deploy: restart.')
        return
    if mode != 'daemon':
        ctx.error('deploy', st, 'deploy', 'deploy: %s needs daemon process groups, but mode is embedded (a code '
                  'change in embedded mode means an Apache graceful restart).' % deploy,
                  'remove deploy, or set mode: daemon.')
        return
    st.n['deploy'] = deploy


def _rule_daemon(ctx, st):
    """embedded-user, processes-1, thread-safety (+ schema of daemon keys)."""
    mode = st.n.get('mode')
    thread_safe = st.v.get('thread_safe', True)
    st.n['thread_safe'] = thread_safe
    daemon = st.v.get('daemon', {})
    if mode == 'embedded':
        st.n['daemon'] = None
        if daemon:
            keys = ', '.join(sorted(key_label(k) for k in daemon))
            ctx.error('embedded-user', st, 'daemon', 'has settings (%s) but mode is embedded: embedded mode runs '
                      'inside the Apache children as %s, with no daemon process.' % (keys, ctx.o['apache_user']),
                      'remove daemon, or set mode: daemon to run the site as its own user.')
        if not thread_safe and ctx.o['mpm'] in THREADED_MPMS:
            ctx.error('thread-safety', st, 'thread_safe', 'is false but the %s MPM runs embedded sites in many '
                      'threads per process.' % ctx.o['mpm'],
                      'use mode: daemon with daemon.threads: 1 (and daemon.processes: N), or mpm: prefork.')
        return
    if mode != 'daemon':
        return
    norm = dict(DAEMON_DEFAULTS)
    ok = True
    for key in daemon:
        if key not in DAEMON_DEFAULTS:
            ctx.error('schema', st, 'daemon.%s' % key_label(key), 'is not a daemon setting%s.' % suggest(key, DAEMON_DEFAULTS),
                      'use one of: %s.' % ', '.join(sorted(DAEMON_DEFAULTS)))
            ok = False
    for key in DAEMON_DEFAULTS:
        value = daemon.get(key)
        if value is None:
            continue
        if not _check_daemon_value(ctx, st, 'daemon', key, value, norm):
            ok = False
    name = st.n.get('name')
    if norm['user'] is None:
        norm['user'] = name
    if norm['group'] is None:
        norm['group'] = norm['user']
    if daemon.get('threads') is None and not thread_safe:
        norm['threads'] = 1
    if norm['processes'] == 1:
        ctx.warn('processes-1', st, 'daemon.processes', 'processes: 1 makes mod_wsgi set wsgi.multiprocess to True '
                 'although there is one process (in-browser debuggers then refuse to run).',
                 'set daemon.processes: null for a single process.')
    if not thread_safe and isinstance(norm['threads'], int) and norm['threads'] > 1:
        ctx.error('thread-safety', st, 'daemon.threads', 'is %d but thread_safe is false: requests would run '
                  'concurrently in one interpreter.' % norm['threads'],
                  'set daemon.threads: 1 and scale with daemon.processes, or make the code thread safe.')
        ok = False
    if ok:
        st.n['daemon'] = norm


def _check_daemon_value(ctx, st, prefix, key, value, norm):
    field = '%s.%s' % (prefix, key)
    if key in DAEMON_INT_RANGE:
        low, high = DAEMON_INT_RANGE[key]
        number = as_int(value)
        if number is None or not low <= number <= high:
            ctx.error('schema', st, field, '%s is not an integer between %d and %d.' % (show(value), low, high),
                      'give a number in that range.')
            return False
        norm[key] = number
        return True
    if not isinstance(value, str):
        ctx.error('schema', st, field, 'is %s, expected a string.' % type_name(value), 'give a string.')
        return False
    if key in ('user', 'group'):
        if not UNIX_NAME_RE.match(value):
            ctx.error('schema', st, field, '%s is not a valid unix %s name.' % (show(value), key),
                      'use a name matching ^[a-z_][a-z0-9_-]{0,31}$.')
            return False
        if value == 'root':
            ctx.error('schema', st, field, 'is root: the site would run with full privileges.',
                      'run the daemon as the site user (omit %s to default to the site name).' % field)
            return False
    elif key == 'display_name':
        if not DISPLAY_NAME_RE.match(value):
            ctx.error('schema', st, field, '%s is neither %%{GROUP} nor a plain name (letters, digits, _ . : @ + -).' % show(value),
                      "use '%{GROUP}' or a short plain name.")
            return False
    elif key in ('lang', 'locale'):
        if not LOCALE_RE.match(value):
            ctx.error('schema', st, field, '%s is not a locale name.' % show(value), "use e.g. 'C.UTF-8'.")
            return False
    elif key == 'home':
        problems = fs_path_problems(value)
        if problems:
            ctx.error('path', st, field, '%s %s.' % (show(value), '; '.join(problems)), fs_path_fix(value))
            return False
    norm[key] = value
    return True


def _rule_static_url(ctx, st):
    """static-url (+ path for dirs): static/media {url, dir} or false."""
    mount = st.n.get('mount')
    root = st.n.get('root')
    for key in ('static', 'media'):
        value = st.v.get(key, {})
        if value is False:
            st.n[key] = False
            continue
        ok = True
        for sub in value:
            if sub not in STATIC_KEYS:
                ctx.error('schema', st, '%s.%s' % (key, key_label(sub)), 'is not a %s setting%s.' % (key, suggest(sub, STATIC_KEYS)),
                          'give only url and dir, or false to disable %s.' % key)
                ok = False
        url = value.get('url')
        if url is None:
            url = None if mount is None else mount.rstrip('/') + '/%s/' % key
        elif not isinstance(url, str):
            ctx.error('schema', st, key + '.url', 'is %s, expected a string.' % type_name(url), "give a URL path like '/%s/'." % key)
            ok = False
            url = None
        else:
            problems = []
            if len(url) > MAX_URL:
                problems.append('is too long')
            if not (url.startswith('/') and url.endswith('/')):
                problems.append('must start and end with "/" (Django requires the trailing slash)')
            if url == '/':
                problems.append('is "/": the Alias would hide the whole site')
            regex = sorted(set(c for c in url if c in REGEX_CHARS))
            if regex:
                problems.append('contains regex characters %s' % ' '.join(regex))
            other = bad_chars(url, URL_SEGMENT_CHARS | frozenset('/') | REGEX_CHARS)
            if other:
                problems.append('contains %s' % other)
            if '//' in url:
                problems.append('contains "//"')
            if problems:
                hint = ascii_url_suggestion(url, trailing=True)
                ctx.error('static-url', st, key + '.url', '%s %s.' % (show(url), '; '.join(problems)),
                          "use '%s'." % (hint if hint != '/' else '/%s/' % key))
                ok = False
                url = None
        directory = value.get('dir')
        if directory is None:
            directory = None if root is None else '%s/%s' % (root, key)
        elif not isinstance(directory, str):
            ctx.error('schema', st, key + '.dir', 'is %s, expected a path.' % type_name(directory), 'give an absolute path.')
            ok = False
            directory = None
        else:
            problems = fs_path_problems(directory)
            if not problems and directory in SYSTEM_DIRS:
                problems = ['is a system directory']
            if problems:
                ctx.error('path', st, key + '.dir', '%s %s.' % (show(directory), '; '.join(problems)), fs_path_fix(directory))
                ok = False
                directory = None
        if ok and url and directory:
            st.n[key] = {'url': url, 'dir': directory}
    static, media = st.n.get('static'), st.n.get('media')
    if static and media:
        if static['url'] == media['url']:
            ctx.error('static-url', st, 'media.url', "equals static.url %s: one Alias would hide the other." % static['url'],
                      'give media and static different URLs (e.g. /static/ and /media/).')
        elif under(static['url'].rstrip('/'), media['url'].rstrip('/')) or under(media['url'].rstrip('/'), static['url'].rstrip('/')):
            ctx.error('static-url', st, 'media.url', 'and static.url (%s, %s) are nested: the outer Alias would serve '
                      'the inner one\'s files from the wrong directory.' % (static['url'], media['url']),
                      'give media and static sibling URLs such as /static/ and /media/.')
        if static['dir'] == media['dir']:
            ctx.error('static-url', st, 'media.dir', 'equals static.dir: collectstatic output and user uploads must '
                      'not share a directory.', 'give media its own directory (default <root>/media).')
    if mount is not None:
        for key in ('static', 'media'):
            cfg = st.n.get(key)
            if cfg and not under(cfg['url'].rstrip('/'), mount):
                ctx.warn('static-url', st, key + '.url', '%s is outside the site\'s mount %s: the Alias is shared by '
                         'the whole host.' % (cfg['url'], mount),
                         "use a URL under the mount, e.g. '%s/%s/'." % (mount.rstrip('/'), key))


def _check_env_dict(ctx, st, field, value, secret):
    out = {}
    ok = True
    for key, val in value.items():
        if not isinstance(key, str) or not ENV_KEY_RE.match(key):
            ctx.error('env', st, field, 'key %s is not an environment variable name.' % show(key, 40),
                      'use upper-case names matching ^[A-Z_][A-Z0-9_]*$.')
            ok = False
            continue
        kfield = '%s.%s' % (field, key)
        if key == 'FORCE_SCRIPT_NAME':
            ctx.error('force-script-name', st, kfield, 'is set: mod_wsgi passes the mount point as SCRIPT_NAME, '
                      'so Django already builds correct URLs; forcing it hides a configuration mistake.',
                      'remove FORCE_SCRIPT_NAME and fix mount (or urls.py) instead.')
            ok = False
            continue
        if key == 'DJANGO_SETTINGS_MODULE':
            ctx.error('env', st, kfield, 'is managed by the role (it points at the %s shim that imports your '
                      'settings).' % SETTINGS_SHIM, 'remove it and set the site key `settings` instead.')
            ok = False
            continue
        if val is None or isinstance(val, bool) or not isinstance(val, (str, int, float)):
            ctx.error('env', st, kfield, 'is %s; environment values are strings.' % type_name(val),
                      'quote the value, e.g. "1" or "true".')
            ok = False
            continue
        text = val if isinstance(val, str) else str(val)
        if '\x00' in text or '\n' in text or '\r' in text:
            ctx.error('env', st, kfield, 'value contains a NUL byte, newline or carriage return.',
                      'store a single-line value (e.g. base64-encode multi-line material).')
            ok = False
            continue
        if len(text) > MAX_ENV_VALUE:
            ctx.error('env', st, kfield, 'value is longer than %d characters.' % MAX_ENV_VALUE, 'store large data in a file.')
            ok = False
            continue
        if not secret and SECRETISH_RE.search(key):
            ctx.warn('env', st, kfield, 'looks like a secret but is in env (shown in logs and diffs).',
                     'move it to secrets (no_log, env file 0640).')
        out[key] = text
    return out, ok


def _rule_env(ctx, st):
    """env / force-script-name: env, secrets and django_settings."""
    env, env_ok = _check_env_dict(ctx, st, 'env', st.v.get('env', {}), secret=False)
    secrets, sec_ok = _check_env_dict(ctx, st, 'secrets', st.v.get('secrets', {}), secret=True)
    for key in sorted(set(env) & set(secrets)):
        ctx.error('env', st, 'secrets.%s' % key, 'is also set in env.', 'keep the key in secrets only.')
        sec_ok = False
    if env_ok and 'env' not in st.bad:
        st.n['env'] = env
    if sec_ok and 'secrets' not in st.bad:
        st.n['secrets'] = secrets
    settings = st.v.get('django_settings', {})
    out = {}
    ok = True
    for key, val in settings.items():
        if not isinstance(key, str) or not SETTING_KEY_RE.match(key):
            ctx.error('env', st, 'django_settings', 'key %s is not a Django setting name.' % show(key, 40),
                      'use upper-case setting names matching ^[A-Z][A-Z0-9_]*$.')
            ok = False
            continue
        field = 'django_settings.%s' % key
        if key == 'FORCE_SCRIPT_NAME':
            ctx.error('force-script-name', st, field, 'is set: mod_wsgi passes the mount point as SCRIPT_NAME, so '
                      'FORCE_SCRIPT_NAME is never needed (the guide: "you have done something wrong").',
                      'remove it and fix mount (or urls.py) instead.')
            ok = False
            continue
        try:
            json.dumps(val, allow_nan=False)
        except (TypeError, ValueError, RecursionError):
            ctx.error('env', st, field, 'is not a JSON value (conf/site.json stores it).',
                      'use strings, numbers, booleans, null, lists and dicts only.')
            ok = False
            continue
        if key == 'SECRET_KEY':
            ctx.warn('env', st, field, 'puts the secret key in plain settings (shown in logs and diffs).',
                     'set secrets.DJANGO_SECRET_KEY and read it from the environment in settings.py.')
        out[key] = val
    if ok and 'django_settings' not in st.bad:
        st.n['django_settings'] = out


def _rule_cookie_syntax(ctx, st):
    """session-cookie: cookie names and path syntax; path covers the mount."""
    overrides = st.n.get('django_settings', {})
    for key, setting in (('session_cookie_name', 'SESSION_COOKIE_NAME'), ('csrf_cookie_name', 'CSRF_COOKIE_NAME')):
        value = st.v.get(key)
        if isinstance(overrides.get(setting), str):
            value = overrides[setting]
        if value is None:
            continue
        if not COOKIE_RE.match(value):
            ctx.error('session-cookie', st, key, '%s is not a plain cookie name.' % show(value),
                      "use letters, digits, _ and - only, e.g. '%s_%s'." % (st.n.get('name', 'site'), key.split('_', maxsplit=1)[0]))
            continue
        st.n[key] = value
    path = st.v.get('session_cookie_path')
    if isinstance(overrides.get('SESSION_COOKIE_PATH'), str):
        path = overrides['SESSION_COOKIE_PATH']
    if path is not None:
        problems = url_path_problems(path)
        if problems:
            ctx.error('session-cookie', st, 'session_cookie_path', '%s %s.' % (show(path), '; '.join(problems)),
                      'use the mount (the default) or a parent of it.')
            return
        st.n['session_cookie_path'] = path
    elif 'mount' in st.n:
        st.n['session_cookie_path'] = st.n['mount']
    path = st.n.get('session_cookie_path')
    mount = st.n.get('mount')
    if path and mount and not under(mount, path.rstrip('/') or '/'):
        ctx.warn('session-cookie', st, 'session_cookie_path', '%s does not cover the mount %s: browsers will not '
                 'send the session cookie to the site.' % (path, mount), 'use the mount (the default) or a parent of it.')
    name_s, name_c = st.n.get('session_cookie_name'), st.n.get('csrf_cookie_name')
    if name_s and name_s == name_c:
        ctx.error('session-cookie', st, 'csrf_cookie_name', 'equals session_cookie_name %s: the two cookies '
                  'would overwrite each other.' % name_s, 'give them different names.')


def _rule_tls(ctx, st):
    """schema/path: tls {cert, key, chain, hsts, redirect} or null."""
    tls = st.v.get('tls')
    if tls is None:
        st.n['tls'] = None
        return
    norm = {'cert': None, 'key': None, 'chain': None, 'hsts': False, 'redirect': False}
    ok = True
    for key in tls:
        if key not in TLS_KEYS:
            ctx.error('schema', st, 'tls.%s' % key_label(key), 'is not a tls setting%s.' % suggest(key, TLS_KEYS),
                      'use cert, key, chain, hsts, redirect.')
            ok = False
    for key in ('cert', 'key', 'chain'):
        value = tls.get(key)
        field = 'tls.%s' % key
        if value is None:
            if key != 'chain':
                ctx.error('schema', st, field, 'is required when tls is set.', 'give the %s file path, or tls: null.' % key)
                ok = False
            continue
        if not isinstance(value, str):
            ctx.error('schema', st, field, 'is %s, expected a path.' % type_name(value), 'give an absolute path.')
            ok = False
            continue
        problems = file_path_problems(value)
        if problems:
            ctx.error('path', st, field, '%s %s.' % (show(value), '; '.join(problems)), fs_path_fix(value))
            ok = False
            continue
        norm[key] = value
    for key in ('hsts', 'redirect'):
        value = tls.get(key)
        if value is None:
            continue
        flag = as_bool(value)
        if flag is None:
            ctx.error('schema', st, 'tls.%s' % key, 'is %s, not a boolean.' % type_name(value), 'set true or false.')
            ok = False
            continue
        norm[key] = flag
    if ok:
        st.n['tls'] = norm


def manage_step_marker(argv):
    """Marker file a finished extra management step leaves in the release (one per command line)."""
    return '.modwsgi-step-' + hashlib.sha256('\0'.join(argv).encode('utf-8')).hexdigest()[:12]


def _rule_manage_steps(ctx, st):
    """manage-steps: extra Django management commands run on each new release before activation."""
    st.n['manage_steps'] = []
    value = st.v.get('manage_steps')
    if value is None:
        return
    fix_shape = "give command lines such as ['compilemessages', 'compress --force', 'createcachetable']."
    if len(value) > MAX_MANAGE_STEPS:
        ctx.error('manage-steps', st, 'manage_steps', 'has %d steps; at most %d are allowed.' % (len(value), MAX_MANAGE_STEPS),
                  'run fewer steps, or one custom management command that does them all.')
        return
    steps, seen = [], {}
    for index, item in enumerate(value):
        field = 'manage_steps[%d]' % index
        if not isinstance(item, str):
            ctx.error('manage-steps', st, field, 'is %s, expected a command line string.' % type_name(item), fix_shape)
            continue
        problems = []
        controls = sorted(set(c for c in item if unicodedata.category(c).startswith('C')))
        if controls:
            problems.append('contains %s' % ', '.join(char_name(c) for c in controls[:5]))
        if len(item) > MAX_PATH:
            problems.append('is longer than %d characters' % MAX_PATH)
        argv = None
        if not problems:
            try:
                argv = shlex.split(item)
            except ValueError as exc:
                problems.append('cannot be split into arguments (%s)' % exc)
        if argv is not None and not argv:
            problems.append('is empty')
        if problems:
            ctx.error('manage-steps', st, field, '%s %s.' % (show(item), '; '.join(problems)), fix_shape)
            continue
        command = argv[0]
        if not MANAGE_STEP_RE.match(command) or command.startswith('python') or command == 'django_admin':
            ctx.error('manage-steps', st, field, '%s does not start with a management command name (%s).'
                      % (show(item), show(command)),
                      "start with the command as `manage.py help` lists it, e.g. 'compress --force' (no 'python manage.py').")
            continue
        if command in MANAGE_STEP_OWN:
            ctx.error('manage-steps', st, field, "'%s' is a step the role runs itself on each release." % command,
                      'remove it; the site key %s controls it.' % MANAGE_STEP_OWN[command])
            continue
        if command in MANAGE_STEP_REFUSED:
            ctx.error('manage-steps', st, field, "'%s' is interactive, never ends, or changes code or data in a way "
                      'a deploy must not.' % command,
                      'run it by hand with <root>/bin/manage (docs/getting-started.md §7).')
            continue
        line = ' '.join(shlex.quote(arg) for arg in argv)
        if line in seen:
            ctx.error('manage-steps', st, field, "repeats manage_steps[%d] '%s'." % (seen[line], line),
                      'give each step once; a step runs once per release.')
            continue
        seen[line] = index
        steps.append({'name': line, 'argv': argv, 'marker': manage_step_marker(argv)})
    st.n['manage_steps'] = steps


def _check_site(ctx, st):
    """Every per-site rule, in dependency order (later rules use st.n from earlier ones)."""
    _rule_schema(ctx, st)
    _rule_name(ctx, st)
    _rule_server_name(ctx, st)
    _rule_mount(ctx, st)
    _rule_sys_path(ctx, st)
    _rule_settings_module(ctx, st)
    _rule_paths(ctx, st)
    _rule_source(ctx, st)
    _rule_deploy(ctx, st)
    _rule_daemon(ctx, st)
    _rule_static_url(ctx, st)
    _rule_env(ctx, st)
    _rule_cookie_syntax(ctx, st)
    _rule_tls(ctx, st)
    _rule_manage_steps(ctx, st)
    for key in ('migrate', 'collectstatic', 'legacy_relative_imports', 'check_deploy'):
        if key not in st.bad:
            st.n[key] = st.v.get(key, key != 'legacy_relative_imports')


# ---------------------------------------------------------------------------
# Cross-site rules
# ---------------------------------------------------------------------------

def _by_host(sites):
    hosts = {}
    for st in sites:
        if 'server_name' in st.n:
            hosts.setdefault(st.n['server_name'], []).append(st)
    return hosts


def _rule_name_unique(ctx, sites):
    seen = {}
    for st in sites:
        name = st.n.get('name')
        if name is None:
            continue
        if name in seen:
            ctx.error('name', st, 'name', "'%s' is already used by sites[%d]." % (name, seen[name]),
                      'give every site on a host its own name.')
        else:
            seen[name] = st.index


def _rule_roots(ctx, sites):
    """path: one root per site, never nested in another site's root."""
    roots = {}
    for st in sites:
        root = st.n.get('root')
        if root is None:
            continue
        if root in roots:
            ctx.error('path', st, 'root', "%s is also the root of site '%s'." % (root, roots[root].label),
                      'give each site its own root (default <base_dir>/<name>).')
            continue
        roots[root] = st
    for root, st in roots.items():
        for parent in ancestors(root, include_self=False):
            if parent in roots:
                ctx.error('path', st, 'root', "%s is inside the root of site '%s' (%s)." % (root, roots[parent].label, parent),
                          'put site roots side by side, e.g. /srv/django/<name>.')
                break
    return roots


def _rule_mount_unique(ctx, hosts):
    for host, group in hosts.items():
        mounts = {}
        for st in group:
            mount = st.n.get('mount')
            if mount is None:
                continue
            if mount in mounts:
                ctx.error('mount-unique', st, 'mount', "%s on %s is already taken by site '%s'." % (mount, host, mounts[mount].label),
                          'give one of the sites another mount or another server_name.')
            else:
                mounts[mount] = st


def _rule_mount_nesting(ctx, hosts):
    for host, group in hosts.items():
        mounts = {}
        for st in group:
            if st.n.get('mount') is not None:
                mounts.setdefault(st.n['mount'], st)
        if len(mounts) < 2:
            continue
        for mount, st in mounts.items():
            for parent in ancestors(mount, include_self=False):
                if parent in mounts:
                    ctx.warn('mount-nesting', st, 'mount', "%s is nested under site '%s' at %s on %s: URLs under %s "
                             "go to '%s' (the vhost lists the deeper WSGIScriptAlias first)."
                             % (mount, mounts[parent].label, parent, host, mount, st.label),
                             "nothing if intended; make sure '%s' serves nothing under %s." % (mounts[parent].label, mount))
                    break


def _rule_tls_mismatch(ctx, hosts):
    for host, group in hosts.items():
        first = None
        for st in group:
            if 'tls' not in st.n:
                continue
            if first is None:
                first = st
                continue
            if st.n['tls'] != first.n['tls']:
                ctx.error('tls-mismatch', st, 'tls', "differs from site '%s' on the same server_name %s: one host "
                          "has one virtual host and one certificate." % (first.label, host),
                          "give every site on %s the same tls settings (or none)." % host)


def _wildcard_match(pattern, host):
    return pattern.startswith('*.') and host.endswith(pattern[1:]) and host != pattern[2:]


def _rule_alias_conflict(ctx, hosts, mass):
    owners = {}
    mass_name = mass['server_name'] if mass else None
    for host, group in hosts.items():
        if mass_name and host == mass_name:
            for st in group:
                ctx.error('alias-conflict', st, 'server_name', '%s is also the mass hosting server_name.' % host,
                          'give the mass hosting vhost its own host name.')
        for st in group:
            for alias in st.n.get('server_aliases', []):
                field = 'server_aliases'
                if alias == host:
                    ctx.warn('alias-conflict', st, field, '%s repeats the server_name.' % alias, 'remove it from server_aliases.')
                    continue
                if alias in hosts:
                    ctx.error('alias-conflict', st, field, "%s is the server_name of another virtual host (site '%s')."
                              % (alias, hosts[alias][0].label), 'remove the alias or merge the two hosts.')
                    continue
                if alias == mass_name:
                    ctx.error('alias-conflict', st, field, '%s is the mass hosting server_name.' % alias, 'remove the alias.')
                    continue
                owner = owners.setdefault(alias, host)
                if owner != host:
                    ctx.error('alias-conflict', st, field, '%s is also an alias of %s: Apache would send it to whichever '
                              'virtual host loads first.' % (alias, owner), 'keep the alias on one host only.')
                    continue
                if alias.startswith('*.'):
                    for other in list(hosts) + ([mass_name] if mass_name else []):
                        if other != host and _wildcard_match(alias, other):
                            ctx.warn('alias-conflict', st, field, '%s also matches %s, which has its own virtual host: '
                                     'Apache picks the first matching vhost in load order.' % (alias, other),
                                     'narrow the wildcard or make sure the vhost of %s loads first.' % other)


def daemon_groups(name, mode, deploy):
    if mode != 'daemon' or name is None:
        return []
    if deploy == 'restart':
        return [name]
    return ['%s_%s' % (name, color) for color in COLORS]


def _rule_daemon_name(ctx, sites, mass):
    owners = {}
    if mass and mass['mode'] == 'daemon':
        owners[MASS_GROUP] = 'mass_hosting'
    for st in sites:
        if st.n.get('mode') != 'daemon' or 'deploy' not in st.n or 'name' not in st.n:
            continue
        for group in daemon_groups(st.n['name'], 'daemon', st.n['deploy']):
            if group in owners:
                other = owners[group]
                who = 'mass hosting' if other == 'mass_hosting' else "site '%s'" % other
                ctx.error('daemon-name', st, 'name', "daemon process group '%s' is also defined by %s: two "
                          "WSGIDaemonProcess directives with one name stop Apache." % (group, who),
                          "rename one site (group names are <name> for restart, <name>_blue/<name>_green for bluegreen).")
            else:
                owners[group] = st.label


def _cookie_paths_overlap(a, b):
    a, b = a.rstrip('/') or '/', b.rstrip('/') or '/'
    return under(a, b) or under(b, a)


def _effective_cookie(st, key, shared):
    if key in st.n:
        return st.n[key]
    base = 'sessionid' if key == 'session_cookie_name' else 'csrftoken'
    return '%s_%s' % (st.n['name'], base) if shared else base


def _rule_session_cookie(ctx, hosts):
    for host, group in hosts.items():
        shared = len(group) > 1
        for st in group:
            if 'name' in st.n:
                st.n['_shared'] = shared
        if not shared:
            continue
        for key in ('session_cookie_name', 'csrf_cookie_name'):
            by_name = {}
            for st in group:
                if 'name' not in st.n or 'session_cookie_path' not in st.n:
                    continue
                by_name.setdefault(_effective_cookie(st, key, True), []).append(st)
            for cookie, owners in by_name.items():
                for i, st in enumerate(owners):
                    for other in owners[:i]:
                        if _cookie_paths_overlap(st.n['session_cookie_path'], other.n['session_cookie_path']):
                            ctx.error('session-cookie', st, key, "cookie '%s' (path %s) collides with site '%s' (path %s) "
                                      "on %s: logging into one site logs the other out." % (
                                          cookie, st.n['session_cookie_path'], other.label,
                                          other.n['session_cookie_path'], host),
                                      "omit %s (default '%s_%s') or give the sites disjoint cookie paths."
                                      % (key, st.n['name'], 'sessionid' if key.startswith('session') else 'csrftoken'))
                            break


def _rule_static_url_cross(ctx, hosts):
    """static-url: Alias URLs distinct per host and never covering another site's mount."""
    for host, group in hosts.items():
        urls = {}
        for st in group:
            for key in ('static', 'media'):
                cfg = st.n.get(key)
                if not cfg:
                    continue
                url = cfg['url']
                if url in urls and urls[url][0] is not st:
                    other, okey = urls[url]
                    ctx.error('static-url', st, key + '.url', "%s is also %s.url of site '%s' on %s: one Alias "
                              "would serve both." % (url, okey, other.label, host),
                              "use a URL under the site's mount, e.g. '%s/%s/'." % (st.n.get('mount', '').rstrip('/'), key))
                else:
                    urls.setdefault(url, (st, key))
        if not urls:
            continue
        for st in group:
            mount = st.n.get('mount')
            if mount is None or mount == '/':
                continue
            for prefix in ancestors(mount):
                hit = urls.get(prefix + '/') if prefix != '/' else None
                if hit:
                    other, okey = hit
                    ctx.error('static-url', other, okey + '.url', "%s covers the mount %s of site '%s': the Alias "
                              "would hide that application." % (other.n[okey]['url'], mount, st.label),
                              'move the static/media URL out of that mount.')
                    break
            # another (shallower) site's Alias inside this mount takes its URLs away
            for url, (other, okey) in urls.items():
                path = url.rstrip('/')
                if other is st or path == mount or not under(path, mount):
                    continue
                if under(other.n.get('mount', '/'), mount):
                    continue
                ctx.error('static-url', other, okey + '.url', "%s is inside the mount %s of site '%s': the Alias "
                          "would take those URLs away from it." % (url, mount, st.label),
                          "use a URL under the site's own mount.")


def _rule_script_dir(ctx, sites, roots):
    """script-dir / settings-in-script-dir on paper: where the script dir may live."""
    seen = {}
    for st in sites:
        sdir, root, project = st.n.get('script_dir'), st.n.get('root'), st.n.get('project')
        if sdir is None or root is None:
            continue
        if sdir in seen:
            ctx.error('script-dir', st, 'script_dir', "%s is also the script dir of site '%s'; it must hold nothing "
                      "but this site's %s." % (sdir, seen[sdir].label, SCRIPT_NAME), 'omit script_dir (default <root>/apache).')
            continue
        seen[sdir] = st
        conf = root + '/conf'
        code_dirs = [root + '/current', root + '/blue', root + '/green']
        settings_dirs = [d + '/' + project for d in code_dirs] if project else []
        releases = root + '/releases'
        if project and under(sdir, releases):
            rel = sdir[len(releases) + 1:].split('/')
            if len(rel) == 2 and rel[1] == project:
                settings_dirs.append(sdir)
        if sdir == conf or sdir in settings_dirs:
            ctx.error('settings-in-script-dir', st, 'script_dir', '%s holds settings files: Apache is allowed to serve '
                      'files from the script dir, so a mapping mistake would publish them.' % sdir,
                      'omit script_dir (default <root>/apache: a directory with django.wsgi only).')
            continue
        if sdir == root:
            problem = 'is the site root'
        elif under(root, sdir):
            problem = 'contains the site root %s' % root
        elif any(under(sdir, d) for d in code_dirs + [releases, root + '/venvs']):
            problem = 'is inside the code tree (releases are replaced on every deploy; the one script lives outside them)'
        elif under(sdir, conf):
            problem = 'is inside the conf dir'
        else:
            problem = None
            for parent in ancestors(sdir, include_self=False):
                if parent in roots and roots[parent] is not st:
                    problem = "is inside the root of site '%s'" % roots[parent].label
                    break
        if problem:
            ctx.error('script-dir', st, 'script_dir', '%s %s. The script dir is granted to Apache and must hold only %s.'
                      % (sdir, problem, SCRIPT_NAME), 'omit script_dir (default <root>/apache).')
    for root, st in roots.items():
        for parent in ancestors(root, include_self=False):
            other = seen.get(parent)
            if other is not None and other is not st:
                ctx.error('script-dir', other, 'script_dir', "%s contains the root of site '%s'; the script dir is "
                          "granted to Apache and must hold only %s." % (parent, st.label, SCRIPT_NAME),
                          'omit script_dir (default <root>/apache).')
                break


def _served_dirs(ctx, sites):
    """Directories Apache serves: document roots and every static/media dir (real paths)."""
    served = {}
    for d in ctx.o['document_roots']:
        served.setdefault(ctx.real(d), ('document root %s' % d, None))
    for st in sites:
        for key in ('static', 'media'):
            cfg = st.n.get(key)
            if cfg:
                served.setdefault(ctx.real(cfg['dir']), ("%s.dir %s of site '%s'" % (key, cfg['dir'], st.label), st))
    return served


def _candidates(st):
    root = st.n['root']
    out = [('root', root), ('paths.releases', root + '/releases'), ('paths.conf', root + '/conf')]
    if st.n.get('script_dir'):
        out.append(('script_dir', st.n['script_dir']))
    return out


def _rule_exposed_public_dirs(ctx, sites):
    """exposed: a static/media dir is never a private part of a site root, nor in another site's root."""
    private = []     # (path, real path, owner site, what)
    for st in sites:
        root = st.n.get('root')
        if root is None:
            continue
        private.append((root, ctx.real(root), st, None))
        for sub in PRIVATE_SUBDIRS:
            path = '%s/%s' % (root, sub)
            private.append((path, ctx.real(path), st, sub))
        script_dir = st.n.get('script_dir')
        if script_dir and not under(script_dir, root):
            private.append((script_dir, ctx.real(script_dir), st, 'script_dir'))
    for st in sites:
        for key in ('static', 'media'):
            cfg = st.n.get(key)
            if not cfg:
                continue
            directory = cfg['dir']
            candidates = [directory]
            real = ctx.real(directory)
            if real != directory:
                candidates.append(real)
            for path, real_private, owner, sub in private:
                hit = next((c for c in candidates if under(c, path) or under(c, real_private)), None)
                if hit is None:
                    continue
                shown = directory if hit == directory else '%s (really %s)' % (directory, hit)
                if owner is not st and sub is None:
                    ctx.error('exposed', st, key + '.dir', "%s is inside the root of site '%s' (%s): Apache would serve "
                              "that site's files." % (shown, owner.label, path),
                              "give this site its own %s directory, e.g. %s/%s." % (key, st.n.get('root', '<root>'), key))
                    break
                if sub is not None:
                    holds = {'releases': 'the code', 'blue': 'the code', 'green': 'the code', 'current': 'the code',
                             'venvs': 'the virtualenv', 'conf': 'the settings and secrets', 'data': 'the site\'s private data '
                             '(SQLite database)', 'run': 'the process registry', 'cache': 'the packed source',
                             'bin': 'the manage wrapper', 'apache': 'the WSGI script', 'script_dir': 'the WSGI script'}[sub]
                    whose = '' if owner is st else " of site '%s'" % owner.label
                    ctx.error('exposed', st, key + '.dir', '%s is at or under %s%s, which holds %s: Apache would serve it.'
                              % (shown, path, whose, holds),
                              "use a directory of its own such as %s/%s (the default)." % (st.n.get('root', '<root>'), key))
                    break


def _rule_exposed(ctx, sites, mass):
    """exposed: root, releases, conf and script dir are never below a served directory."""
    _rule_exposed_public_dirs(ctx, sites)
    served = _served_dirs(ctx, sites)
    protected = {}     # real path of every ancestor of a candidate -> [(site, field, path)]
    roots_real = {}
    public = {}
    for st in sites:
        if 'root' not in st.n:
            continue
        real_root = ctx.real(st.n['root'])
        roots_real.setdefault(real_root, st)
        public[st] = [ctx.real(st.n[k]['dir']) for k in ('static', 'media') if st.n.get(k)]
        root_hit = False
        for field, path in _candidates(st):
            real = ctx.real(path)
            if root_hit and under(path, st.n['root']):
                continue
            for parent in ancestors(real):
                if parent in served:
                    what, _owner = served[parent]
                    ctx.error('exposed', st, field, '%s%s is under the %s: Apache could serve the code, the settings '
                              'or the secrets.' % (path, '' if real == path else ' (really %s)' % real, what),
                              'move the site out of every DocumentRoot and static/media directory (default root '
                              '/srv/django/<name>), or change that directory.')
                    root_hit = root_hit or field == 'root'
                    break
            if ctx.o['check_filesystem']:
                for parent in ancestors(real):
                    protected.setdefault(parent, []).append((st, field, path))
    # a document root inside a site root (and not one of its public dirs) serves its code
    for d in ctx.o['document_roots']:
        real = ctx.real(d)
        for parent in ancestors(real, include_self=False):
            st = roots_real.get(parent)
            if st is not None and not any(under(real, p) for p in public.get(st, [])):
                ctx.error('exposed', st, 'root', 'the document root %s is inside the site root %s.' % (d, st.n['root']),
                          'move the document root out of the site root.')
                break
    if ctx.o['check_filesystem']:
        _scan_symlinks(ctx, served, protected, roots_real, public)
    if mass:
        _rule_exposed_mass(ctx, sites, mass, served)


def _scan_symlinks(ctx, served, protected, roots_real, public):
    """exposed (real filesystem): symlinks in the first level of a served dir pointing at a site."""
    for real_dir, (what, _owner) in sorted(served.items()):
        if not ctx.fs.isdir(real_dir):
            continue
        for entry in ctx.fs.listdir(real_dir):
            link = posixpath.join(real_dir, entry)
            if not ctx.fs.islink(link):
                continue
            try:
                target = ctx.fs.realpath(link)
            except (OSError, ValueError):
                continue
            hits = protected.get(target)
            if hits:
                st, field, path = hits[0]
                ctx.error('exposed', st, field, 'the symlink %s in the %s points to %s, which holds %s %s.'
                          % (link, what, target, field, path), 'remove the symlink %s.' % link)
                continue
            for parent in ancestors(target, include_self=False):
                st = roots_real.get(parent)
                if st is not None:
                    if not any(under(target, p) for p in public.get(st, [])):
                        ctx.error('exposed', st, 'root', 'the symlink %s in the %s points into the site root (%s).'
                                  % (link, what, target), 'remove the symlink %s.' % link)
                    break


def _rule_exposed_mass(ctx, sites, mass, served):
    base = mass['base_dir']
    real = ctx.real(base)
    for parent in ancestors(real):
        if parent in served:
            ctx.error('exposed', None, 'mass_hosting.base_dir', '%s is under the %s: Apache could serve the sites\' '
                      'code.' % (base, served[parent][0]), 'move base_dir out of every DocumentRoot and static/media directory.')
            break
    for st in sites:
        root = st.n.get('root')
        if root and posixpath.dirname(root) == base:
            ctx.error('exposed', st, 'root', '%s is directly under the mass hosting base_dir %s: the mass hosting '
                      'vhost would run this site at /%s as the mass hosting identity.' % (root, base, posixpath.basename(root)),
                      'use another base_dir for mass hosting (e.g. /srv/django-mass) or another root for this site.')


def _rule_filesystem(ctx, sites):
    """script-dir / script-name / settings-in-script-dir on the real filesystem."""
    if not ctx.o['check_filesystem']:
        return
    for st in sites:
        sdir = st.n.get('script_dir')
        if sdir and ctx.fs.isdir(sdir):
            for entry in ctx.fs.listdir(sdir):
                if entry == SCRIPT_NAME:
                    continue
                low = entry.lower()
                path = posixpath.join(sdir, entry)
                if low.endswith(('.py', '.pyc')) and 'settings' in low:
                    ctx.error('settings-in-script-dir', st, 'script_dir', '%s is a settings file in the script dir: '
                              'Apache may serve files from there (database passwords).' % path,
                              'move it into the project package and delete it here.')
                elif low.endswith(('.py', '.pyc')):
                    ctx.error('script-name', st, 'script_dir', '%s is a Python file in the script dir%s.' % (
                        path, ' (django.py shadows the Django package when the dir is on sys.path)' if low == 'django.py' else ''),
                        'delete it: the script is always %s.' % SCRIPT_NAME)
                else:
                    ctx.error('script-dir', st, 'script_dir', '%s is in the script dir, which must hold only %s.' % (path, SCRIPT_NAME),
                              'remove it (or omit script_dir for the managed <root>/apache).')
        root = st.n.get('root')
        if root:
            for sub in ('current', 'conf'):
                path = '%s/%s/django.py' % (root, sub)
                if ctx.fs.exists(path):
                    ctx.error('script-name', st, 'root', '%s exists: it is on sys.path and shadows the Django package.' % path,
                              'rename or delete it.')


def _rule_python_abi(ctx, sites, mass):
    want = ctx.o['mod_wsgi_python']
    if not want or not ctx.o['check_filesystem']:
        return
    cache = {}
    checks = [(st, 'python', st.n['python']) for st in sites if st.n.get('python')]
    if mass and mass.get('python_home'):
        checks.append((None, 'mass_hosting.python_home', mass['python_home'] + '/bin/python'))
    for st, field, python in checks:
        if python not in cache:
            try:
                cache[python] = ctx.fs.python_version(python)
            except Exception as exc:  # a broken fake or odd OS error must not crash validation
                cache[python] = (None, 'cannot be run (%s)' % exc.__class__.__name__)
        version, problem = cache[python]
        if problem:
            ctx.error('python-abi', st, field, 'the interpreter %s %s.' % (python, problem),
                      'install Python %s there or point %s at the interpreter mod_wsgi was built for (/usr/bin/python%s).'
                      % (want, field, want))
        elif version != want:
            ctx.error('python-abi', st, field, '%s is Python %s but mod_wsgi is built for Python %s: the venv\'s '
                      'compiled packages would not load.' % (python, version, want),
                      'set %s to /usr/bin/python%s (or install the mod_wsgi build for Python %s).' % (field, want, version))


def _size_daemons(ctx, sites, mass):
    """daemon.processes left out: derived from the host's cores and memory (``server_cores``).

    Without ``server_cores`` the mod_wsgi default stays (processes omitted: one process). An explicit
    ``processes: null`` also keeps it: one process with wsgi.multiprocess False, as the guide describes.
    """
    if ctx.o.get('server_cores') is None:
        return
    defaulted, copies, threads, explicit = [], 0, 0, []
    for st in sites:
        daemon = st.n.get('daemon')
        if st.n.get('mode') != 'daemon' or not daemon:
            continue
        n = 2 if st.n.get('deploy') == 'bluegreen' else 1
        raw = st.v.get('daemon') if isinstance(st.v.get('daemon'), dict) else {}
        if 'processes' not in raw:
            defaulted.append(st)
            copies += n
            threads += daemon['threads']
        else:
            explicit.append((daemon['processes'], daemon['threads'], n))
    if mass and mass.get('daemon'):
        explicit.append((mass['daemon']['processes'], mass['daemon']['threads'], 1))
    if not defaulted:
        return
    reserved, reserved_threads = daemon_load(explicit)
    per_site = daemon_processes(ctx.o['server_cores'], ctx.o['server_memory_mb'], copies, reserved, MB_PER_PYTHON_PROCESS,
                                ctx.o['max_request_workers'], threads, reserved_threads)
    for st in defaulted:
        st.n['daemon']['processes'] = per_site if per_site > 1 else None


def _rule_mpm_choice(ctx, sites, mass):
    """prefork with no embedded site: one Apache process per connection only to relay to the daemons."""
    if ctx.o['mpm'] != 'prefork' or not sites and not mass:
        return
    if any(st.n.get('mode') == 'embedded' for st in sites) or (mass and mass['mode'] == 'embedded'):
        return
    ctx.warn('mpm-choice', None, 'mpm', 'is prefork but every site runs in daemon mode: each connection then holds a '
             'whole Apache process that only relays to the daemons (serve benchmark, c64: p99 1.0 s and 22 timeouts '
             'under prefork while children were forked, 79 ms under event).',
             'set apache_mpm: event (prefork is for embedded sites whose code is not thread safe).')


def _rule_capacity(ctx, sites, mass):
    mrw = ctx.o['max_request_workers']
    memory = ctx.o['server_memory_mb']
    groups = []
    embedded = 0
    for st in sites:
        if st.n.get('mode') == 'embedded':
            embedded += 1
            continue
        daemon = st.n.get('daemon')
        if not daemon:
            continue
        groups.append((daemon['processes'], daemon['threads'], 2 if st.n.get('deploy') == 'bluegreen' else 1))
    if mass:
        if mass['mode'] == 'embedded':
            embedded += 1
        elif mass.get('daemon'):
            groups.append((mass['daemon']['processes'], mass['daemon']['threads'], 1))
    # memory: both colors are resident; feeding: only the live color gets requests
    processes, threads = daemon_load(groups)
    if mrw is not None and mrw < threads:
        ctx.warn('capacity', None, 'max_request_workers', 'Apache has %d workers but the daemons have %d threads '
                 '(the live color of bluegreen sites): the daemons can never be fully used and requests queue in Apache.'
                 % (mrw, threads), 'raise MaxRequestWorkers to at least %d or lower daemon processes/threads.' % threads)
    if memory is None:
        return
    estimate, children = python_memory_mb(processes, embedded, ctx.o['mpm'], mrw)
    if memory_exceeded(estimate, memory):
        if ctx.o['mpm'] == 'prefork':
            note = 'each prefork child loads every embedded site'
        else:
            note = 'each Apache child loads every embedded site'
        detail = '%d daemon processes' % processes
        if embedded:
            detail += ' + %d embedded site(s) x %d Apache children (%s)' % (embedded, children, note)
        ctx.warn('capacity', None, 'server_memory_mb', 'estimated Python memory %d MB (%s, %d MB each) exceeds %d%% of '
                 '%d MB.' % (estimate, detail, MB_PER_PYTHON_PROCESS, int(MEMORY_WARN_RATIO * 100), memory),
                 'use daemon mode%s, fewer processes, or a bigger server.'
                 % (' instead of embedded under prefork' if embedded and ctx.o['mpm'] == 'prefork' else ''))


# ---------------------------------------------------------------------------
# Mass hosting
# ---------------------------------------------------------------------------

def _check_mass(ctx, value):
    """Validate the mass_hosting option; returns the normalized dict or None."""
    if value is None:
        return None
    if not isinstance(value, dict):
        ctx.error('schema', None, 'mass_hosting', 'is %s, expected a dict or null.' % type_name(value),
                  'give {server_name, base_dir, mode, daemon, python_home} or null.')
        return None
    ok = True
    for key in value:
        if key not in MASS_KEYS:
            ctx.error('schema', None, 'mass_hosting.%s' % key_label(key), 'is not a mass hosting setting%s.'
                      % suggest(key, MASS_KEYS), 'use %s.' % ', '.join(MASS_KEYS))
            ok = False
    out = {'server_name': None, 'base_dir': None, 'mode': 'daemon', 'daemon': None, 'python_home': None}
    name = value.get('server_name')
    if not isinstance(name, str):
        ctx.error('schema', None, 'mass_hosting.server_name', 'is %s, expected a host name.' % type_name(name), 'set it.')
        ok = False
    else:
        problem, fix = hostname_problem(name, allow_wildcard=False)
        if problem:
            ctx.error('server-name', None, 'mass_hosting.server_name', '%s %s.' % (show(name), problem), fix)
            ok = False
        else:
            out['server_name'] = name.lower()
    for key, required in (('base_dir', True), ('python_home', False)):
        path = value.get(key)
        field = 'mass_hosting.%s' % key
        if path is None and not required:
            continue
        if not isinstance(path, str):
            ctx.error('schema', None, field, 'is %s, expected an absolute path.' % type_name(path), 'set it.')
            ok = False
            continue
        problems = fs_path_problems(path)
        if not problems and path in SYSTEM_DIRS and path not in BASE_DIR_OK:
            problems = ['is a system directory']
        if problems:
            ctx.error('path', None, field, '%s %s.' % (show(path), '; '.join(problems)), fs_path_fix(path))
            ok = False
            continue
        out[key] = path
    mode = value.get('mode')
    if mode is not None:
        if mode not in MODES:
            ctx.error('schema', None, 'mass_hosting.mode', '%s is not daemon or embedded.' % show(mode), 'set daemon or embedded.')
            ok = False
        else:
            out['mode'] = mode
    daemon = value.get('daemon')
    if daemon is not None and not isinstance(daemon, dict):
        ctx.error('schema', None, 'mass_hosting.daemon', 'is %s, expected a dict.' % type_name(daemon), 'give daemon settings as a dict.')
        ok = False
        daemon = None
    daemon = daemon or {}
    if out['mode'] == 'embedded':
        if daemon:
            ctx.error('embedded-user', None, 'mass_hosting.daemon', 'is set but mass hosting mode is embedded (it runs '
                      'as the Apache user).', 'remove daemon or set mode: daemon.')
            ok = False
    else:
        norm = dict(DAEMON_DEFAULTS)
        for key in daemon:
            if key not in DAEMON_DEFAULTS:
                ctx.error('schema', None, 'mass_hosting.daemon.%s' % key_label(key), 'is not a daemon setting%s.'
                          % suggest(key, DAEMON_DEFAULTS), 'use one of: %s.' % ', '.join(sorted(DAEMON_DEFAULTS)))
                ok = False
        for key in DAEMON_DEFAULTS:
            if daemon.get(key) is not None and not _check_daemon_value(ctx, None, 'mass_hosting.daemon', key, daemon[key], norm):
                ok = False
        norm['user'] = norm['user'] or ctx.o['apache_user']
        norm['group'] = norm['group'] or (ctx.o['apache_group'] if norm['user'] == ctx.o['apache_user'] else norm['user'])
        if norm['processes'] == 1:
            ctx.warn('processes-1', None, 'mass_hosting.daemon.processes', 'processes: 1 sets wsgi.multiprocess '
                     'to True although there is one process.', 'omit processes for a single process.')
        out['daemon'] = norm
    if not ok:
        return None
    out['daemon_group'] = MASS_GROUP if out['mode'] == 'daemon' else None
    out['application_group'] = '%{RESOURCE}'
    out['script_pattern'] = out['base_dir'] + '/*/apache/' + SCRIPT_NAME
    return out


# ---------------------------------------------------------------------------
# Normalization (only when there is no error)
# ---------------------------------------------------------------------------

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


# ---------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------

def validate(sites, mpm='event', document_roots=None, check_filesystem=True, mod_wsgi_python=None,
             mass_hosting=None, base_dir='/srv/django', apache_user='www-data', apache_group='www-data',
             max_request_workers=None, server_memory_mb=None, fs=None, server_cores=None):
    """Check every rule on every site and return a :class:`Result`.

    ``sites`` is the ``modwsgi_sites`` list.  With ``check_filesystem`` the rules
    that need the target's real paths (symlinks, script dir contents, the site
    Python's version) run through ``fs`` (default: a :class:`FileSystem` without a command
    runner, which cannot run the site Python: pass ``fs=FileSystem(runner)`` for python-abi).
    """
    opts = {
        'mpm': mpm, 'document_roots': document_roots, 'check_filesystem': check_filesystem,
        'mod_wsgi_python': mod_wsgi_python, 'base_dir': base_dir, 'apache_user': apache_user,
        'apache_group': apache_group, 'max_request_workers': max_request_workers,
        'server_memory_mb': server_memory_mb, 'server_cores': server_cores,
    }
    ctx = _Ctx(opts, fs if fs is not None else FileSystem())
    _check_options(ctx, opts)
    mass = _check_mass(ctx, mass_hosting)

    states = []
    if not isinstance(sites, (list, tuple)):
        ctx.error('schema', None, 'sites', 'is %s, expected a list of site dicts.' % type_name(sites),
                  'give modwsgi_sites as a list (one dict per site).')
    elif not sites and mass_hosting is None:
        ctx.error('schema', None, 'sites', 'is empty: there is nothing to deploy.', 'add at least one site (or set mass_hosting).')
    else:
        for index, raw in enumerate(sites):
            st = _Site(index, raw)
            if not isinstance(raw, dict):
                ctx.error('schema', st, None, 'is %s, expected a dict.' % type_name(raw), 'give each site as a dict of keys.')
                continue
            _check_site(ctx, st)
            states.append(st)

    roots = _rule_roots(ctx, states)
    _rule_name_unique(ctx, states)
    hosts = _by_host(states)
    _rule_mount_unique(ctx, hosts)
    _rule_mount_nesting(ctx, hosts)
    _rule_tls_mismatch(ctx, hosts)
    _rule_alias_conflict(ctx, hosts, mass)
    _rule_daemon_name(ctx, states, mass)
    _rule_session_cookie(ctx, hosts)
    _rule_static_url_cross(ctx, hosts)
    _rule_script_dir(ctx, states, roots)
    _rule_exposed(ctx, states, mass)
    _rule_filesystem(ctx, states)
    _rule_python_abi(ctx, states, mass)
    _size_daemons(ctx, states, mass)
    _rule_capacity(ctx, states, mass)
    _rule_mpm_choice(ctx, states, mass)

    findings = ctx.findings
    if any(f.severity == ERROR for f in findings):
        return Result([], [], False, None, findings)
    normalized = [_normalize_site(st, ctx.o) for st in states]
    normalized.sort(key=lambda s: (s['server_name'], -url_depth(s['mount']), s['mount']))
    restrict = all(s['mode'] == 'daemon' for s in normalized) and (mass is None or mass['mode'] == 'daemon')
    return Result(normalized, _vhosts(normalized), restrict, mass, findings)


def mask_secrets(sites):
    """Copy of a sites list with every secrets value replaced (for module output)."""
    if not isinstance(sites, (list, tuple)):
        return sites
    out = []
    for site in sites:
        if isinstance(site, dict) and 'secrets' in site:
            site = dict(site)
            secrets = site['secrets']
            if isinstance(secrets, dict):
                site['secrets'] = dict((k, SECRET_MASK) for k in secrets)
            elif secrets is not None:
                site['secrets'] = SECRET_MASK
        out.append(site)
    return out
