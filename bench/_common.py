# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.django maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Helpers shared by the benchmarks (serve, converge, reload, noop_compare): containers, ansible-playbook, results.

Everything runs against local containers named ``modwsgi-bench-*`` (Docker, the images built by
scripts/build-images.sh); every load generator runs inside the container against 127.0.0.1.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
RESULTS = os.path.join(HERE, 'results')
TMP = os.path.join(HERE, 'tmp')           # logs and generated inventories (git-ignored)
IMAGE = 'modwsgi-django-base:bookworm'
PREFIX = 'modwsgi-bench-'


def log(msg):
    print('[%s] %s' % (time.strftime('%H:%M:%S'), msg), flush=True)


def today():
    return datetime.date.today().isoformat()


def now_iso():
    return datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


def run(cmd, check=True, timeout=None, env=None, input_text=None):
    """Run a command, return CompletedProcess with text stdout/stderr."""
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, input=input_text, check=False)
    if check and res.returncode != 0:
        raise RuntimeError('command failed (rc %d): %s\n%s\n%s' % (
            res.returncode, ' '.join(cmd), res.stdout[-3000:], res.stderr[-3000:]))
    return res


class Container:
    """One throw-away container of ours (name must start with modwsgi-bench-)."""

    def __init__(self, name, image=IMAGE):
        if not name.startswith(PREFIX):
            raise ValueError('bench containers must be named %s*' % PREFIX)
        self.name = name
        self.image = image

    def exists(self):
        return run(['docker', 'inspect', self.name], check=False).returncode == 0

    def remove(self):
        if self.exists():
            run(['docker', 'rm', '-f', self.name], check=False, timeout=120)

    def start(self, docker_args=()):
        """A fresh container (any old one of the same name is removed first)."""
        self.remove()
        # The base image's entrypoint is tini (Debian's apache2 init script needs an init).
        run(['docker', 'run', '-d', '--name', self.name, '--hostname', self.name,
             '--label', 'modwsgi.bench=1'] + list(docker_args) + [self.image], timeout=120)

    def sh(self, script, check=True, timeout=600):
        return run(['docker', 'exec', self.name, 'bash', '-c', script], check=check, timeout=timeout)

    def out(self, script, check=True, timeout=600):
        """The stdout of a bash command in the container (raises unless check=False)."""
        return self.sh(script, check=check, timeout=timeout).stdout

    def sh_bg(self, script):
        """Start a command detached inside the container (docker exec -d)."""
        run(['docker', 'exec', '-d', self.name, 'bash', '-c', script])

    def popen(self, argv):
        return subprocess.Popen(['docker', 'exec', self.name] + list(argv),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def put(self, src, dest):
        run(['docker', 'cp', src, '%s:%s' % (self.name, dest)])

    def write(self, path, content, mode='0644'):
        run(['docker', 'exec', '-i', self.name, 'bash', '-c',
             'cat > %s && chmod %s %s' % (path, mode, path)], input_text=content)

    def timed(self, script, timeout=1800):
        """Run a script, return (seconds, CompletedProcess); raises on failure."""
        start = time.monotonic()
        res = self.sh(script, timeout=timeout)
        return time.monotonic() - start, res


def require_tools():
    for tool in ('docker', 'ansible-playbook'):
        if not shutil.which(tool):
            sys.exit('bench: %s not on PATH; run through scripts/bench.sh (make bench), which sources scripts/env.sh' % tool)
    if not os.environ.get('ANSIBLE_COLLECTIONS_PATH'):
        sys.exit('bench: ANSIBLE_COLLECTIONS_PATH unset; source scripts/env.sh (scripts/bench.sh does)')
    if run(['docker', 'image', 'inspect', IMAGE], check=False).returncode != 0:
        sys.exit('bench: image %s missing; run scripts/bootstrap.sh' % IMAGE)


def ansible_playbook(inventory, extra=(), log_path=None, profile=False, timeout=3600, env_extra=None):
    """ansible-playbook -i inventory modwsgi.django.deploy; returns (seconds, output)."""
    env = dict(os.environ)
    env.setdefault('MODWSGI_ROOT', REPO)
    env['ANSIBLE_STDOUT_CALLBACK'] = 'default'
    if profile:
        env['ANSIBLE_CALLBACKS_ENABLED'] = 'ansible.posix.profile_tasks'
        env['PROFILE_TASKS_TASK_OUTPUT_LIMIT'] = 'all'
        env['PROFILE_TASKS_SORT_ORDER'] = 'none'
    env.update(env_extra or {})
    cmd = ['ansible-playbook', '-i', inventory, 'modwsgi.django.deploy'] + list(extra)
    start = time.monotonic()
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, cwd=REPO, check=False)
    seconds = time.monotonic() - start
    out = res.stdout + res.stderr
    if log_path:
        os.makedirs(os.path.dirname(log_path), exist_ok=True)
        with open(log_path, 'w') as handle:
            handle.write('$ %s\n' % ' '.join(cmd))
            handle.write(out)
            handle.write('\n# %.1f s, rc %d\n' % (seconds, res.returncode))
    if res.returncode != 0:
        raise RuntimeError('ansible-playbook failed (rc %d, log %s):\n%s' % (res.returncode, log_path, out[-4000:]))
    return seconds, out


