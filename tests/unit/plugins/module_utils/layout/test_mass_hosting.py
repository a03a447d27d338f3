# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.django maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The mass_hosting option (_layout/mass_hosting.py)."""

from __future__ import annotations

import pytest

from ansible_collections.modwsgi.django.plugins.module_utils._layout.validation import validate
from ansible_collections.modwsgi.django.tests.unit.plugins.module_utils.layout.helpers import (
    assert_clean,
    assert_error,
    run,
    site,
)


# ---------------------------------------------------------------------------
# mass hosting
# ---------------------------------------------------------------------------

def test_schema_empty_sites_allowed_with_mass_hosting():
    result = validate([], check_filesystem=False, mass_hosting={'server_name': 'm.example.com', 'base_dir': '/srv/mass'})
    assert_clean(result)
    assert result.mass_hosting['daemon_group'] == 'modwsgi_mass'


def test_mass_hosting_normalized():
    result = run([site()], mass_hosting={'server_name': 'Sites.Example.com', 'base_dir': '/srv/mass',
                                         'daemon': {'processes': 2}, 'python_home': '/srv/mass-venv'})
    assert_clean(result)
    mass = result.mass_hosting
    assert mass['server_name'] == 'sites.example.com' and mass['daemon_group'] == 'modwsgi_mass'
    assert mass['daemon']['user'] == 'www-data' and mass['daemon']['processes'] == 2
    assert mass['application_group'] == '%{RESOURCE}'
    assert mass['script_pattern'] == '/srv/mass/*/apache/django.wsgi'


@pytest.mark.parametrize('mass,rule', [
    ('yes', 'schema'), ({'base_dir': '/srv/mass'}, 'schema'), ({'server_name': 'm.example.com'}, 'schema'),
    ({'server_name': 'm example', 'base_dir': '/srv/mass'}, 'server-name'),
    ({'server_name': 'm.example.com', 'base_dir': '/srv/../mass'}, 'path'),
    ({'server_name': 'm.example.com', 'base_dir': '/srv/mass', 'mode': 'embedded', 'daemon': {'threads': 2}}, 'embedded-user'),
    ({'server_name': 'm.example.com', 'base_dir': '/srv/mass', 'daemon': {'thread': 2}}, 'schema'),
    ({'server_name': 'm.example.com', 'base_dir': '/srv/mass', 'servername': 'x'}, 'schema'),
])
def test_mass_hosting_bad(mass, rule):
    assert_error(run([site()], mass_hosting=mass), rule)
