# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.django maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The analysis the fault tests assert on and bench/faults.py reports (molecule/shared/files/{loadgen,faults}.py)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

FILES = os.path.join(os.path.dirname(__file__), '..', '..', 'molecule', 'shared', 'files')
sys.path.insert(0, FILES)

import faults  # noqa: E402
import loadgen  # noqa: E402


def req(start, end, status=200, path='/'):
    return {'path': path, 'start': start, 'end': end, 'status': status, 'error': None if status == 200 else 'x'}


def test_fault_figures_tell_requests_cut_in_flight_from_arrivals_that_failed():
    reqs = [req(0, 1), req(9.9, 10.05, 500), req(10.02, 10.5), req(10.3, 10.4), req(11, 11.2, 503), req(12, 12.1)]
    fig = loadgen.fault_figures(reqs, at=10.0, done=10.01)
    assert (fig['failed'], fig['failed_in_flight'], fig['failed_after']) == (2, 1, 1)
    assert fig['served_again_s'] == 0.4 and fig['all_ok_after_s'] == 1.0 and fig['longest_after_s'] == 0.48
    assert fig['statuses'] == {'200': 4, '500': 1, '503': 1}
    clean = loadgen.fault_figures([req(9.9, 10.05, 500), req(10.2, 10.3)], at=10.0)
    assert clean['all_ok_after_s'] == 0.0 and clean['failed_after'] == 0
    assert loadgen.fault_figures([req(10.2, 10.3, path='/slow/')], at=10.0, path='/')['requests'] == 0


def test_queue_figures_split_by_how_long_a_request_waited_for_a_thread():
    reqs = [req(0, 8, path='/slow/?s=8'), req(0, 8.01, path='/slow/?s=8'),
            req(1, 8.0, 504, '/minimal/'), req(2, 8.0, 504, '/minimal/'), req(5, 8.02, 200, '/minimal/'),
            req(8.5, 8.51, 200, '/minimal/')]
    fig = faults.queue_figures(reqs, queue_timeout=5)
    assert fig['late'] == {'504': 2} and fig['early'] == {'200': 1} and fig['queued'] == {'504': 2, '200': 1}
    assert fig['after'] == {'200': 1} and fig['latest_answer_after_freed_s'] == 0.02 and fig['longest_wait_s'] == 7.0


def test_phase_figures():
    fig = loadgen.phase_figures([req(1, 2), req(3, 3.5, 504), req(9, 9.1)], 0, 5)
    assert fig == {'requests': 2, 'statuses': {'200': 1, '504': 1}, 'slowest_s': 1, 'last_answer': 3.5}


def test_kill_script_kills_the_live_color_and_says_when(tmp_path):
    (tmp_path / 'colors.map').write_text('other green\n')
    script = faults.kill_script('shop', root=str(tmp_path), which=('one', 'all'), pause=0,
                                colors_map=str(tmp_path / 'colors.map'))
    assert script.count('kill -9') == 2 and 'sleep 0' in script and 'colors.map' in script
    out = subprocess.run(['sh', '-c', script.replace('kill -9', 'true')], capture_output=True, text=True, check=False)
    marks = faults.parse_marks(out.stdout)
    assert set(marks) == {'one', 'one_done', 'all', 'all_done'} and marks['one'][1] == 'blue' and marks['one'][2] == []


