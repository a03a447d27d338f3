# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.django maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Serve benchmark: the collection's default daemon config against its peers, one container, one run.

One Debian 12 container (modwsgi-bench-serve), the probe project's /minimal/ view (returns b"ok")
everywhere, wrk inside the container against 127.0.0.1, side by side in one run:

  phase 1  deploy with `ansible-playbook -i bench/inventory/serve.yml modwsgi.django.deploy`
           (event MPM, daemon mode with the collection's default processes x threads, blue/green:
           2 x 15 on a 2-core host; read back from the deployed vhost) and measure
             static      a static file served by Apache (collectstatic output): the ceiling
             daemon      (a) the collection's default daemon config under event
           then stop Apache and measure the peers from a venv in the same container
             nginx_gt    nginx (Debian package) -> gunicorn gthread PxT, keepalive upstream
             gunicorn_gt bare gunicorn gthread P workers x T threads (matched to the default)
             gunicorn_sy bare gunicorn sync P workers
             express     mod_wsgi-express (pip mod_wsgi built against apache2-dev) defaults
           then the tuning rows: the default with threads=5, threads=30, and without the access log
           (one sed on the deployed vhost + graceful each, put back afterwards; --no-tuning skips them)
  phase 2  redeploy with apache_mpm=worker plus an embedded-mode site: daemon, embedded
  phase 3  redeploy with apache_mpm=prefork (--tags apache: only the MPM changes): daemon, embedded

Each configuration: a warm-up (not recorded), then `wrk -t2 -cN -dDs --latency` for each N; the
serving processes' RSS (and PSS) is sampled twice during the run (the larger sum is kept) and
their CPU time is read before and after (requests per CPU-second is robust to a busy host,
req/s is not). Writes bench/results/<date>-serve.{json,md,png}.

    python bench/serve.py [--duration 10] [--warmup 2] [--conc 16,64] [--keep]
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

NAME = 'modwsgi-bench-serve'
INVENTORY = os.path.join(C.HERE, 'inventory', 'serve.yml')
EMBEDDED_VARS = os.path.join(C.HERE, 'inventory', 'serve-embedded.yml')
PROBE = os.path.join(C.REPO, 'molecule', 'shared', 'projects', 'probe')
BENCH_HOST = 'bench.test'
EMB_HOST = 'emb.test'
PORT_GUNICORN = 8001
PORT_NGINX = 8080
PORT_EXPRESS = 8003
SECRET = 'bench-only-secret-not-for-production-0123456789abcdef'

# (key, label, peer group for the tables)
CONFIGS = [
    ('static', 'Apache static file (event; ceiling)'),
    ('daemon_event', '(a) collection default: daemon {shape}, event'),
    ('nginx_gthread', 'nginx -> gunicorn gthread {shape} (keepalive upstream)'),
    ('gunicorn_gthread', 'bare gunicorn gthread {shape}'),
    ('gunicorn_sync', 'bare gunicorn sync {processes} workers'),
    ('express', 'mod_wsgi-express defaults'),
    ('daemon_worker', 'collection daemon {shape}, worker'),
    ('embedded_worker', 'collection embedded, worker'),
    ('daemon_prefork', 'collection daemon {shape}, prefork'),
    ('embedded_prefork', 'collection embedded, prefork'),
    # Tuning (phase 1, event): the default with one setting changed in the deployed vhost, to show
    # what the defaults cost or save (docs/operations.md, "Why each default is what it is").
    ('tune_threads5', 'tuning: daemon {processes}x5 (threads 5), event'),
    ('tune_threads30', 'tuning: daemon {processes}x30 (threads 30), event'),
    ('tune_nolog', 'tuning: default without the access log, event'),
]
# key -> sed expression applied to the deployed vhost before measuring it (then restored)
TUNING = {
    'tune_threads5': r's/ threads=[0-9]* / threads=5 /',
    'tune_threads30': r's/ threads=[0-9]* / threads=30 /',
    'tune_nolog': r's/^\(\s*CustomLog\)/#\1/',
}
# The default daemon shape, read back from the deployed vhost (set_shape); 2 x 15 on a 2-core host.
SHAPE = {'processes': 2, 'threads': 15}
LABEL = {}


