# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Checks of deployed sites, from the host they run on (the engine of the ``verify_sites`` module).

What the collection promises, probed the way its own molecule scenarios do: over HTTP through
127.0.0.1 with each site's host name, and in ``/proc``. Per site:

``mount``     the site's WSGI application answers its health URL (2xx/3xx, its boot code names the live
              release), and redirects stay under the mount
``colors``    bluegreen: each color answers, pinned, with the release its link points at
``static``/``media``  a file in the directory is served at the URL by Apache, not by Django
``listing``   the static and media directories are never listed
``daemon``    every daemon group runs the configured number of processes as the site's user and group
``cookies``   the cookies the site sets carry its names and paths under its mount
``exposed``   no code, settings or secret lies under a DocumentRoot or an Alias (real paths, symlinks
              included), and none of it is served over HTTP

Every result is a dict ``{'site', 'check', 'status': 'ok'|'failed'|'skipped', 'detail'}``;
``verify()`` returns them all, it never stops at the first failure. The host is reached through a
:class:`Host` object so that the unit tests can substitute parts of it.
"""

from __future__ import annotations

import grp
import os
import pwd
import re
import secrets
import shutil
import time

from urllib.parse import urlsplit

from ansible_collections.modwsgi.django.plugins.module_utils._layout import validate
from ansible_collections.modwsgi.django.plugins.module_utils._site_tree import vhost_file as site_vhost_file

OK, FAILED, SKIPPED = 'ok', 'failed', 'skipped'
DJANGO_COOKIES = {'sessionid': 'SESSION_COOKIE', 'csrftoken': 'CSRF_COOKIE', 'messages': 'MODWSGI_MESSAGES_COOKIE'}
MARKER_PREFIX = 'modwsgi-verify-'
RELEASE_HEADER = 'x-modwsgi-release'


class Response(object):
    """An HTTP answer: status (0 when there was none), headers as (lower-case name, value) pairs, body bytes."""

    def __init__(self, status, headers=None, body=b'', error=None):
        self.status = status
        self.headers = list(headers or [])
        self.body = body
        self.error = error

    def header(self, name):
        for key, value in self.headers:
            if key == name:
                return value
        return None

    def all(self, name):
        return [value for key, value in self.headers if key == name]

    def __str__(self):
        if self.status == 0:
            return 'no answer (%s)' % self.error
        return 'HTTP %d' % self.status


class Host(object):
    """The host the sites run on: HTTP through 127.0.0.1, files, and processes in /proc."""

    def __init__(self, port=80, timeout=10.0, sleep=time.sleep):
        self.port = port
        self.timeout = timeout
        self.sleep = sleep

    def get(self, host, path, headers=None):
        import http.client

        send = {'Host': host, 'User-Agent': 'modwsgi.django-verify'}
        send.update(headers or {})
        conn = http.client.HTTPConnection('127.0.0.1', self.port, timeout=self.timeout)
        try:
            conn.request('GET', path, headers=send)
            resp = conn.getresponse()
            body = resp.read(256 * 1024)
            return Response(resp.status, [(name.lower(), value) for name, value in resp.getheaders()], body)
        except (OSError, http.client.HTTPException) as exc:
            return Response(0, error=str(exc))
        finally:
            conn.close()

    def registered_pids(self, run_dir, group, title):
        """Live processes that registered as ``<run_dir>/<group>.<pid>`` (the boot code does, at start)
        and carry the daemon's process title: a registration left by a process that exited, whose pid
        was reused since, does not count."""
        try:
            names = os.listdir(run_dir)
        except OSError:
            return []
        pids = []
        for name in names:
            prefix, dot, pid = name.rpartition('.')
            if dot and prefix == group and pid.isdigit() and self.has_title(int(pid), title):
                pids.append(int(pid))
        return sorted(pids)

    def has_title(self, pid, title):
        """The process runs with ``title`` as its name (mod_wsgi cuts it to the length of Apache's argv[0])."""
        try:
            with open('/proc/%d/cmdline' % pid, 'rb') as handle:
                actual = handle.read().split(b'\0')[0].decode('utf-8', 'replace').strip()
        except OSError:
            return False
        return len(actual) >= min(6, len(title)) and title.startswith(actual)

    def process_ids(self, pid):
        """(effective uid, effective gid) of a process, or None when it is gone."""
        status = self._status(pid)
        return None if status is None else (status.get('Uid'), status.get('Gid'))

    def threads(self, pid):
        """How many threads a process runs (mod_wsgi's own included), or None when it is gone."""
        status = self._status(pid)
        return None if status is None else status.get('Threads')

    @staticmethod
    def _status(pid):
        found = {}
        try:
            with open('/proc/%d/status' % pid) as handle:
                for line in handle:
                    key, _sep, value = line.partition(':')
                    if key in ('Uid', 'Gid', 'Threads'):
                        found[key] = int(value.split()[1] if key != 'Threads' else value.strip())
        except (OSError, ValueError, IndexError):
            return None
        return found


def result(site, check, status, detail):
    return {'site': site, 'check': check, 'status': status, 'detail': detail}


def release_of(link):
    """The release id a link points at (the basename of its target), or None."""
    if not os.path.lexists(link):
        return None
    return os.path.basename(os.path.realpath(link).rstrip('/'))


def under_mount(path, mount):
    return mount == '/' or path == mount or path.startswith(mount + '/')


def join_url(mount, relative):
    return (mount.rstrip('/') + '/' + relative.lstrip('/')) if relative else (mount if mount.endswith('/') else mount + '/')


def check_mount(host, site):
    """``mount``: the health URL is answered by this site's application, from its live release."""
    name, path = site['name'], site['health_url_path']
    live = release_of(site['paths']['current'])
    resp = host.get(site['server_name'], path, {'X-Modwsgi-Health': '1'})
    if not 200 <= resp.status < 400:
        return result(name, 'mount', FAILED, 'GET %s on %s answered %s, expected 2xx/3xx' % (path, site['server_name'], resp)), resp
    served = resp.header(RELEASE_HEADER)
    if served is None:
        detail = ('GET %s on %s answered %d but not from the site\'s application (no release header: another site '
                  'or Apache answered)' % (path, site['server_name'], resp.status))
        return result(name, 'mount', FAILED, detail), resp
    if live is not None and served != live:
        return result(name, 'mount', FAILED, 'GET %s answered from release %s, but %s points at %s'
                      % (path, served, site['paths']['current'], live)), resp
    location = resp.header('location')
    if 300 <= resp.status < 400 and location:
        target = urlsplit(location).path or '/'
        if not under_mount(target, site['mount']):
            detail = ('GET %s redirects to %s, outside the mount %s (FORCE_SCRIPT_NAME or SCRIPT_NAME handling?)'
                      % (path, location, site['mount']))
            return result(name, 'mount', FAILED, detail), resp
    return result(name, 'mount', OK, 'GET %s on %s: %d from release %s' % (path, site['server_name'], resp.status, served)), resp


def check_colors(host, site):
    """``colors`` (bluegreen): each color, pinned from 127.0.0.1, answers from the release its link names."""
    name, path = site['name'], site['health_url_path']
    seen, problems = [], []
    for color in ('blue', 'green'):
        expected = release_of(site['paths'][color])
        resp = host.get(site['server_name'], path, {'X-Modwsgi-Health': '1', 'X-Modwsgi-Color': color})
        served = resp.header(RELEASE_HEADER)
        if not 200 <= resp.status < 400:
            problems.append('%s answered %s' % (color, resp))
        elif served != expected:
            problems.append('%s answered from release %s, its link points at %s' % (color, served, expected))
        else:
            seen.append('%s %s' % (color, served))
    if problems:
        return result(name, 'colors', FAILED, 'GET %s pinned to each color: %s' % (path, '; '.join(problems)))
    return result(name, 'colors', OK, 'both colors answer %s: %s' % (path, ', '.join(seen)))


def _existing_file(directory, depth=3):
    """A world-readable regular file under ``directory`` (for check mode, where no marker is written)."""
    for current, dirs, files in os.walk(directory):
        if current[len(directory):].count(os.sep) >= depth:
            dirs[:] = []
        dirs.sort()
        for name in sorted(files):
            path = os.path.join(current, name)
            try:
                if os.path.isfile(path) and not os.path.islink(path) and os.stat(path).st_mode & 0o004:
                    return path
            except OSError:
                continue
    return None


def _listed(resp, names):
    body = resp.body.decode('utf-8', 'replace')
    return resp.status == 200 and ('Index of' in body or any(name in body for name in names))


def check_public_dir(host, site, kind, markers):
    """``static``/``media`` and their ``listing``: Apache serves a file of the directory at the URL, and never lists it."""
    name, spec = site['name'], site[kind]
    url, directory = spec['url'], spec['dir']
    results = []
    if not os.path.isdir(directory):
        return [result(name, kind, FAILED, '%s directory %s does not exist' % (kind, directory))]
    token = secrets.token_hex(6)
    marker = sub = None
    try:
        if markers:
            marker = os.path.join(directory, '%s%s.txt' % (MARKER_PREFIX, token))
            with open(marker, 'w') as handle:
                handle.write('modwsgi.django verify %s\n' % token)
            os.chmod(marker, 0o644)
            sub = os.path.join(directory, '%s%s.d' % (MARKER_PREFIX, token))
            os.mkdir(sub)
            os.chmod(sub, 0o755)
            with open(os.path.join(sub, 'inside.txt'), 'w') as handle:
                handle.write('x\n')
            os.chmod(os.path.join(sub, 'inside.txt'), 0o644)
            probe_file = marker
        else:
            probe_file = _existing_file(directory)
        if probe_file is None:
            results.append(result(name, kind, SKIPPED, '%s holds no world-readable file to request (check mode writes no marker)' % directory))
        else:
            relative = os.path.relpath(probe_file, directory)
            path = url + relative
            with open(probe_file, 'rb') as handle:
                content = handle.read(256 * 1024)
            resp = host.get(site['server_name'], path, {'X-Modwsgi-Health': '1'})
            if resp.status != 200 or resp.body != content:
                results.append(result(name, kind, FAILED, 'GET %s answered %s%s, expected 200 with the content of %s'
                                      % (path, resp, '' if resp.status != 200 else ' with other content', probe_file)))
            elif resp.header(RELEASE_HEADER) is not None:
                results.append(result(name, kind, FAILED, 'GET %s was answered by the Django application (release %s), '
                                                          'not by Apache' % (path, resp.header(RELEASE_HEADER))))
            else:
                results.append(result(name, kind, OK, 'GET %s: 200 from %s, served by Apache' % (path, directory)))
        listed = []
        for path in [url] + ([url + os.path.basename(sub) + '/'] if sub else []):
            resp = host.get(site['server_name'], path)
            names = [os.path.basename(marker), os.path.basename(sub), 'inside.txt'] if marker else []
            if _listed(resp, names):
                listed.append(path)
        if listed:
            results.append(result(name, 'listing', FAILED, 'the %s directory is listed at %s (Options Indexes?)' % (kind, ', '.join(listed))))
        else:
            results.append(result(name, 'listing', OK, '%s is not listed' % url))
    finally:
        if marker and os.path.lexists(marker):
            os.unlink(marker)
        if sub and os.path.lexists(sub):
            shutil.rmtree(sub, ignore_errors=True)
    return results


_DAEMON_LINE = re.compile(r'^\s*WSGIDaemonProcess\s+(\S+)\s*(.*)$')


def daemon_directives(text):
    """{group: {option: value}} of the WSGIDaemonProcess lines of an Apache file (continuation lines joined)."""
    joined = re.sub(r'\\\r?\n', ' ', text)
    found = {}
    for line in joined.splitlines():
        match = _DAEMON_LINE.match(line)
        if match:
            found[match.group(1)] = dict(token.split('=', 1) for token in match.group(2).split() if '=' in token)
    return found


def _ids(user, group):
    try:
        return pwd.getpwnam(user).pw_uid, grp.getgrnam(group).gr_gid
    except KeyError:
        return None


def check_daemon(host, site, vhost_file, settle=10.0):
    """``daemon``: each daemon group runs as many processes as configured, as the site's user and group."""
    name = site['name']
    if site['mode'] != 'daemon':
        return result(name, 'daemon', SKIPPED, 'embedded mode: the site runs in Apache\'s own processes')
    try:
        with open(vhost_file) as handle:
            configured = daemon_directives(handle.read())
    except OSError as exc:
        return result(name, 'daemon', FAILED, 'cannot read %s: %s' % (vhost_file, exc.strerror))
    daemon = site['daemon']
    ids = _ids(daemon['user'], daemon['group'])
    if ids is None:
        return result(name, 'daemon', FAILED, 'user %s or group %s does not exist' % (daemon['user'], daemon['group']))
    problems, seen = [], []
    deadline = None
    for group in site['daemon_groups']:
        options = configured.get(group)
        if options is None:
            problems.append('no WSGIDaemonProcess %s in %s' % (group, vhost_file))
            continue
        if (options.get('user'), options.get('group')) != (daemon['user'], daemon['group']):
            problems.append('%s is configured for user=%s group=%s, the inventory says %s/%s'
                            % (group, options.get('user'), options.get('group'), daemon['user'], daemon['group']))
        wanted = int(options.get('processes', 1))
        if daemon.get('processes') and int(daemon['processes']) != wanted:
            problems.append('%s is configured with processes=%d, the inventory says %s' % (group, wanted, daemon['processes']))
        title = daemon['display_name'].replace('%{GROUP}', '(wsgi:%s)' % group)
        # Right after a deploy or a restart a process may still be starting: wait up to `settle` seconds.
        deadline = deadline or time.monotonic() + settle
        while True:
            pids = host.registered_pids(site['paths']['run'], group, title)
            if len(pids) == wanted or time.monotonic() >= deadline:
                break
            host.sleep(0.5)
        if len(pids) != wanted:
            problems.append('%s runs %d processes %s, configured %d' % (group, len(pids), pids, wanted))
        wrong = [(pid, host.process_ids(pid)) for pid in pids]
        wrong = [(pid, got) for pid, got in wrong if got is not None and got != ids]
        if wrong:
            problems.append('%s processes run as other ids than %s:%s (uid %d, gid %d): %s'
                            % (group, daemon['user'], daemon['group'], ids[0], ids[1],
                               ', '.join('pid %d uid %s gid %s' % (pid, got[0], got[1]) for pid, got in wrong)))
        # mod_wsgi runs `threads` request threads per process, plus a few of its own.
        threads = int(options.get('threads', 15))
        short = [(pid, count) for pid, count in ((pid, host.threads(pid)) for pid in pids) if count is not None and count < threads]
        if short:
            problems.append('%s processes run fewer threads than threads=%d: %s'
                            % (group, threads, ', '.join('pid %d %d threads' % item for item in short)))
        seen.append('%s %d x %s (threads=%d)' % (group, len(pids), daemon['user'], threads))
    if problems:
        return result(name, 'daemon', FAILED, '; '.join(problems))
    return result(name, 'daemon', OK, ', '.join(seen))


def _cookie(header):
    """(name, path or None) of a Set-Cookie header."""
    parts = [part.strip() for part in header.split(';')]
    name = parts[0].split('=', 1)[0].strip()
    path = None
    for part in parts[1:]:
        key, _sep, value = part.partition('=')
        if key.strip().lower() == 'path':
            path = value.strip()
    return name, path


def check_cookies(host, site, paths, responses):
    """``cookies``: every cookie the probed pages set is scoped to the mount, under the site's own names."""
    name, mount = site['name'], site['mount']
    settings = site.get('effective_settings', {})
    wanted = {}
    for default, prefix in DJANGO_COOKIES.items():
        if settings.get(prefix + '_NAME'):
            wanted[default] = (settings[prefix + '_NAME'], settings.get(prefix + '_PATH'))
    own = dict(wanted.values())
    for relative in paths:
        path = join_url(mount, relative)
        responses.append((path, host.get(site['server_name'], path)))
    problems, seen = [], []
    for path, resp in responses:
        for header in resp.all('set-cookie'):
            cookie, cookie_path = _cookie(header)
            seen.append('%s (path %s, from %s)' % (cookie, cookie_path, path))
            if cookie in wanted and wanted[cookie][0] != cookie:
                problems.append('%s sets cookie %s, Django\'s default name: the site\'s is %s (is the settings override '
                                'in effect?)' % (path, cookie, wanted[cookie][0]))
            elif cookie in own and own[cookie] and cookie_path != own[cookie]:
                problems.append('%s sets %s with path %s, expected %s' % (path, cookie, cookie_path, own[cookie]))
            elif cookie_path is not None and not under_mount(cookie_path, mount):
                problems.append('%s sets %s with path %s, outside the mount %s' % (path, cookie, cookie_path, mount))
    if problems:
        return result(name, 'cookies', FAILED, '; '.join(problems))
    if not seen:
        return result(name, 'cookies', SKIPPED, 'no page probed (%s) set a cookie: name pages that do in extra_paths'
                      % ', '.join(path for path, _resp in responses))
    return result(name, 'cookies', OK, '; '.join(seen))


def sensitive_files(site):
    """Files that must never be served: settings override, site.json (secrets), boot code, WSGI script, the code."""
    paths = site['paths']
    files = [paths['site_json'], paths['settings_module_file'], paths['boot'], paths['script']]
    code = os.path.realpath(paths['current'])
    files += [os.path.join(code, 'manage.py'), os.path.join(code, *site['settings'].split('.')) + '.py']
    return files


def served_views(url, directory, depth=2):
    """(URL prefix, real directory) pairs a served directory offers: itself, and every symlink to a
    directory found in its first ``depth`` levels (Apache follows them where FollowSymLinks is on)."""
    views = [(url, os.path.realpath(directory))]
    for current, dirs, files in os.walk(directory):
        if current[len(directory):].count(os.sep) >= depth:
            dirs[:] = []
        for entry in dirs + files:
            path = os.path.join(current, entry)
            if os.path.islink(path) and os.path.isdir(path):
                views.append((url.rstrip('/') + '/' + os.path.relpath(path, directory), os.path.realpath(path)))
    return views


def check_exposed(host, site, findings, served_dirs):
    """``exposed``: the filesystem rule of validate_sites on the live host, and no sensitive file served over HTTP."""
    name = site['name']
    problems = [finding.message for finding in findings if finding.id == 'exposed' and finding.site == name]
    views = [view for url, directory in served_dirs for view in served_views(url, directory)]
    for path in sensitive_files(site):
        if not os.path.isfile(path):
            continue
        real = os.path.realpath(path)
        for url, base in views:
            if real.startswith(base.rstrip('/') + '/'):
                request = url.rstrip('/') + '/' + os.path.relpath(real, base)
                resp = host.get(site['server_name'], request)
                if resp.status == 200:
                    problems.append('GET %s serves %s' % (request, path))
    if problems:
        return result(name, 'exposed', FAILED, '; '.join(problems))
    return result(name, 'exposed', OK, 'no code, settings or secret under a DocumentRoot, Alias or served symlink')


def _mpm(conf_root):
    try:
        loaded = [name for name in os.listdir(os.path.join(conf_root, 'mods-enabled')) if re.match(r'^mpm_\w+\.load$', name)]
    except OSError:
        loaded = []
    return loaded[0][4:-5] if len(loaded) == 1 else 'event'


def verify(sites, host, conf_root='/etc/apache2', document_roots=None, base_dir='/srv/django', markers=True,
           extra_paths=None, cookie_paths=('admin/login/',), settle=10.0):
    """Run every check on every site; returns (results, error). ``error`` is set when the sites do not validate."""
    document_roots = list(document_roots or ['/var/www/html'])
    mpm = _mpm(conf_root)
    paper = validate(sites, mpm=mpm, document_roots=document_roots, check_filesystem=False, base_dir=base_dir)
    if paper.failed:
        return [], 'the sites do not validate: %s' % paper.error_message
    live = validate(sites, mpm=mpm, document_roots=document_roots, check_filesystem=True, base_dir=base_dir)
    extra_paths = extra_paths or {}
    results = []
    for site in paper.sites:
        name = site['name']
        mount_result, resp = check_mount(host, site)
        results.append(mount_result)
        if site['bluegreen']:
            results.append(check_colors(host, site))
        for kind in ('static', 'media'):
            if site.get(kind):
                results.extend(check_public_dir(host, site, kind, markers))
        vhost_file = os.path.join(conf_root, 'sites-available', site_vhost_file(site['server_name']))
        results.append(check_daemon(host, site, vhost_file, settle))
        results.append(check_cookies(host, site, list(cookie_paths) + list(extra_paths.get(name, [])),
                                     [(site['health_url_path'], resp)]))
        served = [('/', root) for root in document_roots]
        served += [(other[kind]['url'], other[kind]['dir']) for other in paper.sites
                   if other['server_name'] == site['server_name'] for kind in ('static', 'media') if other.get(kind)]
        results.append(check_exposed(host, site, live.findings, served))
    return results, None


def failures(results):
    return ["site '%s', check %s: %s" % (item['site'], item['check'], item['detail']) for item in results if item['status'] == FAILED]
