# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""manage_steps engine: order, markers, failure by step name, sealing of release and static dir."""

from __future__ import annotations

import os
import stat

import pytest

from ansible_collections.modwsgi.django.plugins.module_utils import _manage as M

UID, GID = os.getuid(), os.getgid()
IDS = {'site_uid': UID, 'site_gid': GID, 'apache_gid': GID}


def make(tmp_path, **extra):
    rel = tmp_path / 'releases' / 'abc'
    rel.mkdir(parents=True)
    (rel / 'code.py').write_text('x')
    static = tmp_path / 'static'
    static.mkdir()
    site = {'name': 'shop', 'user': 'shop', 'group': 'shop', 'paths': {'manage': '/srv/django/shop/bin/manage'},
            'migrate': True, 'collectstatic': True, 'static': {'dir': str(static)}, 'check_deploy': True,
            'manage_steps': [{'name': 'compress --force', 'argv': ['compress', '--force'], 'marker': '.modwsgi-step-1'},
                             {'name': 'compilemessages', 'argv': ['compilemessages'], 'marker': '.modwsgi-step-2'}]}
    site.update(extra)
    return site, str(rel)


class Runner(object):
    def __init__(self, fail=None, out=''):
        self.calls, self.fail, self.out = [], fail, out

    def __call__(self, argv):
        self.calls.append(argv)
        command = argv[argv.index('--code') + 2:]
        if self.fail and command[0] == self.fail:
            return 1, 'partial output', 'Traceback: boom in %s' % self.fail
        return 0, self.out if command[0] == 'check' else '', ''


def commands(runner):
    return [' '.join(argv[argv.index('--code') + 2:]) for argv in runner.calls]


def test_plan_order_and_markers(tmp_path):
    site, _rel = make(tmp_path)
    assert [s['name'] for s in M.plan(site)] == ['migrate', 'collectstatic', 'compress --force', 'compilemessages', 'check --deploy']
    assert M.markers(site) == ['.modwsgi-migrated', '.modwsgi-collected', '.modwsgi-step-1', '.modwsgi-step-2', '.modwsgi-checked']
    site.update(migrate=False, static=False, check_deploy=False, manage_steps=[])
    assert M.plan(site) == []


def test_runs_as_the_site_user_against_the_release_and_once_per_release(tmp_path):
    site, rel = make(tmp_path)
    runner = Runner()
    result = M.run_steps(site, rel, M.per_process(site, rel, runner), IDS)
    assert result['ran'] == ['migrate', 'collectstatic', 'compress --force', 'compilemessages', 'check --deploy']
    assert runner.calls[0][:6] == ['setpriv', '--reuid=shop', '--regid=shop', '--init-groups', '--', '/srv/django/shop/bin/manage']
    assert commands(runner)[0] == 'migrate --noinput'
    assert all(argv[6:8] == ['--code', rel] for argv in runner.calls)
    for marker in M.markers(site):
        assert os.path.exists(os.path.join(rel, marker))
    again = Runner()
    assert M.run_steps(site, rel, M.per_process(site, rel, again), IDS)['ran'] == [] and again.calls == []


@pytest.mark.parametrize('failing', ['migrate', 'collectstatic', 'compress', 'compilemessages', 'check'])
def test_first_failure_stops_and_is_named(tmp_path, failing):
    site, rel = make(tmp_path)
    with pytest.raises(M.StepFailed) as err:
        M.run_steps(site, rel, M.per_process(site, rel, Runner(fail=failing)), IDS)
    names = {'compress': 'compress --force', 'check': 'check --deploy'}
    assert err.value.step == names.get(failing, failing)
    assert err.value.rc == 1 and 'boom in %s' % failing in err.value.output
    done = [s['name'] for s in M.plan(site) if os.path.exists(os.path.join(rel, s['marker']))]
    order = [s['name'] for s in M.plan(site)]
    assert done == order[:order.index(err.value.step)]
    # the failed step and the ones after it run next time
    assert M.run_steps(site, rel, M.per_process(site, rel, Runner()), IDS)['ran'] == order[order.index(err.value.step):]


def test_release_and_static_are_sealed_after_writing_steps_even_on_failure(tmp_path):
    site, rel = make(tmp_path)
    os.chmod(rel, 0o777)
    os.chmod(os.path.join(rel, 'code.py'), 0o666)
    with pytest.raises(M.StepFailed):
        M.run_steps(site, rel, M.per_process(site, rel, Runner(fail='compilemessages')), IDS)
    assert stat.S_IMODE(os.stat(rel).st_mode) == 0o750
    assert stat.S_IMODE(os.stat(os.path.join(rel, 'code.py')).st_mode) == 0o640
    static = site['static']['dir']
    assert stat.S_IMODE(os.stat(static).st_mode) & 0o755 == 0o755  # readable by the site and by Apache


def test_static_files_written_by_collectstatic_are_world_readable(tmp_path):
    site, rel = make(tmp_path, manage_steps=[], check_deploy=False)
    static = site['static']['dir']

    def collect(argv):
        if 'collectstatic' in argv:
            os.makedirs(os.path.join(static, 'admin'))
            with open(os.path.join(static, 'staticfiles.json'), 'w') as handle:
                handle.write('{}')
            os.chmod(os.path.join(static, 'staticfiles.json'), 0o600)
            os.chmod(os.path.join(static, 'admin'), 0o700)
        return 0, '', ''
    M.run_steps(site, rel, M.per_process(site, rel, collect), IDS)
    assert stat.S_IMODE(os.stat(os.path.join(static, 'staticfiles.json')).st_mode) == 0o644
    assert stat.S_IMODE(os.stat(os.path.join(static, 'admin')).st_mode) == 0o755


def test_symlinks_are_not_followed_when_sealing(tmp_path):
    site, rel = make(tmp_path)
    outside = tmp_path / 'outside.txt'
    outside.write_text('x')
    os.chmod(str(outside), 0o600)
    os.symlink(str(outside), os.path.join(rel, 'link'))
    M.run_steps(site, rel, M.per_process(site, rel, Runner()), IDS)
    assert stat.S_IMODE(os.stat(str(outside)).st_mode) == 0o600


def test_check_deploy_findings():
    out = 'System check identified some issues:\n\nWARNINGS:\n?: (security.W004) no HSTS\n\nSystem check identified 1 issue (0 silenced).\n'
    assert M.findings(out) == ['WARNINGS:', '?: (security.W004) no HSTS', 'System check identified 1 issue (0 silenced).']
    assert M.findings('System check identified no issues (0 silenced).\n') == []


def test_check_deploy_findings_are_returned(tmp_path):
    site, rel = make(tmp_path, manage_steps=[])
    result = M.run_steps(site, rel, M.per_process(site, rel, Runner(out='WARNINGS:\n?: (security.W008) x\n')), IDS)
    assert result['findings'] == ['WARNINGS:', '?: (security.W008) x']
