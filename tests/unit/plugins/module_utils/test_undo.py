# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""discard_first_deploy engine: a failed first deploy leaves nothing but data that was there."""

from __future__ import annotations

import os

from ansible_collections.modwsgi.django.plugins.module_utils import _undo as U
from ansible_collections.modwsgi.django.plugins.module_utils._site_tree import site_paths


def make(tmp_path):
    root = tmp_path / 'shop'
    paths = site_paths(str(root), str(root / 'apache'))
    for d in ('conf', 'releases/abc', 'venvs/123/bin', 'cache', 'bin', 'apache', 'run', 'data', 'static/admin', 'media'):
        (root / d).mkdir(parents=True)
    for f in ('conf/site.json', 'releases/abc/settings.py', 'bin/manage', 'apache/django.wsgi', 'cache/source.tar.gz',
              'static/admin/x.css'):
        (root / f).write_text('x')
    os.symlink(str(root / 'releases' / 'abc'), str(root / 'blue'))
    site = {'paths': paths, 'static': {'dir': str(root / 'static')}, 'media': {'dir': str(root / 'media')}}
    return site, root


def test_everything_written_goes(tmp_path):
    site, root = make(tmp_path)
    assert U.discard(site, check_mode=True)['changed'] and os.path.exists(str(root / 'conf' / 'site.json'))
    result = U.discard(site)
    assert result['changed'] and not os.path.exists(str(root)) and result['kept'] == []
    assert str(root / 'conf') in result['removed']


def test_data_with_content_is_kept(tmp_path):
    site, root = make(tmp_path)
    (root / 'data' / 'db.sqlite3').write_text('precious')
    result = U.discard(site)
    assert (root / 'data' / 'db.sqlite3').read_text() == 'precious'
    assert sorted(result['kept']) == [str(root), str(root / 'data')]
    assert not os.path.exists(str(root / 'conf')) and not os.path.exists(str(root / 'releases'))


def test_a_site_that_was_live_is_never_touched(tmp_path):
    site, root = make(tmp_path)
    os.symlink(str(root / 'releases' / 'abc'), str(root / 'current'))
    result = U.discard(site)
    assert not result['changed'] and 'live release' in result['skipped']
    assert os.path.exists(str(root / 'conf' / 'site.json'))


def test_nothing_written(tmp_path):
    site, root = make(tmp_path)
    site['paths'] = dict(site['paths'], root=str(tmp_path / 'none'), current=str(tmp_path / 'none' / 'current'))
    assert U.discard(site)['skipped'].startswith('nothing was written')
