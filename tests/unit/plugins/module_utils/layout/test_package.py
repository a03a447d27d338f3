# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.django maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The _layout package keeps the names callers imported from the single-file _layout."""

from __future__ import annotations

import importlib

import pytest

from ansible_collections.modwsgi.django.plugins.module_utils import _layout

PACKAGE = 'ansible_collections.modwsgi.django.plugins.module_utils._layout'

# name -> the submodule that defines it
REEXPORTED = {
    'validate': 'validation', 'Result': 'findings', 'Finding': 'findings', 'mask_secrets': 'findings',
    'SECRET_MASK': 'findings', 'FileSystem': 'filesystem', 'PYTHON_VERSION_CODE': 'filesystem', 'RULES': 'rules',
    'ERROR': 'rules', 'WARNING': 'rules', 'SITE_SCHEMA': 'schema', 'DAEMON_DEFAULTS': 'schema', 'show': 'text',
    'type_name': 'text', 'as_bool': 'text', 'as_int': 'text', 'under': 'text', 'ancestors': 'text',
    'ascii_url_suggestion': 'text', 'manage_step_marker': 'site_input', 'daemon_groups': 'runtime',
}


@pytest.mark.parametrize('name', sorted(REEXPORTED))
def test_package_reexports(name):
    module = importlib.import_module('%s.%s' % (PACKAGE, REEXPORTED[name]))
    assert getattr(_layout, name) is getattr(module, name)
    assert name in _layout.__all__


def test_all_is_exactly_the_reexports():
    assert sorted(_layout.__all__) == sorted(REEXPORTED)


def test_package_validates():
    result = _layout.validate([{'name': 'shop', 'server_name': 'shop.example.com', 'project': 'shop',
                                'source': {'type': 'git', 'repo': 'https://git.example.com/shop.git'}}],
                              check_filesystem=False)
    assert not result.failed and result.sites[0]['name'] == 'shop'
