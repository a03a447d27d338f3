# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""site_virtualenv engine: pip's decisive line, build/seal/link, removal of a failed build."""

from __future__ import annotations

import os

import pytest

from ansible_collections.modwsgi.django.plugins.module_utils import _venv as V

PIP_DJANGO6_ON_311 = """Collecting Django<6.1,>=6.0 (from -r /srv/django/good/releases/abc/requirements.txt (line 1))
ERROR: Ignored the following versions that require a different python version: 5.2a1 Requires-Python >=3.10; \
6.0 Requires-Python >=3.12; 6.0.1 Requires-Python >=3.12; 6.0a1 Requires-Python >=3.12; 6.0b1 Requires-Python >=3.12
ERROR: Could not find a version that satisfies the requirement Django<6.1,>=6.0 (from versions: 1.1.3, 5.2.9)
ERROR: No matching distribution found for Django<6.1,>=6.0
"""


def test_decisive_line_first_with_the_python_reason():
    line, mismatch = V.decisive(PIP_DJANGO6_ON_311)
    assert line.startswith('No matching distribution found for Django<6.1,>=6.0')
    assert '6.0.1 Requires-Python >=3.12' in line and '5.2a1' not in line
    assert mismatch is True


def test_decisive_line_other_failures():
    line, mismatch = V.decisive("Collecting nope\nERROR: Could not find a version that satisfies the requirement nope "
                                "(from versions: none)\nERROR: No matching distribution found for nope\n")
    assert line == 'No matching distribution found for nope' and mismatch is False
    line, mismatch = V.decisive("ERROR: Package 'x' requires a different Python: 3.11.2 not in '>=3.12'\n")
    assert line == "Package 'x' requires a different Python: 3.11.2 not in '>=3.12'" and mismatch is True
    assert V.decisive('')[0] == 'pip printed nothing'
    assert V.decisive('error: subprocess-exited-with-error\n  gcc failed\n')[0] == 'gcc failed'


class Pip(object):
    """Fake python/pip: `-m venv DIR` makes DIR/bin; pip succeeds or prints ``fail``."""

    def __init__(self, fail=None):
        self.fail = fail
        self.calls = []

    def __call__(self, argv, cwd=None):
        self.calls.append((argv, cwd))
        if argv[1:3] == ['-c', 'import sys; print(sys.version)']:
            return 0, '3.11.2 (main)\n', ''
        if argv[1:3] == ['-m', 'venv']:
            os.makedirs(os.path.join(argv[3], 'bin'))
            return 0, '', ''
        if self.fail:
            with open(os.path.join(os.path.dirname(os.path.dirname(argv[0])), 'half-installed'), 'w'):
                pass
            return 1, '', self.fail
        return 0, 'Successfully installed Django', ''


def make(tmp_path):
    rel = tmp_path / 'releases' / 'abc'
    rel.mkdir(parents=True)
    (rel / 'requirements.txt').write_text('-r requirements/base.txt\n')
    (rel / 'requirements').mkdir()
    (rel / 'requirements' / 'base.txt').write_text('Django\n')
    site = {'name': 'shop', 'python': '/usr/bin/python3', 'requirements': 'requirements.txt', 'group': 'shop',
            'paths': {'venvs': str(tmp_path / 'venvs')}}
    return site, str(rel)


def test_builds_seals_and_links_once(tmp_path):
    site, rel = make(tmp_path)
    pip = Pip()
    result = V.ensure(site, rel, pip, '--no-compile', os.getgid())
    assert result['built'] and result['changed']
    venv = result['venv']
    assert os.path.exists(os.path.join(venv, V.COMPLETE))
    assert os.readlink(os.path.join(rel, V.LINK)) == venv
    install = [argv for argv, _cwd in pip.calls if 'install' in argv][0]
    assert install[-3:] == ['-r', os.path.join(rel, 'requirements.txt'), '--no-compile'][-3:] or install[-1] == '--no-compile'
    assert [cwd for argv, cwd in pip.calls if 'install' in argv] == [rel]
    again = Pip()
    assert V.ensure(site, rel, again, '--no-compile', os.getgid()) == dict(result, changed=False, built=False)
    assert not [a for a, _c in again.calls if 'install' in a]


def test_an_included_file_change_builds_a_new_venv(tmp_path):
    site, rel = make(tmp_path)
    first = V.ensure(site, rel, Pip(), '', os.getgid())
    with open(os.path.join(rel, 'requirements', 'base.txt'), 'a') as handle:
        handle.write('whitenoise\n')
    second = V.ensure(site, rel, Pip(), '', os.getgid())
    assert second['built'] and second['venv'] != first['venv']
    assert os.path.isdir(first['venv'])  # the live release's venv stays


def test_failed_install_removes_the_partial_venv(tmp_path):
    site, rel = make(tmp_path)
    with pytest.raises(V.VenvError) as err:
        V.ensure(site, rel, Pip(fail=PIP_DJANGO6_ON_311), '', os.getgid())
    assert err.value.python_mismatch and err.value.message.startswith('No matching distribution found for Django')
    assert os.listdir(site['paths']['venvs']) == []
    assert not os.path.lexists(os.path.join(rel, V.LINK))


def test_include_outside_the_release_is_refused(tmp_path):
    site, rel = make(tmp_path)
    with open(os.path.join(rel, 'requirements.txt'), 'w') as handle:
        handle.write('-r ../../secret.txt\n')
    with pytest.raises(V.VenvError) as err:
        V.ensure(site, rel, Pip(), '', os.getgid())
    assert 'outside the release' in err.value.message
