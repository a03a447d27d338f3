# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""requirements_preflight engine with a fake pip: refuse only when another Python resolves."""

from __future__ import annotations

import os

from ansible_collections.modwsgi.django.plugins.module_utils import _preflight as P

NO_311 = ("ERROR: Ignored the following versions that require a different python version: 6.0 Requires-Python >=3.12\n"
          "ERROR: No matching distribution found for Django<6.1,>=6.0\n")


class FakePip(object):
    def __init__(self, ok_versions):
        self.ok_versions = ok_versions
        self.calls = []

    def __call__(self, argv, cwd=None):
        version = argv[argv.index('--python-version') + 1]
        self.calls.append((version, argv, cwd))
        assert '--dry-run' in argv and '--only-binary=:all:' in argv
        return (0, '', '') if version in self.ok_versions else (1, '', NO_311)


def site(tmp_path, name='good', **extra):
    src = tmp_path / name
    src.mkdir()
    (src / 'requirements.txt').write_text('-r base.txt\n')
    (src / 'base.txt').write_text('Django>=6.0,<6.1\n')
    data = {'name': name, 'requirements': 'requirements.txt', 'source': {'type': 'path', 'path': str(src)}}
    data.update(extra)
    return data


def test_refused_when_only_a_newer_python_resolves(tmp_path):
    pip = FakePip({'3.13'})
    results, refusals = P.check_all([site(tmp_path)], '3.11', '--index-url https://pypi.example/simple', ['pip'], None, pip)
    assert results['good']['state'] == 'refused'
    assert refusals[0].startswith("site 'good', field requirements: No matching distribution found for Django<6.1,>=6.0")
    assert 'different Python than 3.11' in refusals[0] and 'Fix: pin a release' in refusals[0]
    assert [v for v, _a, _c in pip.calls] == ['3.11', '3.13']
    assert pip.calls[0][1][-2:] == ['--index-url', 'https://pypi.example/simple']


def test_undecided_when_no_python_resolves(tmp_path):
    results, refusals = P.check_all([site(tmp_path)], '3.11', '', ['pip'], None, FakePip(set()))
    assert results['good']['state'] == 'undecided' and refusals == []


def test_ok_is_cached_by_closure(tmp_path):
    cache = str(tmp_path / 'cache')
    one = site(tmp_path)
    pip = FakePip({'3.11', '3.12', '3.13'})
    assert P.check_all([one], '3.11', '', ['pip'], cache, pip)[0]['good']['state'] == 'ok'
    assert P.check_all([one], '3.11', '', ['pip'], cache, pip)[0]['good']['state'] == 'cached'
    assert len(pip.calls) == 1
    with open(os.path.join(one['source']['path'], 'base.txt'), 'a') as handle:
        handle.write('whitenoise\n')
    assert P.check_all([one], '3.11', '', ['pip'], cache, pip)[0]['good']['state'] == 'ok'
    assert P.check_all([one], '3.12', '', ['pip'], cache, pip)[0]['good']['state'] == 'ok'
    assert len(pip.calls) == 3


def test_skipped_sources_and_closure_errors(tmp_path):
    pip = FakePip({'3.11'})
    sites = [site(tmp_path, 'gitty', source={'type': 'git', 'repo': 'https://x/y.git'}),
             site(tmp_path, 'remote', source={'type': 'path', 'path': '/nowhere', 'remote': True}),
             site(tmp_path, 'noreq', requirements=None),
             site(tmp_path, 'broken')]
    with open(os.path.join(sites[3]['source']['path'], 'requirements.txt'), 'w') as handle:
        handle.write('-r ../../../etc/passwd\n')
    results, refusals = P.check_all(sites, '3.11', '', ['pip'], None, pip)
    assert [results[n]['state'] for n in ('gitty', 'remote', 'noreq')] == ['skipped'] * 3
    assert results['broken']['state'] == 'refused' and 'outside the release' in refusals[0]
    assert pip.calls == []
