# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.django maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Path rules (_layout/site_paths.py): sys-path, paths, roots, script-dir, exposed, the real filesystem."""

from __future__ import annotations

import os

import pytest

from ansible_collections.modwsgi.django.plugins.module_utils._layout.validation import validate
from ansible_collections.modwsgi.django.tests.unit.plugins.module_utils.layout.helpers import (
    assert_clean,
    assert_error,
    assert_warning,
    find,
    fsrun,
    run,
    site,
)


# ---------------------------------------------------------------------------
# sys-path
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('project', ['my-site', '1site', 'class', 'django', 'test', 'site', 'os', 'json', 'email', 'code',
                                     'mod_wsgi', '_modwsgi_settings', 'caf\u00e9'])
def test_sys_path_project(project):
    assert_error(run([site(project=project, settings=None)]), 'sys-path', 'project')


def test_sys_path_root_relative():
    assert_error(run([site(root='srv/django/shop')]), 'sys-path', 'root')


def test_sys_path_legacy_relative_imports_warns_and_adds_project_dir():
    result = run([site(legacy_relative_imports=True)])
    assert_clean(result)
    assert_warning(result, 'sys-path', 'legacy_relative_imports')
    assert result.sites[0]['python_path_extra'] == ['/srv/django/shop/conf', '/srv/django/shop/current/shop']


def test_sys_path_ok():
    result = run([site(project='shop_site', root='/opt/sites/shop')])
    assert_clean(result)
    assert_clean(result, 'sys-path')
    assert result.sites[0]['python_path_extra'] == ['/opt/sites/shop/conf']


# ---------------------------------------------------------------------------
# path
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('field,value', [
    ('root', '/srv/django/../etc'), ('root', '/srv/django/shop/'), ('root', '/srv//shop'), ('root', '/srv/shop app'),
    ('root', '/'), ('root', '/etc'), ('root', '/srv/x$y'), ('root', '/srv/' + 'a' * 300), ('python', 'python3'),
    ('script_dir', 'apache'), ('script_dir', '/srv/a;b'), ('requirements', '/srv/req.txt'), ('requirements', '../req.txt'),
    ('requirements', ''), ('health_path', 'healthz'), ('health_path', '/a b'), ('health_path', '/../x'),
])
def test_path_bad(field, value):
    assert_error(run([site(**{field: value})]), 'path', field)


def test_path_fix_suggests_normalized_path():
    finding = assert_error(run([site(root='/srv/django/shop/')]), 'path', 'root')
    assert "use '/srv/django/shop'" in finding.fix


def test_path_dotdot_never_resolved_in_fix():
    finding = assert_error(run([site(root='/srv/django/../../etc')]), 'path', 'root')
    assert '/etc' not in finding.fix


def test_path_roots_unique_and_not_nested():
    result = run([site('a', root='/srv/x'), site('b', root='/srv/x')])
    assert_error(result, 'path', 'root', 'b')
    result = run([site('a', root='/srv/x'), site('b', root='/srv/x/b')])
    assert_error(result, 'path', 'root', 'b')


# ---------------------------------------------------------------------------
# script-dir / script-name / settings-in-script-dir (on paper)
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('script_dir', [
    '/srv/django/shop', '/srv/django/shop/current/apache', '/srv/django/shop/releases/1/apache', '/srv/django/shop/blue',
    '/srv/django/shop/conf/apache', '/srv/django/shop/venvs/x', '/srv/django', '/srv/django/other/apache',
])
def test_script_dir_bad_places(script_dir):
    result = run([site(script_dir=script_dir), site('other')])
    assert_error(result, 'script-dir', 'script_dir')


def test_script_dir_shared():
    result = run([site('a', script_dir='/srv/wsgi/x'), site('b', script_dir='/srv/wsgi/x')])
    assert_error(result, 'script-dir', 'script_dir', 'b')


def test_script_dir_custom_ok():
    result = run([site(script_dir='/srv/wsgi/shop')])
    assert_clean(result)
    assert result.sites[0]['paths']['script'] == '/srv/wsgi/shop/django.wsgi'


@pytest.mark.parametrize('script_dir', ['/srv/django/shop/conf', '/srv/django/shop/current/shop', '/srv/django/shop/releases/20240101/shop'])
def test_settings_in_script_dir_on_paper(script_dir):
    assert_error(run([site(script_dir=script_dir)]), 'settings-in-script-dir', 'script_dir')


# ---------------------------------------------------------------------------
# filesystem: script dir contents, django.py, exposure through symlinks
# ---------------------------------------------------------------------------

