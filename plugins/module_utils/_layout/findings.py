# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.django maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Findings and the result of validate(); masking secrets in module output."""

from __future__ import annotations

from ansible_collections.modwsgi.django.plugins.module_utils._layout.rules import ERROR, WARNING


def _one_line(text):
    return ' '.join(str(text).split())


class Finding(object):
    """One problem: rule id, severity, site, field, message and fix."""

    __slots__ = ('id', 'severity', 'site', 'field', 'message', 'fix')

    def __init__(self, rule, severity, site, field, message, fix):
        self.id = rule
        self.severity = severity
        self.site = site
        self.field = field
        self.message = _one_line(message)
        self.fix = _one_line(fix)

    def as_dict(self):
        return {
            'id': self.id,
            'severity': self.severity,
            'site': self.site,
            'field': self.field,
            'message': self.message,
            'fix': self.fix,
        }

    def __str__(self):
        where = []
        if self.site is not None:
            where.append("site '%s'" % self.site)
        if self.field:
            where.append("field '%s'" % self.field)
        head = '[%s] %s' % (self.id, ', '.join(where)) if where else '[%s]' % self.id
        return '%s: %s Fix: %s' % (head, self.message, self.fix)

    def __repr__(self):
        return '<Finding %s>' % self


class Result(object):
    """What validate() returns; the normalized parts are empty when there are errors."""

    def __init__(self, sites, vhosts, restrict_embedded, mass_hosting, findings):
        self.sites = sites
        self.vhosts = vhosts
        self.restrict_embedded = restrict_embedded
        self.mass_hosting = mass_hosting
        self.findings = findings

    @property
    def errors(self):
        return [finding for finding in self.findings if finding.severity == ERROR]

    @property
    def warnings(self):
        return [str(finding) for finding in self.findings if finding.severity == WARNING]

    @property
    def failed(self):
        return bool(self.errors)

    @property
    def error_message(self):
        return '\n'.join(str(finding) for finding in self.errors)

    def ids(self, severity=None):
        """Rule ids of the findings (handy in tests)."""
        return sorted(set(finding.id for finding in self.findings if severity is None or finding.severity == severity))

    def as_dict(self):
        return {
            'sites': self.sites,
            'vhosts': self.vhosts,
            'restrict_embedded': self.restrict_embedded,
            'mass_hosting': self.mass_hosting,
            'findings': [finding.as_dict() for finding in self.findings],
            'warnings': self.warnings,
        }


SECRET_MASK = 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER'


def mask_secrets(sites):
    """Copy of a sites list with every secrets value replaced (for module output)."""
    if not isinstance(sites, (list, tuple)):
        return sites
    out = []
    for site in sites:
        if isinstance(site, dict) and 'secrets' in site:
            site = dict(site)
            secrets = site['secrets']
            if isinstance(secrets, dict):
                site['secrets'] = dict((key, SECRET_MASK) for key in secrets)
            elif secrets is not None:
                site['secrets'] = SECRET_MASK
        out.append(site)
    return out