def host_info():
    info = {
        'controller_python': platform.python_version(),
        'machine': platform.machine(),
        'cpus': os.cpu_count(),
    }
    try:
        with open('/proc/meminfo') as handle:
            info['mem_total_mb'] = int(handle.readline().split()[1]) // 1024
    except OSError:
        pass
    return info


def loadavg():
    try:
        with open('/proc/loadavg') as handle:
            return float(handle.read().split()[0])
    except OSError:
        return None


def git_head(dirty_paths=('roles', 'plugins')):
    """The checkout's short HEAD, with " (dirty)" when dirty_paths have uncommitted changes."""
    head = run(['git', '-C', REPO, 'rev-parse', '--short', 'HEAD'], check=False).stdout.strip()
    dirty = run(['git', '-C', REPO, 'status', '--porcelain'] + list(dirty_paths), check=False).stdout.strip()
    return head + (' (dirty)' if dirty else '')


def tree_hash(*dirs):
    """sha256 (12 hex digits) over the paths and contents of the files below dirs (relative to REPO)."""
    digest = hashlib.sha256()
    for top in dirs:
        for dirpath, dirnames, filenames in os.walk(os.path.join(REPO, top)):   # top-down: the pruning below counts
            dirnames[:] = sorted(d for d in dirnames if d != '__pycache__')
            for fname in sorted(filenames):
                path = os.path.join(dirpath, fname)
                digest.update(os.path.relpath(path, REPO).encode())
                with open(path, 'rb') as handle:
                    digest.update(handle.read())
    return digest.hexdigest()[:12]


def write_json(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as handle:
        json.dump(data, handle, indent=2, sort_keys=False)
        handle.write('\n')


def write_text(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as handle:
        handle.write(text)


def fmt_seconds(value, ms=False):
    """'n/a', '47 ms' (below 1 s, or always with ms=True) or '5.9 s'."""
    if value is None:
        return 'n/a'
    if ms or value < 1:
        return '%d ms' % round(value * 1000)
    return '%.1f s' % value


def fmt_ratio(value):
    return '-' if value is None else '%.2fx' % value


def spread(values):
    """Median and spread of a sample: {'median', 'min', 'max', 'n'} (all None for an empty one)."""
    values = [v for v in values if v is not None]
    if not values:
        return {'median': None, 'min': None, 'max': None, 'n': 0}
    return {'median': statistics.median(values), 'min': min(values), 'max': max(values), 'n': len(values)}


def percentile(values, q):
    """The nearest-rank q-quantile (0 <= q <= 1) of values, None for an empty sample."""
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def ratio(a, b):
    if a is None or b in (None, 0):
        return None
    return a / b
