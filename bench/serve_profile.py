# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.django maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Where the Apache front's CPU goes: perf on the host against the serve container's Apache children.

Needs the container of `bench/serve.py --keep` (modwsgi-bench-serve, the collection default deployed
and running) and `perf` on the host (Linux perf run as root; the container's processes are profiled
from outside, by pid, so the container needs no privileges). While `wrk -t2 -cN` loads the trivial
view inside the container it takes three looks at the Apache children (not the daemons):

1. `perf record -e cpu-clock -g`: CPU by shared object, by system call (kernel call graph,
   children included) and the top symbols;
2. `perf trace -s`: system calls per request (requests = connects to the daemon socket);
3. `perf record -e syscalls:sys_enter_newfstatat --call-graph dwarf`: which code stats files.

Writes bench/results/<date>-serve-profile.md (the tops of the reports) and .json.

    python bench/serve_profile.py [--conc 64] [--seconds 10] [--view /minimal/]
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _common as C  # noqa: E402

NAME = C.PREFIX + 'serve'


def apache_children(name):
    """Host pids of the Apache children (www-data) of the collection's Apache, not the daemons."""
    out = C.run(['docker', 'top', name, '-eo', 'pid,user,args']).stdout.splitlines()[1:]
    return [line.split()[0] for line in out
            if len(line.split()) >= 3 and line.split()[1] == 'www-data' and line.split()[2] == '/usr/sbin/apache2']


def load(name, conc, seconds, view):
    C.run(['docker', 'exec', '-d', name, 'bash', '-c',
           "wrk -t2 -c%d -d%ds -H 'Host: bench.test' http://127.0.0.1:80%s > /tmp/wrk-profile.txt 2>&1"
           % (conc, seconds, view)])
    time.sleep(3)


def wrk_rps(name):
    out = C.run(['docker', 'exec', name, 'cat', '/tmp/wrk-profile.txt'], check=False).stdout
    m = re.search(r'Requests/sec:\s+([\d.]+)', out)
    return float(m.group(1)) if m else None