def set_shape(processes, threads):
    SHAPE.update(processes=processes, threads=threads)
    fmt = {'shape': '%dx%d' % (processes, threads), 'processes': processes}
    LABEL.update((key, label.format(**fmt)) for key, label in CONFIGS)


set_shape(**SHAPE)
DEFAULT = 'daemon_event'
TARGETS = [
    ('nginx_gthread', 1.2),
    ('express', 1.5),
    ('gunicorn_gthread', 0.9),
]

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


def is_apache_front(args):
    return args.startswith('/usr/sbin/apache2 -k')


def is_bench_daemon(args):
    return args.startswith('(wsgi:bench_')


def component(args):
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
    return 'other'


SELECTORS = {
    # Apache's own processes (parent + children); the daemon groups are separate processes.
    'apache': is_apache_front,
    # Daemon mode serves with the Apache children AND both colors' daemon processes (the idle
    # color is resident by design: blue/green keeps it preloaded).
    'apache_daemon': lambda a: is_apache_front(a) or is_bench_daemon(a),
    'nginx_gunicorn': lambda a: a.startswith('nginx:') or '/bin/gunicorn' in a,
    'gunicorn': lambda a: '/bin/gunicorn' in a,
    'nginx': lambda a: a.startswith('nginx:'),
    'express': lambda a: '/tmp/express/httpd.conf' in a,
}
SELECTOR_OF = {
    'static': 'apache', 'daemon_event': 'apache_daemon', 'nginx_gthread': 'nginx_gunicorn',
    'gunicorn_gthread': 'gunicorn', 'gunicorn_sync': 'gunicorn', 'express': 'express',
    'daemon_worker': 'apache_daemon', 'embedded_worker': 'apache',
    'daemon_prefork': 'apache_daemon', 'embedded_prefork': 'apache',
    'tune_threads5': 'apache_daemon', 'tune_threads30': 'apache_daemon', 'tune_nolog': 'apache_daemon',
}
URL_OF = {
    'static': ('http://127.0.0.1:80/static/probe/style.css', BENCH_HOST),
    'daemon_event': ('http://127.0.0.1:80/minimal/', BENCH_HOST),
    'nginx_gthread': ('http://127.0.0.1:%d/minimal/' % PORT_NGINX, BENCH_HOST),
    'gunicorn_gthread': ('http://127.0.0.1:%d/minimal/' % PORT_GUNICORN, BENCH_HOST),
    'gunicorn_sync': ('http://127.0.0.1:%d/minimal/' % PORT_GUNICORN, BENCH_HOST),
    'express': ('http://127.0.0.1:%d/minimal/' % PORT_EXPRESS, BENCH_HOST),
    'daemon_worker': ('http://127.0.0.1:80/minimal/', BENCH_HOST),
    'embedded_worker': ('http://127.0.0.1:80/minimal/', EMB_HOST),
    'daemon_prefork': ('http://127.0.0.1:80/minimal/', BENCH_HOST),
    'embedded_prefork': ('http://127.0.0.1:80/minimal/', EMB_HOST),
    'tune_threads5': ('http://127.0.0.1:80/minimal/', BENCH_HOST),
    'tune_threads30': ('http://127.0.0.1:80/minimal/', BENCH_HOST),
    'tune_nolog': ('http://127.0.0.1:80/minimal/', BENCH_HOST),
}

