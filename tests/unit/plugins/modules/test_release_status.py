# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""release_status module: built / live / needs activation, on fake site roots in tmp_path, through main()."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import pytest

from ansible_collections.modwsgi.django.plugins.module_utils._layout import validate
from ansible_collections.modwsgi.django.plugins.modules import release_status
from ansible_collections.modwsgi.django.tests.unit.plugins.modules.utils import run_module

RELEASE = '0123456789abcdef0123456789abcdef01234567'  # a SHA-1 as pack_sources returns it
REQUIREMENTS = b'Django>=5.2,<5.3\n'
STEP = '.modwsgi-step-' + hashlib.sha256(b'compilemessages').hexdigest()[:12]
MARKERS = ['.modwsgi-release', '.modwsgi-migrated', '.modwsgi-collected', STEP, '.modwsgi-checked']


def normalized(tmp_path, name='shop', **extra):
    """One site as validate_sites normalizes it, rooted in tmp_path and run by this interpreter."""
    raw = {'name': name, 'server_name': '%s.example.com' % name, 'project': name, 'root': str(tmp_path / name),
           'python': sys.executable, 'source': {'type': 'path', 'path': '/src/%s' % name},
           'manage_steps': ['compilemessages']}
    raw.update(extra)
    result = validate([raw], check_filesystem=False)
    assert not result.errors, result.errors
    return result.sites[0]


def version_line():
    return subprocess.run([sys.executable, '-c', 'import sys; print(sys.version)'], capture_output=True, check=True).stdout


def venv_dir(site, extra=b''):
    """Where the role puts the release's virtualenv: sha256(requirements + pip args + interpreter version)[:16]."""
    return os.path.join(site['paths']['venvs'], hashlib.sha256(REQUIREMENTS + extra + version_line()).hexdigest()[:16])


def build(site, release=RELEASE, skip=(), link_names=('blue', 'green', 'current')):
    """What release.yml leaves behind for ``release``, minus whatever ``skip`` names."""
    rel = os.path.join(site['paths']['releases'], release[:12])
    os.makedirs(rel)
    with open(os.path.join(rel, 'requirements.txt'), 'wb') as handle:
        handle.write(REQUIREMENTS)
    for marker in MARKERS:
        if marker not in skip:
            open(os.path.join(rel, marker), 'w').close()
    venv = venv_dir(site)
    os.makedirs(venv, exist_ok=True)
    if 'complete' not in skip:
        open(os.path.join(venv, '.modwsgi-complete'), 'w').close()
    if 'venv-link' not in skip:
        os.symlink(venv, os.path.join(rel, '.modwsgi-venv'))
    for name in link_names:
        if name not in skip:
            path = os.path.join(site['paths']['root'], name)
            if os.path.lexists(path):
                os.unlink(path)
            os.symlink(rel, path)
    return rel


def status(capsys, tmp_path, sites, release_ids, colors=None, **extra):
    map_path = tmp_path / 'modwsgi-colors.map'
    if colors is not None:
        map_path.write_text('# Managed by modwsgi.django\n' + ''.join('%s %s\n' % item for item in sorted(colors.items())))
    args = {'sites': sites, 'release_ids': release_ids, 'map_path': str(map_path)}
    args.update(extra)
    code, result = run_module(release_status.main, capsys, args)
    assert code == 0 and result['changed'] is False, result
    return result


def test_complete_live_bluegreen_site_needs_nothing(capsys, tmp_path):
    site = normalized(tmp_path)
    rel = build(site)
    result = status(capsys, tmp_path, [site], {'shop': RELEASE}, {'shop': 'green'})
    assert result['sites'] == {'shop': {'built': True, 'live': True, 'why': 'live', 'release_dir': rel}}
    assert result['releases'] == {'shop': rel}
    assert result['build'] == [] and result['activate'] == []


def test_twelve_digit_release_id_names_the_same_directory(capsys, tmp_path):
    site = normalized(tmp_path)
    rel = build(site)
    result = status(capsys, tmp_path, [site], {'shop': RELEASE[:12]}, {'shop': 'blue'})
    assert result['releases'] == {'shop': rel} and result['sites']['shop']['live'] is True


@pytest.mark.parametrize('missing', MARKERS)
def test_each_missing_step_marker_means_not_built(capsys, tmp_path, missing):
    site = normalized(tmp_path)
    build(site, skip=(missing,))
    result = status(capsys, tmp_path, [site], {'shop': RELEASE}, {'shop': 'blue'})
    assert result['sites']['shop']['built'] is False and result['sites']['shop']['live'] is False
    assert result['sites']['shop']['why'] == 'release %s has no %s' % (RELEASE[:12], missing)
    assert result['build'] == ['shop'] and result['activate'] == ['shop']


