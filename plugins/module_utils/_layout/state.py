# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.django maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""State while checking: one site being checked, and the context that collects the findings."""

from __future__ import annotations

from ansible_collections.modwsgi.django.plugins.module_utils._layout.rules import ERROR, WARNING
from ansible_collections.modwsgi.django.plugins.module_utils._layout.findings import Finding


class SiteState(object):
    """One inventory item while it is being checked."""

    def __init__(self, index, raw):
        self.index = index
        self.raw = raw                  # the item as given (any type)
        self.label = 'sites[%d]' % index  # how findings name the site: its name once that is valid
        self.given = {}                 # type-checked input values
        self.normalized = {}            # validated + defaulted values, safe for cross-site rules
        self.explicit = set()           # keys given (not null) in the inventory
        self.invalid_keys = set()       # top-level keys with an error


class Context(object):
    """What every rule gets: the checked module options, the filesystem, and the findings so far."""

    def __init__(self, options, fs):
        self.options = options
        self.fs = fs
        self.findings = []
        self.realpath_cache = {}

    def add(self, rule, severity, site, field, message, fix):
        if isinstance(site, SiteState):
            if severity == ERROR and field:
                site.invalid_keys.add(field.split('.')[0])
            site = site.label
        self.findings.append(Finding(rule, severity, site, field, message, fix))

    def error(self, rule, site, field, message, fix):
        self.add(rule, ERROR, site, field, message, fix)

    def warn(self, rule, site, field, message, fix):
        self.add(rule, WARNING, site, field, message, fix)

    def real_path(self, path):
        """realpath on the target when check_filesystem, else the path as written."""
        if not self.options['check_filesystem']:
            return path
        if path not in self.realpath_cache:
            try:
                self.realpath_cache[path] = self.fs.realpath(path)
            except (OSError, ValueError):
                self.realpath_cache[path] = path
        return self.realpath_cache[path]
