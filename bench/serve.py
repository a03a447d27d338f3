# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.django maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Serve benchmark: the collection's default site against its peers, interleaved rounds in one container.

One Debian 12 container (modwsgi-bench-serve). The collection deploys the probe project with its
defaults (`ansible-playbook -i bench/inventory/serve.yml modwsgi.django.deploy`: event MPM, daemon
mode, blue/green, no daemon settings, so the default processes x threads, read back from the vhost).
The peers run the same project from a venv in the same container, each on its own port; all of them
are started once and stay idle while another one is measured (CPU is what they compete for):

  collection   Apache with the collection's configuration                        :80
  nginx_gt     nginx (Debian) -> gunicorn gthread P x T, keepalive upstream        :8080
  gunicorn_gt  the same gunicorn, bare                                            :8001
  express      mod_wsgi-express start-server, its defaults (1 process x 5 threads) :8003

Views: /minimal/ (b"ok", the trivial one) and /page/ (the 20 latest notes of the probe project:
one SQLite query and a template, about 2.5 kB of HTML). Each round measures every configuration
at every view and concurrency once, in an order rotated from round to round; `--rounds` (default 3)
rounds. Variants (`--variants`) are the collection's default with one setting changed in the
deployed configuration (the change a default of this branch made, undone, or an alternative): each
round then also restarts Apache into every variant and back, so that the effect of each default is
measured in the same run as the default itself.

One measurement: `wrk -t2 -cN` warm-up (not recorded), then `wrk -t2 -cN -dD --latency`; the CPU
time of the serving processes is read before and after (requests per CPU-second moves less than
req/s when other jobs share the host), their RSS/PSS sampled twice during the run. The report gives,
per cell, the median over the rounds and the spread (min-max), and the ratios of the medians.
Writes bench/results/<date>-serve.{json,md,png}.

    python bench/serve.py [--rounds 3] [--duration 10] [--warmup 2] [--conc 16,64]
                          [--views minimal,page] [--variants all|none|NAME,...] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _common as C  # noqa: E402

NAME = C.PREFIX + 'serve'
INVENTORY = os.path.join(C.HERE, 'inventory', 'serve.yml')
PROBE = os.path.join(C.REPO, 'molecule', 'shared', 'projects', 'probe')
HOST = 'bench.test'
SITE = 'bench'
VHOST = '/etc/apache2/sites-available/modwsgi-%s.conf' % HOST
PRISTINE = '/root/apache2.default'       # the deployed configuration, restored before each variant
PORT_GUNICORN = 8001
PORT_NGINX = 8080
PORT_EXPRESS = 8003
SECRET = 'bench-only-secret-not-for-production-0123456789abcdef'
PEER_DB = '/tmp/peer-db.sqlite3'
P99_LIMIT_MS = 1000.0

VIEWS = {'minimal': '/minimal/', 'page': '/page/'}
VIEW_LABEL = {'minimal': 'trivial view (/minimal/)', 'page': 'realistic view (/page/: one query + a template)'}
DEFAULT = 'collection'
# key -> label ({shape} = the default daemon shape, P x T)
CONFIGS = {
    'collection': 'collection default (daemon {shape}, event)',
    'nginx_gthread': 'nginx -> gunicorn gthread {shape} (keepalive upstream)',
    'gunicorn_gthread': 'bare gunicorn gthread {shape}',
    'express': 'mod_wsgi-express defaults (1 x 5)',
}
PORT_OF = {'collection': 80, 'nginx_gthread': PORT_NGINX, 'gunicorn_gthread': PORT_GUNICORN, 'express': PORT_EXPRESS}
# (peer, the collection's req/s must be at least this times the peer's), issue 21
TARGETS = [('nginx_gthread', 1.2), ('gunicorn_gthread', 0.9), ('express', 1.5)]

# Variants: the collection default with one change to the deployed configuration, applied to a copy
# of the default (PRISTINE) before Apache is restarted. key -> (label, shell command in the container).
MPM_CONF = '/etc/apache2/conf-available/modwsgi-django-mpm.conf'
HARDENING_CONF = '/etc/apache2/conf-available/modwsgi-django-hardening.conf'
VARIANT_CONF = '/etc/apache2/conf-enabled/zz-bench-variant.conf'
VARIANTS = {
    # issue 21, the candidates of the profile (docs/benchmarks.md, "Where the Apache front's CPU goes")
    'buffered_logs': ('+ BufferedLogs On', 'echo "BufferedLogs On" > %s' % VARIANT_CONF),
    'trim_modules': ('- negotiation, setenvif, auth_basic, authn_file, authn_core, authz_user',
                     'a2dismod -q -f negotiation setenvif auth_basic authn_file authz_user authn_core >/dev/null'),
    'no_bluegreen_rewrite': ('without the blue/green RewriteMap and conditions (fixed group: the cost of the switch)',
                             "sed -i -e '/^ *Rewrite/d' -e 's/^\\( *\\)WSGIProcessGroup .*/\\1WSGIProcessGroup bench_blue/' %s" % VHOST),
    'follow_symlinks': ('Options FollowSymLinks on <Directory /> (the sites\' own directories keep Options None)',
                        "sed -i -e '/^<Directory \\/>/,/^<\\/Directory>/s/Options None/Options FollowSymLinks/' %s" % HARDENING_CONF),
    'daemon_4x8': ('daemon 4x8 (2 processes per core, 8 threads)',
                   "sed -i -e 's/ processes=[0-9]* threads=[0-9]* / processes=4 threads=8 /' %s" % VHOST),
    'mpm_tpc64': ('event ThreadsPerChild 64 (1 child for 64 connections)',
                  "sed -i -e 's/ThreadsPerChild .*/ThreadsPerChild 64/' -e 's/StartServers .*/StartServers 1/'"
                  " -e 's/MinSpareThreads .*/MinSpareThreads 64/' -e 's/MaxSpareThreads .*/MaxSpareThreads 128/'"
                  " -e 's/MaxRequestWorkers .*/MaxRequestWorkers 320/' -e 's/ServerLimit .*/ServerLimit 5/' %s" % MPM_CONF),
}

