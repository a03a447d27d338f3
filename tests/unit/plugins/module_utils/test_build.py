# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""build_release's engines: the tarball unpack, the one-process management steps, the whole build.

The step protocol is tested end to end: the role's real boot template (roles/django_site/templates/
boot.py.j2) is rendered, run as a child process with a stand-in ``django.core.management`` on its path,
and driven by ``_manage.StepProcess`` over its Unix socket.
"""

from __future__ import annotations

import io
import json
import os
import stat
import subprocess
import sys
import tarfile

import jinja2
import pytest

from ansible_collections.modwsgi.django.plugins.module_utils import _build, _manage, _unpack
from ansible_collections.modwsgi.django.plugins.module_utils._site_tree import RELEASE_MARKER

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
UID, GID = os.getuid(), os.getgid()
IDS = {'site_uid': UID, 'site_gid': GID, 'apache_gid': GID}


def run(argv, cwd=None):
    proc = subprocess.run(argv, capture_output=True, text=True, cwd=cwd, check=False)
    return proc.returncode, proc.stdout, proc.stderr


# ------------------------------------------------------------------ unpack
def tarball(path, members):
    """members: (name, kind, data_or_target)."""
    with tarfile.open(path, 'w:gz') as tar:
        for name, kind, value in members:
            info = tarfile.TarInfo(name)
            if kind == 'file':
                data = value.encode()
                info.size = len(data)
                info.mode = 0o755 if name.endswith('.sh') else 0o644
                tar.addfile(info, io.BytesIO(data))
            elif kind == 'dir':
                info.type = tarfile.DIRTYPE
                info.mode = 0o755
                tar.addfile(info)
            elif kind == 'symlink':
                info.type = tarfile.SYMTYPE
                info.linkname = value
                tar.addfile(info)
            elif kind == 'fifo':
                info.type = tarfile.FIFOTYPE
                tar.addfile(info)
    return str(path)


def test_unpack_makes_a_sealed_release_with_its_marker_last(tmp_path):
    archive = tarball(tmp_path / 'a.tar.gz', [('./', 'dir', None), ('./app', 'dir', None), ('./app/x.py', 'file', 'X = 1\n'),
                                              ('./run.sh', 'file', 'echo\n'), ('./link', 'symlink', 'app/x.py')])
    release = str(tmp_path / 'releases' / 'abc')
    os.makedirs(os.path.dirname(release))
    assert _unpack.unpack(archive, release, 'abc', GID) is True
    assert open(os.path.join(release, RELEASE_MARKER)).read() == 'abc\n'
    assert open(os.path.join(release, 'app', 'x.py')).read() == 'X = 1\n'
    assert os.readlink(os.path.join(release, 'link')) == 'app/x.py'

    def mode(rel):
        return stat.S_IMODE(os.lstat(os.path.join(release, rel)).st_mode)
    assert (mode('.'), mode('app'), mode('app/x.py'), mode('run.sh')) == (0o750, 0o750, 0o640, 0o750)
    assert not os.path.exists(release + '.partial')
    # done once: a second run does nothing
    assert _unpack.unpack(archive, release, 'abc', GID) is False


@pytest.mark.parametrize('member, words', [
    (('../evil', 'file', 'x'), 'outside the release'),
    (('/etc/evil', 'file', 'x'), 'outside the release'),
    (('a/../../evil', 'file', 'x'), 'outside the release'),
    (('link', 'symlink', '/etc/passwd'), 'points outside'),
    (('link', 'symlink', '../../x'), 'points outside'),
    (('pipe', 'fifo', None), 'not a file, a directory or a link'),
])
def test_unpack_refuses_members_that_land_outside(tmp_path, member, words):
    archive = tarball(tmp_path / 'bad.tar.gz', [('ok.py', 'file', 'x'), member])
    release = str(tmp_path / 'releases' / 'abc')
    with pytest.raises(_unpack.UnpackError) as caught:
        _unpack.unpack(archive, release, 'abc', GID)
    assert words in str(caught.value) and member[0] in str(caught.value)
    assert not os.path.exists(release) and not os.path.exists(release + '.partial')
    assert not os.path.exists(str(tmp_path / 'evil'))


def test_a_release_without_its_marker_is_unpacked_again(tmp_path):
    archive = tarball(tmp_path / 'a.tar.gz', [('x.py', 'file', 'new\n')])
    release = tmp_path / 'releases' / 'abc'
    release.mkdir(parents=True)
    (release / 'x.py').write_text('half\n')
    assert _unpack.unpack(archive, str(release), 'abc', GID) is True
    assert (release / 'x.py').read_text() == 'new\n'


def test_an_unreadable_tarball_is_an_unpack_error(tmp_path):
    (tmp_path / 'junk.tar.gz').write_bytes(b'not a tarball')
    with pytest.raises(_unpack.UnpackError):
        _unpack.unpack(str(tmp_path / 'junk.tar.gz'), str(tmp_path / 'r'), 'r', GID)


# ------------------------------------------------------------------ the step protocol, end to end
FAKE_MANAGEMENT = '''
import os, sys


class ManagementUtility:
    """Stand-in for Django's: records each command; 'fail' exits 3, 'boom' raises, 'log' writes to stderr."""

    def __init__(self, argv):
        self.argv = argv

    def execute(self):
        command = self.argv[1]
        with open(os.environ["FAKE_RECORD"], "a") as handle:
            handle.write("%s %d\\n" % (" ".join(self.argv[1:]), os.getpid()))
        if command == "fail":
            print("partial output")
            sys.exit(3)
        if command == "boom":
            raise RuntimeError("boom in " + command)
        print("ran " + " ".join(self.argv[1:]))
