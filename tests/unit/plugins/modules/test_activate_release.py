# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""activate_release module through its public interface (module args in, result out), without Apache.

Argument validation, check mode on fake site layouts in tmp_path, first deploys (no daemon to signal),
and switches checked against a small HTTP server on 127.0.0.1 that answers like a site's boot code
(the release of the color pinned by X-Modwsgi-Color). The site name is one no real mod_wsgi daemon
group on this host carries, so there is never a process to signal.
"""

from __future__ import annotations

import http.server
import os
import threading

import pytest

from ansible_collections.modwsgi.django.plugins.modules import activate_release
from ansible_collections.modwsgi.django.tests.unit.plugins.modules.utils import run_module

NAME = 'zqmodtest'


@pytest.fixture
def layout(tmp_path):
    """A site root with two releases and the path of an (absent) colors map."""
    root = tmp_path / NAME
    for release in ('aaaaaaaaaaaa', 'bbbbbbbbbbbb'):
        (root / 'releases' / release).mkdir(parents=True)
    return root, tmp_path / 'modwsgi-colors.map'


def rel(root, release):
    return str(root / 'releases' / release)


def point(root, **targets):
    for name, release in targets.items():
        os.symlink(rel(root, release), str(root / name))


def links(root):
    return dict((name, os.readlink(str(root / name))) for name in ('blue', 'green', 'current') if os.path.islink(str(root / name)))


def snapshot(root, map_path):
    return links(root), (map_path.read_text() if map_path.exists() else None)


def activate(capsys, root, map_path, mode='bluegreen', release='bbbbbbbbbbbb', **extra):
    args = {'name': NAME, 'mode': mode, 'root': str(root), 'map_path': str(map_path), 'health_host': 'shop.test',
            'health_retries': 2, 'health_delay': 0, 'restart_timeout': 1}
    if release is not None:
        args['release_dir'] = rel(root, release)
    args.update(extra)
    return run_module(activate_release.main, capsys, args)


# --- argument validation ----------------------------------------------------------------------------

@pytest.mark.parametrize('drop, word', [('name', 'name'), ('mode', 'mode'), ('root', 'root'), ('health_host', 'health_host')])
def test_required_arguments(capsys, layout, drop, word):
    root, map_path = layout
    args = {'name': NAME, 'mode': 'restart', 'root': str(root), 'health_host': 'shop.test', 'release_dir': rel(root, 'aaaaaaaaaaaa')}
    del args[drop]
    code, result = run_module(activate_release.main, capsys, dict(args, map_path=str(map_path)))
    assert code == 1 and 'missing required arguments: %s' % word in result['msg']
    assert links(root) == {}


@pytest.mark.parametrize('key, value', [('mode', 'daemon'), ('health_scheme', 'ftp')])
def test_choices(capsys, layout, key, value):
    root, map_path = layout
    code, result = activate(capsys, root, map_path, **{key: value})
    assert code == 1 and key in result['msg'] and value in result['msg']


def test_release_dir_is_required_unless_rolling_back(capsys, layout):
    root, map_path = layout
    code, result = activate(capsys, root, map_path, release=None)
    assert code == 1 and 'release_dir' in result['msg'] and 'rollback' in result['msg']
    assert links(root) == {} and not map_path.exists()


# --- check mode -------------------------------------------------------------------------------------

@pytest.mark.parametrize('mode', ['bluegreen', 'restart', 'embedded'])
def test_check_mode_on_a_first_deploy_reports_a_change_and_changes_nothing(capsys, layout, mode):
    root, map_path = layout
    code, result = activate(capsys, root, map_path, mode=mode, _ansible_check_mode=True)
    assert code == 0 and result['changed'] is True and result['release'] == rel(root, 'bbbbbbbbbbbb')
    assert snapshot(root, map_path) == ({}, None)


@pytest.mark.parametrize('live, release, changed', [
    ('green', 'bbbbbbbbbbbb', False),  # the live color already serves it
    ('green', 'aaaaaaaaaaaa', True),  # only the idle color has it
    ('blue', 'aaaaaaaaaaaa', False),
    ('blue', 'bbbbbbbbbbbb', True),
])
def test_check_mode_bluegreen_compares_the_live_colors_release(capsys, layout, live, release, changed):
    root, map_path = layout
    point(root, blue='aaaaaaaaaaaa', green='bbbbbbbbbbbb', current='aaaaaaaaaaaa' if live == 'blue' else 'bbbbbbbbbbbb')
    map_path.write_text('other green\n%s %s\n' % (NAME, live))
    before = snapshot(root, map_path)
    code, result = activate(capsys, root, map_path, release=release, _ansible_check_mode=True)
    assert code == 0 and result['changed'] is changed and result['release'] == rel(root, release)
    assert snapshot(root, map_path) == before


def test_check_mode_bluegreen_without_the_site_in_the_map_predicts_writing_it(capsys, layout):
    # the links exist but the map has no entry: a real run records the live color (a change)
    root, map_path = layout
    point(root, blue='aaaaaaaaaaaa', green='bbbbbbbbbbbb', current='aaaaaaaaaaaa')
    code, result = activate(capsys, root, map_path, release='aaaaaaaaaaaa', _ansible_check_mode=True)
    assert code == 0 and result['changed'] is True
    assert result['live'] == 'blue'
    code, result = activate(capsys, root, map_path, release='bbbbbbbbbbbb', _ansible_check_mode=True)
    assert code == 0 and result['changed'] is True
    assert not map_path.exists()


@pytest.mark.parametrize('extra', [{'force_restart': True}, {'rollback': True}])
def test_check_mode_bluegreen_force_and_rollback_always_change(capsys, layout, extra):
    root, map_path = layout
    point(root, blue='aaaaaaaaaaaa', green='bbbbbbbbbbbb', current='aaaaaaaaaaaa')
    map_path.write_text('%s blue\n' % NAME)
    before = snapshot(root, map_path)
    code, result = activate(capsys, root, map_path, release='aaaaaaaaaaaa', _ansible_check_mode=True, **extra)
    assert code == 0 and result['changed'] is True
    assert snapshot(root, map_path) == before


@pytest.mark.parametrize('mode', ['restart', 'embedded'])
@pytest.mark.parametrize('current, release, force, changed', [
    ('aaaaaaaaaaaa', 'aaaaaaaaaaaa', False, False),
    ('aaaaaaaaaaaa', 'bbbbbbbbbbbb', False, True),
    ('aaaaaaaaaaaa', 'aaaaaaaaaaaa', True, True),
])
def test_check_mode_restart_and_embedded_compare_current(capsys, layout, mode, current, release, force, changed):
    root, map_path = layout
    point(root, current=current)
    map_path.write_text('%s green\n' % NAME)  # ignored outside bluegreen
    before = snapshot(root, map_path)
    code, result = activate(capsys, root, map_path, mode=mode, release=release, force_restart=force, _ansible_check_mode=True)
    assert code == 0 and result['changed'] is changed and result['release'] == rel(root, release)
    assert snapshot(root, map_path) == before


# --- first deploys and no-ops (nothing to signal) ---------------------------------------------------

def test_first_bluegreen_deploy_links_both_colors_and_records_blue(capsys, layout):
    root, map_path = layout
    map_path.write_text('other green\n')
    code, result = activate(capsys, root, map_path)
    assert code == 0 and result['changed'] is True and result['first'] is True
    assert result['live'] == 'blue' and result['release'] == rel(root, 'bbbbbbbbbbbb')
    assert links(root) == {'blue': rel(root, 'bbbbbbbbbbbb'), 'green': rel(root, 'bbbbbbbbbbbb'), 'current': rel(root, 'bbbbbbbbbbbb')}
    assert [line for line in map_path.read_text().splitlines() if not line.startswith('#')] == ['other green', '%s blue' % NAME]
    code, again = activate(capsys, root, map_path)
    assert code == 0 and again['changed'] is False and again['live'] == 'blue'


def test_release_already_live_records_the_color_and_repairs_current(capsys, layout):
    root, map_path = layout
    point(root, blue='bbbbbbbbbbbb', green='bbbbbbbbbbbb', current='aaaaaaaaaaaa')
    code, result = activate(capsys, root, map_path)
    assert code == 0 and result['changed'] is True and result['live'] == 'blue'
    assert links(root)['current'] == rel(root, 'bbbbbbbbbbbb')
    assert '%s blue' % NAME in map_path.read_text().splitlines()


@pytest.mark.parametrize('mode', ['restart', 'embedded'])
def test_first_restart_or_embedded_deploy_links_current(capsys, layout, mode):
    root, map_path = layout
    code, result = activate(capsys, root, map_path, mode=mode)
    assert code == 0 and result['changed'] is True and result['release'] == rel(root, 'bbbbbbbbbbbb')
    assert links(root) == {'current': rel(root, 'bbbbbbbbbbbb')}
    assert result.get('reload_required', False) is False
    assert not map_path.exists()
    code, result = activate(capsys, root, map_path, mode=mode)
    assert code == 0 and result['changed'] is False


def test_embedded_code_change_asks_for_a_reload(capsys, layout):
    root, map_path = layout
    point(root, current='aaaaaaaaaaaa')
    code, result = activate(capsys, root, map_path, mode='embedded')
    assert code == 0 and result['changed'] is True and result['reload_required'] is True
    assert result['previous'] == rel(root, 'aaaaaaaaaaaa') and links(root)['current'] == rel(root, 'bbbbbbbbbbbb')


# --- errors name the site ---------------------------------------------------------------------------

def test_rollback_without_a_previous_release_fails_naming_the_site(capsys, layout):
    root, map_path = layout
    point(root, blue='aaaaaaaaaaaa', current='aaaaaaaaaaaa')
    map_path.write_text('%s blue\n' % NAME)
    before = snapshot(root, map_path)
    code, result = activate(capsys, root, map_path, release=None, rollback=True)
    assert code == 1 and result['msg'].startswith('site %s: ' % NAME)
    assert 'no previous release on color green to roll back to' in result['msg']
    assert result['msg'].count(NAME) == 1
    assert 'The previously live release keeps serving.' in result['msg']
    assert snapshot(root, map_path) == before


def test_unwritable_root_fails_naming_the_site(capsys, tmp_path):
    root = tmp_path / 'afile'
    root.write_text('')
    code, result = run_module(activate_release.main, capsys, {
        'name': NAME, 'mode': 'embedded', 'root': str(root), 'release_dir': str(tmp_path / 'r'), 'health_host': 'x.test',
        'map_path': str(tmp_path / 'map')})
    assert code == 1 and result['msg'].startswith('site %s: cannot switch release: ' % NAME)


# --- switches health-checked through a fake site on 127.0.0.1 ----------------------------------------

def live_link(root):
    """What an unpinned request reaches: the color the map names (bluegreen), else `current`."""
    map_path = os.path.join(os.path.dirname(root), 'modwsgi-colors.map')
    if not os.path.lexists(os.path.join(root, 'blue')) or not os.path.exists(map_path):
        return 'current'
    with open(map_path) as handle:
        colors = dict(line.split() for line in handle if len(line.split()) == 2)
    return colors.get(os.path.basename(root), 'blue')


class FakeSite(http.server.ThreadingHTTPServer):
    """Answers like the site's boot code: X-Modwsgi-Release is the release of the pinned color (or current)."""

    daemon_threads = True

    def __init__(self, root):
        http.server.ThreadingHTTPServer.__init__(self, ('127.0.0.1', 0), FakeSiteHandler)
        self.root = root
        self.broken = set()  # releases that answer 500
        self.colors_asked = []


class FakeSiteHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        color = self.headers.get('X-Modwsgi-Color')
        self.server.colors_asked.append(color)
        target = os.readlink(os.path.join(str(self.server.root), color or live_link(str(self.server.root))))
        release = os.path.basename(target)
        status = 500 if release in self.server.broken else 200
        self.send_response(status)
        if self.headers.get('X-Modwsgi-Health') == '1':
            self.send_header('X-Modwsgi-Release', release)
        self.send_header('Content-Length', '2')
        self.end_headers()
        self.wfile.write(b'ok')

    def log_message(self, *args):
        pass


@pytest.fixture
def site(layout):
    root, map_path = layout
    server = FakeSite(root)
    thread = threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.05}, daemon=True)
    thread.start()
    yield root, map_path, server
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_bluegreen_deploy_goes_to_the_idle_color_and_flips(capsys, site):
    root, map_path, server = site
    point(root, blue='aaaaaaaaaaaa', green='aaaaaaaaaaaa', current='aaaaaaaaaaaa')
    map_path.write_text('%s blue\n' % NAME)
    code, result = activate(capsys, root, map_path, health_port=server.server_address[1], health_path='/healthz/')
    assert code == 0, result
    assert result['changed'] is True and result['live'] == 'green' and result['previous'] == 'blue'
    assert links(root) == {'blue': rel(root, 'aaaaaaaaaaaa'), 'green': rel(root, 'bbbbbbbbbbbb'), 'current': rel(root, 'bbbbbbbbbbbb')}
    assert '%s green' % NAME in map_path.read_text().splitlines()
    # only the idle color was checked before the flip; then an unpinned request saw the new release
    assert set(server.colors_asked[:-1]) == {'green'} and server.colors_asked[-1] is None
    code, result = activate(capsys, root, map_path, release=None, rollback=True, health_port=server.server_address[1])
    assert code == 0 and result['live'] == 'blue' and result['release'] == rel(root, 'aaaaaaaaaaaa')
    assert '%s blue' % NAME in map_path.read_text().splitlines() and links(root)['current'] == rel(root, 'aaaaaaaaaaaa')


