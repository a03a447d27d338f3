# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Error-log tail shown with a failed health check."""

from __future__ import annotations

from ansible_collections.modwsgi.django.plugins.module_utils import _logtail as T


def test_only_lines_written_during_the_check(tmp_path):
    log = tmp_path / 'error.log'
    log.write_text('old line\n')
    offset = T.size(str(log))
    with open(str(log), 'a') as handle:
        handle.write('Traceback (most recent call last):\nPermissionError: staticfiles.json\n')
    text = T.explain(str(log), offset)
    assert 'PermissionError: staticfiles.json' in text and 'old line' not in text and str(log) in text


def test_nothing_new_missing_log_and_rotation(tmp_path):
    log = tmp_path / 'error.log'
    log.write_text('old\n')
    assert 'Nothing was written' in T.explain(str(log), T.size(str(log)))
    assert T.size(str(tmp_path / 'missing.log')) == 0
    assert 'Nothing was written' in T.explain(str(tmp_path / 'missing.log'), 0)
    assert T.explain(None, 0) == ''
    # rotated (shorter than the offset): everything in the new file
    assert 'old' in T.since(str(log), 10 ** 6)


def test_bounded(tmp_path):
    log = tmp_path / 'error.log'
    log.write_text(''.join('line %d %s\n' % (i, 'x' * 200) for i in range(1000)))
    text = T.since(str(log), 0)
    assert len(text) <= T.MAX_CHARS and 'line 999' in text and 'line 900' not in text


APACHE = '[Sat Dec 07 05:30:0%d.123456 2026] [wsgi:error] [pid 812:tid 140230] [remote 127.0.0.1:40%03d] %s'
DJANGO_500 = ['ERROR django.request: Internal Server Error: /healthz/', T.TRACEBACK,
              '  File "/srv/django/shop/venvs/abc/lib/python3.11/site-packages/django/core/handlers/exception.py", line 55, in inner',
              '    response = get_response(request)',
              '  File "/srv/django/shop/releases/1a2b/probe/views.py", line 150, in fail',
              '    raise RuntimeError("probe: intentional failure (/fail/)")',
              'RuntimeError: probe: intentional failure (/fail/)']


def test_apache_prefix_dropped_module_and_level_kept_unless_wsgi_error():
    assert T.compact(APACHE % (1, 1, 'Internal Server Error: /x/')) == 'Internal Server Error: /x/'
    assert T.compact('[Sat Dec 07 05:30:01.1 2026] [wsgi:info] [pid 9] mod_wsgi (pid=9): Starting process') == (
        '[wsgi:info] mod_wsgi (pid=9): Starting process')
    assert T.compact('[Sat Dec 07 05:30:01.1 2026] [core:error] [pid 9:tid 3] [client 127.0.0.1:5] AH00037: Symbolic link') == (
        '[core:error] AH00037: Symbolic link')
    assert T.compact('a line of its own') == 'a line of its own'


def test_the_last_traceback_of_repeated_500s_is_shown_whole(tmp_path):
    """A health check that retries writes one traceback per try; the message shows the last one, from its header."""
    log = tmp_path / 'error.log'
    log.write_text('')
    offset = T.size(str(log))
    frames = ['  File "/srv/django/shop/venvs/0123456789ab/lib/python3.11/site-packages/django/frame%d.py", line %d, in f%d' % (i, i, i)
              for i in range(40)]
    one = DJANGO_500[:2] + frames + DJANGO_500[2:]
    with open(str(log), 'a') as handle:
        for attempt in range(5):
            handle.write(''.join(APACHE % (attempt, i, line) + '\n' for i, line in enumerate(one)))
    text = T.explain(str(log), offset)
    assert len(text) < T.MAX_CHARS + 200 and text.count(T.TRACEBACK) == 1 and 'pid 812' not in text
    shown = text.split('\n')[1:]
    # The header lines, then what did not fit, then the end of the traceback.
    assert shown[:2] == one[:2] and shown[-5:] == one[-5:], shown
    left_out = int(shown[2].split('(')[1].split()[0])
    assert shown[2] == '  ... (%d lines left out)' % left_out and shown[3:] == one[2 + left_out:]
    # Short enough: all of it.
    assert T.fit(one[:2] + one[-3:]) == '\n'.join(one[:2] + one[-3:])


def test_a_traceback_longer_than_the_bound_falls_back_to_the_last_lines(tmp_path):
    log = tmp_path / 'error.log'
    lines = DJANGO_500[:2] + ['  File "/x%d.py", line 1, in f' % i for i in range(T.MAX_TRACEBACK_LINES)] + DJANGO_500[-1:]
    log.write_text(''.join(line + '\n' for line in lines))
    text = T.since(str(log), 0)
    assert text.split('\n') == lines[-T.MAX_LINES:]
