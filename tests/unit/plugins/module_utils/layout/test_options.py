# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.django maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The module options (_layout/options.py)."""

from __future__ import annotations

import pytest

from ansible_collections.modwsgi.django.plugins.module_utils._layout.validation import validate
from ansible_collections.modwsgi.django.tests.unit.plugins.module_utils.layout.helpers import assert_error, run, site


# ---------------------------------------------------------------------------
# module options
# ---------------------------------------------------------------------------

@pytest.mark.parametrize('opts,field', [
    ({'mpm': 'evnt'}, 'mpm'), ({'document_roots': 'x'}, 'document_roots'), ({'document_roots': ['rel']}, 'document_roots[0]'),
    ({'mod_wsgi_python': 'three'}, 'mod_wsgi_python'), ({'base_dir': 'srv'}, 'base_dir'), ({'apache_user': 'www data'}, 'apache_user'),
    ({'max_request_workers': 0}, 'max_request_workers'), ({'server_memory_mb': 'lots'}, 'server_memory_mb'),
    ({'check_filesystem': 'perhaps'}, 'check_filesystem'),
])
def test_options_are_validated(opts, field):
    result = validate([site()], **dict({'check_filesystem': False}, **opts))
    assert any(f.field == field for f in result.errors), result.error_message


@pytest.mark.parametrize('base_dir,ok', [('/srv', True), ('/opt', True), ('/home', True), ('/srv/django', True),
                                         ('/', False), ('/etc', False), ('/var/www', False), ('/tmp', False)])
def test_base_dir(base_dir, ok):
    result = run([site()], base_dir=base_dir)
    assert result.failed is not ok
    if ok:
        assert result.sites[0]['root'] == base_dir.rstrip('/') + '/shop'


def test_mpm_suggestion():
    result = run([site()], mpm='evnt')
    assert "did you mean 'event'?" in result.errors[0].fix


def test_server_cores_must_be_positive():
    assert_error(run([site('shop')], server_cores=0), 'schema', field='server_cores')
