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
    site = {'paths': paths, 'server_name': 'shop.test', 'static': {'dir': str(root / 'static')}, 'media': {'dir': str(root / 'media')}}
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


def apache_dirs(tmp_path):
    logs, conf = tmp_path / 'log', tmp_path / 'apache2'
    (conf / 'sites-enabled').mkdir(parents=True)
    logs.mkdir()
    for name in ('modwsgi-shop.test-error.log', 'modwsgi-shop.test-access.log', 'modwsgi-blog.test-error.log', 'error.log'):
        (logs / name).write_text('Traceback ...\n')
    return logs, conf


def test_the_vhost_logs_of_a_failed_first_deploy_go_too(tmp_path):
    site, root = make(tmp_path)
    logs, conf = apache_dirs(tmp_path)
    (conf / 'sites-enabled' / 'modwsgi-blog.test.conf').write_text('ErrorLog ${APACHE_LOG_DIR}/modwsgi-blog.test-error.log\n')
    preview = U.discard(site, check_mode=True, log_dir=str(logs), conf_root=str(conf))
    assert str(logs / 'modwsgi-shop.test-error.log') in preview['removed'] and (logs / 'modwsgi-shop.test-error.log').exists()
    result = U.discard(site, log_dir=str(logs), conf_root=str(conf))
    assert sorted(os.listdir(str(logs))) == ['error.log', 'modwsgi-blog.test-error.log']  # Apache's own, another vhost's
    assert {str(logs / 'modwsgi-shop.test-error.log'), str(logs / 'modwsgi-shop.test-access.log')} <= set(result['removed'])


def test_logs_an_enabled_vhost_still_writes_are_kept(tmp_path):
    site, root = make(tmp_path)
    logs, conf = apache_dirs(tmp_path)
    # Another site of the same server name is live: Apache has these files open.
    (conf / 'sites-enabled' / 'modwsgi-shop.test.conf').write_text('    ErrorLog ${APACHE_LOG_DIR}/modwsgi-shop.test-error.log\n')
    result = U.discard(site, log_dir=str(logs), conf_root=str(conf))
    assert (logs / 'modwsgi-shop.test-error.log').exists() and (logs / 'modwsgi-shop.test-access.log').exists()
    assert str(logs / 'modwsgi-shop.test-error.log') in result['kept'] and not os.path.exists(str(root / 'conf'))


def test_without_log_dir_the_logs_stay(tmp_path):
    site, root = make(tmp_path)
    logs, dummy = apache_dirs(tmp_path)
    U.discard(site)
    assert (logs / 'modwsgi-shop.test-error.log').exists()
