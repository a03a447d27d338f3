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


# --- the execution environment built here (execution-environment.yml, scripts/ee.sh) ----------------

ROOT_EE = os.path.join(ROOT, 'execution-environment.yml')


def test_local_ee_builds_from_local_images_and_packages_only():
    with open(ROOT_EE) as handle:
        ee = yaml.safe_load(handle)
    assert ee['version'] == 3
    base = ee['images']['base_image']['name']
    # A local tag (scripts/build-images.sh), no registry host in front of it.
    assert base == 'modwsgi-django-base:bookworm' and '/' not in base
    assert base in read('scripts', 'build-images.sh').replace('$dist', 'bookworm')
    # The collection from a local tarball that scripts/ee.sh puts where additional_build_files takes it from.
    [collection] = ee['dependencies']['galaxy']['collections']
    assert collection['type'] == 'file' and collection['name'] == '/build/collections/modwsgi-django.tar.gz'
    [files] = ee['additional_build_files']
    assert files == {'src': '.cache/ee/collections', 'dest': 'collections'}
    assert 'COPY _build/collections/ /build/collections/' in ee['additional_build_steps']['prepend_galaxy']
    assert '"$work/collections/modwsgi-django.tar.gz"' in read('scripts', 'ee.sh') and 'work=$here/.cache/ee' in read('scripts', 'ee.sh')
    # Debian: apt-get, and pip from Debian's python3-pip.
    assert ee['options']['package_manager_path'] == '/usr/bin/apt-get' and ee['options']['skip_pip_install'] is True
    assert any('python3-pip' in step for step in ee['additional_build_steps']['prepend_base'])
    assert ee['options']['tags'] == ['modwsgi-django-ee:local'] and 'image=modwsgi-django-ee:local' in read('scripts', 'ee.sh')


def test_ee_stage_is_part_of_the_test_run():
    script = read('scripts', 'test.sh')
    assert 'all_stages=(lint sanity unit docs ee molecule)' in script and 'scripts/ee.sh test' in script
