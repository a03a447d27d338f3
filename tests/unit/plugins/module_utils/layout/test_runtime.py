# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.django maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Runtime rules (_layout/runtime.py): deploy, daemon, thread-safety, capacity, python-abi, mpm-choice."""

from __future__ import annotations

import pytest

from ansible_collections.modwsgi.django.plugins.module_utils._layout.filesystem import FileSystem
from ansible_collections.modwsgi.django.plugins.module_utils._layout.schema import DAEMON_DEFAULTS
from ansible_collections.modwsgi.django.plugins.module_utils._layout.validation import validate
from ansible_collections.modwsgi.django.tests.unit.plugins.module_utils.layout.helpers import (
    FakeFS,
    assert_clean,
    assert_error,
    assert_warning,
    by_name,
    find,
    fsrun,
    run,
    site,
)


# ---------------------------------------------------------------------------
# deploy
# ---------------------------------------------------------------------------

def test_deploy_only_for_daemon():
    assert_error(run([site(mode='embedded', deploy='bluegreen')]), 'deploy', 'deploy')


def test_deploy_bad_value():
    finding = assert_error(run([site(deploy='blugreen')]), 'deploy', 'deploy')
    assert "did you mean 'bluegreen'?" in finding.message


def test_deploy_defaults():
    result = run([site('a'), site('b', mode='embedded'), site('c', deploy='restart')])
    assert_clean(result)
    sites = by_name(result)
    assert sites['a']['deploy'] == 'bluegreen' and sites['a']['daemon_groups'] == ['a_blue', 'a_green']
    assert sites['a']['process_group'] is None and sites['a']['daemon']['home'] is None
    assert sites['b']['deploy'] is None and sites['b']['daemon_groups'] == [] and sites['b']['daemon'] is None
    assert sites['c']['process_group'] == 'c' and sites['c']['daemon']['home'] == '/srv/django/c/current'


def test_mode_bad_value():
    assert "did you mean 'daemon'?" in assert_error(run([site(mode='deamon')]), 'schema', 'mode').message


# ---------------------------------------------------------------------------
# processes-1 / thread-safety / embedded-user
# ---------------------------------------------------------------------------

def test_processes_1_warns():
    result = run([site(daemon={'processes': 1})])
    assert_clean(result)
    finding = assert_warning(result, 'processes-1', 'daemon.processes')
    assert 'processes: null' in finding.fix


def test_processes_omitted_or_more_do_not_warn():
    assert not find(run([site(), site('b', daemon={'processes': 3})]), 'processes-1')


def test_thread_safety_daemon_threads():
    assert_error(run([site(thread_safe=False, daemon={'threads': 5})]), 'thread-safety', 'daemon.threads')


def test_thread_safety_default_threads_become_1():
    result = run([site(thread_safe=False, daemon={'processes': 5})])
    assert_clean(result)
    assert result.sites[0]['daemon']['threads'] == 1


@pytest.mark.parametrize('mpm', ['worker', 'event'])
def test_thread_safety_embedded_threaded_mpm(mpm):
    assert_error(run([site(mode='embedded', thread_safe=False)], mpm=mpm), 'thread-safety', 'thread_safe')


def test_thread_safety_embedded_prefork_ok():
    assert_clean(run([site(mode='embedded', thread_safe=False)], mpm='prefork'))


@pytest.mark.parametrize('daemon', [{'user': 'shop'}, {'group': 'shop'}, {'threads': 5}])
def test_embedded_user(daemon):
    assert_error(run([site(mode='embedded', daemon=daemon)]), 'embedded-user', 'daemon')


def test_embedded_runs_as_apache_user():
    result = run([site(mode='embedded', daemon={})], apache_user='apache', apache_group='apache')
    assert_clean(result)
    assert (result.sites[0]['user'], result.sites[0]['group']) == ('apache', 'apache')
    assert result.sites[0]['application_group'] == '%{RESOURCE}'


@pytest.mark.parametrize('daemon,field', [
    ({'user': 'root'}, 'daemon.user'), ({'user': 'Shop User'}, 'daemon.user'), ({'threads': 0}, 'daemon.threads'),
    ({'processes': 'two'}, 'daemon.processes'), ({'threads': True}, 'daemon.threads'), ({'display_name': 'a b'}, 'daemon.display_name'),
    ({'lang': 'C.UTF-8\nX'}, 'daemon.lang'), ({'graceful_timeout': -1}, 'daemon.graceful_timeout'), ({'group': 5}, 'daemon.group'),
])
def test_daemon_values(daemon, field):
    assert_error(run([site(daemon=daemon)]), 'schema', field)


def test_daemon_defaults_filled():
    result = run([site(daemon={'processes': '2', 'user': 'www_shop'})])
    assert_clean(result)
    daemon = result.sites[0]['daemon']
    assert set(daemon) == set(DAEMON_DEFAULTS)
    assert daemon['processes'] == 2 and daemon['threads'] == 15 and daemon['group'] == 'www_shop'
    assert (result.sites[0]['user'], result.sites[0]['group']) == ('www_shop', 'www_shop')


def test_path_daemon_home():
    assert_error(run([site(daemon={'home': 'rel'})]), 'path', 'daemon.home')


# ---------------------------------------------------------------------------
# capacity
# ---------------------------------------------------------------------------

def test_capacity_workers():
    # only the live color gets requests: 2 processes x 15 threads = 30, bluegreen or not
    result = run([site(daemon={'processes': 2})], max_request_workers=25)
    finding = assert_warning(result, 'capacity', 'max_request_workers')
    assert '30 threads' in finding.message
    assert not find(run([site(daemon={'processes': 2})], max_request_workers=30), 'capacity')
    assert not find(run([site(deploy='restart', daemon={'processes': 2})], max_request_workers=30), 'capacity')


