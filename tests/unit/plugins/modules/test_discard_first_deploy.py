# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""discard_first_deploy module through main(), on a site tree laid out from a normalized site in tmp_path."""

from __future__ import annotations

import json
import os

import pytest

from ansible_collections.modwsgi.django.plugins.modules import discard_first_deploy
from ansible_collections.modwsgi.django.tests.unit.plugins.modules.site_harness import normalized
from ansible_collections.modwsgi.django.tests.unit.plugins.modules.utils import run_module

RELEASE = '0123456789ab'


def half_built(site):
    """What a first deploy that failed in its build leaves: every path the role writes before activation."""
    paths = site['paths']
    for directory in (paths['conf'], os.path.join(paths['releases'], RELEASE), os.path.join(paths['venvs'], 'f' * 16, 'bin'),
                      paths['cache'], paths['bin'], paths['script_dir'], paths['run'], paths['data'],
                      os.path.join(site['static']['dir'], 'admin'), site['media']['dir']):
        os.makedirs(directory, exist_ok=True)
    files = {paths['site_json']: json.dumps({'environ': {'DJANGO_SECRET_KEY': 'secret'}}), paths['boot']: '#', paths['manage']: '#!/bin/sh',
             paths['script']: '#', paths['source_archive']: 'tar', os.path.join(paths['releases'], RELEASE, 'manage.py'): '#',
             os.path.join(site['static']['dir'], 'admin', 'base.css'): 'css'}
    for path, text in files.items():
        with open(path, 'w') as handle:
            handle.write(text)
    for color in ('blue', 'green'):
        os.symlink(os.path.join(paths['releases'], RELEASE), paths[color])


def run(capsys, site, **extra):
    return run_module(discard_first_deploy.main, capsys, dict({'site': site}, **extra))


def test_everything_written_goes_and_the_root_with_it(capsys, tmp_path):
    site = normalized(tmp_path / 'shop')
    half_built(site)
    code, result = run(capsys, site)
    assert code == 0 and result['changed'] is True and result['skipped'] is None and result['kept'] == []
    paths = site['paths']
    for path in (paths['conf'], paths['releases'], paths['venvs'], paths['cache'], paths['manage'], paths['script'],
                 paths['blue'], paths['green'], paths['run'], site['static']['dir'], paths['root']):
        assert path in result['removed']
    assert not os.path.exists(paths['root'])


def test_data_and_uploads_are_kept_and_listed(capsys, tmp_path):
    site = normalized(tmp_path / 'shop')
    half_built(site)
    database = os.path.join(site['paths']['data'], 'db.sqlite3')
    upload = os.path.join(site['media']['dir'], 'avatar.png')
    for path in (database, upload):
        with open(path, 'w') as handle:
            handle.write('precious')
    code, result = run(capsys, site)
    assert code == 0 and result['changed'] is True
    assert sorted(result['kept']) == sorted([site['paths']['data'], site['media']['dir'], site['paths']['root']])
    assert open(database).read() == 'precious' and open(upload).read() == 'precious'
    assert not os.path.exists(site['paths']['site_json']) and not os.path.lexists(site['paths']['blue'])
    # a second run finds nothing of its own left
    code, again = run(capsys, site)
    assert code == 0 and again['changed'] is False and again['removed'] == [] and os.path.exists(database)


def test_check_mode_lists_what_would_go_and_removes_nothing(capsys, tmp_path):
    site = normalized(tmp_path / 'shop')
    half_built(site)
    code, result = run(capsys, site, _ansible_check_mode=True)
    assert code == 0 and result['changed'] is True
    assert site['paths']['site_json'] not in result['removed'] and site['paths']['conf'] in result['removed']
    assert os.path.exists(site['paths']['site_json']) and os.path.islink(site['paths']['green'])


def test_a_site_that_was_live_is_never_touched(capsys, tmp_path):
    site = normalized(tmp_path / 'shop')
    half_built(site)
    os.symlink(os.path.join(site['paths']['releases'], RELEASE), site['paths']['current'])
    code, result = run(capsys, site)
    assert code == 0 and result['changed'] is False and result['removed'] == []
    assert result['skipped'] == 'the site has a live release (%s)' % site['paths']['current']
    assert os.path.exists(site['paths']['site_json'])


def test_a_site_nothing_was_written_for(capsys, tmp_path):
    site = normalized(tmp_path / 'shop')
    code, result = run(capsys, site)
    assert code == 0 and result['changed'] is False and result['skipped'].startswith('nothing was written')


def test_a_static_directory_outside_the_root_is_not_the_sites_to_remove(capsys, tmp_path):
    shared = tmp_path / 'public' / 'static'
    site = normalized(tmp_path / 'shop', static={'url': '/static/', 'dir': str(shared)})
    half_built(site)
    code, result = run(capsys, site)
    assert code == 0 and str(shared) not in result['removed'] and str(shared) in result['kept']
    assert (shared / 'admin' / 'base.css').read_text() == 'css' and not os.path.exists(site['paths']['conf'])


@pytest.mark.parametrize('site', [{'name': 'shop'}, {'name': 'shop', 'paths': {'root': '/srv/django/shop'}}])
def test_a_site_that_is_not_normalized_is_refused(capsys, site):
    code, result = run(capsys, site)
    assert code == 1 and 'discard_first_deploy: site must be a normalized site of validate_sites' in result['msg']


def test_site_is_required(capsys):
    code, result = run_module(discard_first_deploy.main, capsys, {})
    assert code == 1 and 'missing required arguments: site' in result['msg']