def test_markers_of_steps_the_site_does_not_run_are_not_needed(capsys, tmp_path):
    site = normalized(tmp_path, migrate=False, collectstatic=False, check_deploy=False, manage_steps=[])
    build(site, skip=MARKERS[1:])
    result = status(capsys, tmp_path, [site], {'shop': RELEASE}, {'shop': 'blue'})
    assert result['sites']['shop']['built'] is True and result['build'] == []


def test_a_changed_extra_step_needs_a_new_build(capsys, tmp_path):
    site = normalized(tmp_path, manage_steps=['compress --force'])
    build(site)
    result = status(capsys, tmp_path, [site], {'shop': RELEASE}, {'shop': 'blue'})
    assert result['build'] == ['shop'] and '.modwsgi-step-' in result['sites']['shop']['why']


@pytest.mark.parametrize('missing, why', [
    ('venv-link', 'release is not linked to virtualenv %s'),
    ('complete', 'virtualenv %s is not complete'),
])
def test_virtualenv_missing_or_unsealed_means_not_built(capsys, tmp_path, missing, why):
    site = normalized(tmp_path)
    build(site, skip=(missing,))
    result = status(capsys, tmp_path, [site], {'shop': RELEASE}, {'shop': 'blue'})
    assert result['sites']['shop']['why'] == why % os.path.basename(venv_dir(site))
    assert result['build'] == ['shop'] and result['activate'] == ['shop']


def test_release_linked_to_another_virtualenv_is_not_built(capsys, tmp_path):
    site = normalized(tmp_path)
    rel = build(site, skip=('venv-link',))
    other = os.path.join(site['paths']['venvs'], 'f' * 16)
    os.makedirs(other)
    open(os.path.join(other, '.modwsgi-complete'), 'w').close()
    os.symlink(other, os.path.join(rel, '.modwsgi-venv'))
    result = status(capsys, tmp_path, [site], {'shop': RELEASE}, {'shop': 'blue'})
    assert result['sites']['shop']['why'] == 'release is not linked to virtualenv %s' % os.path.basename(venv_dir(site))


def test_pip_extra_args_are_part_of_the_virtualenv_name(capsys, tmp_path):
    site = normalized(tmp_path)
    build(site)
    result = status(capsys, tmp_path, [site], {'shop': RELEASE}, {'shop': 'blue'}, pip_extra_args='--no-binary :all:')
    assert result['build'] == ['shop'] and result['sites']['shop']['why'].startswith('release is not linked to virtualenv')


def test_missing_requirements_file_is_not_built(capsys, tmp_path):
    site = normalized(tmp_path)
    rel = build(site)
    os.unlink(os.path.join(rel, 'requirements.txt'))
    result = status(capsys, tmp_path, [site], {'shop': RELEASE}, {'shop': 'blue'})
    assert result['build'] == ['shop'] and result['sites']['shop']['why'].startswith('requirements: ')


def test_broken_interpreter_is_not_built(capsys, tmp_path):
    site = normalized(tmp_path)
    build(site)
    site['python'] = str(tmp_path / 'no-python')
    result = status(capsys, tmp_path, [site], {'shop': RELEASE}, {'shop': 'blue'})
    assert result['sites']['shop']['why'] == 'interpreter %s does not run' % site['python']


@pytest.mark.parametrize('missing', ['blue', 'green', 'current'])
def test_each_missing_link_of_a_bluegreen_site_means_not_built(capsys, tmp_path, missing):
    site = normalized(tmp_path)
    build(site, skip=(missing,))
    result = status(capsys, tmp_path, [site], {'shop': RELEASE}, {'shop': 'blue'})
    assert result['sites']['shop']['why'] == 'no %s link' % missing and result['build'] == ['shop']


@pytest.mark.parametrize('colors', [{'shop': 'blue'}, {'shop': 'green'}])
def test_built_but_the_live_color_serves_another_release_needs_activation(capsys, tmp_path, colors):
    site = normalized(tmp_path)
    old = build(site, release='a' * 40)
    new = build(site, link_names=('blue',))  # the idle color got the new release, the live one still serves the old
    live_color = colors['shop']
    os.unlink(os.path.join(site['paths']['root'], 'current'))
    os.symlink(old if live_color == 'green' else new, os.path.join(site['paths']['root'], 'current'))
    os.unlink(os.path.join(site['paths']['root'], 'green'))
    os.symlink(old, os.path.join(site['paths']['root'], 'green'))
    result = status(capsys, tmp_path, [site], {'shop': RELEASE}, colors)
    want_live = live_color == 'blue'
    assert result['sites']['shop'] == {'built': True, 'live': want_live, 'why': 'live' if want_live else 'built, not live',
                                       'release_dir': new}
    assert result['build'] == [] and result['activate'] == ([] if want_live else ['shop'])


