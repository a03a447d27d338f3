# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""build_release module through main(): a real tarball, a real virtualenv, real management steps.

The full builds (marked needs_root) unpack a tarball into a site tree, build the virtualenv with
``python -m venv`` (the site has no requirements file), and run the steps as the site user through
``setpriv`` and the role's real boot module, all in one Django process (the release ships a stand-in
django, site_harness.FAKE_DJANGO). The other tests need no privileges: check mode, bad arguments,
a refused tarball.
"""

from __future__ import annotations

import base64
import grp
import hashlib
import os
import pwd
import stat

import pytest

from ansible_collections.modwsgi.django.plugins.module_utils._activate import read_map
from ansible_collections.modwsgi.django.plugins.modules import build_release
from ansible_collections.modwsgi.django.tests.unit.plugins.modules.site_harness import needs_root, normalized, tarball
from ansible_collections.modwsgi.django.tests.unit.plugins.modules.utils import run_module

STEPS = ['migrate', 'collectstatic', 'compilemessages', 'check --deploy']


def sha1(path):
    with open(path, 'rb') as handle:
        return hashlib.sha1(handle.read()).hexdigest()


def me():
    """(user, group) of this process: accounts that exist wherever the tests run."""
    return pwd.getpwuid(os.getuid()).pw_name, grp.getgrgid(os.getgid()).gr_name


def mode(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


# --- without privileges ---------------------------------------------------------------------------

def test_check_mode_names_the_release_after_the_tarball_and_builds_nothing(capsys, tmp_path):
    site = normalized(tmp_path / 'shop')
    archive = tarball(tmp_path / 'code.tar.gz')
    code, result = run_module(build_release.main, capsys, {'site': site, 'archive': archive, '_ansible_check_mode': True})
    assert code == 0 and result['changed'] is True
    assert result['release_id'] == sha1(archive)[:12]
    assert result['release_dir'] == os.path.join(site['paths']['releases'], sha1(archive)[:12])
    assert result['ran'] == [] and result['links'] == [] and result['venv'] is None
    assert not os.path.exists(str(tmp_path / 'shop'))


def test_check_mode_leaves_an_uploaded_tarball_where_it_is(capsys, tmp_path):
    site = normalized(tmp_path / 'shop')
    incoming = tarball(tmp_path / 'upload.tar.gz')
    code, result = run_module(build_release.main, capsys, {'site': site, 'archive_from': incoming, 'release_id': 'a' * 40,
                                                           '_ansible_check_mode': True})
    assert code == 0 and result['release_id'] == 'a' * 12
    assert os.path.exists(incoming) and not os.path.exists(site['paths']['source_archive'])


def test_no_tarball_and_no_release_id_is_refused(capsys, tmp_path):
    site = normalized(tmp_path / 'shop')
    code, result = run_module(build_release.main, capsys, {'site': site, '_ansible_check_mode': True})
    assert code == 1 and "site 'shop': no tarball at %s and no release_id" % site['paths']['source_archive'] in result['msg']


@pytest.mark.parametrize('site', [{'name': 'shop'}, {'name': 'shop', 'paths': None}])
def test_a_site_that_is_not_normalized_is_refused(capsys, site):
    code, result = run_module(build_release.main, capsys, {'site': site})
    assert code == 1 and 'site must be a normalized site of validate_sites' in result['msg']


def test_src_and_source_dir_exclude_each_other(capsys, tmp_path):
    site = normalized(tmp_path / 'shop')
    code, result = run_module(build_release.main, capsys, {'site': site, 'src': '/a.tar.gz', 'source_dir': '/src/shop'})
    assert code == 1 and 'mutually exclusive' in result['msg'] and 'src' in result['msg']


def test_an_unknown_site_user_fails_before_anything_is_unpacked(capsys, tmp_path):
    site = normalized(tmp_path / 'shop', daemon={'user': 'zqnosuchuser', 'group': 'zqnosuchgroup'})
    archive = tarball(tmp_path / 'code.tar.gz')
    code, result = run_module(build_release.main, capsys, {'site': site, 'archive': archive})
    assert code == 1 and "site 'shop': unknown user or group" in result['msg'] and 'zqnosuchuser' in result['msg']
    assert not os.path.exists(site['paths']['releases'])


def test_a_tarball_that_climbs_out_is_a_failed_unpack_and_leaves_no_release(capsys, tmp_path):
    user, group = me()
    site = dict(normalized(tmp_path / 'shop'), user=user, group=group)   # accounts this host has (root is no site user)
    archive = tarball(tmp_path / 'code.tar.gz', {'../escape.py': 'x'})
    os.makedirs(os.path.dirname(site['paths']['source_archive']))   # the site's cache, as the role's file batch makes it
    code, result = run_module(build_release.main, capsys, {'site': site, 'archive': archive, 'release_id': 'b' * 12,
                                                           'apache_group': group})
    assert code == 1 and result['failed_step'] == 'unpack'
    assert "site 'shop', step unpack: member '../escape.py' is outside the release" in result['msg']
    assert 'Nothing was activated' in result['msg']
    assert os.listdir(site['paths']['releases']) == [] and not os.path.exists(str(tmp_path / 'shop' / 'escape.py'))


def test_the_tarball_sent_in_the_arguments_is_the_sites_archive_root_only(capsys, tmp_path):
    user, group = me()
    site = dict(normalized(tmp_path / 'shop'), user=user, group=group)
    data = open(tarball(tmp_path / 'code.tar.gz', {'../escape.py': 'x'}), 'rb').read()
    os.makedirs(os.path.dirname(site['paths']['source_archive']))
    code, result = run_module(build_release.main, capsys, {'site': site, 'archive_data': base64.b64encode(data).decode(),
                                                           'apache_group': group})
    # written before the build (which then refuses the member that climbs out), named by its checksum
    assert code == 1 and result['failed_step'] == 'unpack'
    assert open(site['paths']['source_archive'], 'rb').read() == data and mode(site['paths']['source_archive']) == 0o600
    assert "step unpack" in result['msg'] and hashlib.sha1(data).hexdigest()[:12] in result['release_dir']


def test_arguments_that_are_not_base64_are_refused_before_anything_is_written(capsys, tmp_path):
    user, group = me()
    site = dict(normalized(tmp_path / 'shop'), user=user, group=group)
    os.makedirs(os.path.dirname(site['paths']['source_archive']))
    code, result = run_module(build_release.main, capsys, {'site': site, 'archive_data': 'not base64!', 'apache_group': group})
    assert code == 1 and "site 'shop': cannot put the tarball at %s" % site['paths']['source_archive'] in result['msg']
    assert not os.path.exists(site['paths']['source_archive']) and not os.path.exists(site['paths']['releases'])


def test_archive_data_excludes_an_uploaded_file(capsys, tmp_path):
    site = normalized(tmp_path / 'shop')
    code, result = run_module(build_release.main, capsys, {'site': site, 'archive_data': 'eA==', 'archive_from': '/tmp/x'})
    assert code == 1 and 'mutually exclusive' in result['msg'] and 'archive_data' in result['msg']


# --- full builds (root, the site user runs the steps) ---------------------------------------------

@needs_root
def test_a_first_release_is_built_end_to_end_and_a_rerun_does_nothing(capsys, live_tree):
    tree = live_tree()
    site = tree.site
    paths = site['paths']
    upload = tarball(os.path.join(tree.top, 'upload.tar.gz'))
    checksum = sha1(upload)
    tree.environ(FAKE_WARN='1')
    code, result = run_module(build_release.main, capsys, {'site': site, 'archive_from': upload, 'release_id': checksum,
                                                           'apache_group': tree.apache_group})
    assert code == 0, result
    release = os.path.join(paths['releases'], checksum[:12])
    assert result['changed'] is True and result['release_dir'] == release and result['unpacked'] is True
    # the uploaded tarball is the site's source archive now, root only
    assert not os.path.exists(upload) and sha1(paths['source_archive']) == checksum and mode(paths['source_archive']) == 0o600
    # the code, with its marker, root:<site group>, not writable by the site
    assert open(os.path.join(release, '.modwsgi-release')).read().strip() == checksum[:12]
    assert os.stat(release).st_uid == 0 and os.stat(release).st_gid == tree.gid and mode(release) == 0o750
    assert mode(os.path.join(release, 'manage.py')) == 0o640
    # a real virtualenv of the site's interpreter, complete, linked from the release
    assert result['venv_built'] is True and os.path.dirname(result['venv']) == paths['venvs']
    assert os.path.exists(os.path.join(result['venv'], '.modwsgi-complete'))
    assert os.readlink(os.path.join(release, '.modwsgi-venv')) == result['venv']
    assert os.path.realpath(os.path.join(result['venv'], 'bin', 'python')) == os.path.realpath(site['python'])
    # every step once, in order, as the site user, on this release, in one process
    calls = tree.calls()
    assert result['ran'] == STEPS and [' '.join(call['argv']) for call in calls] == [
        'migrate --noinput', 'collectstatic --noinput', 'compilemessages', 'check --deploy']
    assert {call['uid'] for call in calls} == {tree.uid}
    assert {call['release'] for call in calls} == {release} and len({call['pid'] for call in calls}) == 1
    assert result['findings'] == ['WARNINGS:', '?: (security.W004) run as uid %d' % tree.uid]
    # what the writing steps wrote is sealed again
    assert os.stat(os.path.join(release, 'django.mo')).st_uid == 0
    assert mode(os.path.join(site['static']['dir'], 'staticfiles.json')) == 0o644
    assert os.stat(os.path.join(site['static']['dir'], 'staticfiles.json')).st_uid == 0
    # the first release gets the live links
    assert sorted(result['links']) == ['blue', 'current', 'green']
    # where the time went, phase by phase in the order they ran
    assert list(result['timings']) == ['unpack', 'virtualenv', 'django', 'migrate', 'collectstatic', 'compilemessages', 'check --deploy', 'links']
    assert all(isinstance(seconds, float) and seconds >= 0 for seconds in result['timings'].values())
    assert all(os.readlink(os.path.join(paths['root'], link)) == release for link in result['links'])

    code, again = run_module(build_release.main, capsys, {'site': site, 'release_id': checksum, 'apache_group': tree.apache_group})
    assert code == 0 and again['changed'] is False
    assert (again['unpacked'], again['venv_built'], again['ran'], again['links']) == (False, False, [], [])
    assert len(tree.calls()) == len(calls)


@needs_root
def test_the_next_release_shares_the_virtualenv_and_moves_no_link(capsys, live_tree):
    tree = live_tree(migrate=False, collectstatic=False, manage_steps=[], check_deploy=False)
    site = tree.site
    venv = tree.finished_venv()
    first = tarball(os.path.join(tree.top, 'one.tar.gz'))
    code, one = run_module(build_release.main, capsys, {'site': site, 'archive': first, 'apache_group': tree.apache_group})
    assert code == 0 and one['venv_built'] is False and one['venv'] == venv and one['ran'] == []
    assert os.readlink(os.path.join(one['release_dir'], '.modwsgi-venv')) == venv
    second = tarball(os.path.join(tree.top, 'two.tar.gz'), {'manage.py': '# the next release\n'})
    code, two = run_module(build_release.main, capsys, {'site': site, 'archive': second, 'apache_group': tree.apache_group})
    assert code == 0 and two['changed'] is True and two['unpacked'] is True
    assert two['release_id'] == sha1(second)[:12] != one['release_id']
    assert two['venv_built'] is False and two['venv'] == one['venv']          # same requirements closure, same interpreter
    assert two['links'] == [] and os.readlink(site['paths']['current']) == one['release_dir']


@needs_root
def test_a_failed_step_is_named_links_nothing_and_the_next_run_goes_on_from_there(capsys, live_tree):
    tree = live_tree()
    site = tree.site
    tree.finished_venv()
    archive = tarball(os.path.join(tree.top, 'code.tar.gz'))
    tree.environ(FAKE_FAIL='compilemessages')
    code, result = run_module(build_release.main, capsys, {'site': site, 'archive': archive, 'apache_group': tree.apache_group})
    release = os.path.join(site['paths']['releases'], sha1(archive)[:12])
    assert code == 1 and result['failed_step'] == 'compilemessages' and result['release_dir'] == release
    assert "site 'shop', step 'compilemessages' failed on release %s (exit code 3)" % sha1(archive)[:12] in result['msg']
    assert 'partial output of compilemessages' in result['msg'] and 'Nothing was activated' in result['msg']
    assert not any(os.path.lexists(site['paths'][link]) for link in ('blue', 'green', 'current'))
    assert os.stat(release).st_uid == 0 and mode(release) == 0o750          # sealed again after the failure
    assert os.path.exists(os.path.join(release, '.modwsgi-migrated')) and not os.path.exists(os.path.join(release, '.modwsgi-checked'))

    tree.environ()
    code, result = run_module(build_release.main, capsys, {'site': site, 'archive': archive, 'apache_group': tree.apache_group})
    assert code == 0, result
    assert (result['unpacked'], result['venv_built']) == (False, False)
    assert result['ran'] == ['compilemessages', 'check --deploy'] and sorted(result['links']) == ['blue', 'current', 'green']


@needs_root
def test_fatal_check_deploy_findings_fail_the_build(capsys, live_tree):
    tree = live_tree(migrate=False, collectstatic=False, manage_steps=[])
    tree.finished_venv()
    tree.environ(FAKE_WARN='1')
    archive = tarball(os.path.join(tree.top, 'code.tar.gz'))
    code, result = run_module(build_release.main, capsys, {'site': tree.site, 'archive': archive, 'apache_group': tree.apache_group,
                                                           'check_deploy_fatal': True})
    assert code == 1 and result['failed_step'] == 'check --deploy'
    assert "step 'check --deploy' reported findings on release %s" % sha1(archive)[:12] in result['msg']
    assert 'security.W004' in result['msg'] and result['findings'][0] == 'WARNINGS:'


# --- a bluegreen switch started before the management steps ---------------------------------------

def _activate_options(tree, map_path):
    return {'map_path': map_path, 'health_host': 'shop.example.com', 'health_path': '/healthz/', 'health_port': 80,
            'health_retries': 3, 'health_delay': 0.01, 'restart_timeout': 5, 'force_restart': False,
            'error_log': os.path.join(tree.top, 'error.log')}


def _first_release(capsys, live_tree):
    """A bluegreen site with its first release built (both colors and current on it): (tree, map path, result)."""
    tree = live_tree()
    tree.finished_venv()
    code, one = run_module(build_release.main, capsys, {'site': tree.site, 'archive': tarball(os.path.join(tree.top, 'one.tar.gz')),
                                                        'apache_group': tree.apache_group})
    assert code == 0 and sorted(one['links']) == ['blue', 'current', 'green']
    return tree, os.path.join(tree.top, 'modwsgi-colors.map'), one


def _links(site):
    return dict((name, os.readlink(site['paths'][name])) for name in ('blue', 'green', 'current'))


@needs_root
def test_the_idle_color_restarts_before_the_steps_and_the_switch_waits_for_it(capsys, live_tree, monkeypatch):
    tree, map_path, one = _first_release(capsys, live_tree)
    site = tree.site
    seen = {}

    def probe(params, color):
        """The site as it would answer: the release of the pinned color, else of the color the map names."""
        live = color or read_map(map_path).get('shop', 'blue')
        return 200, os.path.basename(os.readlink(site['paths'][live])), 'ok'

    real_prepare = build_release.prepare

    def prepare(target):
        handle = real_prepare(target)
        seen['idle_link_at_prepare'] = os.readlink(site['paths']['green'])
        seen['migrated_at_prepare'] = os.path.exists(os.path.join(target['release_dir'], '.modwsgi-migrated'))
        return handle

    monkeypatch.setattr(build_release, 'prepare', prepare)
    monkeypatch.setattr(build_release, 'http_probe', probe)
    second = tarball(os.path.join(tree.top, 'two.tar.gz'), {'manage.py': '# the next release\n'})
    code, two = run_module(build_release.main, capsys, {'site': site, 'archive': second, 'apache_group': tree.apache_group,
                                                        'activate': _activate_options(tree, map_path)})
    assert code == 0, two
    # green was repointed before migrate ran, and the switch finished there
    assert seen == {'idle_link_at_prepare': two['release_dir'], 'migrated_at_prepare': False}
    order = list(two['timings'])
    assert order.index('virtualenv') < order.index('prepare') < order.index('django') < order.index('restart')
    assert two['activation']['live'] == 'green' and read_map(map_path) == {'shop': 'green'}
    assert _links(site) == {'blue': one['release_dir'], 'green': two['release_dir'], 'current': two['release_dir']}


@needs_root
def test_a_build_that_fails_after_the_early_start_puts_the_idle_color_back(capsys, live_tree, monkeypatch):
    tree, map_path, one = _first_release(capsys, live_tree)
    site = tree.site
    moved = []
    real_prepare = build_release.prepare

    def prepare(target):
        handle = real_prepare(target)
        moved.append(os.readlink(site['paths']['green']))
        return handle

    monkeypatch.setattr(build_release, 'prepare', prepare)
    tree.environ(FAKE_FAIL='migrate')
    second = tarball(os.path.join(tree.top, 'two.tar.gz'), {'manage.py': '# a release whose migrate fails\n'})
    code, result = run_module(build_release.main, capsys, {'site': site, 'archive': second, 'apache_group': tree.apache_group,
                                                           'activate': _activate_options(tree, map_path)})
    assert code == 1 and result['failed_step'] == 'migrate'
    assert moved == [result['release_dir']]                    # green had been moved to the new release ...
    assert _links(site) == {'blue': one['release_dir'], 'green': one['release_dir'], 'current': one['release_dir']}
    assert 'Also:' not in result['msg'] and not os.path.exists(map_path)   # ... and is back: no flip, a rollback still has it
