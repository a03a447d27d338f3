# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""file_batch engine against a real temporary tree (owner/group: the user running the tests)."""

from __future__ import annotations

import grp
import os
import pwd
import stat

import pytest

from ansible_collections.modwsgi.django.plugins.module_utils._files import FileBatchError, ensure

USER = pwd.getpwuid(os.getuid()).pw_name
GROUP = grp.getgrgid(os.getgid()).gr_name


def mode_of(path):
    return stat.S_IMODE(os.lstat(str(path)).st_mode)


def test_creates_directories_files_and_links_then_is_idempotent(tmp_path):
    root = tmp_path / 'site'
    entries = [
        {'path': str(root / 'conf'), 'state': 'directory', 'owner': USER, 'group': GROUP, 'mode': '0750'},
        {'path': str(root / 'conf' / 'a.py'), 'state': 'file', 'content': 'A = 1\n', 'mode': '0640', 'tag': 'site'},
        {'path': str(root / 'log'), 'state': 'file', 'owner': USER, 'mode': '0600'},
        {'path': str(root / 'current'), 'state': 'link', 'src': str(root / 'conf'), 'force': False},
    ]
    changed, tags, _diffs = ensure(entries)
    assert changed == [e['path'] for e in entries]
    assert tags == ['site']
    assert mode_of(root / 'conf') == 0o750
    assert (root / 'conf' / 'a.py').read_text() == 'A = 1\n'
    assert mode_of(root / 'conf' / 'a.py') == 0o640
    assert (root / 'log').read_bytes() == b''
    assert os.readlink(str(root / 'current')) == str(root / 'conf')
    assert ensure(entries) == ([], [], [])


def test_check_mode_reports_without_changing(tmp_path):
    entries = [{'path': str(tmp_path / 'd'), 'state': 'directory', 'mode': '0700'},
               {'path': str(tmp_path / 'f'), 'content': 'x'}]
    changed, _tags, _diffs = ensure(entries, check_mode=True)
    assert len(changed) == 2
    assert not os.path.exists(str(tmp_path / 'd')) and not os.path.exists(str(tmp_path / 'f'))


def test_content_change_is_atomic_keeps_mode_and_gives_a_diff(tmp_path):
    path = tmp_path / 'settings.py'
    path.write_text('old\n')
    os.chmod(str(path), 0o640)
    inode = os.stat(str(path)).st_ino
    changed, _tags, diffs = ensure([{'path': str(path), 'content': 'new\n'}], want_diff=True)
    assert changed == [str(path)]
    assert path.read_text() == 'new\n'
    assert mode_of(path) == 0o640
    assert os.stat(str(path)).st_ino != inode  # renamed into place, not rewritten
    assert diffs == [{'before_header': str(path), 'after_header': str(path), 'before': 'old\n', 'after': 'new\n'}]
    assert [name for name in os.listdir(str(tmp_path)) if name.endswith('.tmp')] == []


def test_no_diff_entries_never_show_content(tmp_path):
    path = tmp_path / 'site.json'
    _changed, _tags, diffs = ensure([{'path': str(path), 'content': '{"SECRET": "s3"}', 'no_diff': True}], want_diff=True)
    assert diffs == []


def test_mode_only_change_is_reported_and_fixed(tmp_path):
    path = tmp_path / 'f'
    path.write_text('same')
    os.chmod(str(path), 0o644)
    changed, _tags, _diffs = ensure([{'path': str(path), 'content': 'same', 'mode': '0600', 'tag': 't'}])
    assert changed == [str(path)]
    assert mode_of(path) == 0o600


def test_symlink_at_a_file_path_is_replaced_not_written_through(tmp_path):
    victim = tmp_path / 'victim'
    victim.write_text('keep')
    link = tmp_path / 'conf.py'
    os.symlink(str(victim), str(link))
    ensure([{'path': str(link), 'content': 'mine'}])
    assert victim.read_text() == 'keep'
    assert not os.path.islink(str(link)) and link.read_text() == 'mine'


def test_symlink_at_a_touch_path_is_refused(tmp_path):
    victim = tmp_path / 'victim'
    victim.write_text('keep')
    os.chmod(str(victim), 0o644)
    link = tmp_path / 'x.log'
    os.symlink(str(victim), str(link))
    with pytest.raises(FileBatchError, match='is a symlink'):
        ensure([{'path': str(link), 'state': 'file', 'mode': '0600'}])
    assert mode_of(victim) == 0o644


def test_existing_touch_file_keeps_its_content(tmp_path):
    path = tmp_path / 'access.log'
    path.write_text('GET /\n')
    ensure([{'path': str(path), 'state': 'file', 'mode': '0640'}])
    assert path.read_text() == 'GET /\n'


def test_link_force_false_leaves_an_existing_link(tmp_path):
    link = tmp_path / 'current'
    os.symlink('/old', str(link))
    assert ensure([{'path': str(link), 'state': 'link', 'src': '/new', 'force': False}])[0] == []
    assert os.readlink(str(link)) == '/old'
    assert ensure([{'path': str(link), 'state': 'link', 'src': '/new'}])[0] == [str(link)]
    assert os.readlink(str(link)) == '/new'


def test_directory_symlink_is_followed(tmp_path):
    real = tmp_path / 'real'
    real.mkdir(mode=0o755)
    os.chmod(str(real), 0o755)
    os.symlink(str(real), str(tmp_path / 'alias'))
    ensure([{'path': str(tmp_path / 'alias'), 'state': 'directory', 'mode': '0711'}])
    assert mode_of(real) == 0o711


@pytest.mark.parametrize('entry, message', [
    ({'path': 'relative/x', 'content': ''}, 'absolute'),
    ({'path': '/tmp/x', 'state': 'fifo'}, 'state must be'),
    ({'path': '/tmp/x', 'mode': '0999'}, 'octal'),
    ({'path': '/tmp/x', 'mode': '17777'}, 'out of range'),
    ({'path': '/tmp/x', 'state': 'link'}, 'needs src'),
    ({'path': '/tmp/x', 'owner': 'no-such-user-modwsgi'}, 'no such user'),
    ({'path': '/tmp/x', 'group': 'no-such-group-modwsgi'}, 'no such group'),
])
def test_bad_entries_fail_naming_the_problem(entry, message):
    with pytest.raises(FileBatchError, match=message):
        ensure([entry])


def test_unknown_owner_in_check_mode_counts_as_a_change(tmp_path):
    path = tmp_path / 'd'
    path.mkdir()
    changed, _tags, _diffs = ensure([{'path': str(path), 'state': 'directory', 'owner': 'no-such-user-modwsgi'}], check_mode=True)
    assert changed == [str(path)]


def test_directory_wanted_where_a_file_is(tmp_path):
    path = tmp_path / 'f'
    path.write_text('')
    with pytest.raises(FileBatchError, match='not a directory'):
        ensure([{'path': str(path), 'state': 'directory'}])