def test_fs_clean_tree_passes(tree):
    assert_clean(fsrun(tree))


@pytest.mark.parametrize('entry,rule', [
    ('django.py', 'script-name'), ('helpers.py', 'script-name'), ('settings.py', 'settings-in-script-dir'),
    ('local_settings.py', 'settings-in-script-dir'), ('settings_prod.pyc', 'settings-in-script-dir'),
    ('README', 'script-dir'), ('.env', 'script-dir'),
])
def test_fs_script_dir_contents(tree, entry, rule):
    with open(os.path.join(tree['root'], 'apache', entry), 'w') as handle:
        handle.write('x')
    finding = assert_error(fsrun(tree), rule, 'script_dir')
    assert entry in finding.message


def test_fs_script_dir_subdirectory(tree):
    os.mkdir(os.path.join(tree['root'], 'apache', '__pycache__'))
    assert_error(fsrun(tree), 'script-dir', 'script_dir')


def test_fs_django_py_on_sys_path(tree):
    with open(os.path.join(tree['root'], 'current', 'django.py'), 'w') as handle:
        handle.write('x')
    assert_error(fsrun(tree), 'script-name', 'root')


def test_fs_checks_skipped_on_paper(tree):
    with open(os.path.join(tree['root'], 'apache', 'django.py'), 'w') as handle:
        handle.write('x')
    assert_clean(validate([site()], check_filesystem=False, base_dir=tree['base'], document_roots=[tree['www']]))


def test_fs_symlink_in_document_root_to_site_root(tree):
    os.symlink(tree['root'], os.path.join(tree['www'], 'code'))
    finding = assert_error(fsrun(tree), 'exposed', 'root')
    assert 'symlink' in finding.message


def test_fs_symlink_in_document_root_into_code(tree):
    os.symlink(os.path.join(tree['root'], 'current'), os.path.join(tree['www'], 'code'))
    assert_error(fsrun(tree), 'exposed')


def test_fs_symlink_to_parent_of_root(tree):
    os.symlink(tree['base'], os.path.join(tree['www'], 'all'))
    assert_error(fsrun(tree), 'exposed')


def test_fs_symlink_to_public_static_is_fine(tree):
    os.symlink(os.path.join(tree['root'], 'static'), os.path.join(tree['www'], 'static'))
    assert_clean(fsrun(tree))


def test_fs_root_is_a_symlink_into_document_root(tree):
    real = os.path.join(tree['www'], 'shop')
    os.mkdir(real)
    link = os.path.join(tree['base'], 'linked')
    os.symlink(real, link)
    finding = assert_error(fsrun(tree, [site('linked', project='shop')]), 'exposed', 'root')
    assert 'really' in finding.message


def test_fs_document_root_is_a_symlink(tree):
    link = str(tree['tmp'] / 'wwwlink')
    os.symlink(tree['base'], link)
    assert_error(fsrun(tree, document_roots=[link]), 'exposed', 'root')


def test_fs_missing_paths_judged_on_paper(tree):
    result = fsrun(tree, [site('ghost')], document_roots=[str(tree['tmp'] / 'nope')])
    assert_clean(result)


# ---------------------------------------------------------------------------
# exposed (on paper)
# ---------------------------------------------------------------------------

def test_exposed_root_under_document_root():
    finding = assert_error(run([site(root='/var/www/html/shop')]), 'exposed', 'root')
    assert 'document root /var/www/html' in finding.message
    # one finding for the root, not one per sub directory
    assert len(find(run([site(root='/var/www/html/shop')]), 'exposed')) == 1


def test_exposed_script_dir_under_document_root():
    assert_error(run([site(script_dir='/var/www/html/wsgi')]), 'exposed', 'script_dir')


def test_exposed_static_dir_containing_root():
    assert_error(run([site(static={'dir': '/srv/django/shop'})]), 'exposed', 'root')
    assert_error(run([site(static={'dir': '/srv/django'})]), 'exposed', 'root')


def test_exposed_other_sites_media_dir():
    result = run([site('a', media={'dir': '/srv/django/b/releases'}), site('b')])
    assert_error(result, 'exposed', 'paths.releases', 'b')


@pytest.mark.parametrize('sub', ['releases', 'releases/abc/static', 'venvs', 'conf', 'data', 'run', 'cache', 'bin',
                                 'apache', 'blue', 'green', 'current', 'current/static'])
