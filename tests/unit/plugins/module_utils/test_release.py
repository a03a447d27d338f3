# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""release_status and pack_sources engines against real temporary site trees."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import pytest

from ansible_collections.modwsgi.django.plugins.module_utils import _pack as P
from ansible_collections.modwsgi.django.plugins.module_utils import _release as R
from ansible_collections.modwsgi.django.plugins.module_utils import _requirements as Q


def run(argv):
    """Stand-in for AnsibleModule.run_command."""
    proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    return proc.returncode, proc.stdout, proc.stderr


def make_site(tmp_path, name='shop', deploy='bluegreen', mode='daemon', **extra):
    root = tmp_path / name
    site = {'name': name, 'mode': mode, 'deploy': deploy, 'bluegreen': mode == 'daemon' and deploy == 'bluegreen',
            'python': sys.executable, 'requirements': 'requirements.txt',
            'migrate': True, 'collectstatic': True, 'static': {'dir': str(root / 'static')}, 'check_deploy': True,
            'paths': {'root': str(root), 'releases': str(root / 'releases'), 'venvs': str(root / 'venvs')}}
    site.update(extra)
    return site


def build(site, release_id='0123456789ab', links=True, skip=()):
    """What release.yml leaves behind, minus whatever is named in ``skip``."""
    rel = os.path.join(site['paths']['releases'], release_id)
    os.makedirs(rel)
    with open(os.path.join(rel, 'requirements.txt'), 'w') as handle:
        handle.write('Django>=5.2,<5.3\n')
    for marker in R.markers(site):
        if marker not in skip:
            open(os.path.join(rel, marker), 'w').close()
    version = subprocess.run([site['python'], '-c', 'import sys; print(sys.version)'], capture_output=True, check=True).stdout
    fp = hashlib.sha256(b'Django>=5.2,<5.3\n' + version).hexdigest()[:16]
    venv = os.path.join(site['paths']['venvs'], fp)
    os.makedirs(venv)
    if 'venv' not in skip:
        open(os.path.join(venv, '.modwsgi-complete'), 'w').close()
    os.symlink(venv, os.path.join(rel, '.modwsgi-venv'))
    if links:
        for name in R.links(site):
            os.symlink(rel, os.path.join(site['paths']['root'], name))
    return rel


def test_fingerprint_of_one_file_keeps_the_name_of_earlier_releases(tmp_path):
    """Without includes and extra args the name is what the shell form `{ cat req; python -c ...; } | sha256sum` gave."""
    req = tmp_path / 'requirements.txt'
    req.write_text('Django\n')
    version = b'3.11.2 (main) [GCC 12]\n'
    shell = subprocess.run(['bash', '-c', "{ cat %s || true; printf '%%s' \"$V\"; } | sha256sum | cut -c1-16" % req],
                           env=dict(os.environ, V=version.decode()), capture_output=True, check=True, text=True).stdout.strip()
    assert Q.venv_name(str(tmp_path), 'requirements.txt', version) == shell
    assert Q.venv_name(str(tmp_path), None, version) == hashlib.sha256(version).hexdigest()[:16]


def _tree(tmp_path, files):
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return str(tmp_path)


CLOSURE = {
    'requirements.txt': '# top\n-r requirements/production.txt\n--constraint=constraints.txt\n',
    'requirements/production.txt': '-r base.txt  # relative to this file\ngunicorn\n',
    'requirements/base.txt': 'Django>=5.2\n--requirement ./extra/more.txt\n-r base.txt\n',
    'requirements/extra/more.txt': 'whitenoise\n',
    'constraints.txt': 'Django<6\n',
}


def test_closure_follows_nested_relative_includes_once_each(tmp_path):
    top = _tree(tmp_path, CLOSURE)
    closure = Q.requirements_closure(top, 'requirements.txt')
    assert [rel for rel, _data in closure] == ['requirements.txt', 'requirements/production.txt', 'requirements/base.txt',
                                               'requirements/extra/more.txt', 'constraints.txt']
    assert closure[3][1] == b'whitenoise\n'


@pytest.mark.parametrize('changed', sorted(CLOSURE))
def test_a_change_in_any_included_file_changes_the_venv_name(tmp_path, changed):
    version = b'3.11.2\n'
    before = Q.venv_name(_tree(tmp_path, CLOSURE), 'requirements.txt', version)
    with open(os.path.join(str(tmp_path), changed), 'a') as handle:
        handle.write('six\n')
    assert Q.venv_name(str(tmp_path), 'requirements.txt', version) != before


def test_venv_name_covers_extra_args_and_python(tmp_path):
    top = _tree(tmp_path, {'requirements.txt': 'Django\n'})
    plain = Q.venv_name(top, 'requirements.txt', b'3.11.2\n')
    assert Q.venv_name(top, 'requirements.txt', b'3.11.2\n', '--no-binary :all:') != plain
    assert Q.venv_name(top, 'requirements.txt', b'3.11.2\n', '  ') == plain
    assert Q.venv_name(top, 'requirements.txt', b'3.11.2\n', '--index-url  https://x/') == \
        Q.venv_name(top, 'requirements.txt', b'3.11.2\n', '--index-url https://x/')
    assert Q.venv_name(top, 'requirements.txt', b'3.13.1\n') != plain


