# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""verify_sites engine against a fake host: a site tree in tmp_path, a small HTTP server on 127.0.0.1
that answers like Apache + the site's boot code (each fault switchable), and daemon processes that are
real processes carrying mod_wsgi's process title."""

from __future__ import annotations

import grp
import http.server
import os
import pwd
import subprocess
import threading

import pytest

from ansible_collections.modwsgi.django.plugins.module_utils import _verify as V

# The daemons' user: any account but root (validate_sites refuses root). The fake daemons below are
# started as whoever runs the tests, so FakeHost reports them as running as this account.
USER = next(entry for entry in sorted(pwd.getpwall(), key=lambda e: e.pw_uid) if entry.pw_uid > 0)
ME = USER.pw_name
MY_GROUP = grp.getgrgid(USER.pw_gid).gr_name


class FakeHost(V.Host):
    """Reports the fake daemons (sleep processes) as running as USER with their configured 3 threads."""

    def process_ids(self, pid):
        return (USER.pw_uid, USER.pw_gid) if V.Host.process_ids(self, pid) is not None else None

    def threads(self, pid):
        return 3 + 2 if V.Host.threads(self, pid) is not None else None


class FakeApache(http.server.ThreadingHTTPServer):
    """Apache with one vhost: Alias static/media -> dirs, the app at the mount (release header to loopback)."""

    daemon_threads = True

    def __init__(self):
        http.server.ThreadingHTTPServer.__init__(self, ('127.0.0.1', 0), Handler)
        self.sites = []
        self.faults = set()
        self.cookies = {}  # path -> Set-Cookie values


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's name
        server = self.server
        path = self.path.split('?')[0]
        for site in server.sites:
            for kind in ('static', 'media'):
                spec = site.get(kind)
                if spec and path.startswith(spec['url']):
                    return self.public(site, spec, path[len(spec['url']):])
        for site in server.sites:
            if V.under_mount(path.rstrip('/') or '/', site['mount']):
                return self.app(site, path)
        return self.answer(404, b'not found')

    def public(self, site, spec, relative):
        local = os.path.join(spec['dir'], relative)
        if os.path.isdir(local):
            if 'listing' in self.server.faults:
                return self.answer(200, ('<title>Index of %s</title>%s' % (relative, ' '.join(os.listdir(local)))).encode())
            return self.answer(403, b'forbidden')
        if not os.path.isfile(local) or 'no-alias' in self.server.faults:
            return self.app(site, spec['url'] + relative)
        with open(local, 'rb') as handle:
            body = handle.read()
        return self.answer(200, body, app=site if 'static-by-app' in self.server.faults else None)

    def app(self, site, path):
        if 'app-down' in self.server.faults:
            return self.answer(503, b'unavailable')
        relative = path[len(site['mount']):] if site['mount'] != '/' else path
        if relative.startswith('/static/') or relative.startswith('/media/'):
            return self.answer(404, b'django 404', app=site)
        color = self.headers.get('X-Modwsgi-Color')
        link = site['paths'][color] if color else site['paths']['current']
        headers = [('Set-Cookie', cookie) for cookie in self.server.cookies.get(path, [])]
        if 'redirect-out' in self.server.faults:
            headers.append(('Location', '/accounts/login/'))
            return self.answer(302, b'', app=site, release=os.path.basename(os.path.realpath(link)), headers=headers)
        return self.answer(200, b'ok', app=site, release=os.path.basename(os.path.realpath(link)), headers=headers)

    def answer(self, status, body, app=None, release=None, headers=()):
        self.send_response(status)
        if app is not None and self.headers.get('X-Modwsgi-Health') == '1' and self.client_address[0] == '127.0.0.1':
            self.send_header('X-Modwsgi-Release', release or os.path.basename(os.path.realpath(app['paths']['current'])))
        for name, value in headers:
            self.send_header(name, value)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def apache():
    server = FakeApache()
    thread = threading.Thread(target=server.serve_forever, kwargs={'poll_interval': 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(5)


class Daemons(object):
    """Real processes titled like mod_wsgi daemons ("(wsgi:<group>)"), registered under <root>/run."""

    def __init__(self):
        self.procs = []

    def start(self, run_dir, group, title=None):
        proc = subprocess.Popen(['bash', '-c', 'exec -a "$0" sleep 60', title or '(wsgi:%s)' % group])
        self.procs.append(proc)
        os.makedirs(run_dir, exist_ok=True)
        open(os.path.join(run_dir, '%s.%d' % (group, proc.pid)), 'w').close()
        for _unused in range(200):  # until exec has set the title
            try:
                with open('/proc/%d/cmdline' % proc.pid, 'rb') as handle:
                    if handle.read().startswith(b'('):
                        break
            except OSError:
                pass
        return proc.pid

    def stop(self):
        for proc in self.procs:
            proc.kill()
            proc.wait()


@pytest.fixture
def daemons():
    running = Daemons()
    yield running
    running.stop()


def raw_site(name='shop', **extra):
    site = {'name': name, 'server_name': 'www.test', 'project': 'probe', 'source': {'type': 'path', 'path': '/src'},
            'daemon': {'user': ME, 'group': MY_GROUP, 'processes': 2, 'threads': 3}, 'health_path': '/healthz/'}
    site.update(extra)
    return site


def deploy(tmp_path, apache, daemons, sites, processes=2):
    """Lay out each site as the role would (release, links, conf, static/media, vhost file), start its daemons."""
    conf_root = tmp_path / 'apache2'
    (conf_root / 'sites-available').mkdir(parents=True, exist_ok=True)
    (conf_root / 'mods-enabled').mkdir(exist_ok=True)
    (conf_root / 'mods-enabled' / 'mpm_event.load').write_text('')
    normalized = V.validate(sites, check_filesystem=False, base_dir=str(tmp_path / 'srv')).sites
    (tmp_path / 'www').mkdir(exist_ok=True)
    vhost = []
    for site in normalized:
        paths = site['paths']
        release = os.path.join(paths['releases'], 'r1abc')
        os.makedirs(os.path.join(release, 'probe'))
        (tmp_path / release / 'manage.py').write_text('# manage\n')
        (tmp_path / release / 'probe' / 'settings.py').write_text('SECRET = 1\n')
        for link in ('current', 'blue', 'green'):
            os.symlink(release, paths[link])
        os.makedirs(paths['conf'])
        for key in ('site_json', 'settings_module_file', 'boot'):
            with open(paths[key], 'w') as handle:
                handle.write('{}\n')
        os.makedirs(paths['script_dir'])
        with open(paths['script'], 'w') as handle:
            handle.write('# wsgi\n')
        for kind in ('static', 'media'):
            if site.get(kind):
                os.makedirs(site[kind]['dir'], exist_ok=True)
        if site['mode'] == 'daemon':
            for group in site['daemon_groups']:
                code = paths[group.rsplit('_', 1)[-1]] if group.endswith(('_blue', '_green')) else paths['current']
                vhost.append('WSGIDaemonProcess %s user=%s group=%s processes=%d threads=3 \\\n'
                             '        display-name=%%{GROUP} python-home=%s/.modwsgi-venv' % (group, ME, MY_GROUP, processes, code))
                for _unused in range(processes):
                    daemons.start(paths['run'], group)
    (conf_root / 'sites-available' / 'modwsgi-www.test.conf').write_text('\n'.join(vhost) + '\n')
    apache.sites = normalized
    return normalized, conf_root


def run(tmp_path, apache, sites, conf_root, **options):
    options.setdefault('markers', True)
    options.setdefault('settle', 0.2)
    results, error = V.verify(sites, FakeHost(port=apache.server_address[1], timeout=5), conf_root=str(conf_root),
                              document_roots=[str(tmp_path / 'www')], base_dir=str(tmp_path / 'srv'), **options)
    assert error is None, error
    return results


def by_check(results, site='shop'):
    found = {}
    for item in results:
        if item['site'] == site:
            found.setdefault(item['check'], []).append(item)
    return found


def statuses(results, site='shop'):
    return dict((check, [item['status'] for item in items]) for check, items in by_check(results, site).items())


def test_a_healthy_bluegreen_site_passes_every_check(tmp_path, apache, daemons):
    sites = [raw_site()]
    normalized, conf_root = deploy(tmp_path, apache, daemons, sites)
    apache.cookies['/session/'] = ['shop_sessionid=x; Path=/; HttpOnly']
    results = run(tmp_path, apache, sites, conf_root, extra_paths={'shop': ['session/']})
    assert statuses(results) == {'mount': ['ok'], 'colors': ['ok'], 'static': ['ok'], 'media': ['ok'], 'listing': ['ok', 'ok'],
                                 'daemon': ['ok'], 'cookies': ['ok'], 'exposed': ['ok']}, results
    assert V.failures(results) == []
    details = dict((item['check'], item['detail']) for item in results)
    assert 'from release r1abc' in details['mount'] and 'shop_blue 2 x %s (threads=3)' % ME in details['daemon']
    # The markers are gone again.
    assert not [name for name in os.listdir(normalized[0]['static']['dir']) if name.startswith(V.MARKER_PREFIX)]


def test_sub_url_site_with_restart_deploy_and_embedded_site(tmp_path, apache, daemons):
    sites = [raw_site('blog', mount='/blog', deploy='restart', daemon={'user': ME, 'group': MY_GROUP, 'processes': 2}),
             raw_site('emb', server_name='emb.test', mode='embedded', daemon={})]
    sites[1].pop('daemon')
    deploy(tmp_path, apache, daemons, sites)
    apache.cookies['/blog/session/'] = ['blog_sessionid=x; Path=/blog']
    results = run(tmp_path, apache, sites, tmp_path / 'apache2', extra_paths={'blog': ['session/']})
    assert 'colors' not in statuses(results, 'blog') and statuses(results, 'blog')['daemon'] == ['ok'], results
    assert statuses(results, 'emb')['daemon'] == ['skipped']
    assert V.failures(results) == []


@pytest.mark.parametrize('fault, check, words', [
    ('listing', 'listing', 'the static directory is listed at /blog/static/'),
    ('static-by-app', 'static', 'answered by the Django application'),
    ('no-alias', 'static', 'expected 200 with the content of'),
    ('app-down', 'mount', 'answered HTTP 503, expected 2xx/3xx'),
    ('redirect-out', 'mount', 'redirects to /accounts/login/, outside the mount /blog'),
])
def test_each_fault_fails_its_check(tmp_path, apache, daemons, fault, check, words):
    sites = [raw_site('blog', mount='/blog')]
    deploy(tmp_path, apache, daemons, sites)
    apache.faults.add(fault)
    results = run(tmp_path, apache, sites, tmp_path / 'apache2')
    failed = [item for item in results if item['status'] == 'failed']
    assert any(item['check'] == check and words in item['detail'] for item in failed), failed
    assert any(line.startswith("site 'blog', check %s: " % check) for line in V.failures(results))


def test_a_color_answering_from_another_release_fails(tmp_path, apache, daemons):
    sites = [raw_site()]
    normalized, conf_root = deploy(tmp_path, apache, daemons, sites)
    green = normalized[0]['paths']['green']
    os.makedirs(os.path.join(normalized[0]['paths']['releases'], 'r2def'))
    os.unlink(green)
    os.symlink(os.path.join(normalized[0]['paths']['releases'], 'r2def'), green)
    apache.sites[0] = dict(apache.sites[0], paths=dict(apache.sites[0]['paths'], green=normalized[0]['paths']['blue']))
    results = run(tmp_path, apache, sites, conf_root)
    [colors] = by_check(results)['colors']
    assert colors['status'] == 'failed' and 'green answered from release r1abc, its link points at r2def' in colors['detail']


def test_missing_process_wrong_user_and_stale_registration(tmp_path, apache, daemons):
    sites = [raw_site()]
    normalized, conf_root = deploy(tmp_path, apache, daemons, sites)
    run_dir = normalized[0]['paths']['run']
    # One blue process gone, its registration left behind (a stale pid: no such process, or another program).
    victim = daemons.procs[0]
    victim.kill()
    victim.wait()
    other = subprocess.Popen(['sleep', '60'])
    daemons.procs.append(other)
    open(os.path.join(run_dir, 'shop_blue.%d' % other.pid), 'w').close()
    results = run(tmp_path, apache, sites, conf_root)
    [daemon] = by_check(results)['daemon']
    assert daemon['status'] == 'failed' and 'shop_blue runs 1 processes' in daemon['detail'] and 'configured 2' in daemon['detail']


def test_processes_running_as_another_user_fail(tmp_path, apache, daemons, monkeypatch):
    sites = [raw_site()]
    normalized, conf_root = deploy(tmp_path, apache, daemons, sites)
    monkeypatch.setattr(FakeHost, 'process_ids', lambda self, pid: (4242, 4242))
    results = run(tmp_path, apache, sites, conf_root)
    [daemon] = by_check(results)['daemon']
    assert daemon['status'] == 'failed' and 'uid 4242 gid 4242' in daemon['detail']


def test_processes_with_too_few_threads_fail(tmp_path, apache, daemons, monkeypatch):
    sites = [raw_site()]
    dummy, conf_root = deploy(tmp_path, apache, daemons, sites)
    monkeypatch.setattr(FakeHost, 'threads', V.Host.threads)  # sleep: 1 thread
    [daemon] = by_check(run(tmp_path, apache, sites, conf_root))['daemon']
    assert daemon['status'] == 'failed' and 'fewer threads than threads=3' in daemon['detail'] and ' 1 threads' in daemon['detail']


def test_configured_processes_differ_from_the_inventory(tmp_path, apache, daemons):
    sites = [raw_site()]
    dummy, conf_root = deploy(tmp_path, apache, daemons, sites)
    sites[0]['daemon'] = dict(sites[0]['daemon'], processes=4)
    [daemon] = by_check(run(tmp_path, apache, sites, conf_root))['daemon']
    assert 'configured with processes=2, the inventory says 4' in daemon['detail']


@pytest.mark.parametrize('cookie, words', [
    ('sessionid=x; Path=/blog', "sets cookie sessionid, Django's default name: the site's is blog_sessionid"),
    ('blog_sessionid=x; Path=/', 'sets blog_sessionid with path /, expected /blog'),
    ('tracking=x; Path=/', 'sets tracking with path /, outside the mount /blog'),
])
def test_cookie_faults(tmp_path, apache, daemons, cookie, words):
    # Two sites on one host name: the cookie names carry the site name (validate_sites' session-cookie rule).
    sites = [raw_site('blog', mount='/blog'), raw_site('shop')]
    deploy(tmp_path, apache, daemons, sites)
    apache.cookies['/blog/session/'] = [cookie]
    results = run(tmp_path, apache, sites, tmp_path / 'apache2', extra_paths={'blog': ['session/']})
    [cookies] = by_check(results, 'blog')['cookies']
    assert cookies['status'] == 'failed' and words in cookies['detail'], cookies


def test_no_cookie_seen_is_skipped_not_passed(tmp_path, apache, daemons):
    sites = [raw_site()]
    dummy, conf_root = deploy(tmp_path, apache, daemons, sites)
    [cookies] = by_check(run(tmp_path, apache, sites, conf_root))['cookies']
    assert cookies['status'] == 'skipped' and '/admin/login/' in cookies['detail']


def test_code_linked_under_the_document_root_is_exposed(tmp_path, apache, daemons):
    sites = [raw_site()]
    normalized, conf_root = deploy(tmp_path, apache, daemons, sites)
    os.symlink(normalized[0]['paths']['root'], str(tmp_path / 'www' / 'leak'))
    [exposed] = by_check(run(tmp_path, apache, sites, conf_root))['exposed']
    assert exposed['status'] == 'failed' and str(tmp_path / 'www' / 'leak') in exposed['detail'], exposed


def test_a_static_dir_holding_the_code_is_exposed_and_served(tmp_path, apache, daemons):
    sites = [raw_site()]
    normalized, conf_root = deploy(tmp_path, apache, daemons, sites)
    paths = normalized[0]['paths']
    os.symlink(paths['conf'], os.path.join(normalized[0]['static']['dir'], 'conf'))
    [exposed] = by_check(run(tmp_path, apache, sites, conf_root))['exposed']
    # The filesystem rule names the link; the fake Apache follows it, so the secrets are served too.
    assert exposed['status'] == 'failed' and 'the symlink %s/conf' % normalized[0]['static']['dir'] in exposed['detail']
    assert 'GET /static/conf/site.json serves %s' % paths['site_json'] in exposed['detail'], exposed['detail']


def test_without_markers_an_existing_file_is_requested_or_the_check_skipped(tmp_path, apache, daemons):
    sites = [raw_site()]
    normalized, conf_root = deploy(tmp_path, apache, daemons, sites)
    static = normalized[0]['static']['dir']
    os.makedirs(os.path.join(static, 'probe'))
    with open(os.path.join(static, 'probe', 'style.css'), 'w') as handle:
        handle.write('/* marker */\n')
    os.chmod(os.path.join(static, 'probe', 'style.css'), 0o644)
    checks = by_check(run(tmp_path, apache, sites, conf_root, markers=False))
    assert checks['static'][0]['status'] == 'ok' and '/static/probe/style.css' in checks['static'][0]['detail']
    assert checks['media'][0]['status'] == 'skipped'
    assert os.listdir(static) == ['probe']


def test_sites_that_do_not_validate_are_refused():
    results, error = V.verify([{'name': 'Bad Name'}], V.Host(port=1))
    assert results == [] and error.startswith('the sites do not validate: ')


def test_daemon_directives_join_continuation_lines():
    text = ('    WSGIDaemonProcess shop_blue user=shop group=shop processes=2 threads=15 \\\n'
            '        display-name=%{GROUP} python-home=/srv/django/shop/blue/.modwsgi-venv\n'
            '    WSGIDaemonProcess blog user=blog group=blog threads=4\n')
    found = V.daemon_directives(text)
    assert found['shop_blue']['processes'] == '2' and found['shop_blue']['display-name'] == '%{GROUP}'
    assert 'processes' not in found['blog'] and found['blog']['user'] == 'blog'


def test_cookie_parsing():
    assert V._cookie('shop_sessionid=abc; expires=Thu, 01 Jan 2027 00:00:00 GMT; HttpOnly; Max-Age=1209600; Path=/; SameSite=Lax') == (
        'shop_sessionid', '/')
    assert V._cookie('x=1') == ('x', None)
