# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A plan made from a snapshot says what the module says on the host: both run the same engine.

Every test builds a real tree in a temporary directory, takes a snapshot of it with ``_observe``, and
compares the engine run in check mode against the snapshot (``_view.SnapshotView``) with the same
engine run in check mode against the tree itself (``_view.LocalView``), over many variations.
"""

from __future__ import annotations

import grp
import json
import os
import pwd
import random

import pytest

from ansible_collections.modwsgi.django.plugins.module_utils import _apache_config, _files, _observe, _plan, _prune, _release
from ansible_collections.modwsgi.django.plugins.module_utils._activate import plan as activation_plan
from ansible_collections.modwsgi.django.plugins.module_utils._layout import validate
from ansible_collections.modwsgi.django.plugins.module_utils._site_files import json_entries, layout_entries
from ansible_collections.modwsgi.django.plugins.module_utils._view import LOCAL, NotObserved, SnapshotView

USER = pwd.getpwuid(os.getuid()).pw_name
GROUP = grp.getgrgid(os.getgid()).gr_name


def run(argv):
    import subprocess
    proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    return proc.returncode, proc.stdout, proc.stderr


def snap(request):
    snapshot = _observe.observe(request, run)
    snapshot['version'] = _plan.SNAPSHOT_VERSION
    return json.loads(json.dumps(snapshot))   # what crosses the wire


# ------------------------------------------------------------------ SnapshotView basics
def test_view_answers_like_the_file_system(tmp_path):
    (tmp_path / 'd').mkdir()
    (tmp_path / 'd' / 'f').write_text('hello')
    (tmp_path / 'd' / 'l').symlink_to('f')
    (tmp_path / 'd' / 'dangling').symlink_to('nowhere')
    request = _observe.Request().listing(str(tmp_path / 'd'), _observe.CONTENT).want(str(tmp_path))
    view = SnapshotView(snap(request))
    for name in ('f', 'l', 'dangling', 'missing'):
        path = str(tmp_path / 'd' / name)
        assert view.lexists(path) == LOCAL.lexists(path), name
        assert view.exists(path) == LOCAL.exists(path), name
        assert view.readlink(path) == LOCAL.readlink(path), name
        assert view.isdir(path) == LOCAL.isdir(path), name
        assert (view.lstat(path) is None) == (LOCAL.lstat(path) is None), name
        if LOCAL.lstat(path) is not None:
            assert view.lstat(path).st_mode == LOCAL.lstat(path).st_mode, name
    assert view.read(str(tmp_path / 'd' / 'l')) == b'hello'
    assert view.same_content(str(tmp_path / 'd' / 'f'), b'hello')
    assert not view.same_content(str(tmp_path / 'd' / 'f'), b'other')
    assert sorted(view.listdir(str(tmp_path / 'd'))) == sorted(os.listdir(str(tmp_path / 'd')))
    # Deep below a listed directory that lacks the first component: known missing.
    assert not view.lexists(str(tmp_path / 'd' / 'missing' / 'x' / 'y'))
    with pytest.raises(NotObserved):
        view.lexists('/somewhere/else')


def test_digest_only_files_compare_by_checksum_and_never_hold_bytes(tmp_path):
    (tmp_path / 'secret').write_text('s3cr3t')
    snapshot = snap(_observe.Request().want(str(tmp_path / 'secret'), _observe.DIGEST))
    assert 's3cr3t' not in json.dumps(snapshot)
    view = SnapshotView(snapshot)
    assert view.same_content(str(tmp_path / 'secret'), b's3cr3t')
    with pytest.raises(NotObserved):
        view.read(str(tmp_path / 'secret'))


def test_dpkg_status_parse(tmp_path):
    status = tmp_path / 'status'
    status.write_text('Package: apache2\nStatus: install ok installed\nVersion: 1\n\n'
                      'Package: gone\nStatus: deinstall ok config-files\n\n'
                      'Package: half\nStatus: install ok half-configured\n\n'
                      'Package: zlib1g\nArchitecture: amd64\nStatus: install ok installed\n')
    assert _observe.installed_packages(str(status)) == ['apache2', 'zlib1g']
    assert _observe.installed_packages(str(tmp_path / 'none')) == []


def test_service_running_and_enabled_under_sysvinit(tmp_path):
    (tmp_path / 'etc' / 'rc2.d').mkdir(parents=True)
    (tmp_path / 'var' / 'run' / 'apache2').mkdir(parents=True)
    assert _observe.service('apache2', root=str(tmp_path)) == {'running': False, 'enabled': False, 'init': 'sysv'}
    (tmp_path / 'etc' / 'rc2.d' / 'S01apache2').symlink_to('../init.d/apache2')
    (tmp_path / 'var' / 'run' / 'apache2' / 'apache2.pid').write_text('%d\n' % os.getpid())
    found = _observe.service('apache2', root=str(tmp_path))
    assert found['enabled'] is True
    assert found['running'] is False   # this process is not called apache2
    (tmp_path / 'run' / 'systemd' / 'system').mkdir(parents=True)
    assert _observe.service('apache2', root=str(tmp_path))['init'] == 'systemd'
    assert _observe.service('apache2', root=str(tmp_path))['enabled'] is False


def test_facts_from_os_release(tmp_path):
    (tmp_path / 'etc').mkdir()
    (tmp_path / 'proc').mkdir()
    (tmp_path / 'etc' / 'os-release').write_text('ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n')
    (tmp_path / 'proc' / 'cpuinfo').write_text('processor\t: 0\nmodel\t: x\n\nprocessor\t: 1\n')
    (tmp_path / 'proc' / 'meminfo').write_text('MemTotal:       2048000 kB\nMemFree: 1 kB\n')
    found = _observe.facts(str(tmp_path))
    assert found['distribution'] == 'Debian' and found['distribution_major_version'] == '12'
    assert found['os_family'] == 'Debian' and found['distribution_release'] == 'bookworm'
    assert found['processor_vcpus'] == 2 and found['memtotal_mb'] == 2000
    assert set(found['python']['version']) >= {'major', 'minor', 'micro'}


# ------------------------------------------------------------------ file_batch: plan == check mode
def _random_tree(root, rng):
    root.mkdir()
    for index in range(6):
        kind = rng.choice(['dir', 'file', 'link', 'none'])
        path = root / ('p%d' % index)
        if kind == 'dir':
            path.mkdir(mode=rng.choice([0o755, 0o750, 0o700]))
            os.chmod(str(path), rng.choice([0o755, 0o750, 0o2750]))
        elif kind == 'file':
            path.write_text(rng.choice(['a', 'b', '']))
            os.chmod(str(path), rng.choice([0o644, 0o640, 0o600]))
        elif kind == 'link':
            path.symlink_to(rng.choice(['p0', '/nowhere', str(root)]))


def _random_entries(root, rng):
    entries = []
    for index in range(6):
        path = str(root / ('p%d' % index))
        state = rng.choice(['directory', 'file', 'link'])
        entry = {'path': path, 'state': state}
        if state == 'link':
            entry.update(src=rng.choice(['p0', str(root)]), force=rng.choice([True, False]))
        else:
            entry.update(owner=USER, group=GROUP, mode=rng.choice(['0755', '0750', '2750', '0644', '0640']))
            if state == 'file' and rng.random() < 0.7:
                entry['content'] = rng.choice(['a', 'b', ''])
        entries.append(entry)
    return entries


def _ensure(entries, view):
    try:
        return _files.ensure(entries, check_mode=True, want_diff=True, view=view)
    except _files.FileBatchError as exc:
        return 'error: %s' % exc
    except OSError as exc:
        return 'os error %s' % exc.errno


PLANNED = []


@pytest.mark.parametrize('seed', range(60))
def test_file_batch_plan_equals_check_mode_on_the_host(tmp_path, seed):
    rng = random.Random(seed)
    root = tmp_path / 'site'
    _random_tree(root, rng)
    request = _observe.Request().listing(str(root), _observe.CONTENT).want(str(tmp_path))
    view = SnapshotView(snap(request))
    for _round in range(5):
        entries = _random_entries(root, rng)
        try:
            planned = _ensure(entries, view)
        except NotObserved:
            # A link out of the snapshot (to /nowhere) that a directory entry would follow: the
            # action plugin then runs the module. Not a wrong answer, no answer.
            PLANNED.append(False)
            continue
        PLANNED.append(True)
        assert planned == _ensure(entries, LOCAL)


def test_most_random_batches_were_planned():
    assert PLANNED and sum(PLANNED) > 0.8 * len(PLANNED), (sum(PLANNED), len(PLANNED))


def test_a_snapshot_plans_only_in_check_mode(tmp_path):
    with pytest.raises(ValueError):
        _files.ensure([], view=SnapshotView({'paths': {}}))


# ------------------------------------------------------------------ apache_config: plan == check mode
def _apache_tree(root):
    for kind in ('mods', 'conf', 'sites'):
        (root / ('%s-available' % kind)).mkdir(parents=True)
        (root / ('%s-enabled' % kind)).mkdir(parents=True)
    (root / 'mods-available' / 'rewrite.load').write_text('LoadModule rewrite_module x\n')
    (root / 'mods-available' / 'headers.load').write_text('LoadModule headers_module x\n')
    (root / 'mods-available' / 'ssl.load').write_text('# Depends: setenvif mime socache_shmcb\nLoadModule ssl_module x\n')
    (root / 'mods-available' / 'ssl.conf').write_text('SSLRandomSeed startup builtin\n')
    for dep in ('setenvif', 'mime', 'socache_shmcb', 'mpm_event', 'mpm_prefork'):
        (root / 'mods-available' / ('%s.load' % dep)).write_text('LoadModule %s x\n' % dep)
    (root / 'mods-enabled' / 'rewrite.load').symlink_to('../mods-available/rewrite.load')
    (root / 'mods-enabled' / 'mpm_prefork.load').symlink_to('../mods-available/mpm_prefork.load')
    (root / 'sites-available' / '000-default.conf').write_text('<VirtualHost *:80>\n</VirtualHost>\n')
    (root / 'conf-available' / 'b.conf').write_text('# not ours\n')
    (root / 'sites-enabled' / '000-default.conf').symlink_to('../sites-available/000-default.conf')
    (root / 'ports.conf').write_text('Listen 80\n')


def _apache_request(root):
    request = _observe.Request()
    for directory in _plan.APACHE_CONTENT_DIRS:   # as observe_host asks
        request.listing(str(root / directory), _observe.STAT, content=_plan._apache_content)
    for directory in _plan.APACHE_LINK_DIRS:
        request.listing(str(root / directory))
    request.want(str(root / 'ports.conf'), _observe.CONTENT).want(str(root))
    return request


def _config(params, view):
    fs = _plan._ViewFS(view) if view.snapshot else None
    try:
        return _apache_config.run(params, runner=None, fs=fs, check_mode=True)
    except _apache_config.ConfigError as exc:
        return 'error: %s' % exc


@pytest.mark.parametrize('seed', range(40))
def test_apache_config_plan_equals_check_mode_on_the_host(tmp_path, seed):
    rng = random.Random(seed)
    root = tmp_path / 'apache2'
    _apache_tree(root)
    view = SnapshotView(snap(_apache_request(root)))
    for _round in range(5):
        files = []
        for name in rng.sample(['ports.conf', 'conf-available/modwsgi-a.conf', 'sites-available/modwsgi-x.conf',
                                'sites-available/000-modwsgi-default.conf'], 2):
            files.append({'path': str(root / name), 'content': rng.choice(['Listen 80\n', 'X\n', '<VirtualHost *:80>\n</VirtualHost>\n']),
                          'mode': rng.choice(['0644', '0640'])})
        params = {'root': str(root), 'files': files,
                  'enable': {'mods': rng.sample(['rewrite', 'headers', 'ssl', 'mpm_event', 'nosuch'], 2),
                             'conf': rng.sample(['modwsgi-a', 'b'], 1),
                             'sites': rng.sample(['modwsgi-x', '000-default', '000-modwsgi-default'], 1)},
                  'disable': {'mods': rng.sample(['mpm_prefork', 'rewrite', 'autoindex'], 1), 'sites': ['000-default']}}
        assert _config(params, view) == _config(params, LOCAL)


def _hand_tree(root):
    """An Apache tree as the roles leave it: ours written 0640 and enabled, plus a foreign conf."""
    _apache_tree(root)
    ours = root / 'conf-available' / 'modwsgi-a.conf'
    ours.write_text('# Managed by Ansible: modwsgi.django.apache\nServerTokens Prod\n')
    ours.chmod(0o640)
    (root / 'conf-enabled' / 'modwsgi-a.conf').symlink_to('../conf-available/modwsgi-a.conf')
    (root / 'conf-enabled' / 'b.conf').symlink_to('../conf-available/b.conf')
    return {'root': str(root), 'files': [{'path': str(ours), 'content': ours.read_text()}],
            'enable': {'conf': ['modwsgi-a'], 'mods': ['rewrite']}}


def test_nothing_to_change_is_planned_without_a_config_test(tmp_path):
    """What lets the action plugin skip the module on a no-op: the plan says unchanged and tests nothing."""
    params = _hand_tree(tmp_path / 'apache2')
    snapshot = snap(_apache_request(tmp_path / 'apache2'))
    planned = _apache_config.run(params, runner=None, fs=_plan._ViewFS(SnapshotView(snapshot)), check_mode=True)
    assert (planned['changed'], planned['configtest'], planned['warnings']) == (False, 'skipped', [])
    assert _plan.apache_config(snapshot, params)['changed'] is False
    # The module on the host, with the same input, runs the test (and only the test).
    calls = []
    on_host = _apache_config.run(params, runner=lambda argv: calls.append(argv) or (0, 'Syntax OK', ''))
    assert on_host['changed'] is False and calls == [['apache2ctl', '-t']]


@pytest.mark.parametrize('edit', ['content', 'mode', 'link'])
def test_a_file_of_ours_changed_by_hand_is_planned_as_a_change(tmp_path, edit):
    """The snapshot holds the bytes and mode of our files and every link: the module then runs and repairs."""
    root = tmp_path / 'apache2'
    params = _hand_tree(root)
    ours = root / 'conf-available' / 'modwsgi-a.conf'
    if edit == 'content':
        ours.write_text(ours.read_text() + 'BrokenByHand on\n')
    elif edit == 'mode':
        ours.chmod(0o644)
    else:
        (root / 'conf-enabled' / 'modwsgi-a.conf').unlink()
    planned = _plan.apache_config(snap(_apache_request(root)), params)
    assert planned['changed'] is True, planned
    assert planned['changed_paths'] == [str(root / ('conf-enabled/modwsgi-a.conf' if edit == 'link' else 'conf-available/modwsgi-a.conf'))]
    assert planned['reload_required'] is (edit != 'mode')      # a mode-only change needs no reload


def test_a_foreign_conf_broken_by_hand_is_not_planned_as_a_change(tmp_path):
    """Its bytes are not in the snapshot (only its name): a converge with nothing to change runs no module."""
    root = tmp_path / 'apache2'
    params = _hand_tree(root)
    (root / 'conf-available' / 'b.conf').write_text('ThisIsBrokenByHand on\n')
    request = _apache_request(root)
    snapshot = snap(request)
    assert 'content' not in snapshot['paths'][str(root / 'conf-available' / 'b.conf')]
    planned = _plan.apache_config(snapshot, params)
    assert planned['changed'] is False, planned


# ------------------------------------------------------------------ sites: status, activation, prune
SITE = {'name': 'shop', 'server_name': 'shop.test', 'project': 'probe', 'source': {'type': 'path', 'path': '/nonexistent'},
        'secrets': {'DJANGO_SECRET_KEY': 'not-in-any-snapshot-0123456789'}, 'env': {'A': '1'}}


def _site(tmp_path):
    result = validate([dict(SITE, root=str(tmp_path / 'shop'))], check_filesystem=False)
    assert not result.failed, result.error_message
    return result.sites[0]


def _built(site, release, venv_name, markers=None):
    paths = site['paths']
    rel = os.path.join(paths['releases'], release)
    os.makedirs(rel)
    for marker in (markers if markers is not None else _release.markers(site)):
        open(os.path.join(rel, marker), 'w').close()
    venv = os.path.join(paths['venvs'], venv_name)
    os.makedirs(venv, exist_ok=True)
    open(os.path.join(venv, '.modwsgi-complete'), 'w').close()
    os.symlink(venv, os.path.join(rel, '.modwsgi-venv'))
    with open(os.path.join(rel, 'requirements.txt'), 'w') as handle:
        handle.write('Django\n')
    return rel


def _observe_site(site, tmp_path, secrets=None):
    options = {'conf_root': str(tmp_path / 'apache2'), 'colors_map': str(tmp_path / 'colors.map')}
    snapshot = _plan.observe_host([site], secrets or {}, options, run)
    return json.loads(json.dumps(snapshot))


def test_release_status_from_the_snapshot_equals_the_host(tmp_path):
    site = _site(tmp_path)
    for path in (site['paths']['releases'], site['paths']['venvs']):
        os.makedirs(path)
    rel = _built(site, 'aaaaaaaaaaaa', 'placeholder')
    name, why = _release.expected_venv(site, rel, {}, run)
    assert name, why
    os.makedirs(os.path.join(site['paths']['venvs'], name))
    open(os.path.join(site['paths']['venvs'], name, '.modwsgi-complete'), 'w').close()
    os.unlink(os.path.join(rel, '.modwsgi-venv'))
    os.symlink(os.path.join(site['paths']['venvs'], name), os.path.join(rel, '.modwsgi-venv'))
    _built(site, 'bbbbbbbbbbbb', 'stale', markers=['.modwsgi-release'])
    for link in ('blue', 'green', 'current'):
        os.symlink(rel, os.path.join(site['paths']['root'], link))
    (tmp_path / 'colors.map').write_text('shop blue\n')
    snapshot = _observe_site(site, tmp_path)
    for ids in ({'shop': 'aaaaaaaaaaaa'}, {'shop': 'bbbbbbbbbbbb'}, {'shop': 'cccccccccccc'}, {}):
        on_host = _release.statuses([site], ids, str(tmp_path / 'colors.map'), run)
        assert _plan.release_status(snapshot, [site], ids, str(tmp_path / 'colors.map')) == on_host, ids
    assert _plan.release_status(snapshot, [site], {'shop': 'aaaaaaaaaaaa'}, str(tmp_path / 'colors.map'))['build'] == []
    # The plan and the host agree on the activation too.
    params = dict(name='shop', mode='bluegreen', root=site['paths']['root'], release_dir=rel, map_path=str(tmp_path / 'colors.map'))
    assert activation_plan(params, view=SnapshotView(snapshot)) == activation_plan(params)


def test_prune_from_the_snapshot_equals_the_host(tmp_path):
    site = _site(tmp_path)
    for path in (site['paths']['releases'], site['paths']['venvs']):
        os.makedirs(path)
    releases = []
    for index in range(7):
        releases.append(_built(site, 'r%011d' % index, 'v%d' % (index % 3)))
        os.utime(releases[-1], ns=(index * 10 ** 9, index * 10 ** 9))
    os.makedirs(os.path.join(site['paths']['venvs'], 'orphan'))
    os.symlink(releases[1], os.path.join(site['paths']['root'], 'blue'))
    snapshot = _observe_site(site, tmp_path)
    for keep in (1, 2, 5, 10):
        expected = _prune.plan(site['paths']['root'], keep)
        assert _prune.plan(site['paths']['root'], keep, SnapshotView(snapshot)) == expected
    assert _plan.prune(snapshot, [site['paths']['root']], 2)['changed'] is True


def test_site_json_is_compared_on_the_host_and_no_secret_leaves_it(tmp_path):
    site = _site(tmp_path)
    secrets = {'shop': SITE['secrets']}
    entries = [dict(entry, group=GROUP) for entry in json_entries([site], [dict(SITE)])]
    os.makedirs(site['paths']['conf'])
    _files.ensure(entries)
    snapshot = _observe_site(site, tmp_path, secrets)
    text = json.dumps(snapshot)
    assert SITE['secrets']['DJANGO_SECRET_KEY'] not in text
    assert 'sha1' not in snapshot['paths'][site['paths']['site_json']]
    assert _plan.file_batch(snapshot, entries)['changed'] is False
    # A secret changed in the inventory: the host says site.json is not current.
    changed = {'shop': {'DJANGO_SECRET_KEY': 'another-secret-0123456789'}}
    snapshot = _observe_site(site, tmp_path, changed)
    new_entries = [dict(entry, group=GROUP) for entry in json_entries([site], [dict(SITE, secrets=changed['shop'])])]
    assert _plan.file_batch(snapshot, new_entries)['changed'] is True
    assert _files.ensure(new_entries, check_mode=True)[0] == [site['paths']['site_json']]


def test_generated_files_plan_like_the_host(tmp_path):
    site = _site(tmp_path)
    rendered = {'shop': {'boot': 'B\n', 'settings': 'S\n', 'wsgi': 'W\n', 'manage': 'M\n', 'messages': 'G\n'}}
    entries = layout_entries([site], rendered, GROUP)
    for entry in entries:   # owners the test can set
        if entry.get('owner'):
            entry['owner'] = USER
        if entry.get('group'):
            entry['group'] = GROUP
    snapshot = _observe_site(site, tmp_path)
    assert _plan.file_batch(snapshot, entries) == dict(zip(('changed_paths', 'changed_tags'), _files.ensure(entries, check_mode=True)[:2]),
                                                       changed=True)
    _files.ensure(entries)
    snapshot = _observe_site(site, tmp_path)
    assert _plan.file_batch(snapshot, entries)['changed'] is False
    rendered['shop']['wsgi'] = 'W2\n'
    changed = layout_entries([site], rendered, GROUP)
    for entry in changed:
        if entry.get('owner'):
            entry['owner'] = USER
        if entry.get('group'):
            entry['group'] = GROUP
    assert _plan.file_batch(snapshot, changed)['changed_paths'] == [site['paths']['script']]
    assert _plan.file_batch(snapshot, changed)['changed_tags'] == ['shop']


def test_accounts_to_create_or_change(tmp_path):
    site = _site(tmp_path)
    snapshot = {'accounts': {'users': {}, 'groups': {}}}
    assert _plan.accounts(snapshot, [site]) == {'groups': ['shop'], 'users': ['shop'], 'new_users': ['shop'], 'new_groups': ['shop']}
    snapshot = {'accounts': {'users': {'shop': [990, 990, site['paths']['root'], '/usr/sbin/nologin']}, 'groups': {'shop': 990}}}
    assert _plan.accounts(snapshot, [site]) == {'groups': [], 'users': [], 'new_users': [], 'new_groups': []}
    snapshot['accounts']['users']['shop'][3] = '/bin/bash'
    assert _plan.accounts(snapshot, [site])['users'] == ['shop']


def test_packages_and_service():
    snapshot = {'packages': ['apache2', 'util-linux'], 'service': {'running': True, 'enabled': True}}
    assert _plan.missing_packages(snapshot, ['apache2', 'python3-venv', 'util-linux']) == ['python3-venv']
    assert _plan.service_current(snapshot)
    assert not _plan.service_current({'service': {'running': True, 'enabled': None}})


def test_the_sites_plan_is_empty_after_its_steps_ran_and_sees_each_change(tmp_path):
    """_plan.sites: what the role plans from one read, compared with the engines run for real."""
    result = validate([dict(SITE, root=str(tmp_path / 'shop'))], check_filesystem=False)
    site = result.sites[0]
    layout = {'sites': [site], 'vhosts': result.vhosts, 'mass_hosting': None}
    conf = tmp_path / 'apache2'
    _apache_tree(conf)
    (conf / 'mods-available' / 'wsgi.load').write_text('LoadModule wsgi_module x\n')
    (conf / 'mods-available' / 'alias.load').write_text('LoadModule alias_module x\n')
    (tmp_path / 'logs').mkdir()
    rendered = {'generated': {'shop': {'boot': 'B\n', 'settings': 'S\n', 'wsgi': 'W\n', 'manage': 'M\n', 'messages': 'G\n'}},
                'vhosts': [{'path': str(conf / 'sites-available' / 'modwsgi-shop.test.conf'), 'content': '<VirtualHost *:80>\n</VirtualHost>\n'}],
                'sites_conf': '# sites\n', 'mass_conf': ''}
    options = {'packages': ['python3-venv'], 'apache_group': GROUP, 'conf_root': str(conf), 'log_dir': str(tmp_path / 'logs'),
               'colors_map': str(tmp_path / 'colors.map'), 'map_path': str(tmp_path / 'colors.map'), 'keep': 5,
               'pip_extra_args': '', 'manifest': str(tmp_path / 'sites.json'), 'port': 80}

    def owned(entries):   # owners the test can set
        return [dict(entry, **{key: value for key, value in (('owner', USER), ('group', GROUP)) if entry.get(key)}) for entry in entries]

    def read():
        snapshot = _plan.observe_host([site], {'shop': SITE['secrets']},
                                      {'conf_root': str(conf), 'log_dir': str(tmp_path / 'logs'), 'colors_map': options['colors_map'],
                                       'extra_paths': [options['manifest']]}, run)
        snapshot = json.loads(json.dumps(snapshot))
        snapshot['packages'] = ['python3-venv']
        return snapshot

    plan = _plan.sites(read(), layout, rendered, [dict(SITE)], {'shop': 'a' * 40}, options)
    assert plan['changed'] and plan['code'] and plan['json'] and plan['small'] and plan['apache_changed']
    assert plan['status']['build'] == ['shop'] and plan['packages'] == []
    # run every step the plan lists, with the engines the modules use
    _files.ensure(owned(plan['entries']) + owned(plan['small_files']))
    _files.ensure([dict(entry, group=GROUP) for entry in json_entries([site], [dict(SITE)])])
    _apache_config.run(plan['apache'], runner=lambda argv: (0, 'Syntax OK', ''))
    again = _plan.sites(read(), layout, rendered, [dict(SITE)], {'shop': 'a' * 40}, options)
    assert again['apache_changed'] is False
    assert json.loads(open(options['manifest']).read())['sites'][0]['name'] == 'shop'
    # the owners the role wants (root, the site group) differ from the test's: planned as changes, like the module would
    assert again['code'] == bool(_files.ensure(plan['entries'], check_mode=True)[0])
    assert again['small'] == bool(_files.ensure(plan['small_files'], check_mode=True)[0])
    assert again['json'] == bool(_files.ensure(json_entries([site], [dict(SITE)]), check_mode=True)[0])
    # each kind of change is seen
    changed = dict(rendered, sites_conf='# sites, changed\n')
    assert _plan.sites(read(), layout, changed, [dict(SITE)], {'shop': 'a' * 40}, options)['apache_changed'] is True
    other_secret = dict(SITE, secrets={'DJANGO_SECRET_KEY': 'changed-0123456789abcdef'})
    snapshot = _plan.observe_host([site], {'shop': other_secret['secrets']}, {'conf_root': str(conf)}, run)
    assert _plan.sites(snapshot, layout, rendered, [other_secret], {'shop': 'a' * 40}, options)['json'] is True