@pytest.mark.parametrize('key', ['static', 'media'])
def test_exposed_public_dir_in_private_part_of_own_root(key, sub):
    finding = assert_error(run([site(**{key: {'dir': '/srv/django/shop/' + sub}})]), 'exposed', key + '.dir', 'shop')
    assert '/srv/django/shop/' + sub.split('/')[0] in finding.message
    assert 'default' in finding.fix


@pytest.mark.parametrize('key', ['static', 'media'])
def test_exposed_public_dir_in_another_sites_root(key):
    result = run([site('a', **{key: {'dir': '/srv/django/b/public'}}), site('b')])
    finding = assert_error(result, 'exposed', key + '.dir', 'a')
    assert "site 'b'" in finding.message
    # b's own public dirs anywhere in its root (other than the private parts) are fine
    assert_clean(run([site('a'), site('b', static={'dir': '/srv/django/b/public/static'})]))


@pytest.mark.parametrize('directory, tree', [
    ('/etc/ssl/private', '/etc'), ('/etc/apache2', '/etc'), ('/root/.ssh', '/root'), ('/var/log/apache2', '/var/log'),
    ('/proc/self', '/proc'), ('/usr/lib/python3', '/usr/lib'), ('/boot/grub', '/boot'), ('/run/secrets', '/run'),
    ('/var/backups/shop', '/var/backups'),
])
@pytest.mark.parametrize('key', ['static', 'media'])
def test_exposed_public_dir_in_a_system_tree(key, directory, tree):
    finding = assert_error(run([site(**{key: {'dir': directory}})]), 'exposed', key + '.dir', 'shop')
    assert ('%s is under %s, which holds' % (directory, tree)) in finding.message
    assert '/srv/django/shop/%s' % key in finding.fix


@pytest.mark.parametrize('directory', ['/srv/shop/.git/static', '/home/deploy/.ssh', '/srv/shop/.env'])
def test_exposed_public_dir_in_a_hidden_directory(directory):
    finding = assert_error(run([site(media={'dir': directory})]), 'exposed', 'media.dir', 'shop')
    assert 'hidden directory' in finding.message


def test_exposed_system_directory_itself_is_a_path_error_with_a_real_fix():
    finding = assert_error(run([site(static={'dir': '/etc'})]), 'path', 'static.dir', 'shop')
    assert "'/srv/django/shop/static'" in finding.fix and not find(run([site(static={'dir': '/etc'})]), 'exposed')


def test_fs_exposed_public_dir_symlinked_into_a_system_tree(tree):
    link = os.path.join(tree['root'], 'static-link')
    os.symlink('/etc', link)
    finding = assert_error(fsrun(tree, [site(root=tree['root'], static={'dir': link})]), 'exposed', 'static.dir')
    assert '(really /etc) is under /etc' in finding.message


def test_exposed_public_dir_beside_private_names_is_fine():
    assert_clean(run([site(static={'dir': '/srv/django/shop/static-files'}, media={'dir': '/srv/django/shop/databank'})]))
    assert_clean(run([site(static={'dir': '/var/lib/shop/static'})]))
    assert_clean(run([site(static={'dir': '/usr/share/shop/static'}, media={'dir': '/var/cache/shop/media'})]))


def test_fs_exposed_public_dir_symlinked_into_releases(tree):
    link = os.path.join(tree['root'], 'pub')
    os.symlink(os.path.join(tree['root'], 'current'), link)
    finding = assert_error(fsrun(tree, [site(static={'dir': link})]), 'exposed', 'static.dir')
    assert 'really' in finding.message


def test_exposed_document_root_inside_site_root():
    assert_error(run([site()], document_roots=['/srv/django/shop/htdocs']), 'exposed', 'root')
    assert_clean(run([site()], document_roots=['/srv/django/shop/static']))


def test_exposed_custom_document_roots():
    assert_error(run([site()], document_roots=['/srv']), 'exposed', 'root')
    assert_clean(run([site(root='/var/www/html/shop')], document_roots=['/var/www/public']))


def test_exposed_mass_hosting():
    result = run([site()], mass_hosting={'server_name': 'm.example.com', 'base_dir': '/var/www/html/mass'})
    assert_error(result, 'exposed', 'mass_hosting.base_dir')
    result = run([site()], mass_hosting={'server_name': 'm.example.com', 'base_dir': '/srv/django'})
    assert_error(result, 'exposed', 'root', 'shop')
    assert_clean(run([site()], mass_hosting={'server_name': 'm.example.com', 'base_dir': '/srv/mass'}))
