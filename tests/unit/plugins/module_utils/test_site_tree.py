# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""_site_tree: one owner for a site's on-disk names; its users agree with it."""

from __future__ import annotations

from ansible_collections.modwsgi.django.plugins.module_utils import _site_tree as T
from ansible_collections.modwsgi.django.plugins.module_utils import _prune, _release, _venv
from ansible_collections.modwsgi.django.plugins.module_utils._layout import schema


def test_paths_live_under_the_root_except_the_script_dir():
    paths = T.site_paths('/srv/django/shop', '/var/www/shop')
    names = {'release_marker', 'venv_link', 'partial_suffix'}
    for key, value in paths.items():
        if key in names:
            assert '/' not in value
        elif key in ('script_dir', 'script'):
            assert value.startswith('/var/www/shop')
        else:
            assert value == '/srv/django/shop' or value.startswith('/srv/django/shop/'), key
    assert paths['source_archive'].startswith(paths['cache'] + '/') and paths['git_clone'].startswith(paths['cache'] + '/')
    assert paths['boot'].startswith(paths['conf'] + '/') and paths['settings_module_file'].endswith('/_modwsgi_settings.py')
    assert len(set(v for k, v in paths.items() if k not in names)) == len(paths) - len(names)   # no two keys share a path


def test_private_subdirs_are_every_directory_of_the_root():
    paths = T.site_paths('/r', '/r/apache')
    top = {value[len('/r/'):] for key, value in paths.items() if value.startswith('/r/') and value.count('/') == 2}
    assert top - {'apache'} <= set(schema.PRIVATE_SUBDIRS) and 'apache' in schema.PRIVATE_SUBDIRS


def test_runtime_modules_use_the_tree_names():
    assert _venv.LINK == T.VENV_LINK and _venv.COMPLETE == T.VENV_COMPLETE
    assert _release.markers({'name': 's', 'migrate': False, 'collectstatic': False, 'check_deploy': False})[0] == T.RELEASE_MARKER
    assert _prune.PARTIAL_SUFFIX == T.PARTIAL_SUFFIX and tuple(_prune.LIVE_LINKS) == T.LIVE_LINKS
