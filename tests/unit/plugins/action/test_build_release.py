# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""build_release action plugin: how the code gets to the target.

The plugin is made as the task executor makes it (a real Task, the local connection); the module run and the
file transfer are recorded instead of done, so each test sees exactly what would go to the target.
"""

from __future__ import annotations

import base64
import hashlib

import pytest

from ansible_collections.modwsgi.django.plugins.action import build_release as action_module
from ansible_collections.modwsgi.django.plugins.module_utils._plan import SNAPSHOT_VERSION
from ansible_collections.modwsgi.django.tests.unit.plugins.modules.site_harness import normalized, tarball
from ansible_collections.modwsgi.django.tests.unit.plugins.modules.utils import make_action


class Recorder(action_module.ActionModule):
    """The plugin with the target replaced by a record of what it is sent."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sent = {'modules': [], 'files': [], 'tmp_made': 0}

    def _execute_module(self, module_name=None, module_args=None, task_vars=None, **kwargs):
        self.sent['modules'].append((module_name, dict(module_args)))
        return {'changed': True, 'invocation': {'module_args': dict(module_args)}}

    def _make_tmp_path(self, remote_user=None):
        self.sent['tmp_made'] += 1
        self._connection._shell.tmpdir = '/remote/tmp'
        return '/remote/tmp'

    def _transfer_file(self, local_path, remote_path):
        self.sent['files'].append((local_path, remote_path))
        return remote_path

    def _fixup_perms2(self, remote_paths, remote_user=None, execute=True):
        return None

    def _remove_tmp_path(self, tmp_path, force=False):
        self._connection._shell.tmpdir = None


def run(args, check_mode=False):
    plugin = make_action(Recorder, 'modwsgi.django.build_release', args, check_mode)
    return plugin.run(task_vars={}), plugin.sent


def handle_bytes(path):
    with open(path, 'rb') as handle:
        return handle.read()


@pytest.fixture
def code(tmp_path):
    site = normalized(tmp_path / 'shop')
    return site, tarball(tmp_path / 'code.tar.gz', {'shop/views.py': 'x = 1\n'})


def test_a_small_tarball_travels_in_the_module_arguments(code):
    site, src = code
    result, sent = run({'site': site, 'src': src})
    assert sent['files'] == []           # no temporary file, no extra commands on the target
    assert sent['tmp_made'] == 0         # not even the remote temporary directory (two round trips)
    [(name, args)] = sent['modules']
    assert name == 'modwsgi.django.build_release' and 'archive_from' not in args and 'src' not in args
    assert base64.b64decode(args['archive_data']) == handle_bytes(src)
    assert result['copied'] is True
    # the play output (-vvv shows the invocation) names the file instead of printing its bytes
    assert result['invocation']['module_args']['archive_data'] == '(%d bytes of %s)' % (len(handle_bytes(src)), src)


def test_a_tarball_over_the_limit_is_copied_to_a_temporary_file(code, monkeypatch):
    site, src = code
    monkeypatch.setattr(action_module, 'INLINE_MAX', len(handle_bytes(src)) - 1)
    result, sent = run({'site': site, 'src': src})
    assert sent['files'] == [(src, '/remote/tmp/source.tar.gz')] and sent['tmp_made'] == 1
    [(_name, args)] = sent['modules']
    assert args['archive_from'] == '/remote/tmp/source.tar.gz' and 'archive_data' not in args
    assert result['copied'] is True


def test_a_tarball_the_snapshot_shows_on_the_target_is_not_sent(code):
    site, src = code
    snapshot = {'version': SNAPSHOT_VERSION, 'paths': {site['paths']['source_archive']: {'sha1': hashlib.sha1(handle_bytes(src)).hexdigest()}}}
    result, sent = run({'site': site, 'src': src, 'snapshot': snapshot})
    [(_name, args)] = sent['modules']
    assert sent['files'] == [] and 'archive_data' not in args and 'archive_from' not in args and 'snapshot' not in args
    assert sent['tmp_made'] == 0
    assert result['copied'] is False


def test_check_mode_sends_no_code(code):
    site, src = code
    result, sent = run({'site': site, 'src': src}, check_mode=True)
    [(_name, args)] = sent['modules']
    assert sent['files'] == [] and 'archive_data' not in args and result['copied'] is True
