# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""rollback module: the fast path, against real site trees and a fake site answering on 127.0.0.1."""

from __future__ import annotations

import json
import os
import threading

import pytest

from ansible_collections.modwsgi.django.plugins.modules import rollback
from ansible_collections.modwsgi.django.tests.unit.plugins.modules.test_activate_release import FakeSite
from ansible_collections.modwsgi.django.tests.unit.plugins.modules.utils import run_module


@pytest.fixture
def host(tmp_path):
    """Two bluegreen sites (blue live on release a, green idle on release b) and a restart site, with the
    manifest and the map the role writes; one fake server answering for all of them."""
    servers = []
    sites = []
    for name in ('alpha', 'beta'):
        root = tmp_path / name
        for release in ('aaaaaaaaaaaa', 'bbbbbbbbbbbb'):
            (root / 'releases' / release).mkdir(parents=True)
        os.symlink(str(root / 'releases' / 'aaaaaaaaaaaa'), str(root / 'blue'))
        os.symlink(str(root / 'releases' / 'bbbbbbbbbbbb'), str(root / 'green'))
        os.symlink(str(root / 'releases' / 'aaaaaaaaaaaa'), str(root / 'current'))
        server = FakeSite(root)
        threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.05}, daemon=True).start()
        servers.append(server)
        sites.append({'name': name, 'mode': 'daemon', 'deploy': 'bluegreen', 'root': str(root), 'server_name': '%s.test' % name,
                      'health_path': '/healthz/', 'port': server.server_address[1], 'scheme': 'http'})
    sites.append({'name': 'gamma', 'mode': 'daemon', 'deploy': 'restart', 'root': str(tmp_path / 'gamma'),
                  'server_name': 'gamma.test', 'health_path': '/', 'port': 80, 'scheme': 'http'})
    map_path = tmp_path / 'modwsgi-colors.map'
    map_path.write_text('alpha blue\nbeta blue\n')
    manifest = tmp_path / 'modwsgi-sites.json'
    manifest.write_text(json.dumps({'map_path': str(map_path), 'sites': sites}))
    yield tmp_path, manifest, map_path, servers
    for server in servers:
        server.shutdown()
        server.server_close()


def colors(map_path):
    return dict(line.split() for line in map_path.read_text().splitlines() if not line.startswith('#'))


def test_every_bluegreen_site_flips_back_at_once(capsys, host):
    tmp_path, manifest, map_path, servers = host
    code, result = run_module(rollback.main, capsys, {'manifest': str(manifest), 'delay': 0})
    assert code == 0, result
    assert result['changed'] is True and sorted(result['sites']) == ['alpha', 'beta']   # not the restart site
    assert result['sites']['alpha'] == {'live': 'green', 'previous': 'blue', 'release': str(tmp_path / 'alpha' / 'releases' / 'bbbbbbbbbbbb')}
    assert colors(map_path) == {'alpha': 'green', 'beta': 'green'}
    assert os.readlink(str(tmp_path / 'beta' / 'current')).endswith('bbbbbbbbbbbb')
    # each previous color was checked pinned before the flip, then as any client asks after it
    assert all(server.colors_asked == ['green', None] for server in servers)


def test_one_sick_previous_color_flips_nothing(capsys, host):
    tmp_path, manifest, map_path, servers = host
    servers[1].broken.add('bbbbbbbbbbbb')
    before = map_path.read_text()
    code, result = run_module(rollback.main, capsys, {'manifest': str(manifest), 'retries': 2, 'delay': 0})
    assert code == 1 and 'Nothing was flipped' in result['msg'] and 'HTTP 500' in result['msg']
    assert map_path.read_text() == before
    assert os.readlink(str(tmp_path / 'alpha' / 'current')).endswith('aaaaaaaaaaaa')


def test_only_the_named_sites_and_unknown_names_are_refused(capsys, host):
    _tmp_path, manifest, map_path, _servers = host
    code, result = run_module(rollback.main, capsys, {'manifest': str(manifest), 'sites': ['beta'], 'delay': 0})
    assert code == 0 and list(result['sites']) == ['beta']
    assert colors(map_path) == {'alpha': 'blue', 'beta': 'green'}
    for name in ('gamma', 'nosuch'):
        code, result = run_module(rollback.main, capsys, {'manifest': str(manifest), 'sites': [name]})
        assert code == 1 and "'%s' is not a bluegreen site deployed on this host" % name in result['msg']
    assert colors(map_path) == {'alpha': 'blue', 'beta': 'green'}


def test_check_mode_says_what_would_flip(capsys, host):
    _tmp_path, manifest, map_path, servers = host
    before = map_path.read_text()
    code, result = run_module(rollback.main, capsys, {'manifest': str(manifest), '_ansible_check_mode': True})
    assert code == 0 and result['sites']['alpha']['live'] == 'green'
    assert map_path.read_text() == before and all(server.colors_asked == [] for server in servers)


def test_no_manifest_says_how_to_get_one(capsys, tmp_path):
    code, result = run_module(rollback.main, capsys, {'manifest': str(tmp_path / 'none.json')})
    assert code == 1 and 'cannot read the manifest' in result['msg'] and 'deploy the sites' in result['msg']