WSGI_PEER = '''import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "probe.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "%s")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "%s")
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("PROBE_SITE", "peer")
os.environ.setdefault("PROBE_DB_PATH", "/tmp/peer-db.sqlite3")

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
''' % (SECRET, BENCH_HOST)

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
''' % (PORT_GUNICORN, PORT_NGINX, BENCH_HOST)


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
        self.express_ok = False

    # --- container-side helpers ---------------------------------------------------------------

    def snapshot(self):
        res = self.c.sh('python3 /opt/bench-procs.py', timeout=60)
        return {p[0]: {'args': p[1], 'rss': p[2], 'pss': p[3], 'cpu': p[4]} for p in json.loads(res.stdout)}

    def wait_http(self, url, host, timeout=120, expect_down=False):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            rc = self.c.sh('curl -fsS -o /dev/null -m 5 -H "Host: %s" %s' % (host, url), check=False).returncode
            if (rc != 0) if expect_down else (rc == 0):
                return
            time.sleep(0.5)
        raise RuntimeError('%s (Host %s) did not %s within %d s' % (url, host, 'go down' if expect_down else 'answer', timeout))

    def wait_gone(self, selector, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not [p for p in self.snapshot().values() if SELECTORS[selector](p['args'])]:
                return
            time.sleep(0.5)
        raise RuntimeError('processes (%s) still running after %d s' % (selector, timeout))

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
        res = self.c.sh("grep -h -o 'WSGIDaemonProcess bench_blue .*' /etc/apache2/sites-available/modwsgi-%s.conf" % BENCH_HOST)
        procs = re.search(r' processes=(\d+)', res.stdout)
        threads = re.search(r' threads=(\d+)', res.stdout)
        set_shape(int(procs.group(1)) if procs else 1, int(threads.group(1)) if threads else 15)
        C.log('default daemon shape: %d processes x %d threads' % (SHAPE['processes'], SHAPE['threads']))

    def peers_apt(self):
        """Debian packages for the peers, installed before the collection runs (no apt lock fight later).

        policy-rc.d keeps nginx from starting at install (Apache will own port 80)."""
        C.log('peers: apt-get install nginx apache2-dev gcc python3-dev python3-venv')
        seconds, _unused1 = self.c.timed(
            'set -e; printf "#!/bin/sh\\nexit 101\\n" > /usr/sbin/policy-rc.d; chmod 0755 /usr/sbin/policy-rc.d;'
            ' export DEBIAN_FRONTEND=noninteractive;'
            ' (apt-get install -y -q nginx apache2-dev gcc python3-dev python3-venv > /tmp/peers-apt.log 2>&1'
            '  || { apt-get update -q >> /tmp/peers-apt.log 2>&1 &&'
            '       apt-get install -y -q nginx apache2-dev gcc python3-dev python3-venv >> /tmp/peers-apt.log 2>&1; })'
            ' || { rm -f /usr/sbin/policy-rc.d; tail -n 20 /tmp/peers-apt.log; exit 1; };'
            ' rm -f /usr/sbin/policy-rc.d /etc/nginx/sites-enabled/default')
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

    def collect_versions(self):
        q = {
            'debian': 'cat /etc/debian_version',
            'apache': "apache2 -v | sed -n 's/^Server version: //p'",
            'mod_wsgi (Debian)': "dpkg-query -W -f='${Version}' libapache2-mod-wsgi-py3",
            'python': 'python3 -V',
            'django (site venv)': "/srv/django/bench/current/.modwsgi-venv/bin/python -c 'import django; print(django.get_version())'",
            'django (peer venv)': "/opt/peer/venv/bin/python -c 'import django; print(django.get_version())'",
            'gunicorn': '/opt/peer/venv/bin/gunicorn --version',
            'nginx': 'nginx -v 2>&1',
            'mod_wsgi (pip, express)': "/opt/peer/venv/bin/pip show mod_wsgi 2>/dev/null | sed -n 's/^Version: //p'",
            'wrk': "dpkg-query -W -f='${Version}' wrk",
        }
        for key, cmd in q.items():
            res = self.c.sh(cmd, check=False)
            self.versions[key] = (res.stdout.strip() or res.stderr.strip())[:120] if res.returncode == 0 else None

    # --- services ------------------------------------------------------------------------------

    def apache(self, action):
        C.log('apache2: %s' % action)
        self.c.sh('service apache2 %s >/dev/null' % action, timeout=180)
        if action == 'stop':
            self.wait_gone('apache_daemon')
        else:
            self.wait_http('http://127.0.0.1:80/minimal/', BENCH_HOST)

    def gunicorn_start(self, worker_class):
        extra = '--worker-class gthread --threads %d' % SHAPE['threads'] if worker_class == 'gthread' else '--worker-class sync'
        self.c.sh_bg('cd /opt/peer/app && exec /opt/peer/venv/bin/gunicorn --bind 127.0.0.1:%d --workers %d %s'
                     ' --user www-data --group www-data --pid /run/bench-gunicorn.pid benchwsgi:application'
                     ' > /tmp/gunicorn-%s.log 2>&1' % (PORT_GUNICORN, SHAPE['processes'], extra, worker_class))
        self.wait_http('http://127.0.0.1:%d/minimal/' % PORT_GUNICORN, BENCH_HOST)

    def gunicorn_stop(self):
        self.c.sh('kill -TERM "$(cat /run/bench-gunicorn.pid)"', check=False)
        self.wait_gone('gunicorn')

    def nginx_start(self):
        self.c.sh('nginx -t -q && nginx')
        self.wait_http('http://127.0.0.1:%d/minimal/' % PORT_NGINX, BENCH_HOST)

    def nginx_stop(self):
        self.c.sh('nginx -s quit', check=False)
        self.wait_gone('nginx')

    def express_start(self):
        self.c.sh_bg('cd /tmp && exec /opt/peer/venv/bin/mod_wsgi-express start-server --port %d'
                     ' --user www-data --group www-data --server-root /tmp/express /opt/peer/app/benchwsgi.py'
                     ' > /tmp/express.log 2>&1' % PORT_EXPRESS)
        self.wait_http('http://127.0.0.1:%d/minimal/' % PORT_EXPRESS, BENCH_HOST)

    def express_stop(self):
        self.c.sh('/tmp/express/apachectl stop', check=False)
        self.wait_gone('express')

    def tuned(self, key):
        """Measure the default with one vhost setting changed (TUNING[key]), then put the vhost back."""
        vhost = '/etc/apache2/sites-available/modwsgi-%s.conf' % BENCH_HOST
        self.c.sh("cp -p %s /tmp/vhost.orig && sed -i '%s' %s && apache2ctl -t >/dev/null 2>&1" % (vhost, TUNING[key], vhost))
        try:
            self.apache('reload')
            self.measure(key)
        finally:
            self.c.sh('cp -p /tmp/vhost.orig %s' % vhost)
            self.apache('reload')

    # --- measurement ----------------------------------------------------------------------------

    def measure(self, key):
        url, host = URL_OF[key]
        select = SELECTORS[SELECTOR_OF[key]]
        for conc in self.args.conc:
            wrk = ['wrk', '-t2', '-c%d' % conc, '-H', 'Host: %s' % host]
            # Embedded mode loads Django lazily in every Apache child: give it a longer warm-up.
            warmup = max(self.args.warmup, 5) if key.startswith('embedded') else self.args.warmup
            if warmup > 0:
                self.c.sh(' '.join(wrk[:3] + ['-d%ds' % warmup, '-H', "'Host: %s'" % host, url, '>/dev/null']),
                          timeout=warmup + 60)
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
            load_after = C.loadavg()
            result = parse_wrk(out)
            mem = []
            for snap in samples:
                procs = [p for p in snap.values() if select(p['args'])]
                pss = [p['pss'] for p in procs]
                mem.append((sum(p['rss'] for p in procs), None if None in pss else sum(pss), len(procs)))
            rss, pss, nprocs = max(mem, key=lambda m: m[0])
            cpu = 0.0
            split = {}
            for pid, p in after.items():
                if select(p['args']):
                    prev = before.get(pid)
                    used = p['cpu'] - (prev['cpu'] if prev and prev['args'] == p['args'] else 0.0)
                    cpu += used
                    part = component(p['args'])
                    split[part] = split.get(part, 0.0) + used
            row = {
                'key': key, 'label': LABEL[key], 'conc': conc, 'url': url, 'host': host,
                'rps': result['rps'], 'requests': result['requests'],
                'p50_ms': result['p50_ms'], 'p90_ms': result['p90_ms'], 'p99_ms': result['p99_ms'],
                'non2xx': result['non2xx'], 'socket_errors': result['socket_errors'], 'errors': result['errors'],
                'rss_mb': round(rss / 1024.0, 1), 'pss_mb': None if pss is None else round(pss / 1024.0, 1),
                'processes': nprocs, 'server_cpu_s': round(cpu, 2),
                'cpu_split_s': {k: round(v, 2) for k, v in sorted(split.items())},
                'req_per_cpu_s': round(result['requests'] / cpu, 1) if result['requests'] and cpu > 0 else None,
                'loadavg_before': load_before, 'loadavg_after': load_after,
            }
            if result['rps'] is None:
                row['wrk_output'] = (out + err)[-1500:]
            self.runs.append(row)
            C.log('%-17s c%-3d %8s req/s  p50 %7s ms  p99 %8s ms  errors %-5d RSS %7.1f MB  %s req/CPU-s  (load %.1f)' % (
                key, conc, row['rps'], row['p50_ms'], row['p99_ms'], row['errors'], row['rss_mb'],
                row['req_per_cpu_s'], load_before or 0))

    # --- the run ------------------------------------------------------------------------------

    def run(self):
        started = time.monotonic()
        C.log('serve bench: container %s from %s' % (NAME, C.IMAGE))
        # SYS_PTRACE only so that root in the container may read other users' smaps_rollup (PSS).
        self.c.start(['--cap-add', 'SYS_PTRACE'])
        try:
            self.c.write('/opt/bench-procs.py', PROCS_PY)
            self.peers_apt()
            pip_result = {}
            pip_thread = threading.Thread(target=self.peers_pip, args=(pip_result,))
            pip_thread.start()
            try:
                self.deploy('event, daemon site (the collection default)')
                self.read_shape()
            finally:
                pip_thread.join()
            if 'error' in pip_result:
                raise RuntimeError('peer venv: %s' % pip_result['error'])
            self.express_ok = pip_result.get('mod_wsgi_ok', False)
            if not self.express_ok:
                self.notes.append('mod_wsgi-express not measured: `pip install mod_wsgi` failed against the container\'s '
                                  'apache2-dev: ' + pip_result.get('mod_wsgi_log', '')[-600:].replace('\n', ' '))
            self.setup = {k: round(v, 1) if isinstance(v, float) else v for k, v in pip_result.items() if k != 'mod_wsgi_log'}
            self.collect_versions()

            self.wait_http('http://127.0.0.1:80/minimal/', BENCH_HOST)
            self.measure('static')
            self.measure('daemon_event')
            if self.args.tuning:
                for key in TUNING:
                    self.tuned(key)

            self.apache('stop')
            self.gunicorn_start('gthread')
            self.nginx_start()
            self.measure('nginx_gthread')
            self.nginx_stop()
            self.measure('gunicorn_gthread')
            self.gunicorn_stop()
            self.gunicorn_start('sync')
            self.measure('gunicorn_sync')
            self.gunicorn_stop()
            if self.express_ok:
                self.express_start()
                self.measure('express')
                self.express_stop()
            self.apache('start')

            for mpm in ('worker', 'prefork'):
                # worker adds the embedded site (full deploy); prefork changes only the MPM, so only the
                # apache role runs (`--tags apache`, what an operator would do; the vhosts do not depend
                # on the MPM).
                self.deploy('%s, daemon site + embedded site%s' % (mpm, '' if mpm == 'worker' else ' (--tags apache)'),
                            ['-e', 'apache_mpm=%s' % mpm, '-e', '@' + EMBEDDED_VARS]
                            + ([] if mpm == 'worker' else ['--tags', 'apache']))
                self.wait_http('http://127.0.0.1:80/minimal/', BENCH_HOST)
                self.wait_http('http://127.0.0.1:80/minimal/', EMB_HOST)
                self.measure('daemon_%s' % mpm)
                self.measure('embedded_%s' % mpm)
            self.mpm_conf = self.c.sh('cat /etc/apache2/conf-available/modwsgi-django-mpm.conf', check=False).stdout
        finally:
            if self.args.keep:
                C.log('keeping container %s (--keep)' % NAME)
            else:
                self.c.remove()
        self.wall = time.monotonic() - started
        self.write()

    # --- output -------------------------------------------------------------------------------

    def row(self, key, conc):
        for r in self.runs:
            if r['key'] == key and r['conc'] == conc:
                return r
        return None

    def targets(self):
        out = []
        for peer, want in TARGETS:
            item = {'peer': peer, 'label': LABEL[peer], 'target': want, 'by_conc': {}}
            met_all = True
            for conc in self.args.conc:
                a, b = self.row(DEFAULT, conc), self.row(peer, conc)
                r = C.ratio(a and a['rps'], b and b['rps'])
                e = C.ratio(a and a['req_per_cpu_s'], b and b['req_per_cpu_s'])
                item['by_conc'][str(conc)] = {'ratio_rps': r and round(r, 3), 'ratio_req_per_cpu_s': e and round(e, 3),
                                              'met': None if r is None else r >= want}
                met_all = met_all and r is not None and r >= want
            item['met'] = met_all if all(v['met'] is not None for v in item['by_conc'].values()) else None
            out.append(item)
        return out

    def write(self):
        date = C.today()
        base = os.path.join(C.RESULTS, '%s-serve' % date)
        targets = self.targets()
        data = {
            'benchmark': 'serve', 'generated': C.now_iso(), 'script': 'bench/serve.py',
            'container': NAME, 'image': C.IMAGE, 'host': C.host_info(), 'versions': self.versions,
            'default_daemon_shape': dict(SHAPE),
            'wrk': {'threads': 2, 'connections': self.args.conc, 'duration_s': self.args.duration,
                    'warmup_s': self.args.warmup},
            'deploys': self.deploys, 'peer_setup': getattr(self, 'setup', {}),
            'runs': self.runs, 'default': DEFAULT, 'targets': targets, 'notes': self.notes,
            'mpm_conf_prefork': getattr(self, 'mpm_conf', ''),
            'wall_seconds': round(self.wall, 1),
        }
        C.write_json(base + '.json', data)
        C.write_text(base + '.md', self.markdown(data))
        png = self.plot(base + '.png')
        if not png:
            self.notes.append('no PNG: matplotlib is not importable (bench/requirements.txt)')
            C.write_text(base + '.md', self.markdown(data))
        C.log('wrote %s.{json,md%s} (serve bench wall time %.0f s)' % (base, ',png' if png else '', self.wall))

    def rerender(self, path):
        with open(path) as handle:
            data = json.load(handle)
        self.runs, self.versions, self.notes = data['runs'], data['versions'], data['notes']
        if data.get('default_daemon_shape'):
            set_shape(**data['default_daemon_shape'])
        self.args.conc = data['wrk']['connections']
        self.args.duration, self.args.warmup = data['wrk']['duration_s'], data['wrk']['warmup_s']
        self.date = data['generated'][:10]
        base = os.path.splitext(path)[0]
        C.write_text(base + '.md', self.markdown(data))
        png = self.plot(base + '.png')
        C.log('rewrote %s.md%s' % (base, ' and .png' if png else ''))

    def markdown(self, data):
        conc = self.args.conc
        v = self.versions
        lines = [
            '# Serve benchmark (%s)' % data['generated'][:10], '',
            'Generated by `bench/serve.py` on %s: one container `%s` (image `%s`, Debian %s), '
            'one run, every configuration side by side, the probe project\'s `/minimal/` view (returns `ok`).' % (
                data['generated'], NAME, C.IMAGE, v.get('debian')),
            'Load: `wrk -t2 -cN -d%ds --latency` inside the container against 127.0.0.1 (N = %s), after a %d s warm-up '
            'at the same concurrency. Host: %s CPUs, %s MiB, shared with other jobs (load average at each run in the JSON).' % (
                self.args.duration, ', '.join(map(str, conc)), self.args.warmup, data['host'].get('cpus'),
                data['host'].get('mem_total_mb')),
            'Versions: Apache %s, mod_wsgi %s (Debian), %s, Django %s; gunicorn %s; %s; mod_wsgi-express %s.' % (
                v.get('apache'), v.get('mod_wsgi (Debian)'), v.get('python'), v.get('django (site venv)'),
                (v.get('gunicorn') or '').replace('gunicorn (version ', '').rstrip(')'), v.get('nginx'),
                v.get('mod_wsgi (pip, express)')),
            '',
            '## Targets (issue 7): the collection default (daemon %dx%d, event) against its peers' % (SHAPE['processes'], SHAPE['threads']), '',
            '| target | ' + ' | '.join('c%d req/s ratio' % c for c in conc) + ' | ' +
            ' | '.join('c%d req/CPU-s ratio' % c for c in conc) + ' | met |',
            '|---|' + '---:|' * (2 * len(conc)) + '---|',
        ]
        for t in data['targets']:
            cells = [C.fmt_ratio(t['by_conc'][str(c)]['ratio_rps']) for c in conc]
            cells += [C.fmt_ratio(t['by_conc'][str(c)]['ratio_req_per_cpu_s']) for c in conc]
            met = {True: '**met**', False: '**not met**', None: 'not measured'}[t['met']]
            lines.append('| default >= %.1fx %s | %s | %s |' % (t['target'], t['label'], ' | '.join(cells), met))
        lines += [
            '', '"met" judges req/s at every concurrency (the issue\'s measure). Requests per server CPU-second '
            '(the serving processes\' user+system time during the run) is shown beside it because it moves less '
            'when other jobs share the 2 cores.', '',
            '## All configurations', '',
            '| configuration | c | req/s | p50 ms | p99 ms | errors | RSS MB (procs) | PSS MB | req/CPU-s '
            '| default ÷ this (req/s) | default ÷ this (req/CPU-s) | host load |',
            '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
        ]
        for key, _template in CONFIGS:
            label = LABEL[key]
            for c in conc:
                r = self.row(key, c)
                if not r:
                    continue
                d = self.row(DEFAULT, c)
                err = '%d' % r['errors']
                if r['errors']:
                    se = r['socket_errors']
                    err += ' (%s)' % ', '.join(['non-2xx %d' % r['non2xx']] * bool(r['non2xx']) +
                                               ['%s %d' % (k, n) for k, n in se.items() if n])
                lines.append('| %s | %d | %s | %s | %s | %s | %s (%d) | %s | %s | %s | %s | %s |' % (
                    label, c, '%.0f' % r['rps'] if r['rps'] else '-', r['p50_ms'], r['p99_ms'], err,
                    r['rss_mb'], r['processes'], '-' if r['pss_mb'] is None else r['pss_mb'],
                    r['req_per_cpu_s'] or '-',
                    '-' if key == DEFAULT else C.fmt_ratio(C.ratio(d and d['rps'], r['rps'])),
                    '-' if key == DEFAULT else C.fmt_ratio(C.ratio(d and d['req_per_cpu_s'], r['req_per_cpu_s'])),
                    '-' if r['loadavg_before'] is None else '%.1f' % r['loadavg_before']))
        split_lines = []
        for r in self.runs:
            if len(r.get('cpu_split_s', {})) > 1 and r['server_cpu_s']:
                split_lines.append('%s c%d: %s' % (r['label'], r['conc'], ', '.join(
                    '%s %.0f%%' % (k, 100.0 * v / r['server_cpu_s']) for k, v in r['cpu_split_s'].items())))
        if split_lines:
            lines += ['', 'Where the server CPU goes (share of the serving processes\' CPU time during the run):', '']
            lines += ['- %s' % line for line in split_lines]
        lines += [
            '',
            'errors = non-2xx responses + wrk socket errors (connect/read/write/timeout; a "read" error is usually '
            'the server closing a keep-alive connection wrk was about to reuse). RSS: sum over the serving processes, '
            'the larger of two samples taken during the run (shared pages counted once per process); PSS splits '
            'shared pages. Daemon rows count the Apache processes plus both colors\' daemon processes (blue/green '
            'keeps the idle color preloaded); embedded and static rows count the Apache processes only. '
            'host load: the 1-minute load average of the (2-core) host when the run started.', '',
            '## Deploys in this run', '',
            '| deploy | seconds |', '|---|---:|',
        ]
        for d in data['deploys']:
            lines.append('| %s | %.0f |' % (d['label'], d['seconds']))
        setup = data.get('peer_setup') or {}
        if setup:
            lines += ['', 'Peer venv (Django, gunicorn) %s s; `pip install mod_wsgi` (compiled against apache2-dev) %s s, %s.' % (
                setup.get('pip_seconds'), setup.get('mod_wsgi_build_seconds'),
                'built' if setup.get('mod_wsgi_ok') else 'FAILED')]
        lines += [
            '', '## How each peer runs', '',
            '- collection: `ansible-playbook -i bench/inventory/serve.yml modwsgi.django.deploy` (site `bench`, '
            'no `daemon` settings: the default shape, here `{processes: %d, threads: %d}`, blue/green); worker/prefork: the same plus '
            '`-e apache_mpm=<mpm> -e @bench/inventory/serve-embedded.yml` (adds site `emb`, embedded mode; the daemon '
            'site is measured first, before any request loads Django into the Apache children; the prefork deploy runs '
            'with `--tags apache`, as only the MPM changes). Embedded runs get a 5 s warm-up: mod_wsgi loads Django '
            'lazily in each Apache child.' % (SHAPE['processes'], SHAPE['threads']),
            '- nginx: Debian package, its default nginx.conf, one server block proxying to an `upstream` with '
            '`keepalive 32`, `proxy_http_version 1.1`, `Connection ""`.',
            '- gunicorn: `--workers %d --worker-class gthread --threads %d` (and `--worker-class sync`), '
            'no access log (its default), in a venv with the same Django.' % (SHAPE['processes'], SHAPE['threads']),
            '- mod_wsgi-express: `mod_wsgi-express start-server --port %d --user www-data --group www-data` '
            '(its defaults: daemon mode, 1 process x 5 threads).' % PORT_EXPRESS,
            '- Apache static: `/static/probe/style.css` from the site\'s collectstatic directory (the collection\'s Alias).',
        ]
        if data['notes']:
            lines += ['', '## Notes', ''] + ['- %s' % n for n in data['notes']]
        lines += ['', 'Serve bench wall time (set-up, three deploys, all runs): %.0f s.' % data['wall_seconds'], '']
        return '\n'.join(lines)

    def plot(self, path):
        try:
            import matplotlib
            matplotlib.use('Agg')
            import matplotlib.pyplot as plt
        except ImportError:
            return False
        keys = [key for key, _label in CONFIGS if any(r['key'] == key for r in self.runs)]
        conc = self.args.conc
        fig, axes = plt.subplots(1, 3, figsize=(17, 6))
        width = 0.8 / len(conc)
        for panel, (field, title) in enumerate((('rps', 'requests/s (higher is better)'),
                                                ('req_per_cpu_s', 'requests per server CPU-second (higher is better)'),
                                                ('p99_ms', 'p99 latency, ms (log scale, lower is better)'))):
            ax = axes[panel]
            for i, c in enumerate(conc):
                vals = [(self.row(k, c) or {}).get(field) or 0 for k in keys]
                ax.barh([y + i * width for y in range(len(keys))], vals, height=width, label='c%d' % c)
            ax.set_yticks([y + width * (len(conc) - 1) / 2 for y in range(len(keys))])
            ax.set_yticklabels([LABEL[k] for k in keys] if panel == 0 else [''] * len(keys), fontsize=8)
            ax.invert_yaxis()
            ax.set_title(title, fontsize=10)
            if field == 'p99_ms':
                ax.set_xscale('log')
            ax.legend(fontsize=8)
            ax.grid(axis='x', alpha=0.3)
        fig.suptitle('modwsgi.django serve benchmark %s: /minimal/ (Django 5.2), one Debian 12 container, wrk -t2 -d%ds'
                     % (getattr(self, 'date', None) or C.today(), self.args.duration), fontsize=11)
        fig.tight_layout()
        fig.savefig(path, dpi=110)
        plt.close(fig)
        return True


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--duration', type=int, default=10, help='seconds per measured wrk run (default 10)')
    parser.add_argument('--warmup', type=int, default=2, help='seconds of warm-up before each run (default 2)')
    parser.add_argument('--conc', default='16,64', help='wrk connections, comma-separated (default 16,64)')
    parser.add_argument('--keep', action='store_true', help='keep the container afterwards')
    parser.add_argument('--no-tuning', dest='tuning', action='store_false',
                        help='skip the tuning rows (the default with threads 5 / 30, without the access log)')
    parser.add_argument('--container', default=NAME, help=argparse.SUPPRESS)
    parser.add_argument('--from-json', metavar='PATH', help='only rewrite the markdown and PNG of an earlier results JSON')
    args = parser.parse_args()
    args.conc = [int(x) for x in args.conc.split(',') if x]
    if args.from_json:
        Bench(args).rerender(args.from_json)
        return
    C.require_tools()
    Bench(args).run()


if __name__ == '__main__':
    main()
