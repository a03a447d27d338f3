# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.django maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Layout rules and normalization for modwsgi.django sites.

Pure Python (standard library only, no Ansible import): the ``validate_sites``
module is a thin wrapper around :func:`validate`, and the unit tests call this
package directly.  The rules come from the mod_wsgi "Integration With Django"
guide and from Apache/mod_wsgi behaviour; docs/rules.md explains each rule id.

Every problem of every site is gathered in one pass.  Any input (wrong types,
hostile strings) yields findings, never an exception.  Values that could break
out of an Apache directive or the env file are rejected, never escaped.

One module per concern (docs/dev/contract.md lists them):

* ``rules``: the rule table ``RULES`` and the severities ``ERROR`` / ``WARNING``
* ``schema``: the input contract (site keys, defaults, limits, patterns)
* ``findings``: ``Finding``, ``Result``, ``mask_secrets``
* ``text``: text and path helpers (``show``, ``fs_path_problems``, ``hostname_problem``...)
* ``filesystem``: ``FileSystem``, the read-only view of the target
* ``state``: the site being checked and the context collecting the findings
* ``options``: the module options
* ``site_input``, ``site_paths``, ``runtime``, ``host_wide``, ``mass_hosting``: the rules
* ``normalize``: the normalized sites and vhosts
* ``validation``: ``validate()``, the entry point

The capacity arithmetic and its constants are in ``module_utils/_sizing.py``.
This package re-exports the names callers used from the single-file ``_layout``.
"""

from __future__ import annotations

from ansible_collections.modwsgi.django.plugins.module_utils._layout.rules import ERROR, RULES, WARNING
from ansible_collections.modwsgi.django.plugins.module_utils._layout.schema import DAEMON_DEFAULTS, SITE_SCHEMA
from ansible_collections.modwsgi.django.plugins.module_utils._layout.findings import Finding, Result, SECRET_MASK, mask_secrets
from ansible_collections.modwsgi.django.plugins.module_utils._layout.filesystem import FileSystem, PYTHON_VERSION_CODE
from ansible_collections.modwsgi.django.plugins.module_utils._layout.text import (
    ancestors,
    as_bool,
    as_int,
    ascii_url_suggestion,
    show,
    type_name,
    under,
)
from ansible_collections.modwsgi.django.plugins.module_utils._layout.site_input import manage_step_marker
from ansible_collections.modwsgi.django.plugins.module_utils._layout.runtime import daemon_groups
from ansible_collections.modwsgi.django.plugins.module_utils._layout.validation import validate

__all__ = [
    'DAEMON_DEFAULTS', 'ERROR', 'PYTHON_VERSION_CODE', 'RULES', 'SECRET_MASK', 'SITE_SCHEMA', 'WARNING',
    'FileSystem', 'Finding', 'Result',
    'ancestors', 'as_bool', 'as_int', 'ascii_url_suggestion', 'daemon_groups', 'manage_step_marker', 'mask_secrets',
    'show', 'type_name', 'under', 'validate',
]
