# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What a site wrote to its Apache error log while a health check ran (the traceback behind a 500).

Apache's prefix of each line (time, pid, client) is dropped, and when a Python traceback was written
the excerpt starts at the last one (with the log line before it, e.g. Django's "Internal Server
Error: /healthz/"), so that the exception and where it was raised fit in the failure message.
"""

from __future__ import annotations

import os
import re

MAX_LINES = 30
MAX_TRACEBACK_LINES = 60
MAX_CHARS = 3000
TRACEBACK = 'Traceback (most recent call last):'

# [Sat Dec 07 05:30:00.123456 2026] [wsgi:error] [pid 12:tid 34] [remote 127.0.0.1:5678] message
_APACHE_LINE = re.compile(r'^\[[^\]]*\] \[(?P<module>[\w.-]*):(?P<level>\w+)\] \[pid \d+(?::tid \d+)?\] '
                          r'(?:\[(?:client|remote) [^\]]*\] )?(?P<message>.*)$')


def size(path):
    """Current size of the log (0 when it does not exist): remember it before the check."""
    try:
        return os.path.getsize(path)
    except (OSError, TypeError):
        return 0


def since(path, offset, max_lines=MAX_LINES, max_chars=MAX_CHARS):
    """The last lines written to ``path`` after ``offset`` (all of it when the log was rotated), or ''."""
    if not path:
        return ''
    try:
        with open(path, 'rb') as handle:
            handle.seek(0, os.SEEK_END)
            end = handle.tell()
            start = offset if 0 <= offset <= end else 0
            start = max(start, end - 64 * 1024)
            handle.seek(start)
            data = handle.read(end - start)
    except OSError:
        return ''
    lines = excerpt([compact(line) for line in data.decode('utf-8', 'replace').splitlines()], max_lines)
    return fit(lines, max_chars)


def compact(line):
    """An Apache error log line without its time, pid and client; ``[module:level]`` kept unless wsgi:error."""
    match = _APACHE_LINE.match(line)
    if not match:
        return line
    if (match.group('module'), match.group('level')) == ('wsgi', 'error'):
        return match.group('message')
    return '[%s:%s] %s' % (match.group('module'), match.group('level'), match.group('message'))


def excerpt(lines, max_lines=MAX_LINES):
    """From the last traceback on (with the line before it) when there is one of at most
    MAX_TRACEBACK_LINES lines, else the last ``max_lines`` lines."""
    starts = [index for index, line in enumerate(lines) if line.strip() == TRACEBACK]
    if starts:
        start = max(0, starts[-1] - 1)
        if len(lines) - start <= MAX_TRACEBACK_LINES:
            return lines[start:]
    return lines[-max_lines:]


def fit(lines, max_chars=MAX_CHARS):
    """``lines`` joined, at most ``max_chars`` long: the last lines, and a traceback's two header lines
    (the log line and "Traceback ...") before a line saying how many were left out between."""
    text = '\n'.join(lines)
    if len(text) <= max_chars:
        return text
    head = lines[:2] if len(lines) > 2 and lines[1].strip() == TRACEBACK else []
    budget = max_chars - sum(len(line) + 1 for line in head) - len('  ... (99999 lines left out)') - 1
    tail = []
    for line in reversed(lines[len(head):]):
        if budget - len(line) - 1 < 0:
            break
        budget -= len(line) + 1
        tail.insert(0, line)
    if not tail:
        return text[-max_chars:]
    left_out = len(lines) - len(head) - len(tail)
    return '\n'.join(head + ['  ... (%d lines left out)' % left_out] + tail)


def explain(path, offset):
    """Sentence to append to a failed health check's message."""
    text = since(path, offset)
    if text:
        return ' Error log %s (last lines written during the check):\n%s' % (path, text)
    if path:
        return ' Nothing was written to the error log %s during the check.' % path
    return ''
