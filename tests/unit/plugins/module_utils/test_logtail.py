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
