# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.django maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Text and path helpers: safe display of hostile values, path / URL / host name problems."""

from __future__ import annotations

import difflib
import posixpath
import re
import unicodedata

from ansible_collections.modwsgi.django.plugins.module_utils._layout.schema import (
    BOOL_STRINGS,
    FS_PATH_CHARS,
    LABEL_RE,
    MAX_PATH,
    MAX_URL,
    SYSTEM_DIRS,
    URL_PATH_CHARS,
)

CHAR_NAMES = {
    '\n': 'a newline', '\r': 'a carriage return', '\t': 'a tab', '\x00': 'a NUL byte', ' ': 'a space',
    '"': 'a double quote', "'": 'a single quote', '`': 'a backtick', '$': 'a dollar sign',
    '\\': 'a backslash', '<': "'<'", '>': "'>'", '#': "'#'", ';': "';'", '%': "'%'", '&': "'&'",
    '|': "'|'", '*': "'*'", '?': "'?'",
}


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
    """'a string', 'a list', ... for messages."""
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
    """A readable name for one character (newline, NUL byte, U+0430 CYRILLIC SMALL LETTER A...)."""
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
    names = [char_name(ch) for ch in seen[:limit]]
    if len(seen) > limit:
        names.append('...')
    return ', '.join(names)


def suggest(word, choices):
    """The hint " (did you mean 'x'?)" when word is a near miss of one of choices, else ''."""
    if not isinstance(word, str):
        return ''
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return " (did you mean '%s'?)" % match[0] if match else ''


def key_label(key):
    """A key as a field name: plain keys as they are, others shown safely."""
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
    """Segments of a mount: "/" is 0, "/a/b" is 2."""
    return 0 if mount == '/' else mount.count('/')


def ascii_url_suggestion(value, trailing):
    """An ASCII URL path close to value (for a fix)."""
    text = unicodedata.normalize('NFKD', value).encode('ascii', 'ignore').decode('ascii')
    text = re.sub(r'[^A-Za-z0-9_~/-]+', '-', text)
    segments = [segment.strip('-') for segment in text.split('/')]
    segments = [segment for segment in segments if segment]
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
    if any(len(segment) > 255 for segment in segments):
        problems.append('has a component longer than 255 characters')
    return problems


def file_path_problems(value):
    """fs_path_problems for a path that names a file (never "/" or a system directory)."""
    problems = fs_path_problems(value)
    if not problems and value in SYSTEM_DIRS:
        problems = ['is a directory, not a file']
    return problems


def fs_path_fix(value, what='an absolute path', example=None):
    """The fix for a bad path: its normalized form when only its structure is wrong.

    A system directory such as /etc gets "not the system directory", with ``example`` when the caller
    knows a good path.
    """
    structural_only = (isinstance(value, str) and value.startswith('/') and '..' not in value.split('/')
                       and not bad_chars(value, FS_PATH_CHARS) and len(value) <= MAX_PATH)
    if structural_only and value in SYSTEM_DIRS:
        if example:
            return "use %s such as '%s', not the system directory %s." % (what, example, value)
        return 'use %s that is not the system directory %s itself.' % (what, value)
    if structural_only:
        return "use '%s'." % posixpath.normpath(value)
    return ("use %s made of ASCII letters, digits and . _ - + ~ @ only, without '..', "
            "'.', '//' or a trailing slash." % what)


def hostname_problem(value, allow_wildcard):
    """(problem, fix) for a host name, or (None, None) when it is fine."""
    if value == '':
        return 'is empty', 'give a fully qualified host name such as shop.example.com.'
    non_ascii = [ch for ch in value if ord(ch) > 127]
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


def url_path_problems(value):
    """Problems of a URL path as a list of phrases (empty = fine)."""
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