def test_a_moved_include_changes_the_name_even_with_the_same_bytes(tmp_path):
    a = _tree(tmp_path / 'a', {'requirements.txt': '-r x.txt\n', 'x.txt': 'Django\n', 'y.txt': ''})
    b = _tree(tmp_path / 'b', {'requirements.txt': '-r x.txt\n', 'x.txt': '', 'y.txt': 'Django\n'})
    assert Q.venv_name(a, 'requirements.txt', b'v') != Q.venv_name(b, 'requirements.txt', b'v')


@pytest.mark.parametrize('files, words', [
    ({'requirements.txt': '-r ../../etc/passwd\n'}, 'outside the release'),
    ({'requirements.txt': '-r /etc/passwd\n'}, 'outside the release'),
    ({'requirements.txt': '-r missing.txt\n'}, 'cannot read missing.txt'),
    ({'requirements.txt': '-c sub/missing.txt\n'}, 'cannot read sub/missing.txt'),
])
def test_closure_errors(tmp_path, files, words):
    with pytest.raises(Q.ClosureError) as err:
        Q.requirements_closure(_tree(tmp_path / 'rel', files), 'requirements.txt')
    assert words in str(err.value)


def test_closure_lists_url_includes_by_name(tmp_path):
    top = _tree(tmp_path, {'requirements.txt': '-r https://example.com/req.txt\n-e .\n--resume-retries 3\n'})
    assert [rel for rel, _d in Q.requirements_closure(top, 'requirements.txt')] == ['requirements.txt', 'https://example.com/req.txt']


def test_status_not_built_when_an_include_is_missing(tmp_path):
    site = make_site(tmp_path)
    rel = build(site)
    with open(os.path.join(rel, 'requirements.txt'), 'a') as handle:
        handle.write('-r gone.txt\n')
    result = R.statuses([site], {'shop': '0123456789ab'}, None, run)
    assert result['build'] == ['shop'] and 'cannot read gone.txt' in result['sites']['shop']['why']


def test_status_venv_name_includes_extra_args(tmp_path):
    site = make_site(tmp_path)
    build(site)
    assert R.statuses([site], {'shop': '0123456789ab'}, None, run)['build'] == []
    result = R.statuses([site], {'shop': '0123456789ab'}, None, run, '--no-binary :all:')
    assert result['build'] == ['shop'] and 'not linked' in result['sites']['shop']['why']


def test_built_and_live_bluegreen_site(tmp_path):
    site = make_site(tmp_path)
    rel = build(site)
    colors = tmp_path / 'colors.map'
    colors.write_text('# managed\nshop green\n')
    result = R.statuses([site], {'shop': '0123456789ab' + 'f' * 28}, str(colors), run)
    assert result['sites']['shop'] == {'built': True, 'live': True, 'why': 'live', 'release_dir': rel}
    assert result['build'] == [] and result['activate'] == []
    assert result['releases'] == {'shop': rel}


def test_built_but_map_without_the_site_is_not_live(tmp_path):
    site = make_site(tmp_path)
    build(site)
    result = R.statuses([site], {'shop': '0123456789ab'}, str(tmp_path / 'missing.map'), run)
    assert result['sites']['shop']['built'] is True
    assert result['activate'] == ['shop'] and result['build'] == []


def test_new_code_is_neither_built_nor_live(tmp_path):
    site = make_site(tmp_path)
    build(site)
    result = R.statuses([site], {'shop': 'fedcba987654'}, None, run)
    assert result['build'] == ['shop'] and result['activate'] == ['shop']
    assert 'has no .modwsgi-release' in result['sites']['shop']['why']


@pytest.mark.parametrize('skip, why', [
    (('.modwsgi-migrated',), 'has no .modwsgi-migrated'),
    (('.modwsgi-collected',), 'has no .modwsgi-collected'),
    (('.modwsgi-checked',), 'has no .modwsgi-checked'),
    (('venv',), 'is not complete'),
])
def test_an_unfinished_build_is_rebuilt(tmp_path, skip, why):
    site = make_site(tmp_path)
    build(site, skip=skip)
    state = R.statuses([site], {'shop': '0123456789ab'}, None, run)['sites']['shop']
    assert state['built'] is False and why in state['why']


def test_missing_first_links_mean_not_built(tmp_path):
    site = make_site(tmp_path)
    build(site, links=False)
    assert R.statuses([site], {'shop': '0123456789ab'}, None, run)['sites']['shop']['why'] == 'no blue link'


def test_markers_follow_the_site_steps(tmp_path):
    site = make_site(tmp_path, migrate=False, collectstatic=True, static=None, check_deploy=False)
    assert R.markers(site) == ['.modwsgi-release']
    build(site)
    assert R.statuses([site], {'shop': '0123456789ab'}, None, run)['sites']['shop']['built'] is True


def test_changed_requirements_need_a_new_virtualenv(tmp_path):
    site = make_site(tmp_path)
    rel = build(site)
    with open(os.path.join(rel, 'requirements.txt'), 'a') as handle:
        handle.write('requests\n')
    assert 'not linked to virtualenv' in R.statuses([site], {'shop': '0123456789ab'}, None, run)['sites']['shop']['why']