'''


def render_boot(site_dir):
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(os.path.join(REPO, 'roles', 'django_site', 'templates')),
                             keep_trailing_newline=True)
    env.filters['to_json'] = json.dumps
    env.filters['basename'] = os.path.basename
    env.filters['bool'] = bool
    env.filters['ternary'] = lambda value, yes, no: yes if value else no
    root = str(site_dir)
    item = {'name': 'shop', 'project': 'probe', 'mode': 'daemon', 'deploy': 'bluegreen', 'activation': 'bluegreen',
            'legacy_relative_imports': False,
            'paths': {'root': root, 'conf': os.path.join(root, 'conf'), 'site_json': os.path.join(root, 'conf', 'site.json'),
                      'venv_link': '.modwsgi-venv', 'run': os.path.join(root, 'run')}}
    text = env.get_template('boot.py.j2').render(__django_site_item=item)
    os.makedirs(os.path.join(root, 'conf'))
    with open(os.path.join(root, 'conf', '_modwsgi_boot.py'), 'w') as handle:
        handle.write(text)
    with open(os.path.join(root, 'conf', 'site.json'), 'w') as handle:
        json.dump({'environ': {'FAKE_SITE': 'shop'}, 'settings': {}}, handle)
    return os.path.join(root, 'conf', '_modwsgi_boot.py')


@pytest.fixture
def stepper(tmp_path):
    boot = render_boot(tmp_path / 'site')
    fake = tmp_path / 'fake' / 'django' / 'core' / 'management'
    fake.mkdir(parents=True)
    for package in (tmp_path / 'fake' / 'django', tmp_path / 'fake' / 'django' / 'core'):
        (package / '__init__.py').write_text('')
    (fake / '__init__.py').write_text(FAKE_MANAGEMENT)
    record = tmp_path / 'record'
    env = dict(os.environ, PYTHONPATH=str(tmp_path / 'fake'), FAKE_RECORD=str(record))

    def start(argv):
        proc = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
        return proc.returncode, proc.stdout, proc.stderr

    def make():
        return _manage.StepProcess([sys.executable, boot, str(tmp_path / 'release'), _manage.STEPS_FLAG], start, UID, timeout=30)
    return make, record


def test_every_step_runs_in_one_process_and_answers_in_turn(stepper):
    make, record = stepper
    process = make()
    try:
        assert process.step(['migrate', '--noinput']) == (0, 'ran migrate --noinput\n', '')
        assert process.step(['collectstatic', '--noinput'])[0] == 0
        rc, output, _err = process.step(['fail'])
        assert rc == 3 and 'partial output' in output
        rc, output, _err = process.step(['boom'])
        assert rc == 1 and 'RuntimeError: boom in boom' in output
        assert process.step(['check', '--deploy'])[0] == 0
    finally:
        process.close()
    lines = record.read_text().splitlines()
    assert [line.rsplit(' ', 1)[0] for line in lines] == ['migrate --noinput', 'collectstatic --noinput', 'fail', 'boom', 'check --deploy']
    assert len({line.rsplit(' ', 1)[1] for line in lines}) == 1   # one Django process for all of them


def test_a_process_that_does_not_start_is_a_failed_step(tmp_path):
    def start(argv):
        return 127, '', 'setpriv: cannot execute: No such file'
    process = _manage.StepProcess(['/nonexistent/manage'], start, UID, timeout=5)
    try:
        rc, output, _err = process.step(['migrate'])
    finally:
        process.close()
    assert rc == 127 and 'did not start' in output and 'No such file' in output


def test_run_steps_through_one_process_seals_between_steps(stepper, tmp_path):
    make, record = stepper
    release = tmp_path / 'release'
    release.mkdir()
    static = tmp_path / 'static'
    static.mkdir()
    site = {'name': 'shop', 'user': 'shop', 'group': 'shop', 'paths': {'manage': '/x'}, 'migrate': True, 'collectstatic': True,
            'static': {'dir': str(static)}, 'check_deploy': True, 'manage_steps': []}
    process = make()
    try:
        result = _manage.run_steps(site, str(release), process.step, IDS)
    finally:
        process.close()
    assert result['ran'] == ['migrate', 'collectstatic', 'check --deploy']
    for marker in _manage.markers(site):
        assert (release / marker).exists()
    assert stat.S_IMODE(os.stat(str(release)).st_mode) == 0o750


# ------------------------------------------------------------------ the whole build
class Steps:
    def __init__(self, fail=None):
        self.fail, self.calls, self.closed = fail, [], False

    def __call__(self, release_dir):
        return self

    def step(self, argv):
        self.calls.append(argv[0])
        if argv[0] == self.fail:
            return 1, 'Traceback: boom', ''
        return 0, '', ''

    def close(self):
        self.closed = True


def a_site(tmp_path, **extra):
    root = tmp_path / 'shop'
    for sub in ('releases', 'venvs'):
        (root / sub).mkdir(parents=True)
    site = {'name': 'shop', 'user': 'shop', 'group': 'shop', 'mode': 'daemon', 'deploy': 'bluegreen', 'bluegreen': True,
            'requirements': None,
            'python': sys.executable, 'migrate': True, 'collectstatic': False, 'static': False, 'check_deploy': True,
            'manage_steps': [],
            'paths': {'root': str(root), 'releases': str(root / 'releases'), 'venvs': str(root / 'venvs'), 'manage': '/x'}}
    site.update(extra)
    return site


def fake_run(argv, cwd=None):
    if argv[1:3] == ['-m', 'venv']:
        os.makedirs(os.path.join(argv[3], 'bin'))
        return 0, '', ''
    return run(argv, cwd)


def test_build_unpacks_links_the_venv_runs_the_steps_and_makes_the_first_links(tmp_path):
    site = a_site(tmp_path)
    archive = tarball(tmp_path / 'a.tar.gz', [('manage.py', 'file', '#\n')])
    release = os.path.join(site['paths']['releases'], 'abc')
    steps = Steps()
    result = _build.build(site, release, archive, 'abc', IDS, fake_run, steps)
    assert result['changed'] and result['unpacked'] and result['venv_built']
    assert result['ran'] == ['migrate', 'check --deploy'] and steps.calls == ['migrate', 'check'] and steps.closed
    assert sorted(result['links']) == ['blue', 'current', 'green']
    assert all(os.readlink(os.path.join(site['paths']['root'], link)) == release for link in result['links'])
    # again: everything is there, nothing runs, no link moves
    again = Steps()
    assert _build.build(site, release, archive, 'abc', IDS, fake_run, again)['changed'] is False and again.calls == []
    other = os.path.join(site['paths']['releases'], 'def')
    second = _build.build(site, other, tarball(tmp_path / 'b.tar.gz', [('manage.py', 'file', '# 2\n')]), 'def', IDS, fake_run, Steps())
    assert second['links'] == [] and os.readlink(os.path.join(site['paths']['root'], 'current')) == release


def test_a_failing_step_is_named_and_nothing_is_linked(tmp_path):
    site = a_site(tmp_path)
    archive = tarball(tmp_path / 'a.tar.gz', [('manage.py', 'file', '#\n')])
    release = os.path.join(site['paths']['releases'], 'abc')
    steps = Steps(fail='migrate')
    with pytest.raises(_build.BuildError) as caught:
        _build.build(site, release, archive, 'abc', IDS, fake_run, steps)
    assert caught.value.step == 'migrate' and "site 'shop', step 'migrate' failed on release abc" in caught.value.message
    assert 'Traceback: boom' in caught.value.message and steps.closed
    assert not os.path.lexists(os.path.join(site['paths']['root'], 'current'))


def test_a_bad_tarball_is_a_failed_unpack(tmp_path):
    site = a_site(tmp_path)
    archive = tarball(tmp_path / 'a.tar.gz', [('../x', 'file', '#\n')])
    with pytest.raises(_build.BuildError) as caught:
        _build.build(site, os.path.join(site['paths']['releases'], 'abc'), archive, 'abc', IDS, fake_run, Steps())
    assert caught.value.step == 'unpack' and "site 'shop', step unpack" in caught.value.message


def test_a_failed_virtualenv_is_the_requirements_step(tmp_path):
    site = a_site(tmp_path, requirements='requirements.txt')
    archive = tarball(tmp_path / 'a.tar.gz', [('requirements.txt', 'file', 'Django>=99\n')])

    def pip_fails(argv, cwd=None):
        if argv[1:3] == ['-m', 'venv']:
            return fake_run(argv, cwd)
        if 'install' in argv:
            return 1, '', 'ERROR: No matching distribution found for Django>=99'
        return run(argv, cwd)

    with pytest.raises(_build.BuildError) as caught:
        _build.build(site, os.path.join(site['paths']['releases'], 'abc'), archive, 'abc', IDS, pip_fails, Steps(), mod_wsgi_python='3.11')
    assert caught.value.step == 'requirements'
    assert "site 'shop', step requirements: No matching distribution found for Django>=99" in caught.value.message