def test_current_elsewhere_is_not_live(capsys, tmp_path):
    site = normalized(tmp_path)
    old = build(site, release='b' * 40, link_names=())
    build(site, link_names=('blue', 'green'))
    os.symlink(old, os.path.join(site['paths']['root'], 'current'))
    result = status(capsys, tmp_path, [site], {'shop': RELEASE}, {'shop': 'blue'})
    assert result['sites']['shop']['why'] == 'built, not live' and result['activate'] == ['shop']


@pytest.mark.parametrize('colors', [None, {'blog': 'blue'}])
def test_site_missing_from_the_colors_map_is_not_live(capsys, tmp_path, colors):
    site = normalized(tmp_path)
    build(site)
    result = status(capsys, tmp_path, [site], {'shop': RELEASE}, colors)
    assert result['sites']['shop']['built'] is True and result['sites']['shop']['live'] is False
    assert result['build'] == [] and result['activate'] == ['shop']


@pytest.mark.parametrize('extra', [{'deploy': 'restart'}, {'mode': 'embedded', 'daemon': None}])
def test_restart_and_embedded_sites_need_only_current(capsys, tmp_path, extra):
    extra = dict((k, v) for k, v in extra.items() if v is not None)
    site = normalized(tmp_path, **extra)
    rel = build(site, link_names=('current',))
    result = status(capsys, tmp_path, [site], {'shop': RELEASE})  # no colors map at all
    assert result['sites']['shop'] == {'built': True, 'live': True, 'why': 'live', 'release_dir': rel}
    os.unlink(os.path.join(site['paths']['root'], 'current'))
    result = status(capsys, tmp_path, [site], {'shop': RELEASE})
    assert result['sites']['shop']['why'] == 'no current link' and result['build'] == ['shop']


def test_site_without_release_id_is_built_on_the_target(capsys, tmp_path):
    site = normalized(tmp_path, source={'type': 'git', 'repo': 'https://git.example.com/shop.git'})
    build(site)
    result = status(capsys, tmp_path, [site], {}, {'shop': 'blue'})
    assert result['sites']['shop'] == {'built': False, 'live': False, 'release_dir': None,
                                       'why': 'release id known only on the target (source fetched there)'}
    assert result['releases'] == {} and result['build'] == ['shop'] and result['activate'] == ['shop']


def test_many_sites_are_reported_in_site_order(capsys, tmp_path):
    shop, blog, wiki = normalized(tmp_path, 'shop'), normalized(tmp_path, 'blog'), normalized(tmp_path, 'wiki')
    build(shop)
    build(blog, skip=('.modwsgi-checked',))
    build(wiki)
    result = status(capsys, tmp_path, [wiki, shop, blog], {'shop': RELEASE, 'blog': RELEASE, 'wiki': RELEASE},
                    {'shop': 'blue', 'blog': 'blue'})
    assert result['build'] == ['blog']
    assert result['activate'] == ['wiki', 'blog']
    assert list(result['sites']) == ['wiki', 'shop', 'blog']


def tree(top):
    """Every path below ``top`` with what it is: link target, file bytes or 'dir'."""
    found = {}
    for parent, dirs, files in os.walk(top):
        for name in dirs + files:
            path = os.path.join(parent, name)
            if os.path.islink(path):
                found[path] = os.readlink(path)
            elif os.path.isdir(path):
                found[path] = 'dir'
            else:
                with open(path, 'rb') as handle:
                    found[path] = handle.read()
    return found


@pytest.mark.parametrize('check_mode', [False, True])
def test_read_only(capsys, tmp_path, check_mode):
    site = normalized(tmp_path)
    build(site, skip=('complete',))
    (tmp_path / 'modwsgi-colors.map').write_text('shop green\n')
    before = tree(str(tmp_path))
    code, result = run_module(release_status.main, capsys, {'sites': [site], 'release_ids': {'shop': RELEASE},
                                                            'map_path': str(tmp_path / 'modwsgi-colors.map'),
                                                            '_ansible_check_mode': check_mode})
    assert code == 0 and result['changed'] is False and result['build'] == ['shop']
    assert tree(str(tmp_path)) == before


@pytest.mark.parametrize('sites', [[{'name': 'shop'}], [{'paths': {}}], [{'name': 'shop', 'paths': {'root': '/srv/x'}}]])
def test_sites_that_are_not_normalized_fail(capsys, tmp_path, sites):
    code, result = run_module(release_status.main, capsys, {'sites': sites, 'release_ids': {'shop': RELEASE},
                                                            'map_path': str(tmp_path / 'map')})
    assert code == 1 and result['msg'].startswith('release_status: sites must be the normalized sites of validate_sites')
