# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.django maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Helpers of the _layout unit tests: a minimal site, validate() on paper, finding assertions."""

from __future__ import annotations

from ansible_collections.modwsgi.django.plugins.module_utils._layout.filesystem import FileSystem
from ansible_collections.modwsgi.django.plugins.module_utils._layout.rules import ERROR, WARNING
from ansible_collections.modwsgi.django.plugins.module_utils._layout.validation import validate


def site(name='shop', **kw):
    data = {
        'name': name,
        'server_name': kw.pop('server_name', '%s.example.com' % name.replace('_', '-')),
        'project': kw.pop('project', name),
        'source': kw.pop('source', {'type': 'git', 'repo': 'https://git.example.com/%s.git' % name}),
    }
    data.update(kw)
    return data


def run(sites, **opts):
    opts.setdefault('check_filesystem', False)
    return validate(sites, **opts)


def find(result, rule, severity=None, field=None, site_label=None):
    return [f for f in result.findings
            if f.id == rule and (severity is None or f.severity == severity)
            and (field is None or f.field == field) and (site_label is None or f.site == site_label)]


def errors(result, rule=None):
    return [f for f in result.errors if rule is None or f.id == rule]


def assert_error(result, rule, field=None, site_label=None):
    hits = find(result, rule, ERROR, field, site_label)
    assert hits, 'expected error %s (field %s) in:\n%s' % (rule, field, '\n'.join(str(f) for f in result.findings))
    assert result.failed
    assert result.sites == [] and result.vhosts == []
    return hits[0]


def assert_warning(result, rule, field=None):
    hits = find(result, rule, WARNING, field)
    assert hits, 'expected warning %s in:\n%s' % (rule, '\n'.join(str(f) for f in result.findings))
    return hits[0]


def assert_clean(result, rule=None):
    bad = [f for f in result.findings if (rule is None and f.severity == ERROR) or (rule is not None and f.id == rule)]
    assert not bad, '\n'.join(str(f) for f in bad)


def by_name(result):
    return dict((s['name'], s) for s in result.sites)


class FakeFS(FileSystem):
    """Real filesystem, fake interpreters."""

    def __init__(self, versions):
        self.versions = versions
        self.calls = []

    def python_version(self, python):
        self.calls.append(python)
        if python not in self.versions:
            return None, 'does not exist'
        return self.versions[python], None


def fsrun(tree, sites=None, **opts):
    opts.setdefault('document_roots', [tree['www']])
    opts.setdefault('base_dir', tree['base'])
    return validate(sites if sites is not None else [site()], check_filesystem=True, **opts)


TLS = {'cert': '/etc/ssl/certs/www.pem', 'key': '/etc/ssl/private/www.key'}
