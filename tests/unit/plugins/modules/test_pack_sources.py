# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""pack_sources module: real tarballs of a tmp_path tree, through main() with module args."""

from __future__ import annotations

import hashlib
import os
import tarfile

import pytest

from ansible_collections.modwsgi.django.plugins.modules import pack_sources
from ansible_collections.modwsgi.django.tests.unit.plugins.modules.utils import run_module


def project(base, name='proj'):
    """A small Django project tree, with every kind of file the module documents as left out."""
    src = base / name
    (src / 'shop' / '__pycache__').mkdir(parents=True)
    (src / 'shop' / 'migrations').mkdir()
    (src / '.git' / 'objects').mkdir(parents=True)
    (src / 'manage.py').write_text('import sys\n')
    (src / 'requirements.txt').write_text('Django>=5.2,<5.3\n')
    (src / 'shop' / '__init__.py').write_text('')
    (src / 'shop' / 'settings.py').write_text('SECRET_KEY = "x"\n')
    (src / 'shop' / 'migrations' / '0001_initial.py').write_text('# migration\n')
    (src / 'shop' / '__pycache__' / 'settings.cpython-311.pyc').write_bytes(b'\x00compiled')
    (src / 'shop' / 'stale.pyc').write_bytes(b'\x00stale')
    (src / '.git' / 'HEAD').write_text('ref: refs/heads/main\n')
    (src / 'db.sqlite3').write_bytes(b'SQLite format 3\x00')
    (src / 'shop' / 'db.sqlite3').write_bytes(b'SQLite format 3\x00nested')
    return src


def pack(capsys, dest, sites, **extra):
    args = {'sites': sites, 'dest': str(dest)}
    args.update(extra)
    return run_module(pack_sources.main, capsys, args)


def path_site(name, src):
    return {'name': name, 'source': {'type': 'path', 'path': str(src)}}


def members(tarball):
    with tarfile.open(tarball, 'r:gz') as archive:
        return dict((m.name, m) for m in archive.getmembers())


@pytest.fixture
def dest(tmp_path):
    out = tmp_path / 'out'
    out.mkdir()
    return out


def test_tarball_file_name_checksum_and_release_id(capsys, tmp_path, dest):
    src = project(tmp_path)
    code, result = pack(capsys, dest, [path_site('shop', src)], prefix='web1-')
    assert code == 0 and result['changed'] is False
    item = result['sources']['shop']
    assert item['file'] == str(dest / 'web1-shop.tar.gz')
    with open(item['file'], 'rb') as handle:
        assert item['checksum'] == hashlib.sha1(handle.read()).hexdigest()
    assert result['checksums'] == {'shop': item['checksum']}
    assert sorted(os.listdir(str(dest))) == ['web1-shop.tar.gz']  # no temporary file left behind


def test_default_prefix(capsys, tmp_path, dest):
    code, result = pack(capsys, dest, [path_site('shop', project(tmp_path))])
    assert code == 0 and result['sources']['shop']['file'] == str(dest / 'modwsgi-django-shop.tar.gz')


def test_two_packs_of_the_same_tree_give_the_same_bytes_despite_new_mtimes(capsys, tmp_path, dest):
    src = project(tmp_path)
    code, first = pack(capsys, dest, [path_site('shop', src)])
    assert code == 0
    with open(first['sources']['shop']['file'], 'rb') as handle:
        first_bytes = handle.read()
    for parent, _dirs, files in os.walk(str(src)):
        for name in files:
            os.utime(os.path.join(parent, name), (1234567, 1234567))
    code, second = pack(capsys, dest, [path_site('shop', src)])
    assert code == 0
    with open(second['sources']['shop']['file'], 'rb') as handle:
        assert handle.read() == first_bytes
    assert second['checksums'] == first['checksums']


def test_the_same_tree_in_another_place_gives_the_same_release_id(capsys, tmp_path, dest):
    one = project(tmp_path, 'one')
    two = project(tmp_path, 'two')
    code, result = pack(capsys, dest, [path_site('a', one), path_site('b', two)])
    assert code == 0 and result['checksums']['a'] == result['checksums']['b']
    assert result['sources']['a']['file'] != result['sources']['b']['file']


@pytest.mark.parametrize('change', ['edit', 'add', 'rename', 'remove'])
def test_any_change_of_the_code_gives_a_new_release_id(capsys, tmp_path, dest, change):
    src = project(tmp_path)
    code, before = pack(capsys, dest, [path_site('shop', src)])
    assert code == 0
    views = src / 'shop' / 'settings.py'
    if change == 'edit':
        views.write_text('SECRET_KEY = "y"\n')
    elif change == 'add':
        (src / 'shop' / 'urls.py').write_text('urlpatterns = []\n')
    elif change == 'rename':
        views.rename(src / 'shop' / 'config.py')
    else:
        views.unlink()
    code, after = pack(capsys, dest, [path_site('shop', src)])
    assert code == 0
    assert after['checksums']['shop'] != before['checksums']['shop']
    assert after['checksums']['shop'][:12] != before['checksums']['shop'][:12]


@pytest.mark.parametrize('junk', ['__pycache__', 'pyc', 'git', 'sqlite'])
def test_excluded_files_change_neither_the_tarball_nor_the_release_id(capsys, tmp_path, dest, junk):
    src = project(tmp_path)
    code, before = pack(capsys, dest, [path_site('shop', src)])
    assert code == 0
    if junk == '__pycache__':
        (src / 'shop' / '__pycache__' / 'urls.cpython-311.pyc').write_bytes(b'new')
    elif junk == 'pyc':
        (src / 'manage.pyc').write_bytes(b'new')
    elif junk == 'git':
        (src / '.git' / 'ORIG_HEAD').write_text('abc\n')
    else:
        (src / 'db.sqlite3').write_bytes(b'SQLite format 3\x00changed')
    code, after = pack(capsys, dest, [path_site('shop', src)])
    assert code == 0 and after['checksums'] == before['checksums']


