# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.django maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The rule table (_layout/rules.py) and docs/rules.md."""

from __future__ import annotations

import os
import re

from ansible_collections.modwsgi.django.plugins.module_utils._layout.rules import RULES, WARNING

DOCS_RULES = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', '..', 'docs', 'rules.md')


# ---------------------------------------------------------------------------
# the rule table and the docs
# ---------------------------------------------------------------------------

def test_rule_table_has_every_id_and_severity():
    expected = {
        'schema', 'name', 'server-name', 'path', 'env', 'tls-mismatch', 'alias-conflict', 'static-url', 'deploy',
        'mount', 'mount-unique', 'mount-nesting', 'script-dir', 'script-name', 'settings-in-script-dir', 'exposed',
        'settings-module', 'sys-path', 'force-script-name', 'processes-1', 'thread-safety', 'embedded-user',
        'daemon-name', 'session-cookie', 'capacity', 'python-abi', 'restrict-embedded', 'mpm-choice',
        'manage-steps', 'migrate-once',
    }
    assert set(RULES) == expected
    assert RULES['mount-nesting'][0] == WARNING
    assert RULES['processes-1'][0] == WARNING
    assert RULES['capacity'][0] == WARNING


def test_every_rule_is_documented():
    with open(DOCS_RULES) as handle:
        text = handle.read()
    for rule in RULES:
        assert re.search(r'^## `%s`' % re.escape(rule), text, re.M), rule