def test_default_processes_stay_within_what_apache_can_feed():
    # 150 workers, 4 sites x 15 threads: 2 processes each (120 threads), not the 8 cores
    result = run([site('s%d' % i) for i in range(4)], server_cores=8, server_memory_mb=65536, max_request_workers=150)
    assert {s['daemon']['processes'] for s in result.sites} == {2}
    assert not find(result, 'capacity')


def test_capacity_memory_daemon():
    # 10 bluegreen sites x 2 colors x 2 processes x 60 MB = 2400 MB > 80% of 2048
    sites = [site('s%d' % i, daemon={'processes': 2}) for i in range(10)]
    assert_warning(run(sites, server_memory_mb=2048), 'capacity', 'server_memory_mb')
    assert not find(run(sites, server_memory_mb=8192), 'capacity')


def test_capacity_memory_embedded_prefork():
    finding = assert_warning(run([site(mode='embedded')], mpm='prefork', server_memory_mb=4096), 'capacity', 'server_memory_mb')
    assert 'prefork' in finding.message
    assert not find(run([site(mode='embedded')], mpm='prefork'), 'capacity')


def test_capacity_without_limits_is_silent():
    assert not find(run([site(daemon={'processes': 50, 'threads': 100})]), 'capacity')


# ---------------------------------------------------------------------------
# python-abi
# ---------------------------------------------------------------------------

def test_python_abi_mismatch(tree):
    fs = FakeFS({'/usr/bin/python3': '3.13'})
    finding = assert_error(fsrun(tree, mod_wsgi_python='3.11', fs=fs), 'python-abi', 'python')
    assert '3.13' in finding.message and '/usr/bin/python3.11' in finding.fix


def test_python_abi_match_and_cache(tree):
    fs = FakeFS({'/usr/bin/python3': '3.11'})
    assert_clean(fsrun(tree, [site('a'), site('b')], mod_wsgi_python='3.11', fs=fs))
    assert fs.calls == ['/usr/bin/python3']


def test_python_abi_missing_interpreter(tree):
    finding = assert_error(fsrun(tree, [site(python='/opt/py/bin/python3')], mod_wsgi_python='3.11', fs=FakeFS({})),
                           'python-abi', 'python')
    assert '/opt/py/bin/python3' in finding.message


def test_python_abi_skipped_on_paper_or_without_version(tree):
    fs = FakeFS({})
    assert_clean(validate([site()], check_filesystem=False, mod_wsgi_python='3.11', fs=fs))
    assert_clean(fsrun(tree, fs=fs))
    assert fs.calls == []


def test_python_abi_mass_hosting_python_home(tree):
    fs = FakeFS({'/usr/bin/python3': '3.11'})
    result = fsrun(tree, mod_wsgi_python='3.11', fs=fs,
                   mass_hosting={'server_name': 'm.example.com', 'base_dir': '/srv/mass', 'python_home': '/srv/mass-venv'})
    assert_error(result, 'python-abi', 'mass_hosting.python_home')


def test_python_abi_fs_exception_is_a_finding(tree):
    class Boom(FileSystem):
        def python_version(self, python):
            raise RuntimeError('boom')
    assert_error(fsrun(tree, mod_wsgi_python='3.11', fs=Boom()), 'python-abi')


# ---------------------------------------------------------------------------
# default daemon processes from server_cores / server_memory_mb
# ---------------------------------------------------------------------------

def test_daemon_processes_default_to_one_per_core():
    result = run([site('shop'), site('blog', daemon={'processes': 3, 'threads': 2}), site('emb', mode='embedded')],
                 server_cores=2, server_memory_mb=24000, mpm='event')
    by_name = {s['name']: s for s in result.sites}
    assert by_name['shop']['daemon']['processes'] == 2
    assert by_name['blog']['daemon']['processes'] == 3          # explicit values win
    assert by_name['emb'].get('daemon') in (None, {})


def test_daemon_processes_without_cores_keep_the_mod_wsgi_default():
    result = run([site('shop')], server_memory_mb=24000)
    assert result.sites[0]['daemon']['processes'] is None


def test_explicit_null_processes_means_one_process():
    result = run([site('shop', daemon={'processes': None, 'threads': 2})], server_cores=4, server_memory_mb=24000)
    assert result.sites[0]['daemon']['processes'] is None
    assert not [f for f in result.findings if f.id == 'processes-1']


def test_daemon_processes_shrink_to_fit_memory_and_one_means_left_out():
    sites = [site('s%02d' % i) for i in range(20)]
    result = run(sites, server_cores=8, server_memory_mb=4096)
    # 4096 / 2 / 60 = 34 processes for 20 bluegreen sites (40 copies): one each, left out
    assert {s['daemon']['processes'] for s in result.sites} == {None}
    assert not [f for f in result.findings if f.id == 'capacity']


# ---------------------------------------------------------------------------
# mpm-choice
# ---------------------------------------------------------------------------

def test_mpm_choice_warns_for_prefork_without_embedded_sites():
    finding = assert_warning(run([site('shop')], mpm='prefork'), 'mpm-choice', 'mpm')
    assert 'apache_mpm: event' in finding.fix
    assert not find(run([site('shop'), site('emb', mode='embedded')], mpm='prefork'), 'mpm-choice')
    assert not find(run([site('shop')], mpm='event'), 'mpm-choice')
    assert not find(run([site('shop')], mpm='worker'), 'mpm-choice')
