# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""site_virtualenv module through main(): real ``python -m venv`` and real ``pip install`` of hand-made wheels
(offline, ``--no-index --find-links``) in release trees under tmp_path.

Building needs root (the virtualenv is sealed root:<site group>); check mode and the refusals do not.
"""

from __future__ import annotations

import grp
import os
import stat
import subprocess
import sys

import pytest

from ansible_collections.modwsgi.django.plugins.module_utils._requirements import fingerprint, requirements_closure
from ansible_collections.modwsgi.django.plugins.modules import site_virtualenv
from ansible_collections.modwsgi.django.tests.unit.plugins.modules.site_harness import normalized, wheel
from ansible_collections.modwsgi.django.tests.unit.plugins.modules.utils import run_module

as_root = pytest.mark.skipif(os.geteuid() != 0, reason='builds a virtualenv sealed root:<site group>: needs root')
GROUP = grp.getgrgid(os.getgid()).gr_name


def version_line(python=sys.executable):
    return subprocess.run([python, '-c', 'import sys; print(sys.version)'], capture_output=True, check=True).stdout


def a_site(tmp_path, requirements='requirements.txt', **extra):
    site = normalized(tmp_path / 'shop', requirements=requirements, **extra)
    return dict(site, group=GROUP)          # a group this host has


def a_release(site, files, release_id='0123456789ab'):
    release = os.path.join(site['paths']['releases'], release_id)
    os.makedirs(release)
    for name, text in files.items():
        with open(os.path.join(release, name), 'w') as handle:
            handle.write(text)
    return release


@pytest.fixture
def index(tmp_path):
    directory = tmp_path / 'wheels'
    directory.mkdir()
    wheel(directory, 'zqany', '1.0', '>=3')
    wheel(directory, 'zqfuture', '1.0', '>=3.99')
    return '--no-index --find-links %s' % directory


def run(capsys, site, release, **extra):
    return run_module(site_virtualenv.main, capsys, dict({'site': site, 'release_dir': release}, **extra))


# --- check mode and refusals ----------------------------------------------------------------------

def test_check_mode_names_the_virtualenv_after_the_closure_and_builds_nothing(capsys, tmp_path):
    site = a_site(tmp_path)
    release = a_release(site, {'requirements.txt': 'zqany\n-c constraints.txt\n', 'constraints.txt': 'zqany==1.0\n'})
    code, result = run(capsys, site, release, pip_extra_args='--only-binary=:all:', _ansible_check_mode=True)
    expected = fingerprint(requirements_closure(release, 'requirements.txt'), version_line(), '--only-binary=:all:')
    assert code == 0 and result['changed'] is True and result['built'] is False
    assert result['name'] == expected and result['venv'] == os.path.join(site['paths']['venvs'], expected)
    assert not os.path.exists(site['paths']['venvs']) and not os.path.lexists(os.path.join(release, '.modwsgi-venv'))


def test_check_mode_sees_a_change_in_an_included_file(capsys, tmp_path):
    site = a_site(tmp_path)
    one = a_release(site, {'requirements.txt': '-r base.txt\n', 'base.txt': 'zqany\n'}, 'aaaaaaaaaaaa')
    two = a_release(site, {'requirements.txt': '-r base.txt\n', 'base.txt': 'zqany==1.0\n'}, 'bbbbbbbbbbbb')
    names = [run(capsys, site, release, _ansible_check_mode=True)[1]['name'] for release in (one, two)]
    assert names[0] != names[1]


def test_an_include_outside_the_release_is_refused(capsys, tmp_path):
    site = a_site(tmp_path)
    (tmp_path / 'elsewhere.txt').write_text('zqany\n')
    release = a_release(site, {'requirements.txt': '-r ../../../elsewhere.txt\n'})
    for check_mode in (True, False):
        code, result = run(capsys, site, release, _ansible_check_mode=check_mode)
        assert code == 1 and "site 'shop'" in result['msg'] and 'requirements' in result['msg']
        assert 'outside the release' in result['msg']
    assert not os.path.exists(site['paths']['venvs'])


def test_an_unknown_group_is_refused_before_anything_is_built(capsys, tmp_path):
    site = dict(a_site(tmp_path, requirements=None), group='zqnosuchgroup')
    code, result = run(capsys, site, a_release(site, {}))
    assert code == 1 and result['msg'] == "site 'shop': group zqnosuchgroup does not exist"
    assert not os.path.exists(site['paths']['venvs'])


# --- building for real ----------------------------------------------------------------------------

@as_root
def test_a_virtualenv_is_built_sealed_linked_and_shared_by_the_next_release(capsys, tmp_path, index):
    site = a_site(tmp_path)
    release = a_release(site, {'requirements.txt': 'zqany\n'})
    code, result = run(capsys, site, release, pip_extra_args=index)
    assert code == 0, result
    venv = result['venv']
    assert result['changed'] is True and result['built'] is True and os.path.dirname(venv) == site['paths']['venvs']
    # pip installed the requirement into it, for its own interpreter
    probe = subprocess.run([os.path.join(venv, 'bin', 'python'), '-c', 'import zqany; print(zqany.VERSION)'],
                           capture_output=True, text=True, check=False)
    assert probe.stdout.strip() == '1.0', probe.stderr
    # sealed: root:<site group>, not writable by the group, its marker written
    assert os.stat(venv).st_uid == 0 and os.stat(venv).st_gid == os.getgid() and stat.S_IMODE(os.stat(venv).st_mode) == 0o750
    assert os.path.exists(os.path.join(venv, '.modwsgi-complete'))
    assert os.readlink(os.path.join(release, '.modwsgi-venv')) == venv

    code, again = run(capsys, site, release, pip_extra_args=index)
    assert code == 0 and again['changed'] is False and again['built'] is False and again['venv'] == venv
    code, check = run(capsys, site, release, pip_extra_args=index, _ansible_check_mode=True)
    assert code == 0 and check['changed'] is False

    nxt = a_release(site, {'requirements.txt': 'zqany\n', 'manage.py': '# other code\n'}, 'bbbbbbbbbbbb')
    code, shared = run(capsys, site, nxt, pip_extra_args=index)
    assert code == 0 and shared['built'] is False and shared['changed'] is True and shared['venv'] == venv
    assert os.readlink(os.path.join(nxt, '.modwsgi-venv')) == venv


@as_root
def test_a_requirement_for_another_python_fails_naming_it_and_leaves_no_virtualenv(capsys, tmp_path, index):
    site = a_site(tmp_path)
    release = a_release(site, {'requirements.txt': 'zqfuture\n'})
    code, result = run(capsys, site, release, pip_extra_args=index, mod_wsgi_python='3.11')
    assert code == 1 and result['python_mismatch'] is True
    assert result['msg'].startswith("site 'shop', step requirements: ")
    assert 'zqfuture' in result['msg'] and 'A requirement needs a different Python than 3.11' in result['msg']
    assert 'Nothing was activated' in result['msg']
    assert os.listdir(site['paths']['venvs']) == [] and not os.path.lexists(os.path.join(release, '.modwsgi-venv'))