# Runs inside the container: every process with its command line, RSS, PSS and CPU seconds.
PROCS_PY = r'''
import json, os
tick = os.sysconf("SC_CLK_TCK")
out = []
for pid in os.listdir("/proc"):
    if not pid.isdigit():
        continue
    try:
        with open("/proc/%s/cmdline" % pid, "rb") as h:
            args = h.read().replace(b"\0", b" ").decode("utf-8", "replace").strip()
        with open("/proc/%s/stat" % pid) as h:
            st = h.read()
        f = st[st.rindex(")") + 2:].split()
        cpu = (int(f[11]) + int(f[12])) / float(tick)
        rss = 0
        with open("/proc/%s/status" % pid) as h:
            for line in h:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
        pss = None
        try:
            with open("/proc/%s/smaps_rollup" % pid) as h:
                for line in h:
                    if line.startswith("Pss:"):
                        pss = int(line.split()[1])
                        break
        except OSError:
            pass
    except (OSError, ValueError, IndexError):
        continue
    if args:
        out.append([int(pid), args, rss, pss, cpu])
print(json.dumps(out))
'''


def component(args):
    """Which part of which server a process is (None: not a serving process)."""
    if '/tmp/express/' in args:
        return 'express'
    if args.startswith('(wsgi:'):
        return 'wsgi daemons'
    if args.startswith('/usr/sbin/apache2'):
        return 'apache'
    if args.startswith('nginx:'):
        return 'nginx'
    if '/bin/gunicorn' in args:
        return 'gunicorn'
    return None


# The processes that serve each configuration (daemon mode: the Apache children AND both colors'
# daemons, the idle color is resident by design).
SERVES = {
    'collection': ('apache', 'wsgi daemons'),
    'nginx_gthread': ('nginx', 'gunicorn'),
    'gunicorn_gthread': ('gunicorn',),
    'express': ('express',),
}

WSGI_PEER = '''import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "probe.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "%s")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "%s")
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("PROBE_SITE", "peer")
os.environ.setdefault("PROBE_RELEASE", "bench")
os.environ.setdefault("PROBE_DB_PATH", "%s")

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
''' % (SECRET, HOST, PEER_DB)

NGINX_CONF = '''# modwsgi.django serve benchmark: nginx -> gunicorn gthread with a keepalive upstream.
upstream bench_gunicorn {
    server 127.0.0.1:%d;
    keepalive 32;
}
server {
    listen 127.0.0.1:%d;
    server_name %s;
    location / {
        proxy_pass http://bench_gunicorn;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
    }
}
''' % (PORT_GUNICORN, PORT_NGINX, HOST)

# The same 40 notes in the site's database and in the peers' (the /page/ view lists the latest 20).
SEED = ('from probe.models import Note; Note.objects.all().delete(); '
        'Note.objects.bulk_create([Note(text="note %d: the quick brown fox jumps over the lazy dog" % i) '
        'for i in range(40)])')


# --- wrk --------------------------------------------------------------------------------------

_UNIT = {'us': 0.001, 'ms': 1.0, 's': 1000.0, 'm': 60000.0}


def parse_wrk(text):
    out = {'rps': None, 'requests': None, 'p50_ms': None, 'p75_ms': None, 'p90_ms': None, 'p99_ms': None,
           'non2xx': 0, 'socket_errors': {'connect': 0, 'read': 0, 'write': 0, 'timeout': 0}}
    m = re.search(r'Requests/sec:\s+([\d.]+)', text)
    if m:
        out['rps'] = float(m.group(1))
    m = re.search(r'(\d+) requests in', text)
    if m:
        out['requests'] = int(m.group(1))
    for pct, value, unit in re.findall(r'^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s|m)\s*$', text, re.M):
        out['p%s_ms' % pct] = round(float(value) * _UNIT[unit], 3)
    m = re.search(r'Non-2xx or 3xx responses:\s+(\d+)', text)
    if m:
        out['non2xx'] = int(m.group(1))
    m = re.search(r'Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)', text)
    if m:
        out['socket_errors'] = dict(zip(('connect', 'read', 'write', 'timeout'), map(int, m.groups())))
    out['errors'] = out['non2xx'] + sum(out['socket_errors'].values())
    return out


