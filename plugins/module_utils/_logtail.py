# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What a site wrote to its Apache error log while a health check ran (the traceback behind a 500)."""

from __future__ import annotations

import os

MAX_LINES = 30
MAX_CHARS = 3000


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
    lines = data.decode('utf-8', 'replace').splitlines()[-max_lines:]
    return '\n'.join(lines)[-max_chars:]


def explain(path, offset):
    """Sentence to append to a failed health check's message."""
    text = since(path, offset)
    if text:
        return ' Error log %s (last lines written during the check):\n%s' % (path, text)
    if path:
        return ' Nothing was written to the error log %s during the check.' % path
    return ''
