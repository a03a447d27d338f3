# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.django maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""State while checking: one site being checked, and the context that collects the findings."""

from __future__ import annotations

from ansible_collections.modwsgi.django.plugins.module_utils._layout.rules import ERROR, WARNING
from ansible_collections.modwsgi.django.plugins.module_utils._layout.findings import Finding


class _Site(object):
    """One inventory item while it is being checked."""

    def __init__(self, index, raw):
        self.index = index
        self.raw = raw
        self.label = 'sites[%d]' % index
        self.v = {}          # type-checked input values
        self.n = {}          # validated + defaulted values, safe for cross-site rules
        self.explicit = set()  # keys given (not null) in the inventory
        self.bad = set()     # top-level keys with an error


class _Ctx(object):

    def __init__(self, opts, fs):
        self.o = opts
        self.fs = fs
        self.findings = []
        self.realpath_cache = {}

    def add(self, rule, severity, site, field, message, fix):
        if isinstance(site, _Site):
            if severity == ERROR and field:
                site.bad.add(field.split('.')[0])
            site = site.label
        self.findings.append(Finding(rule, severity, site, field, message, fix))

    def error(self, rule, site, field, message, fix):
        self.add(rule, ERROR, site, field, message, fix)

    def warn(self, rule, site, field, message, fix):
        self.add(rule, WARNING, site, field, message, fix)

    def real(self, path):
        """realpath on the target when check_filesystem, else the path as written."""
        if not self.o['check_filesystem']:
            return path
        if path not in self.realpath_cache:
            try:
                self.realpath_cache[path] = self.fs.realpath(path)
            except (OSError, ValueError):
                self.realpath_cache[path] = path
        return self.realpath_cache[path]
