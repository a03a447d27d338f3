# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.django maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Time modwsgi.django's validate() for 1, 50 and 500 sites.

Runs on paper (check_filesystem=False) and against a generated tree in a temp
dir (check_filesystem=True: realpath, symlink scan, script dir listing, one run
of the site Python for python-abi).  Writes bench/results/validate-sites.json
and .md.  Target: 500 sites in < 1 s.

    python3 bench/validate_sites_bench.py [--repeat 5] [--sizes 1,50,500]
"""

from __future__ import annotations

import argparse
import atexit
import collections
import datetime
import importlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
RESULTS = os.path.join(HERE, 'results')
TARGET_SECONDS = 1.0


def load_layout():
    """The rules (module_utils/_layout), imported as ansible_collections.modwsgi.django like the module does."""
    parts = REPO.split(os.sep)
    if parts[-3:-1] == ['ansible_collections', 'modwsgi'] and parts[-1] == 'django':
        parent = os.sep.join(parts[:-3])
    else:
        parent = tempfile.mkdtemp(prefix='modwsgi-bench-import-')
        atexit.register(shutil.rmtree, parent, True)
        os.makedirs(os.path.join(parent, 'ansible_collections', 'modwsgi'))
        os.symlink(REPO, os.path.join(parent, 'ansible_collections', 'modwsgi', 'django'))
    sys.path.insert(0, parent)
    return importlib.import_module('ansible_collections.modwsgi.django.plugins.module_utils._layout')


def run_command(argv):
    """The command runner FileSystem needs for python-abi (the module passes one built on run_command)."""
    proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60, check=False)
    return proc.returncode, proc.stdout.decode('utf-8', 'replace'), proc.stderr.decode('utf-8', 'replace')


def make_sites(count, base_dir, python):
    """A realistic mix: shared hosts with sub-URL mounts, daemon bluegreen/restart, some embedded."""
    sites = []
    for i in range(count):
        host = 'host%d.example.com' % (i // 5)        # five sites per host
        slot = i % 5
        item = {
            'name': 'site%d' % i,
            'server_name': host,
            'server_aliases': ['www.%s' % host] if slot == 0 else [],
            'mount': '/' if slot == 0 else '/app%d' % slot,
            'project': 'proj%d' % i,
            'root': '%s/site%d' % (base_dir, i),
            'python': python,
            'source': {'type': 'git', 'repo': 'https://git.example.com/site%d.git' % i, 'version': 'v1'},
            'env': {'DJANGO_DEBUG': '0', 'SITE_ID': str(i)},
            'secrets': {'DJANGO_SECRET_KEY': 'k%032d' % i},
            'django_settings': {'TIME_ZONE': 'UTC'},
            'health_path': '/healthz/',
        }
        if i % 10 == 3:
            item['mode'] = 'embedded'
        elif i % 10 == 7:
            item['deploy'] = 'restart'
            item['daemon'] = {'processes': 2, 'threads': 5}
        else:
            item['daemon'] = {'threads': 10}
        if slot == 0 and i % 2 == 0:
            item['tls'] = {'cert': '/etc/ssl/certs/%s.pem' % host, 'key': '/etc/ssl/private/%s.key' % host}
        sites.append(item)
    # sites sharing a host share tls (tls-mismatch)
    tls_by_host = dict((s['server_name'], s.get('tls')) for s in sites if s['mount'] == '/')
    for item in sites:
        if tls_by_host.get(item['server_name']):
            item['tls'] = dict(tls_by_host[item['server_name']])
    return sites


def make_tree(tmp, count):
    www = os.path.join(tmp, 'www')
    os.makedirs(www)
    for i in range(20):
        with open(os.path.join(www, 'file%d.html' % i), 'w') as handle:
            handle.write('x')
    os.symlink(os.path.join(tmp, 'django', 'site0', 'static'), os.path.join(www, 'static'))
    base = os.path.join(tmp, 'django')
    for i in range(count):
        root = os.path.join(base, 'site%d' % i)
        for sub in ('apache', 'conf', 'static', 'media', 'releases/1/proj%d' % i):
            os.makedirs(os.path.join(root, sub))
        os.symlink(os.path.join(root, 'releases', '1'), os.path.join(root, 'current'))
        with open(os.path.join(root, 'apache', 'django.wsgi'), 'w') as handle:
            handle.write('application = None\n')
    return www, base


def time_call(fn, repeat):
    times = []
    result = None
    for dummy in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return times, result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('--repeat', type=int, default=5)
    parser.add_argument('--sizes', default='1,50,500')
    parser.add_argument('--no-write', action='store_true', help='print only, do not write bench/results')
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(',')]
    layout = load_layout()
    python = sys.executable
    pyver = '%d.%d' % sys.version_info[:2]
    rows = []
    tmp = tempfile.mkdtemp(prefix='modwsgi-bench-')
    try:
        www, base = make_tree(tmp, max(sizes))
        for size in sizes:
            for check_fs in (False, True):
                sites = make_sites(size, base, python)

                def call():
                    return layout.validate(sites, mpm='event', document_roots=[www], check_filesystem=check_fs,
                                           mod_wsgi_python=pyver, base_dir=base, max_request_workers=1000,
                                           server_memory_mb=65536, fs=layout.FileSystem(run_command))
                times, result = time_call(call, args.repeat)
                if result.failed:
                    raise SystemExit('benchmark input has errors:\n' + result.error_message)
                row = {
                    'sites': size,
                    'check_filesystem': check_fs,
                    'repeat': args.repeat,
                    'min_s': round(min(times), 4),
                    'median_s': round(statistics.median(times), 4),
                    'max_s': round(max(times), 4),
                    'findings': len(result.findings),
                    'finding_ids': dict(sorted(collections.Counter(f.id for f in result.findings).items())),
                    'within_target': size < 500 or max(times) < TARGET_SECONDS,
                }
                rows.append(row)
                print('%4d sites  check_filesystem=%-5s  min %.4f s  median %.4f s  max %.4f s  (%d findings)'
                      % (size, check_fs, row['min_s'], row['median_s'], row['max_s'], row['findings']))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    meta = {
        'benchmark': 'validate_sites',
        'date': datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ'),
        'python': platform.python_version(),
        'machine': '%s, %d CPUs' % (platform.machine(), os.cpu_count() or 0),
        'target': '500 sites < %.1f s (each run, both modes)' % TARGET_SECONDS,
        'note': 'python-abi runs the interpreter once per distinct path (cached); the filesystem run includes it.',
    }
    ok = all(r['within_target'] for r in rows)
    meta['target_met'] = ok
    if not args.no_write:
        os.makedirs(RESULTS, exist_ok=True)
        with open(os.path.join(RESULTS, 'validate-sites.json'), 'w') as handle:
            json.dump({'meta': meta, 'results': rows}, handle, indent=2)
            handle.write('\n')
        lines = [
            '# validate_sites benchmark',
            '',
            'Generated by `bench/validate_sites_bench.py` on %s (Python %s, %s).' % (meta['date'], meta['python'], meta['machine']),
            'Target: %s. %s' % (meta['target'], 'Met.' if ok else '**Not met.**'),
            '',
            '| sites | check_filesystem | min (s) | median (s) | max (s) | findings (warnings, by rule id) |',
            '|---:|---|---:|---:|---:|---|',
        ]
        for r in rows:
            ids = ', '.join('%s %d' % item for item in r['finding_ids'].items()) or '-'
            lines.append('| %d | %s | %.4f | %.4f | %.4f | %s |' % (
                r['sites'], 'true' if r['check_filesystem'] else 'false', r['min_s'], r['median_s'], r['max_s'], ids))
        lines += ['', 'Each row: %d runs of `validate()` on the same input. %s' % (args.repeat, meta['note']),
                  'The generated inventory has no errors (five sites per host, four of them on sub-URL mounts, a mix of',
                  'bluegreen, restart and embedded sites); the warnings are the expected mount-nesting and capacity ones.', '']
        with open(os.path.join(RESULTS, 'validate-sites.md'), 'w') as handle:
            handle.write('\n'.join(lines))
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
