# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""requirements_preflight: the module's main() and the action plugin's run() (what the role runs, in-process on
the controller), against source trees in tmp_path and real pip resolutions of hand-made wheels, offline
(``--no-index --find-links``)."""

from __future__ import annotations

import json
import os
import sys

import pytest

from ansible_collections.modwsgi.django.plugins.action.requirements_preflight import ActionModule
from ansible_collections.modwsgi.django.plugins.modules import requirements_preflight
from ansible_collections.modwsgi.django.tests.unit.plugins.modules.site_harness import normalized, wheel
from ansible_collections.modwsgi.django.tests.unit.plugins.modules.utils import make_action, set_module_args


@pytest.fixture
def index(tmp_path):
    """A local package index: zqmodern needs Python >= 3.12, zqany runs anywhere."""
    directory = tmp_path / 'wheels'
    directory.mkdir()
    wheel(directory, 'zqmodern', '1.0', '>=3.12')
    wheel(directory, 'zqany', '1.0', '>=3')
    return '--no-index --find-links %s' % directory


def site_with(tmp_path, name, requirements_text, requirements='requirements.txt', **extra):
    source = tmp_path / 'src' / name
    source.mkdir(parents=True)
    if requirements_text is not None:
        (source / requirements).write_text(requirements_text)
    extra.setdefault('source', {'type': 'path', 'path': str(source)})
    return normalized(tmp_path / 'srv' / name, name=name, requirements=requirements, **extra)


def action(args, check_mode=False):
    """The action plugin as the task executor makes it (a real Task, the local connection), run once."""
    return make_action(ActionModule, 'modwsgi.django.requirements_preflight', args, check_mode).run(task_vars={})


def module(capsys, args):
    """The module's main(); its warnings as well: in a process that has loaded the controller (as this test run
    has), ansible-core shows a module's warnings on the controller's display (stderr) instead of returning them."""
    with set_module_args(args):
        with pytest.raises(SystemExit) as caught:
            requirements_preflight.main()
    captured = capsys.readouterr()
    result = json.loads(captured.out)
    return dict(result, failed=caught.value.code != 0, stderr=captured.err)


@pytest.fixture(params=['action', 'module'])
def preflight(request, capsys):
    """Either entry point: (args) -> result (``failed`` true on failure)."""
    if request.param == 'action':
        return action
    return lambda args: module(capsys, args)


def warned(result, *words):
    """Whether one warning of the result holds every word (a string, or ansible-core's structured warning)."""
    texts = [warning if isinstance(warning, str) else json.dumps(warning) for warning in result.get('warnings') or []]
    texts += [line for line in result.get('stderr', '').splitlines() if 'WARNING' in line]
    return any(all(word in text for word in words) for text in texts)


def test_a_closure_that_resolves_is_ok_then_cached(tmp_path, index):
    site = site_with(tmp_path, 'shop', 'zqmodern\n-r more.txt\n')
    (tmp_path / 'src' / 'shop' / 'more.txt').write_text('zqany\n')
    cache = tmp_path / 'cache'
    args = {'sites': [site], 'python_version': '3.12', 'pip_extra_args': index, 'cache_dir': str(cache)}
    result = action(args)
    assert not result.get('failed'), result
    assert result['changed'] is False and result['sites'] == {'shop': {'state': 'ok', 'message': 'resolves for Python 3.12'}}
    assert len(os.listdir(str(cache))) == 1
    assert action(args)['sites']['shop']['state'] == 'cached'
    # an include that changes is another closure
    (tmp_path / 'src' / 'shop' / 'more.txt').write_text('zqany==1.0\n')
    assert action(args)['sites']['shop']['state'] == 'ok' and len(os.listdir(str(cache))) == 2


def test_the_module_remembers_a_closure_too(capsys, tmp_path, index):
    site = site_with(tmp_path, 'shop', 'zqany\n')
    args = {'sites': [site], 'python_version': '3.11', 'pip_extra_args': index, 'cache_dir': str(tmp_path / 'cache')}
    assert module(capsys, args)['sites']['shop']['state'] == 'ok'
    assert module(capsys, args)['sites']['shop']['state'] == 'cached'


def test_a_requirement_that_needs_a_newer_python_is_refused_with_the_fix(preflight, tmp_path, index):
    good = site_with(tmp_path, 'blog', 'zqany\n')
    bad = site_with(tmp_path, 'shop', 'zqmodern\n')
    cache = tmp_path / 'cache'
    result = preflight({'sites': [good, bad], 'python_version': '3.11', 'pip_extra_args': index, 'cache_dir': str(cache)})
    assert result['failed'] is True
    assert result['msg'].startswith('1 site(s) cannot be installed for Python 3.11 (nothing on the host was changed): ')
    assert "site 'shop', field requirements:" in result['msg'] and 'zqmodern' in result['msg']
    assert 'it resolves for Python 3.13' in result['msg'] and 'Fix: pin a release of it that supports Python 3.11' in result['msg']
    assert result['sites']['shop']['state'] == 'refused' and result['sites']['blog']['state'] == 'ok'
    assert len(os.listdir(str(cache))) == 1            # only the closure that resolved is remembered


def test_a_requirement_no_index_has_is_undecided_and_warned(preflight, tmp_path, index):
    site = site_with(tmp_path, 'shop', 'zqnowhere\n')
    result = preflight({'sites': [site], 'python_version': '3.11', 'pip_extra_args': index})
    assert not result.get('failed'), result
    assert result['sites']['shop']['state'] == 'undecided' and 'pip on the host decides' in result['sites']['shop']['message']
    assert 'No matching distribution found for zqnowhere' in result['sites']['shop']['message']
    assert warned(result, "site 'shop'", 'zqnowhere')


def test_what_is_not_decided_on_the_controller_is_skipped(preflight, tmp_path):
    sites = [
        site_with(tmp_path, 'gitsite', None, source={'type': 'git', 'repo': 'https://git.example.com/x.git', 'version': 'main'}),
        site_with(tmp_path, 'remote', None, source={'type': 'path', 'path': '/srv/code/remote', 'remote': True}),
        site_with(tmp_path, 'plain', None, requirements=None),
        site_with(tmp_path, 'away', None, source={'type': 'path', 'path': str(tmp_path / 'not-here')}),
    ]
    result = preflight({'sites': sites, 'python_version': '3.11'})
    assert not result.get('failed'), result
    assert dict((name, item['state']) for name, item in result['sites'].items()) == dict.fromkeys(
        ['gitsite', 'remote', 'plain', 'away'], 'skipped')
    assert result['sites']['away']['message'] == 'source directory %s is not on the controller' % (tmp_path / 'not-here')


def test_an_include_outside_the_release_is_refused_without_pip(preflight, tmp_path):
    site = site_with(tmp_path, 'shop', '-r ../../secrets.txt\n')
    (tmp_path / 'secrets.txt').write_text('zqany\n')
    result = preflight({'sites': [site], 'python_version': '3.11'})
    assert result['failed'] is True and "site 'shop', field requirements:" in result['msg']
    assert 'outside the release' in result['msg'] and 'Fix: fix the include, or put the file into the release' in result['msg']


@pytest.mark.parametrize('version', ['3', '3.11.2', 'py3.11', ''])
def test_python_version_must_be_major_minor(preflight, version):
    result = preflight({'sites': [], 'python_version': version})
    assert result['failed'] is True and 'python_version must be major.minor, got %r' % version in result['msg']


def test_the_action_refuses_bad_arguments_like_the_module(capsys):
    result = action({'sites': 'shop'})
    assert result['failed'] is True and 'missing required arguments: python_version' in result['msg']
    assert module(capsys, {'sites': 'shop'})['failed'] is True


def no_pip(tmp_path, monkeypatch):
    """An interpreter path whose ``-m pip`` fails, as a controller without pip has."""
    fake = tmp_path / 'python-without-pip'
    fake.write_text('#!/bin/sh\nexit 1\n')
    fake.chmod(0o755)
    monkeypatch.setattr(sys, 'executable', str(fake))


def test_the_action_asks_for_pip_only_when_a_closure_is_not_cached(tmp_path, index, monkeypatch):
    site = site_with(tmp_path, 'shop', 'zqany\n')
    cache = tmp_path / 'cache'
    args = {'sites': [site], 'python_version': '3.12', 'pip_extra_args': index, 'cache_dir': str(cache)}
    assert action(args)['sites']['shop']['state'] == 'ok'
    no_pip(tmp_path, monkeypatch)
    assert action(args)['sites']['shop']['state'] == 'cached'
    # a closure it has not seen needs pip: without pip the host decides
    other = site_with(tmp_path, 'blog', 'zqmodern\n')
    assert action(dict(args, sites=[other])) == {'changed': False, 'sites': {}}


def test_the_module_without_pip_leaves_the_decision_to_the_host(capsys, tmp_path, index, monkeypatch):
    site = site_with(tmp_path, 'shop', 'zqmodern\n')
    no_pip(tmp_path, monkeypatch)
    result = module(capsys, {'sites': [site], 'python_version': '3.11', 'pip_extra_args': index})
    assert result['failed'] is False and result['sites'] == {}
    assert warned(result, 'pip is not available')
