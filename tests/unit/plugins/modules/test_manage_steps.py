# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""manage_steps module through main(): check mode and refusals anywhere; real steps as the site user as root.

The real runs (needs_root) start the role's rendered ``bin/manage`` through ``setpriv`` once per step,
against a release that ships a stand-in django (site_harness.FAKE_DJANGO) and links a virtualenv of an
interpreter the site user can run.
"""

from __future__ import annotations

import grp
import os
import pwd
import stat

import pytest

from ansible_collections.modwsgi.django.plugins.module_utils._site_tree import VENV_LINK
from ansible_collections.modwsgi.django.plugins.modules import manage_steps
from ansible_collections.modwsgi.django.tests.unit.plugins.modules.site_harness import FAKE_DJANGO, needs_root, normalized
from ansible_collections.modwsgi.django.tests.unit.plugins.modules.utils import run_module

ORDER = ['migrate', 'collectstatic', 'compilemessages', 'check --deploy']
MARKERS = {'migrate': '.modwsgi-migrated', 'collectstatic': '.modwsgi-collected', 'check --deploy': '.modwsgi-checked'}


def a_release(site, release_id='0123456789ab'):
    release = os.path.join(site['paths']['releases'], release_id)
    os.makedirs(release)
    return release


def marker(site, name):
    if name in MARKERS:
        return MARKERS[name]
    return next(step['marker'] for step in site['manage_steps'] if step['name'] == name)


# --- check mode and refusals ----------------------------------------------------------------------

def test_check_mode_lists_the_pending_steps_in_order_and_runs_none(capsys, tmp_path):
    site = normalized(tmp_path / 'shop', manage_steps=['compilemessages'])
    release = a_release(site)
    code, result = run_module(manage_steps.main, capsys, {'site': site, 'release_dir': release, '_ansible_check_mode': True})
    assert code == 0 and result['changed'] is True and result['pending'] == ORDER and result['ran'] == []
    assert os.listdir(release) == []


def test_check_mode_skips_what_the_release_has_done_and_migrate_false(capsys, tmp_path):
    site = normalized(tmp_path / 'shop', manage_steps=['compilemessages'])
    release = a_release(site)
    for name in ('collectstatic', 'compilemessages'):
        open(os.path.join(release, marker(site, name)), 'w').close()
    code, result = run_module(manage_steps.main, capsys, {'site': site, 'release_dir': release + '/', 'migrate': False,
                                                          '_ansible_check_mode': True})
    assert code == 0 and result['pending'] == ['check --deploy']
    open(os.path.join(release, marker(site, 'check --deploy')), 'w').close()
    code, result = run_module(manage_steps.main, capsys, {'site': site, 'release_dir': release, 'migrate': False,
                                                          '_ansible_check_mode': True})
    assert code == 0 and result['changed'] is False and result['pending'] == []


def test_a_site_without_steps_has_nothing_pending(capsys, tmp_path):
    site = normalized(tmp_path / 'shop', migrate=False, collectstatic=False, check_deploy=False)
    code, result = run_module(manage_steps.main, capsys, {'site': site, 'release_dir': a_release(site), '_ansible_check_mode': True})
    assert code == 0 and result['changed'] is False and result['pending'] == []


def test_a_missing_release_is_refused_by_name(capsys, tmp_path):
    site = normalized(tmp_path / 'shop')
    missing = os.path.join(site['paths']['releases'], 'feedfeedfeed')
    code, result = run_module(manage_steps.main, capsys, {'site': site, 'release_dir': missing, '_ansible_check_mode': True})
    assert code == 1 and result['msg'] == "site 'shop': release directory %s does not exist" % missing


@pytest.mark.parametrize('key', ['user', 'group', 'apache_group'])
def test_an_unknown_account_fails_before_any_step(capsys, tmp_path, key):
    accounts = {'user': pwd.getpwuid(os.getuid()).pw_name, 'group': grp.getgrgid(os.getgid()).gr_name}
    accounts['apache_group'] = accounts['group']
    word = accounts[key] = 'zqnosuch' + key.replace('_', '')
    site = dict(normalized(tmp_path / 'shop'), user=accounts['user'], group=accounts['group'])   # accounts this host has
    args = {'site': site, 'release_dir': a_release(site), 'apache_group': accounts['apache_group']}
    code, result = run_module(manage_steps.main, capsys, args)
    assert code == 1 and "site 'shop': unknown user or group" in result['msg'] and word in result['msg']
    assert os.listdir(args['release_dir']) == []


@pytest.mark.parametrize('missing', ['site', 'release_dir'])
def test_required_options(capsys, tmp_path, missing):
    args = {'site': normalized(tmp_path / 'shop'), 'release_dir': str(tmp_path)}
    del args[missing]
    code, result = run_module(manage_steps.main, capsys, args)
    assert code == 1 and 'missing required arguments: %s' % missing in result['msg']


# --- the steps for real ---------------------------------------------------------------------------

def linked_release(tree, release_id='0123456789ab'):
    """A release as the build leaves it: code (root:<site group> 0750) linked to a finished virtualenv."""
    release = a_release(tree.site, release_id)
    for name, text in (('manage.py', '# the project\n'), ('django/__init__.py', ''), ('django/core/__init__.py', ''),
                       ('django/core/management/__init__.py', FAKE_DJANGO)):
        path = os.path.join(release, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'w') as handle:
            handle.write(text)
    os.symlink(tree.finished_venv(), os.path.join(release, VENV_LINK))
    for path in [release] + [os.path.join(parent, name) for parent, dirs, files in os.walk(release) for name in dirs + files]:
        os.lchown(path, 0, tree.gid)
    os.chmod(release, 0o750)
    return release


@needs_root
def test_every_step_runs_once_as_the_site_user_one_process_each_and_the_release_is_sealed(capsys, live_tree):
    tree = live_tree()
    tree.environ(FAKE_WARN='1')
    release = linked_release(tree)
    os.chmod(release, 0o777)
    code, result = run_module(manage_steps.main, capsys, {'site': tree.site, 'release_dir': release, 'apache_group': tree.apache_group})
    assert code == 0, result
    assert result['changed'] is True and result['ran'] == ORDER
    calls = tree.calls()
    assert [' '.join(call['argv']) for call in calls] == ['migrate --noinput', 'collectstatic --noinput', 'compilemessages', 'check --deploy']
    assert {call['uid'] for call in calls} == {tree.uid} and {call['release'] for call in calls} == {release}
    assert len({call['pid'] for call in calls}) == len(calls)            # bin/manage once per step
    assert result['findings'] == ['WARNINGS:', '?: (security.W004) run as uid %d' % tree.uid]
    for name in ORDER:
        assert os.path.exists(os.path.join(release, marker(tree.site, name)))
    # what collectstatic and compilemessages wrote as the site user is root's again; the release is closed to others
    assert os.stat(release).st_uid == 0 and stat.S_IMODE(os.stat(release).st_mode) == 0o750
    assert os.stat(os.path.join(release, 'django.mo')).st_uid == 0
    collected = os.path.join(tree.site['static']['dir'], 'staticfiles.json')
    assert os.stat(collected).st_uid == 0 and stat.S_IMODE(os.stat(collected).st_mode) == 0o644

    code, again = run_module(manage_steps.main, capsys, {'site': tree.site, 'release_dir': release, 'apache_group': tree.apache_group})
    assert code == 0 and again['changed'] is False and again['ran'] == [] and len(tree.calls()) == len(calls)


@needs_root
def test_migrate_false_skips_migrate_on_this_host(capsys, live_tree):
    tree = live_tree(collectstatic=False, manage_steps=[], check_deploy=False)
    release = linked_release(tree)
    code, result = run_module(manage_steps.main, capsys, {'site': tree.site, 'release_dir': release, 'migrate': False,
                                                          'apache_group': tree.apache_group})
    assert code == 0 and result['ran'] == [] and tree.calls() == []


@needs_root
def test_the_first_failing_step_stops_the_run_and_is_named(capsys, live_tree):
    tree = live_tree()
    tree.environ(FAKE_FAIL='compilemessages')
    release = linked_release(tree)
    code, result = run_module(manage_steps.main, capsys, {'site': tree.site, 'release_dir': release, 'apache_group': tree.apache_group})
    assert code == 1 and result['failed_step'] == 'compilemessages'
    assert "site 'shop', step 'compilemessages' failed on release 0123456789ab (exit code 3)" in result['msg']
    assert 'partial output of compilemessages' in result['msg']
    assert [' '.join(call['argv']) for call in tree.calls()] == ['migrate --noinput', 'collectstatic --noinput', 'compilemessages']
    assert os.path.exists(os.path.join(release, '.modwsgi-collected'))
    assert not os.path.exists(os.path.join(release, marker(tree.site, 'compilemessages')))
    assert os.stat(release).st_uid == 0 and stat.S_IMODE(os.stat(release).st_mode) == 0o750   # sealed on failure too


@needs_root
def test_fatal_findings_fail_with_the_findings(capsys, live_tree):
    tree = live_tree(migrate=False, collectstatic=False, manage_steps=[])
    tree.environ(FAKE_WARN='1')
    release = linked_release(tree)
    code, result = run_module(manage_steps.main, capsys, {'site': tree.site, 'release_dir': release, 'check_deploy_fatal': True,
                                                          'apache_group': tree.apache_group})
    assert code == 1 and result['failed_step'] == 'check --deploy' and result['ran'] == ['check --deploy']
    assert result['findings'][0] == 'WARNINGS:' and 'security.W004' in result['msg']
