# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.django maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The execution environment definition and its dependency files stay consistent."""

from __future__ import annotations

import os

import pytest
import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
EE_FILE = os.path.join(ROOT, 'meta', 'execution-environment.yml')


def read(*parts):
    with open(os.path.join(ROOT, *parts)) as handle:
        return handle.read()


def test_definition_is_version_3_with_collection_relative_dependency_files():
    with open(EE_FILE) as handle:
        ee = yaml.safe_load(handle)
    assert ee['version'] == 3
    deps = ee['dependencies']
    # Relative to the collection root when another EE installs this collection (ansible-builder's
    # introspection), relative to meta/ when this file is built directly.
    assert deps['python'] == 'requirements.txt'
    assert deps['system'] == 'bindep.txt'
    assert {'name': 'modwsgi.django', 'version': '>=0.1.0'} in deps['galaxy']['collections']


@pytest.mark.parametrize('name', ['requirements.txt', 'bindep.txt'])
def test_meta_copies_match_the_root_files(name):
    assert not os.path.islink(os.path.join(ROOT, 'meta', name)), 'ansible-builder would copy a dangling link'
    assert read('meta', name) == read(name), 'meta/%s must be a copy of %s' % (name, name)


def test_controller_packages_for_path_sources():
    packages = [line.split()[0] for line in read('bindep.txt').splitlines() if line.strip() and not line.startswith('#')]
    assert sorted(packages) == ['gzip', 'tar']