class Bench:
    def __init__(self, args):
        self.args = args
        self.c = C.Container(args.container)
        self.runs = []
        self.deploys = []
        self.notes = []
        self.versions = {}
        self.setup = {}
        self.shape = {'processes': 2, 'threads': 15}
        self.apache_state = DEFAULT
        self.wall = 0.0

    # --- labels --------------------------------------------------------------------------------

    def shape_text(self):
        return '%dx%d' % (self.shape['processes'], self.shape['threads'])

    def label(self, key):
        if key in CONFIGS:
            return CONFIGS[key].format(shape=self.shape_text())
        return 'default %s' % VARIANTS[key][0]

    def keys(self):
        return [k for k in CONFIGS if k == DEFAULT or k in self.args.peers] + list(self.args.variants)

    # --- container-side helpers ---------------------------------------------------------------

    def snapshot(self):
        res = self.c.sh('python3 /opt/bench-procs.py', timeout=60)
        return {p[0]: {'args': p[1], 'rss': p[2], 'pss': p[3], 'cpu': p[4]} for p in json.loads(res.stdout)}

    def wait_http(self, url, timeout=120, headers=()):
        extra = ''.join(' -H "%s"' % h for h in headers)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.c.sh('curl -fsS -o /dev/null -m 5 -H "Host: %s"%s %s' % (HOST, extra, url), check=False).returncode == 0:
                return
            time.sleep(0.5)
        raise RuntimeError('%s (Host %s%s) did not answer within %d s' % (url, HOST, extra, timeout))

    def wait_quiet(self, components, timeout=60, settle=1.0):
        """Wait until the given components use < 5 % of a CPU over `settle` s (daemons done importing)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            before = self.snapshot()
            time.sleep(settle)
            after = self.snapshot()
            used = sum(p['cpu'] - before[pid]['cpu'] for pid, p in after.items()
                       if pid in before and component(p['args']) in components)
            if used < 0.05 * settle:
                return
        C.log('warning: %s still busy after %d s' % ('/'.join(components), timeout))

    # --- set-up -----------------------------------------------------------------------------

    def deploy(self, label, extra=()):
        C.log('deploy: %s' % label)
        path = os.path.join(C.TMP, 'serve-deploy-%d.log' % (len(self.deploys) + 1))
        if self.c.name != NAME:     # development: another container of ours
            extra = ['-e', 'ansible_host=%s' % self.c.name] + list(extra)
        seconds, _unused1 = C.ansible_playbook(INVENTORY, extra=list(extra), log_path=path)
        self.deploys.append({'label': label, 'seconds': round(seconds, 1), 'log': os.path.relpath(path, C.REPO)})
        C.log('deploy: %s took %.0f s' % (label, seconds))

    def read_shape(self):
        """The default daemon shape the collection chose on this host (its WSGIDaemonProcess line)."""
        res = self.c.sh("grep -h -o 'WSGIDaemonProcess %s_blue .*' %s" % (SITE, VHOST))
        procs = re.search(r' processes=(\d+)', res.stdout)
        threads = re.search(r' threads=(\d+)', res.stdout)
        self.shape = {'processes': int(procs.group(1)) if procs else 1, 'threads': int(threads.group(1)) if threads else 15}
        C.log('default daemon shape: %s (processes x threads)' % self.shape_text())

    def peers_apt(self):
        """Debian packages for the peers, installed before the collection runs (no apt lock fight later).

        policy-rc.d keeps nginx from starting at install (Apache owns port 80)."""
        pkgs = 'nginx apache2-dev gcc python3-dev python3-venv'
        C.log('peers: apt-get install %s' % pkgs)
        seconds, _unused1 = self.c.timed(
            'set -e; printf "#!/bin/sh\\nexit 101\\n" > /usr/sbin/policy-rc.d; chmod 0755 /usr/sbin/policy-rc.d;'
            ' export DEBIAN_FRONTEND=noninteractive;'
            ' (apt-get install -y -q %s > /tmp/peers-apt.log 2>&1'
            '  || { apt-get update -q >> /tmp/peers-apt.log 2>&1 &&'
            '       apt-get install -y -q %s >> /tmp/peers-apt.log 2>&1; })'
            ' || { rm -f /usr/sbin/policy-rc.d; tail -n 20 /tmp/peers-apt.log; exit 1; };'
            ' rm -f /usr/sbin/policy-rc.d /etc/nginx/sites-enabled/default' % (pkgs, pkgs))
        C.log('peers: apt took %.0f s' % seconds)
        self.c.write('/etc/nginx/conf.d/modwsgi-bench.conf', NGINX_CONF)

    def peers_pip(self, result):
        """A venv with Django 5.2, gunicorn and mod_wsgi (built here); runs beside the first deploy."""
        try:
            self.c.sh('mkdir -p /opt/peer && rm -rf /opt/peer/app')
            self.c.put(PROBE, '/opt/peer/app')
            self.c.write('/opt/peer/app/benchwsgi.py', WSGI_PEER)
            self.c.sh('find /opt/peer/app -name __pycache__ -prune -exec rm -rf {} +; chmod -R a+rX /opt/peer')
            start = time.monotonic()
            self.c.sh('python3 -m venv /opt/peer/venv && /opt/peer/venv/bin/pip install -q --disable-pip-version-check'
                      ' "Django>=5.2,<5.3" gunicorn > /tmp/peers-pip.log 2>&1 || { tail -n 20 /tmp/peers-pip.log; exit 1; }',
                      timeout=900)
            result['pip_seconds'] = time.monotonic() - start
            start = time.monotonic()
            res = self.c.sh('/opt/peer/venv/bin/pip install --disable-pip-version-check mod_wsgi > /tmp/peers-modwsgi.log 2>&1;'
                            ' rc=$?; tail -n 25 /tmp/peers-modwsgi.log; exit $rc', check=False, timeout=1200)
            result['mod_wsgi_build_seconds'] = time.monotonic() - start
            result['mod_wsgi_ok'] = res.returncode == 0
            result['mod_wsgi_log'] = res.stdout[-2500:]
            self.c.sh('chmod -R a+rX /opt/peer')
        except Exception as exc:  # reported by the caller
            result['error'] = str(exc)

    def seed(self):
        """The same notes in the site's database (as the site user, its manage wrapper) and the peers' one."""
        self.c.sh("setpriv --reuid=%s --regid=%s --init-groups -- /srv/django/%s/bin/manage shell -c '%s'"
                  % (SITE, SITE, SITE, SEED))
        env = ('cd /opt/peer/app && DJANGO_SETTINGS_MODULE=probe.settings DJANGO_SECRET_KEY=%s PROBE_DB_PATH=%s'
               % (SECRET, PEER_DB))
        self.c.sh("rm -f %s; touch %s; chown www-data:www-data %s; %s setpriv --reuid=www-data --regid=www-data --clear-groups --"
                  " /opt/peer/venv/bin/python manage.py migrate -v0 && %s setpriv --reuid=www-data --regid=www-data"
                  " --clear-groups -- /opt/peer/venv/bin/python manage.py shell -c '%s'"
                  % (PEER_DB, PEER_DB, PEER_DB, env, env, SEED))

    def collect_versions(self):
        q = {
            'debian': 'cat /etc/debian_version',
            'apache': "apache2 -v | sed -n 's/^Server version: //p'",
            'mod_wsgi (Debian)': "dpkg-query -W -f='${Version}' libapache2-mod-wsgi-py3",
            'python': 'python3 -V',
            'django (site venv)': "/srv/django/%s/current/.modwsgi-venv/bin/python -c 'import django; print(django.get_version())'" % SITE,
            'django (peer venv)': "/opt/peer/venv/bin/python -c 'import django; print(django.get_version())'",
            'gunicorn': '/opt/peer/venv/bin/gunicorn --version',
            'nginx': 'nginx -v 2>&1',
            'mod_wsgi (pip, express)': "/opt/peer/venv/bin/pip show mod_wsgi 2>/dev/null | sed -n 's/^Version: //p'",
            'wrk': "dpkg-query -W -f='${Version}' wrk",
        }
        for key, cmd in q.items():
            res = self.c.sh(cmd, check=False)
            self.versions[key] = (res.stdout.strip() or res.stderr.strip())[:120] if res.returncode == 0 else None

    # --- servers -------------------------------------------------------------------------------

    def start_peers(self):
        shape = self.shape
        self.c.sh_bg('cd /opt/peer/app && exec /opt/peer/venv/bin/gunicorn --bind 127.0.0.1:%d --workers %d'
                     ' --worker-class gthread --threads %d --user www-data --group www-data'
                     ' --pid /run/bench-gunicorn.pid benchwsgi:application > /tmp/gunicorn.log 2>&1'
                     % (PORT_GUNICORN, shape['processes'], shape['threads']))
        self.wait_http('http://127.0.0.1:%d/minimal/' % PORT_GUNICORN)
        self.c.sh('nginx -t -q && nginx')
        self.wait_http('http://127.0.0.1:%d/minimal/' % PORT_NGINX)
        self.c.sh_bg('cd /tmp && exec /opt/peer/venv/bin/mod_wsgi-express start-server --port %d'
                     ' --user www-data --group www-data --server-root /tmp/express /opt/peer/app/benchwsgi.py'
                     ' > /tmp/express.log 2>&1' % PORT_EXPRESS)
        self.wait_http('http://127.0.0.1:%d/minimal/' % PORT_EXPRESS)

    def wait_collection(self):
        """Both colors answer (each preloads Django at start-up) and the daemons are done importing."""
        for color in ('blue', 'green'):
            self.wait_http('http://127.0.0.1:80/healthz/', headers=['X-Modwsgi-Color: %s' % color])
        self.wait_quiet(('wsgi daemons', 'apache'))

    def restart_apache(self, variant):
        """Apache restarted (full restart: fresh children and daemons) into the default or a variant."""
        command = 'true' if variant == DEFAULT else VARIANTS[variant][1]
        C.log('apache2: restart into %s' % variant)
        self.c.sh('service apache2 stop >/dev/null; rm -rf /etc/apache2 && cp -a %s /etc/apache2 && { %s; }'
                  ' && apache2ctl -t > /tmp/configtest.log 2>&1 || { cat /tmp/configtest.log; exit 1; };'
                  ' service apache2 start >/dev/null' % (PRISTINE, command), timeout=300)
        self.apache_state = variant
        self.wait_collection()

    # --- measurement ----------------------------------------------------------------------------

    def measure(self, key, view, conc, rnd):
        port = PORT_OF.get(key, 80)
        url = 'http://127.0.0.1:%d%s' % (port, VIEWS[view])
        serves = SERVES.get(key, SERVES[DEFAULT])
        wrk = ['wrk', '-t2', '-c%d' % conc, '-H', 'Host: %s' % HOST]
        if self.args.warmup > 0:
            self.c.sh(' '.join(wrk[:3] + ['-d%ds' % self.args.warmup, '-H', "'Host: %s'" % HOST, url, '>/dev/null']),
                      timeout=self.args.warmup + 60)
        before = self.snapshot()
        load_before = C.loadavg()
        start = time.monotonic()
        proc = self.c.popen(wrk + ['-d%ds' % self.args.duration, '--latency', url])
        samples = []
        for frac in (0.5, 0.85):
            delay = start + self.args.duration * frac - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            samples.append(self.snapshot())
        out, err = proc.communicate(timeout=self.args.duration + 120)
        after = self.snapshot()
        result = parse_wrk(out)
        mem = []
        for snap in samples:
            procs = [p for p in snap.values() if component(p['args']) in serves]
            pss = [p['pss'] for p in procs]
            mem.append((sum(p['rss'] for p in procs), None if None in pss else sum(pss), len(procs)))
        rss, pss, nprocs = max(mem, key=lambda m: m[0])
        split = {}
        for pid, p in after.items():
            part = component(p['args'])
            if part in serves:
                prev = before.get(pid)
                split[part] = split.get(part, 0.0) + p['cpu'] - (prev['cpu'] if prev and prev['args'] == p['args'] else 0.0)
        cpu = sum(split.values())
        row = {
            'key': key, 'view': view, 'conc': conc, 'round': rnd, 'url': url,
            'rps': result['rps'], 'requests': result['requests'],
            'p50_ms': result['p50_ms'], 'p90_ms': result['p90_ms'], 'p99_ms': result['p99_ms'],
            'non2xx': result['non2xx'], 'socket_errors': result['socket_errors'], 'errors': result['errors'],
            'rss_mb': round(rss / 1024.0, 1), 'pss_mb': None if pss is None else round(pss / 1024.0, 1),
            'processes': nprocs, 'server_cpu_s': round(cpu, 2),
            'cpu_split_s': {k: round(v, 2) for k, v in sorted(split.items())},
            'req_per_cpu_s': round(result['requests'] / cpu, 1) if result['requests'] and cpu > 0 else None,
            'us_per_req': {k: round(1e6 * v / result['requests'], 1) for k, v in sorted(split.items())} if result['requests'] else {},
            'loadavg_before': load_before, 'loadavg_after': C.loadavg(),
        }
        if result['rps'] is None:
            row['wrk_output'] = (out + err)[-1500:]
        self.runs.append(row)
        C.log('r%d %-18s %-7s c%-3d %8s req/s  p99 %8s ms  err %-4d  %s req/CPU-s  %s  (load %.1f)' % (
            rnd, key, view, conc, row['rps'], row['p99_ms'], row['errors'], row['req_per_cpu_s'],
            ' '.join('%s %.0f' % (k.split()[0], v) for k, v in row['us_per_req'].items()) + ' us/req', load_before or 0))

    def measure_all(self, key, rnd):
        for view in self.args.views:
            for conc in self.args.conc:
                self.measure(key, view, conc, rnd)

    # --- the run ------------------------------------------------------------------------------

    def run(self):
        started = time.monotonic()
        C.log('serve bench: container %s from %s' % (self.c.name, C.IMAGE))
        # SYS_PTRACE only so that root in the container may read other users' smaps_rollup (PSS).
        self.c.start(['--cap-add', 'SYS_PTRACE'])
        try:
            self.prepare()
            peers = [k for k in CONFIGS if k != DEFAULT and k in self.args.peers]
            for rnd in range(1, self.args.rounds + 1):
                C.log('== round %d of %d' % (rnd, self.args.rounds))
                # The collection and its peers in an order rotated by one each round, then the variants.
                order = [DEFAULT] + peers
                shift = (rnd - 1) % len(order)
                order = order[shift:] + order[:shift]
                for key in order:
                    if key == DEFAULT and self.apache_state != DEFAULT:
                        self.restart_apache(DEFAULT)
                    self.measure_all(key, rnd)
                for variant in self.args.variants:
                    self.restart_apache(variant)
                    self.measure_all(variant, rnd)
                if self.apache_state != DEFAULT:
                    self.restart_apache(DEFAULT)
        finally:
            if self.args.keep:
                C.log('keeping container %s (--keep)' % self.c.name)
            else:
                self.c.remove()
        self.wall = time.monotonic() - started
        self.write()

    def prepare(self):
        self.c.write('/opt/bench-procs.py', PROCS_PY)
        self.peers_apt()
        pip_result = {}
        pip_thread = threading.Thread(target=self.peers_pip, args=(pip_result,))
        pip_thread.start()
        try:
            self.deploy('the collection default (event, daemon site, blue/green)')
            self.read_shape()
        finally:
            pip_thread.join()
        if 'error' in pip_result:
            raise RuntimeError('peer venv: %s' % pip_result['error'])
        if not pip_result.get('mod_wsgi_ok'):
            raise RuntimeError("`pip install mod_wsgi` failed against the container's apache2-dev: %s"
                               % pip_result.get('mod_wsgi_log', '')[-600:])
        self.setup = {k: round(v, 1) if isinstance(v, float) else v for k, v in pip_result.items() if k != 'mod_wsgi_log'}
        self.seed()
        self.c.sh('rm -rf %s && cp -a /etc/apache2 %s' % (PRISTINE, PRISTINE))
        self.config = {
            'vhost': self.c.sh('cat %s' % VHOST).stdout,
            'mpm': self.c.sh('cat %s' % MPM_CONF).stdout,
            'modules': self.c.sh("ls /etc/apache2/mods-enabled | sed -n 's/\\.load$//p'").stdout.split(),
        }
        self.collect_versions()
        self.start_peers()
        self.wait_collection()
        for key in CONFIGS:
            for view in self.args.views:
                res = self.c.sh('curl -fsS -m 10 -H "Host: %s" http://127.0.0.1:%d%s' % (HOST, PORT_OF[key], VIEWS[view]))
                if view == 'page' and res.stdout.count('<tr class=') != 20:
                    raise RuntimeError('%s %s: expected 20 notes in the page, got:\n%s' % (key, view, res.stdout[-800:]))

    # --- results ------------------------------------------------------------------------------

    def cells(self, key, view, conc):
        return [r for r in self.runs if r['key'] == key and r['view'] == view and r['conc'] == conc and r['rps']]

    def cell(self, key, view, conc):
        """Median and spread over the rounds of one (configuration, view, concurrency)."""
        rows = self.cells(key, view, conc)
        if not rows:
            return None
        parts = sorted({p for r in rows for p in r['us_per_req']})
        return {
            'key': key, 'label': self.label(key), 'view': view, 'conc': conc, 'rounds': len(rows),
            'rps': C.spread([r['rps'] for r in rows]),
            'p99_ms': C.spread([r['p99_ms'] for r in rows if r['p99_ms'] is not None]),
            'req_per_cpu_s': C.spread([r['req_per_cpu_s'] for r in rows if r['req_per_cpu_s']]),
            'us_per_req': {p: C.spread([r['us_per_req'][p] for r in rows if p in r['us_per_req']])['median'] for p in parts},
            'errors': sum(r['errors'] for r in rows),
            'rss_mb': C.spread([r['rss_mb'] for r in rows])['median'],
            'pss_mb': C.spread([r['pss_mb'] for r in rows if r['pss_mb'] is not None])['median'],
            'processes': max(r['processes'] for r in rows),
            'loadavg': C.spread([r['loadavg_before'] for r in rows if r['loadavg_before'] is not None]),
        }

    def paired(self, key, other, view, conc, field='rps'):
        """Per-round ratios key/other (same round, so the same host drift), their median and spread."""
        mine = {r['round']: r[field] for r in self.cells(key, view, conc)}
        theirs = {r['round']: r[field] for r in self.cells(other, view, conc)}
        ratios = [C.ratio(mine[n], theirs[n]) for n in sorted(mine) if n in theirs and mine[n] and theirs[n]]
        return C.spread(ratios) if ratios else None

    def summary(self):
        cells = [self.cell(k, v, c) for k in self.keys() for v in self.args.views for c in self.args.conc]
        cells = [c for c in cells if c]
        med = {(c['key'], c['view'], c['conc']): c for c in cells}
        targets = []
        for peer, want in TARGETS:
            for view in self.args.views:
                for conc in self.args.conc:
                    a, b = med.get((DEFAULT, view, conc)), med.get((peer, view, conc))
                    r = C.ratio(a and a['rps']['median'], b and b['rps']['median'])
                    e = C.ratio(a and a['req_per_cpu_s']['median'], b and b['req_per_cpu_s']['median'])
                    targets.append({'peer': peer, 'target': want, 'view': view, 'conc': conc,
                                    'ratio_rps': r and round(r, 3), 'ratio_req_per_cpu_s': e and round(e, 3),
                                    'per_round': self.paired(DEFAULT, peer, view, conc),
                                    'met': None if r is None else r >= want})
        effects = []
        for variant in self.args.variants:
            for view in self.args.views:
                for conc in self.args.conc:
                    a, b = med.get((DEFAULT, view, conc)), med.get((variant, view, conc))
                    if not a or not b:
                        continue
                    effects.append({
                        'variant': variant, 'view': view, 'conc': conc,
                        'default_over_variant_rps': round(C.ratio(a['rps']['median'], b['rps']['median']), 3),
                        'default_over_variant_req_per_cpu_s': C.ratio(a['req_per_cpu_s']['median'], b['req_per_cpu_s']['median']),
                        'per_round': self.paired(DEFAULT, variant, view, conc),
                        'apache_us_per_req': (a['us_per_req'].get('apache'), b['us_per_req'].get('apache')),
                        'daemons_us_per_req': (a['us_per_req'].get('wsgi daemons'), b['us_per_req'].get('wsgi daemons')),
                        'p99_ms': (a['p99_ms']['median'], b['p99_ms']['median']),
                    })
        p99 = [c for c in cells if c['key'] == DEFAULT and c['p99_ms']['max'] is not None and c['p99_ms']['max'] >= P99_LIMIT_MS]
        return {'cells': cells, 'targets': targets, 'effects': effects,
                'p99_over_limit': [(c['view'], c['conc'], c['p99_ms']['max']) for c in p99]}

    def write(self):
        date = C.today()
        base = os.path.join(C.RESULTS, '%s-serve' % date)
        data = {
            'benchmark': 'serve', 'generated': C.now_iso(), 'script': 'bench/serve.py',
            'container': NAME, 'image': C.IMAGE, 'host': C.host_info(), 'versions': self.versions,
            'default_daemon_shape': dict(self.shape),
            'wrk': {'threads': 2, 'connections': self.args.conc, 'duration_s': self.args.duration,
                    'warmup_s': self.args.warmup},
            'rounds': self.args.rounds, 'views': self.args.views, 'peers': self.args.peers,
            'variants': {k: {'label': VARIANTS[k][0], 'command': VARIANTS[k][1]} for k in self.args.variants},
            'config': getattr(self, 'config', {}),
            'deploys': self.deploys, 'peer_setup': self.setup,
            'runs': self.runs, 'summary': self.summary(), 'notes': self.notes,
            'wall_seconds': round(self.wall, 1),
        }
        C.write_json(base + '.json', data)
        png = self.plot(base + '.png', data)
        if not png:
            self.notes.append('no PNG: matplotlib is not importable (bench/requirements.txt)')
        C.write_text(base + '.md', self.markdown(data))
        C.log('wrote %s.{json,md%s} (serve bench wall time %.0f s)' % (base, ',png' if png else '', self.wall))

    def rerender(self, path):
        with open(path) as handle:
            data = json.load(handle)
        self.runs, self.versions, self.notes = data['runs'], data['versions'], data['notes']
        self.shape = data['default_daemon_shape']
        self.args.conc, self.args.views = data['wrk']['connections'], data['views']
        self.args.duration, self.args.warmup = data['wrk']['duration_s'], data['wrk']['warmup_s']
        self.args.rounds = data['rounds']
        self.args.variants = [k for k in data['variants'] if k in VARIANTS]
        self.args.peers = data.get('peers', [k for k in CONFIGS if k != DEFAULT])
        data['summary'] = self.summary()
        base = os.path.splitext(path)[0]
        png = self.plot(base + '.png', data)
        C.write_text(base + '.md', self.markdown(data))
        C.log('rewrote %s.md%s' % (base, ' and .png' if png else ''))

    def markdown(self, data):
        conc, views = self.args.conc, self.args.views
        s = data['summary']
        med = {(c['key'], c['view'], c['conc']): c for c in s['cells']}
        v = self.versions
        loads = [r['loadavg_before'] for r in self.runs if r['loadavg_before'] is not None]
        lines = [
            '# Serve benchmark (%s)' % data['generated'][:10], '',
            'Generated by `bench/serve.py` on %s: one container `%s` (image `%s`, Debian %s), %d interleaved rounds '
            '(every configuration at every view and concurrency once per round, the order rotated each round), '
            'medians over the rounds and their spread (min-max).' % (
                data['generated'], NAME, C.IMAGE, v.get('debian'), data['rounds']),
            'Load: `wrk -t2 -cN -d%ds --latency` inside the container against 127.0.0.1 (N = %s), after a %d s warm-up '
            'at the same concurrency. Host: %s CPUs, %s MiB, shared with other jobs: 1-minute load average %s at the '
            'start of the runs (median %s).' % (
                self.args.duration, ', '.join(map(str, conc)), self.args.warmup, data['host'].get('cpus'),
                data['host'].get('mem_total_mb'), _range(loads, '%.1f'), '%.1f' % C.spread(loads)['median'] if loads else '-'),
            'Versions: Apache %s, mod_wsgi %s (Debian), %s, Django %s; gunicorn %s; %s; mod_wsgi-express %s.' % (
                v.get('apache'), v.get('mod_wsgi (Debian)'), v.get('python'), v.get('django (site venv)'),
                (v.get('gunicorn') or '').replace('gunicorn (version ', '').rstrip(')'), v.get('nginx'),
                v.get('mod_wsgi (pip, express)')),
            '',
            '## Targets (issue 21): the collection default (daemon %s, event) against its peers' % self.shape_text(), '',
            'Ratio of the medians of req/s (the per-round ratios, same round so the same host drift, in brackets: '
            'median, min-max); req/CPU-s: requests per CPU-second of the serving processes, which moves less when '
            'other jobs share the cores.', '',
            '| target | view | ' + ' | '.join('c%d req/s' % c for c in conc) + ' | ' +
            ' | '.join('c%d req/CPU-s' % c for c in conc) + ' | met |',
            '|---|---|' + '---:|' * (2 * len(conc)) + '---|',
        ]
        for peer, want in TARGETS:
            for view in views:
                ts = [t for t in s['targets'] if t['peer'] == peer and t['view'] == view]
                by = {t['conc']: t for t in ts}
                cells = ['%s (%s)' % (C.fmt_ratio(by[c]['ratio_rps']), _pair(by[c]['per_round'])) if c in by else '-' for c in conc]
                cells += [C.fmt_ratio(by[c]['ratio_req_per_cpu_s']) if c in by else '-' for c in conc]
                mets = [by[c]['met'] for c in conc if c in by]
                met = 'not measured' if not mets or None in mets else ('**met**' if all(mets) else '**not met**')
                lines.append('| >= %.1fx %s | %s | %s | %s |' % (want, self.label(peer), view, ' | '.join(cells), met))
        p99 = s['p99_over_limit']
        lines += ['', 'p99 of the collection default, every view and concurrency, every round: %s.' % (
            'under 1 s' if not p99 else 'over 1 s in ' + ', '.join('%s c%d (%.0f ms)' % x for x in p99)), '']
        for view in views:
            lines += ['## %s' % VIEW_LABEL[view], '',
                      '| configuration | c | req/s median (min-max) | p99 ms median (max) | errors | req/CPU-s | CPU us/request '
                      '| RSS MB (procs) | PSS MB | default ÷ this (req/s) |',
                      '|---|---:|---:|---:|---:|---:|---|---:|---:|---:|']
            for key in self.keys():
                for c in conc:
                    x = med.get((key, view, c))
                    if not x:
                        continue
                    d = med.get((DEFAULT, view, c))
                    lines.append('| %s | %d | %.0f (%s) | %.1f (%.1f) | %d | %.0f | %s | %s (%d) | %s | %s |' % (
                        self.label(key), c, x['rps']['median'], _range([x['rps']['min'], x['rps']['max']], '%.0f'),
                        x['p99_ms']['median'], x['p99_ms']['max'], x['errors'], x['req_per_cpu_s']['median'],
                        ', '.join('%s %.0f' % (k, u) for k, u in x['us_per_req'].items()),
                        x['rss_mb'], x['processes'], '-' if x['pss_mb'] is None else x['pss_mb'],
                        '-' if key == DEFAULT else C.fmt_ratio(C.ratio(d and d['rps']['median'], x['rps']['median']))))
            lines.append('')
        if s['effects']:
            lines += ['## What each default is worth (variants, same rounds)', '',
                      'Each variant is the collection default with one setting changed in the deployed configuration '
                      '(Apache restarted into it, measured, and back). default ÷ variant > 1: the default is faster.', '',
                      '| variant | view | c | default ÷ variant, req/s (per round: median, min-max) | req/CPU-s | '
                      'Apache us/req default / variant | daemons us/req default / variant | p99 ms default / variant |',
                      '|---|---|---:|---:|---:|---|---|---|']
            for e in s['effects']:
                lines.append('| %s | %s | %d | %s (%s) | %s | %s | %s | %s |' % (
                    self.label(e['variant']), e['view'], e['conc'], C.fmt_ratio(e['default_over_variant_rps']),
                    _pair(e['per_round']), C.fmt_ratio(e['default_over_variant_req_per_cpu_s']),
                    _two(e['apache_us_per_req']), _two(e['daemons_us_per_req']), _two(e['p99_ms'])))
            lines += ['', 'The variants:', '']
            lines += ['- %s: `%s`' % (self.label(k), VARIANTS[k][1]) for k in self.args.variants]
            lines.append('')
        lines += [
            'errors = non-2xx responses + wrk socket errors (connect/read/write/timeout; a "read" error is usually '
            'the server closing a keep-alive connection wrk was about to reuse). CPU us/request: CPU time of each '
            'part of the server divided by the requests served (apache = the Apache children that take the '
            'connections, wsgi daemons = both colors\' daemon processes). RSS: sum over the serving processes, the '
            'larger of two samples taken during the run; PSS splits shared pages.', '',
            '## How each configuration runs', '',
            '- collection: `ansible-playbook -i bench/inventory/serve.yml modwsgi.django.deploy` (site `%s`, no '
            '`daemon` settings: the default shape, here %s, blue/green; everything else the role defaults).'
            % (SITE, self.shape_text()),
            '- nginx: Debian package, its default nginx.conf, one server block proxying to an `upstream` with '
            '`keepalive 32`, `proxy_http_version 1.1`, `Connection ""`, to the gunicorn below.',
            '- gunicorn: `--workers %d --worker-class gthread --threads %d`, no access log (its default), a venv with '
            'the same Django.' % (self.shape['processes'], self.shape['threads']),
            '- mod_wsgi-express: `mod_wsgi-express start-server --port %d --user www-data --group www-data` (its '
            'defaults: daemon mode, 1 process x 5 threads, no access log).' % PORT_EXPRESS,
            '- The peers\' SQLite database holds the same 40 notes as the site\'s (`/page/` lists the latest 20).',
        ]
        if data['deploys']:
            lines += ['', 'Deploy: %s.' % '; '.join('%s %.0f s' % (d['label'], d['seconds']) for d in data['deploys'])]
        setup = data.get('peer_setup') or {}
        if setup:
            lines += ['Peer venv (Django, gunicorn) %s s; `pip install mod_wsgi` (compiled against apache2-dev) %s s.' % (
                setup.get('pip_seconds'), setup.get('mod_wsgi_build_seconds'))]
        if data['notes']:
            lines += ['', '## Notes', ''] + ['- %s' % n for n in data['notes']]
        lines += ['', 'Serve bench wall time (set-up, deploy, all rounds): %.0f s.' % data['wall_seconds'], '']
        return '\n'.join(lines)

    def plot(self, path, data):
        try:
            import matplotlib
            matplotlib.use('Agg')
            import matplotlib.pyplot as plt
        except ImportError:
            return False
        med = {(c['key'], c['view'], c['conc']): c for c in data['summary']['cells']}
        keys = [k for k in self.keys() if any(k == c['key'] for c in data['summary']['cells'])]
        views, conc = self.args.views, self.args.conc
        fig, axes = plt.subplots(1, len(views), figsize=(8 * len(views), 1.2 + 0.55 * len(keys) * len(conc)), squeeze=False)
        height = 0.8 / len(conc)
        for panel, view in enumerate(views):
            ax = axes[0][panel]
            for i, c in enumerate(conc):
                vals, lows, highs = [], [], []
                for k in keys:
                    x = med.get((k, view, c))
                    vals.append(x['rps']['median'] if x else 0)
                    lows.append(x['rps']['median'] - x['rps']['min'] if x else 0)
                    highs.append(x['rps']['max'] - x['rps']['median'] if x else 0)
                ax.barh([y + i * height for y in range(len(keys))], vals, height=height, xerr=[lows, highs],
                        capsize=2, label='c%d' % c)
            ax.set_yticks([y + height * (len(conc) - 1) / 2 for y in range(len(keys))])
            ax.set_yticklabels([self.label(k) for k in keys] if panel == 0 else [''] * len(keys), fontsize=8)
            ax.invert_yaxis()
            ax.set_title('%s: req/s, median and min-max of %d rounds' % (VIEW_LABEL[view], data['rounds']), fontsize=9)
            ax.legend(fontsize=8)
            ax.grid(axis='x', alpha=0.3)
        fig.suptitle('modwsgi.django serve benchmark %s (Django 5.2, one Debian 12 container, wrk -t2 -d%ds)'
                     % (data['generated'][:10], self.args.duration), fontsize=10)
        fig.tight_layout()
        fig.savefig(path, dpi=110)
        plt.close(fig)
        return True


def _range(values, fmt):
    values = [x for x in values if x is not None]
    if not values:
        return '-'
    return (fmt + '-' + fmt) % (min(values), max(values))


def _pair(spread):
    if not spread:
        return '-'
    return '%.2f, %.2f-%.2f' % (spread['median'], spread['min'], spread['max'])


def _two(pair):
    return ' / '.join('-' if x is None else ('%.0f' % x) for x in pair)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--rounds', type=int, default=3, help='interleaved rounds (default 3)')
    parser.add_argument('--duration', type=int, default=10, help='seconds per measured wrk run (default 10)')
    parser.add_argument('--warmup', type=int, default=2, help='seconds of warm-up before each run (default 2)')
    parser.add_argument('--conc', default='16,64', help='wrk connections, comma-separated (default 16,64)')
    parser.add_argument('--views', default='minimal,page', help='views, comma-separated (default minimal,page)')
    parser.add_argument('--variants', default='all',
                        help='variants of the default measured in the same rounds: all (default), none, or names (%s)'
                        % ', '.join(VARIANTS))
    parser.add_argument('--peers', default='all',
                        help='peers measured beside the collection default: all (default), none, or names (%s)'
                        % ', '.join(k for k in CONFIGS if k != DEFAULT))
    parser.add_argument('--keep', action='store_true', help='keep the container afterwards')
    parser.add_argument('--container', default=NAME, help=argparse.SUPPRESS)
    parser.add_argument('--from-json', metavar='PATH', help='only rewrite the markdown and PNG of an earlier results JSON')
    args = parser.parse_args()
    args.conc = [int(x) for x in args.conc.split(',') if x]
    args.views = [x for x in args.views.split(',') if x]
    args.variants = {'all': list(VARIANTS), 'none': []}.get(args.variants, [x for x in args.variants.split(',') if x])
    peers = [k for k in CONFIGS if k != DEFAULT]
    args.peers = {'all': peers, 'none': []}.get(args.peers, [x for x in args.peers.split(',') if x])
    unknown = ([x for x in args.views if x not in VIEWS] + [x for x in args.variants if x not in VARIANTS]
               + [x for x in args.peers if x not in peers])
    if unknown:
        parser.error('unknown view or variant: %s' % ', '.join(unknown))
    if args.rounds < 1:
        parser.error('--rounds must be at least 1')
    if args.from_json:
        Bench(args).rerender(args.from_json)
        return
    C.require_tools()
    Bench(args).run()


if __name__ == '__main__':
    main()