def test_tarball_content_is_normalized_and_leaves_out_the_documented_patterns(capsys, tmp_path, dest):
    src = project(tmp_path)
    code, result = pack(capsys, dest, [path_site('shop', src)])
    assert code == 0
    found = members(result['sources']['shop']['file'])
    files = sorted(name for name, member in found.items() if member.isfile())
    assert files == ['./manage.py', './requirements.txt', './shop/__init__.py', './shop/migrations/0001_initial.py',
                     './shop/settings.py']
    assert not any('__pycache__' in name or name.endswith('.pyc') or '.git' in name or 'sqlite' in name for name in found)
    assert all(m.mtime == 0 and m.uid == 0 and m.gid == 0 for m in found.values())
    with tarfile.open(result['sources']['shop']['file'], 'r:gz') as archive:
        assert archive.extractfile('./shop/settings.py').read() == b'SECRET_KEY = "x"\n'
        # names sorted, as GNU tar --sort=name writes them
        names = archive.getnames()
    assert names == sorted(names)


def test_archive_sources_are_checksummed_in_place_and_others_skipped(capsys, tmp_path, dest):
    archive = tmp_path / 'blog-1.4.tar.gz'
    archive.write_bytes(b'any bytes: the module does not open archives')
    sites = [path_site('shop', project(tmp_path)),
             {'name': 'blog', 'source': {'type': 'archive', 'src': str(archive)}},
             {'name': 'wiki', 'source': {'type': 'git', 'repo': 'https://git.example.com/wiki.git'}},
             {'name': 'remote', 'source': {'type': 'path', 'path': '/srv/src/remote', 'remote': True}},
             {'name': 'rarch', 'source': {'type': 'archive', 'src': '/srv/dist/r.tar.gz', 'remote': True}}]
    code, result = pack(capsys, dest, sites)
    assert code == 0
    assert sorted(result['sources']) == ['blog', 'shop']
    assert result['sources']['blog'] == {'file': str(archive),
                                         'checksum': hashlib.sha1(b'any bytes: the module does not open archives').hexdigest()}
    assert sorted(os.listdir(str(dest))) == ['modwsgi-django-shop.tar.gz']


def test_relative_and_home_paths(capsys, tmp_path, dest, monkeypatch):
    project(tmp_path)
    monkeypatch.chdir(str(tmp_path))
    code, relative = pack(capsys, dest, [path_site('shop', 'proj')])
    assert code == 0
    monkeypatch.setenv('HOME', str(tmp_path))
    code, home = pack(capsys, dest, [path_site('shop', '~/proj')])
    assert code == 0
    code, absolute = pack(capsys, dest, [path_site('shop', tmp_path / 'proj')])
    assert code == 0
    assert relative['checksums'] == home['checksums'] == absolute['checksums']


def test_check_mode_packs_too(capsys, tmp_path, dest):
    src = project(tmp_path)
    code, normal = pack(capsys, dest, [path_site('shop', src)])
    os.unlink(normal['sources']['shop']['file'])
    code, checked = pack(capsys, dest, [path_site('shop', src)], _ansible_check_mode=True)
    assert code == 0 and checked['changed'] is False
    assert checked['checksums'] == normal['checksums'] and os.path.isfile(checked['sources']['shop']['file'])


def test_missing_source_directory_fails_naming_the_site(capsys, tmp_path, dest):
    missing = tmp_path / 'nope'
    code, result = pack(capsys, dest, [path_site('shop', project(tmp_path)), path_site('blog', missing)])
    assert code == 1 and result['failed'] is True
    assert result['msg'] == 'site blog: source directory %s does not exist on the controller' % missing


def test_a_file_given_as_source_directory_fails(capsys, tmp_path, dest):
    afile = tmp_path / 'manage.py'
    afile.write_text('')
    code, result = pack(capsys, dest, [path_site('shop', afile)])
    assert code == 1 and result['msg'].startswith('site shop: source directory %s does not exist' % afile)


def test_missing_archive_fails_naming_the_site(capsys, tmp_path, dest):
    missing = tmp_path / 'gone.tar.gz'
    code, result = pack(capsys, dest, [{'name': 'blog', 'source': {'type': 'archive', 'src': str(missing)}}])
    assert code == 1
    assert result['msg'] == 'site blog: archive %s does not exist on the controller' % missing


@pytest.mark.parametrize('source, word', [({'type': 'path'}, 'path'), ({'type': 'archive', 'src': ''}, 'src')])
def test_source_without_its_location_fails_naming_the_site(capsys, dest, source, word):
    code, result = pack(capsys, dest, [{'name': 'shop', 'source': source}])
    assert code == 1 and result['msg'] == 'site shop: source has no %s' % word


def test_unwritable_dest_fails_naming_the_site(capsys, tmp_path):
    src = project(tmp_path)
    code, result = pack(capsys, tmp_path / 'no' / 'such' / 'dir', [path_site('shop', src)])
    assert code == 1 and result['msg'].startswith('site shop: cannot pack %s' % src)


def test_required_options(capsys, dest):
    code, result = run_module(pack_sources.main, capsys, {'dest': str(dest)})
    assert code == 1 and 'sites' in result['msg']
    code, result = run_module(pack_sources.main, capsys, {'sites': []})
    assert code == 1 and 'dest' in result['msg']