def test_failed_bluegreen_health_check_keeps_the_live_color_and_shows_the_error_log(capsys, site, tmp_path):
    root, map_path, server = site
    point(root, blue='aaaaaaaaaaaa', green='aaaaaaaaaaaa', current='aaaaaaaaaaaa')
    map_path.write_text('%s blue\n' % NAME)
    server.broken.add('bbbbbbbbbbbb')
    error_log = tmp_path / 'error.log'
    error_log.write_text('[wsgi:error] yesterday\n')

    def fail_and_log(handler_get=FakeSiteHandler.do_GET):
        def do_get(handler):
            with open(str(error_log), 'a') as handle:
                handle.write('[wsgi:error] ImportError: No module named shop.settings\n')
            handler_get(handler)
        return do_get

    server.RequestHandlerClass = type('Logging', (FakeSiteHandler,), {'do_GET': fail_and_log()})
    code, result = activate(capsys, root, map_path, health_port=server.server_address[1], health_path='/healthz/',
                            error_log=str(error_log))
    assert code == 1
    msg = result['msg']
    assert msg.startswith('site %s: health check /healthz/ on green failed after 2 tries: HTTP 500' % NAME)
    assert 'The previously live release keeps serving.' in msg
    assert 'ImportError: No module named shop.settings' in msg and 'yesterday' not in msg
    assert map_path.read_text() == '%s blue\n' % NAME  # no flip
    assert links(root)['blue'] == rel(root, 'aaaaaaaaaaaa') and links(root)['current'] == rel(root, 'aaaaaaaaaaaa')


def test_failed_restart_mode_health_check_points_current_back(capsys, site):
    root, map_path, server = site
    point(root, current='aaaaaaaaaaaa')
    server.broken.add('bbbbbbbbbbbb')
    code, result = activate(capsys, root, map_path, mode='restart', health_port=server.server_address[1])
    assert code == 1 and result['msg'].startswith('site %s: health check / on the site failed after 2 tries: HTTP 500' % NAME)
    assert '%s points back at %s' % (root / 'current', rel(root, 'aaaaaaaaaaaa')) in result['msg']
    assert links(root) == {'current': rel(root, 'aaaaaaaaaaaa')}
    server.broken.clear()
    code, result = activate(capsys, root, map_path, mode='restart', health_port=server.server_address[1])
    assert code == 0 and result['changed'] is True and result['previous'] == rel(root, 'aaaaaaaaaaaa')
    assert links(root) == {'current': rel(root, 'bbbbbbbbbbbb')} and set(server.colors_asked) == {None}