def test_restart_and_embedded_sites_use_current_only(tmp_path):
    site = make_site(tmp_path, name='blog', deploy='restart')
    rel = build(site)
    assert R.links(site) == ['current']
    assert R.statuses([site], {'blog': '0123456789ab'}, None, run)['sites']['blog']['live'] is True
    os.unlink(os.path.join(site['paths']['root'], 'current'))
    os.symlink('/elsewhere', os.path.join(site['paths']['root'], 'current'))
    state = R.statuses([site], {'blog': '0123456789ab'}, None, run)['sites']['blog']
    assert state['built'] is True and state['live'] is False and state['release_dir'] == rel
    embedded = make_site(tmp_path, name='emb', mode='embedded', deploy='bluegreen')
    assert R.links(embedded) == ['current']


def test_site_without_release_id_is_built_by_the_role(tmp_path):
    site = make_site(tmp_path, source={'type': 'git', 'repo': 'https://example.invalid/x.git'})
    result = R.statuses([site], {}, None, run)
    assert result['build'] == ['shop'] and result['releases'] == {}
    assert 'known only on the target' in result['sites']['shop']['why']


def test_broken_interpreter_is_not_built(tmp_path):
    site = make_site(tmp_path)
    build(site)
    site['python'] = str(tmp_path / 'no-python')
    assert 'does not run' in R.statuses([site], {'shop': '0123456789ab'}, None, run)['sites']['shop']['why']


def test_interpreter_is_asked_once_for_many_sites(tmp_path):
    calls = []

    def counting(argv):
        calls.append(argv)
        return run(argv)

    sites = [make_site(tmp_path, name='s%02d' % i) for i in range(20)]
    for site in sites:
        build(site)
    R.statuses(sites, {site['name']: '0123456789ab' for site in sites}, None, counting)
    assert len(calls) == 1


# --- pack_sources --------------------------------------------------------------------------

def test_pack_is_reproducible_and_matches_gnu_tar_pipeline(tmp_path):
    src = tmp_path / 'proj'
    (src / 'app' / '__pycache__').mkdir(parents=True)
    (src / 'manage.py').write_text('print(1)\n')
    (src / 'app' / 'views.py').write_text('x = 1\n')
    (src / 'app' / '__pycache__' / 'views.cpython-311.pyc').write_bytes(b'junk')
    (src / 'db.sqlite3').write_bytes(b'data')
    out = tmp_path / 'out'
    out.mkdir()
    first = P.pack_all(P.local_sources([{'name': 'p', 'source': {'type': 'path', 'path': str(src)}}]), str(out), 'x-', run)
    os.utime(str(src / 'manage.py'), (1, 1))
    second = P.pack_all(P.local_sources([{'name': 'p', 'source': {'type': 'path', 'path': str(src)}}]), str(out), 'x-', run)
    assert first == second
    shell = subprocess.run(
        "tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --exclude=__pycache__ --exclude='*.pyc' "
        "--exclude=.git --exclude=db.sqlite3 -C %s -cf - . | gzip -n | sha1sum | cut -c1-40" % src,
        shell=True, capture_output=True, check=True, text=True).stdout.strip()
    assert first['p']['checksum'] == shell
    names = subprocess.run(['tar', '-tzf', first['p']['file']], capture_output=True, check=True, text=True).stdout.split()
    assert './manage.py' in names and not any('pycache' in n or 'sqlite' in n for n in names)
    (src / 'app' / 'views.py').write_text('x = 2\n')
    third = P.pack_all(P.local_sources([{'name': 'p', 'source': {'type': 'path', 'path': str(src)}}]), str(out), 'x-', run)
    assert third['p']['checksum'] != first['p']['checksum']


def test_local_sources_skip_git_and_remote(tmp_path):
    archive = tmp_path / 'a.tar.gz'
    archive.write_bytes(b'not really gzip')
    sites = [{'name': 'g', 'source': {'type': 'git', 'repo': 'x'}},
             {'name': 'r', 'source': {'type': 'path', 'path': '/srv/src', 'remote': True}},
             {'name': 'a', 'source': {'type': 'archive', 'src': str(archive), 'remote': False}}]
    assert P.local_sources(sites) == [{'name': 'a', 'type': 'archive', 'path': str(archive)}]
    result = P.pack_all(P.local_sources(sites), str(tmp_path), 'x-', run)
    assert result == {'a': {'file': str(archive), 'checksum': hashlib.sha1(b'not really gzip').hexdigest()}}


def test_missing_sources_fail_naming_the_site(tmp_path):
    with pytest.raises(P.PackError, match='does not exist on the controller'):
        P.pack_all([{'name': 'p', 'type': 'path', 'path': str(tmp_path / 'nope')}], str(tmp_path), 'x-', run)
    with pytest.raises(P.PackError, match='site a: archive'):
        P.pack_all([{'name': 'a', 'type': 'archive', 'path': str(tmp_path / 'nope.tgz')}], str(tmp_path), 'x-', run)