def test_kill_script_kills_only_registered_daemons_of_the_live_color(tmp_path):
    """Two fake daemons (their title starts with "(wsgi:", as mod_wsgi's display-name sets it) and a stale entry."""
    (tmp_path / 'run').mkdir()
    procs = [subprocess.Popen(['bash', '-c', 'exec -a "(wsgi:shop_blue)" sleep 30']) for _unused in range(2)]
    other = subprocess.Popen(['sleep', '30'])   # registered, but not a daemon: never killed
    try:
        import time
        time.sleep(0.3)
        for proc in procs + [other]:
            (tmp_path / 'run' / ('shop_blue.%d' % proc.pid)).write_text('')
        (tmp_path / 'run' / 'shop_blue.999999999').write_text('')
        (tmp_path / 'colors.map').write_text('# header\nshop blue\n')
        script = faults.kill_script('shop', root=str(tmp_path), pause=0, colors_map=str(tmp_path / 'colors.map'))
        out = subprocess.run(['sh', '-c', script],
                             capture_output=True, text=True, check=False, timeout=30)
        marks = faults.parse_marks(out.stdout)
        killed = marks['one'][2] + marks['all'][2]
        assert sorted(killed) == sorted(str(p.pid) for p in procs), out.stdout + out.stderr
        assert all(p.wait(timeout=10) == -9 for p in procs) and other.poll() is None
    finally:
        for proc in procs + [other]:
            if proc.poll() is None:
                proc.kill()
            proc.wait()


def test_half_built_script_lists_what_a_failed_build_left(tmp_path):
    root = tmp_path / 'shop'
    (root / 'venvs' / 'abc').mkdir(parents=True)
    (root / 'venvs' / 'abc' / '.modwsgi-complete').write_text('')
    (root / 'releases' / 'r1').mkdir(parents=True)
    (root / 'releases' / 'r1' / '.modwsgi-release').write_text('')
    os.symlink(str(root / 'venvs' / 'abc'), str(root / 'releases' / 'r1' / '.modwsgi-venv'))

    def run():
        return subprocess.run(['sh', '-c', faults.half_built_script(str(root))], capture_output=True, text=True,
                              check=False).stdout.split()

    (root / 'venvs' / 'abc' / 'lib' / 'site-packages').mkdir(parents=True)
    (root / 'venvs' / 'abc' / 'lib' / 'site-packages' / 'script.tmpl').write_text('')   # a venv's own file
    (root / 'venvs' / 'abc' / 'lib' / 'site-packages' / 'x.tmp').write_text('')
    assert run() == []
    (root / 'conf').mkdir()
    (root / 'conf' / '.site.json.abc123.tmp').write_text('')
    (root / 'releases' / 'r2.partial').mkdir()
    (root / 'venvs' / 'def').mkdir()
    (root / 'releases' / 'r1' / '.modwsgi-venv').unlink()
    os.symlink(str(root / 'venvs' / 'gone'), str(root / 'releases' / 'r1' / '.modwsgi-venv'))
    found = ' '.join(run())
    assert 'r2.partial' in found and 'incomplete venv' in found and 'without its venv' in found
    assert '.site.json.abc123.tmp' in found


@pytest.mark.parametrize('kind, marker', [('requirements', 'requirements.txt'), ('health', 'HEALTHZ_FAIL'), ('python', 'requirements.txt')])
def test_broken_release_copies(tmp_path, kind, marker):
    projects = os.path.join(FILES, '..', 'projects')
    dest = faults.broken_release(projects, str(tmp_path), kind, extra_files={'RUN_ID': 'x\n'})
    assert os.path.exists(os.path.join(dest, 'manage.py')) and os.path.exists(os.path.join(dest, marker))
    assert faults.broken_release(projects, str(tmp_path), 'import').endswith('broken_probe')


def test_reload_window_reads_apache_local_time():
    lines = ['[Mon Dec 07 05:34:20.142986 2026] [mpm_event:notice] [pid 604:tid 604] AH00493: SIGUSR1 received.  Doing graceful restart',
             '[Mon Dec 07 05:34:24.790724 2026] [mpm_event:notice] [pid 604:tid 604] AH00489: Apache/2.4 configured -- resuming normal operations']
    start, end = faults.reload_window(lines, '+0100')
    assert round(end - start, 3) == 4.648 and start == pytest.approx(1796621660.142986 - 3600)
    assert faults.reload_window(['nothing'], '+0000') is None