def report(data, *args):
    res = subprocess.run(['perf', 'report', '-i', data, '--stdio'] + list(args), capture_output=True, text=True, check=False)
    rows = []
    for line in res.stdout.splitlines():
        m = re.match(r'^\s+([\d.]+)%\s+(?:([\d.]+)%\s+)?(.*\S)\s*$', line)
        if m:
            rows.append((float(m.group(1)), m.group(3)))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--conc', type=int, default=64)
    parser.add_argument('--seconds', type=int, default=10, help='seconds of each recording (default 10)')
    parser.add_argument('--view', default='/minimal/')
    parser.add_argument('--container', default=NAME)
    args = parser.parse_args()
    pids = apache_children(args.container)
    if not pids:
        sys.exit('no Apache children in %s: run bench/serve.py --keep first' % args.container)
    tmp = tempfile.mkdtemp(prefix='serve-profile-')
    result = {'generated': C.now_iso(), 'container': args.container, 'conc': args.conc, 'view': args.view,
              'seconds': args.seconds, 'pids': pids, 'loadavg': C.loadavg(), 'perf': C.run(['perf', '--version']).stdout.strip()}

    # 1. CPU samples with the kernel call graph.
    data = os.path.join(tmp, 'cpu.data')
    load(args.container, args.conc, args.seconds + 6, args.view)
    C.run(['perf', 'record', '-q', '-F', '1999', '-e', 'cpu-clock', '-g', '-p', ','.join(pids), '-o', data,
           '--', 'sleep', str(args.seconds)], timeout=args.seconds + 60)
    time.sleep(4)
    result['rps_cpu'] = wrk_rps(args.container)
    result['by_dso'] = report(data, '--no-children', '--sort', 'dso', '-g', 'none')[:15]
    result['by_syscall'] = [r for r in report(data, '--children', '--sort', 'sym', '-g', 'none')
                            if re.search(r'\[k\] (__x64_sys_|__do_sys_)', r[1])][:15]
    result['top_symbols'] = report(data, '--no-children', '--sort', 'dso,sym', '-g', 'none')[:30]

    # 2. System calls per request.
    summary = os.path.join(tmp, 'trace.txt')
    load(args.container, args.conc, args.seconds + 6, args.view)
    C.run(['perf', 'trace', '-s', '-p', ','.join(pids), '-o', summary, '--', 'sleep', str(args.seconds)],
          timeout=args.seconds + 60)
    time.sleep(4)
    calls, errors = collections.Counter(), collections.Counter()
    with open(summary) as handle:
        for m in re.finditer(r'^\s+(\w+)\s+(\d+)\s+(\d+)\s+[\d.]+', handle.read(), re.M):
            calls[m.group(1)] += int(m.group(2))
            errors[m.group(1)] += int(m.group(3))
    requests = calls.get('connect') or 1
    result['requests_traced'] = calls.get('connect')
    result['syscalls_per_request'] = [(k, round(v / requests, 2), round(errors[k] / requests, 2)) for k, v in calls.most_common()]

    # 3. Who stats files.
    data = os.path.join(tmp, 'stat.data')
    load(args.container, 4, 6, args.view)
    C.run(['perf', 'record', '-q', '-e', 'syscalls:sys_enter_newfstatat', '--call-graph', 'dwarf,16384',
           '-p', ','.join(pids), '-o', data, '--', 'sleep', '1'], timeout=120)
    script = subprocess.run(['perf', 'script', '-i', data, '--no-inline'], capture_output=True, text=True, check=False).stdout
    callers = collections.Counter()
    for block in script.split('\n\n'):
        frames = [f.strip().split(None, 1)[-1].split(' (')[0] for f in block.strip().splitlines()[1:]]
        callers[' <- '.join(frames[2:6])] += 1
    total = sum(callers.values()) or 1
    result['stat_callers'] = [(round(100.0 * n / total, 1), k) for k, n in callers.most_common(6) if k]
    time.sleep(4)

    date = C.today()
    base = os.path.join(C.RESULTS, '%s-serve-profile' % date)
    C.write_json(base + '.json', result)
    C.write_text(base + '.md', markdown(result))
    C.log('wrote %s.{json,md}' % base)


def markdown(r):
    lines = ['# Where the Apache front\'s CPU goes (%s)' % r['generated'][:10], '',
             'Generated by `bench/serve_profile.py` on %s: %s on the host against the Apache children (pids %s, not '
             'the daemons) of `%s` (the collection default of `bench/serve.py --keep`), while `wrk -t2 -c%d` loads %s '
             'inside the container (%.0f req/s during the CPU recording); %d s per recording; host load average %s.'
             % (r['generated'], r['perf'], ', '.join(r['pids']), r['container'], r['conc'], r['view'],
                r.get('rps_cpu') or 0, r['seconds'], r['loadavg']), '',
             '## CPU by shared object (self time)', '', '| share | object |', '|---:|---|']
    lines += ['| %.1f%% | %s |' % row for row in r['by_dso']]
    lines += ['', '## CPU by system call (kernel call graph, children included)', '', '| share | system call |', '|---:|---|']
    lines += ['| %.1f%% | %s |' % row for row in r['by_syscall']]
    lines += ['', '## System calls per request (`perf trace -s`, %s requests)' % r['requests_traced'], '',
              '| call | per request | of them failed |', '|---|---:|---:|']
    lines += ['| %s | %.2f | %.2f |' % row for row in r['syscalls_per_request']]
    lines += ['', '## Who calls stat (share of newfstatat calls, user stack)', '', '| share | callers |', '|---:|---|']
    lines += ['| %.1f%% | %s |' % row for row in r['stat_callers']]
    lines += ['', '## Top symbols (self time)', '', '| share | object, symbol |', '|---:|---|']
    lines += ['| %.2f%% | %s |' % (row[0], ' '.join(row[1].split())) for row in r['top_symbols']]
    lines.append('')
    return '\n'.join(lines)


if __name__ == '__main__':
    main()
