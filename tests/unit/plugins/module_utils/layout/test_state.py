# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.django maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The state while checking (_layout/state.py): SiteState and the Context that collects findings."""

from __future__ import annotations

from ansible_collections.modwsgi.django.plugins.module_utils._layout.filesystem import FileSystem
from ansible_collections.modwsgi.django.plugins.module_utils._layout.rules import ERROR, WARNING
from ansible_collections.modwsgi.django.plugins.module_utils._layout.state import Context, SiteState


class CountingFS(FileSystem):

    def __init__(self):
        super().__init__()
        self.calls = []

    def realpath(self, path):
        self.calls.append(path)
        if path == '/broken':
            raise OSError('loop')
        return '/real' + path


def test_an_error_marks_the_top_level_key_and_names_the_site_by_its_label():
    ctx = Context({'check_filesystem': False}, FileSystem())
    site = SiteState(3, {'name': 'shop'})
    assert site.label == 'sites[3]' and site.given == {} and site.normalized == {}
    ctx.error('mount', site, 'static.url', 'is bad.', 'fix it.')
    ctx.warn('capacity', None, 'mpm', 'is odd.', 'look.')
    ctx.error('schema', site, None, 'is not a dict.', 'give a dict.')
    assert site.invalid_keys == {'static'}
    assert [(f.id, f.severity, f.site, f.field) for f in ctx.findings] == [
        ('mount', ERROR, 'sites[3]', 'static.url'), ('capacity', WARNING, None, 'mpm'), ('schema', ERROR, 'sites[3]', None)]


def test_a_warning_does_not_mark_the_key():
    ctx = Context({'check_filesystem': False}, FileSystem())
    site = SiteState(0, {})
    ctx.warn('static-url', site, 'static.url', 'is outside.', 'move it.')
    assert site.invalid_keys == set()


def test_real_path_only_with_check_filesystem_and_cached():
    fs = CountingFS()
    assert Context({'check_filesystem': False}, fs).real_path('/srv/x') == '/srv/x' and fs.calls == []
    ctx = Context({'check_filesystem': True}, fs)
    assert ctx.real_path('/srv/x') == '/real/srv/x' and ctx.real_path('/srv/x') == '/real/srv/x'
    assert ctx.real_path('/broken') == '/broken'
    assert fs.calls == ['/srv/x', '/broken']
