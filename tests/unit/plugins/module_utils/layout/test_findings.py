# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.django maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Findings, the result and secrets in the output (_layout/findings.py)."""

from __future__ import annotations

import json

from ansible_collections.modwsgi.django.plugins.module_utils._layout.findings import SECRET_MASK, mask_secrets
from ansible_collections.modwsgi.django.tests.unit.plugins.module_utils.layout.helpers import assert_error, run, site


# ---------------------------------------------------------------------------
# findings
# ---------------------------------------------------------------------------

def test_finding_format_is_one_line_and_names_site_field_fix():
    result = run([site(mount='/a/')])
    text = str(assert_error(result, 'mount', 'mount'))
    assert text.startswith("[mount] site 'shop', field 'mount': ")
    assert " Fix: use '/a'" in text
    assert all(line.startswith('[') for line in result.error_message.splitlines())
    data = result.as_dict()
    assert data['findings'][0]['id'] == 'mount'
    assert set(data['findings'][0]) == {'id', 'severity', 'site', 'field', 'message', 'fix'}


# ---------------------------------------------------------------------------
# secrets never in the output
# ---------------------------------------------------------------------------

def test_secret_values_never_in_findings():
    secret = 'hunter2\nsuper-secret-value'
    result = run([site(secrets={'DB_PASSWORD': secret, 'bad key': 'another-secret-value', 'OK': True},
                       mount='/a/')])
    text = json.dumps(result.as_dict())
    assert result.failed
    assert 'super-secret-value' not in text and 'hunter2' not in text and 'another-secret-value' not in text
    result = run([site(secrets='plain-secret-string')])
    assert 'plain-secret-string' not in json.dumps(result.as_dict())


def test_mask_secrets():
    masked = mask_secrets([site(secrets={'A': 'x'}), site('b', secrets='str'), 'junk', site('c')])
    assert masked[0]['secrets'] == {'A': SECRET_MASK}
    assert masked[1]['secrets'] == SECRET_MASK
    assert masked[2] == 'junk'
    assert mask_secrets('x') == 'x'
