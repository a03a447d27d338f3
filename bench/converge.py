# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.django maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Converge benchmark: how long `ansible-playbook modwsgi.django.deploy` takes, against the floor.

In one run, on fresh Debian 12 containers (modwsgi-bench-floor, modwsgi-bench-converge):

  floor        what any tool must spend: `apt-get install -y apache2 libapache2-mod-wsgi-py3
               python3-venv`, then `python3 -m venv` + `pip install "Django>=5.2,<5.3"`
               (python3-venv: Debian's python3 has no venv/ensurepip without it)
  first        first converge of 1 site on a fresh container            target <= 1.3x floor
  noop@1       the same inventory again (must change nothing)
  grow to 10   9 more sites, then noop@10
  grow to N    N = 50, then noop@N                                   target noop@N < 2x noop@1
  add one      site N+1 added to N

The whole run is bounded by --budget-min (40): after the 1-site runs, and again after the middle
size, the per-site costs measured so far project each plan of --plans (10/50, then 10/25, 5/10,
3/5); the first that fits is run (the last one if none does) and the report says so.

Every container gets `apt-get update` before the timed steps (not timed), so the floor and the
collection start from the same package lists (the collection's apt tasks use cache_valid_time).
Sites s001..sNNN on sNNN.test, all from molecule/shared/projects/probe (source type path),
daemon mode with the collection's defaults. ansible.posix.profile_tasks times every task; the
per-task totals of each no-op run show where its time goes. Writes
bench/results/<date>-converge.{json,md}; logs and inventories go to bench/tmp/.

    python bench/converge.py [--plans 10:50,10:25,5:10,3:5] [--budget-min 40] [--no-adapt]
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _common as C  # noqa: E402

FLOOR = 'modwsgi-bench-floor'
TARGET = 'modwsgi-bench-converge'
PROBE = os.path.join(C.REPO, 'molecule', 'shared', 'projects', 'probe')
FIRST_TARGET = 1.3
NOOP_TARGET = 2.0
APT_PACKAGES = 'apache2 libapache2-mod-wsgi-py3 python3-venv'
RELOAD_S = 20.0     # projection: graceful reload + health checks of a run that adds sites
MARGIN = 1.15       # projection safety factor


def site(i):
    name = 's%03d' % i
    return {
        'name': name,
        'server_name': '%s.test' % name,
        'project': 'probe',
        'source': {'type': 'path', 'path': PROBE},
        'health_path': '/healthz/',
        'env': {'PROBE_SITE': name, 'PROBE_RELEASE': 'bench',
                'PROBE_DB_PATH': '/srv/django/%s/data/db.sqlite3' % name},
        'secrets': {'DJANGO_SECRET_KEY': 'bench-converge-%s-not-for-production-0123456789abcdef' % name},
    }


def inventory(count, host=TARGET):
    """bench/tmp/<host>-<count>.json: one host (the container), sites s001..s<count>."""
    data = {'all': {
        'hosts': {host: {'ansible_connection': 'community.docker.docker',
                         'ansible_python_interpreter': '/usr/bin/python3'}},
        'vars': {'apache_mpm': 'event', 'modwsgi_sites': [site(i) for i in range(1, count + 1)]},
    }}
    path = os.path.join(C.TMP, '%s-%d.json' % (host, count))
    C.write_text(path, json.dumps(data, indent=1) + '\n')
    return path


_TS = re.compile(r'^\w+day \d+ \w+ \d{4}\s+[\d:]+ [+-]\d{4} \((\d+):(\d+):([\d.]+)\)')
_TASK = re.compile(r'^(?:TASK|RUNNING HANDLER) \[(.*)\] \**$')


def task_times(output):
    """Per-task durations from profile_tasks' banner lines (each banner carries the previous task's time)."""
    tasks = []
    current = None
    for line in output.splitlines():
        m = _TASK.match(line)
        if m:
            current = m.group(1)
            continue
        m = _TS.match(line)
        if m:
            seconds = int(m.group(1)) * 3600 + int(m.group(2)) * 60 + float(m.group(3))
            if tasks:
                tasks[-1][1] = seconds
            if current is not None:
                tasks.append([current, None])
                current = None
    return [(name, sec) for name, sec in tasks if sec is not None]


def normalize(task):
    """Fold per-site task instances together: '... | s007 4f1c...' -> '... | <site>'."""
    task = re.sub(r'^modwsgi\.django\.', '', task)
    return re.sub(r'\bs\d{3}\b.*$', '<site>', task)


def by_task(output, top=12):
    totals = collections.OrderedDict()
    for name, sec in task_times(output):
        key = normalize(name)
        total, count = totals.get(key, (0.0, 0))
        totals[key] = (total + sec, count + 1)
    ranked = sorted(totals.items(), key=lambda kv: -kv[1][0])
    return [{'task': k, 'seconds': round(v[0], 1), 'runs': v[1]} for k, v in ranked[:top]]


def recap(output):
    m = re.search(r'ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=(\d+)', output)
    keys = ('ok', 'changed', 'unreachable', 'failed', 'skipped')
    return dict(zip(keys, map(int, m.groups()))) if m else {}


def changed_tasks(output):
    names, current = [], None
    for line in output.splitlines():
        m = _TASK.match(line)
        if m:
            current = m.group(1)
        elif line.startswith('changed:') and current and (not names or names[-1] != current):
            names.append(current)
    return names


class Bench:
    def __init__(self, args):
        self.args = args
        self.steps = []
        self.notes = []
        self.floor = {}
        self.projections = []
        self.started = time.monotonic()

    def elapsed(self):
        return time.monotonic() - self.started

    def measure_floor(self):
        c = C.Container(FLOOR)
        C.log('floor: fresh container %s' % FLOOR)
        c.start()
        try:
            t_update, _unused1 = c.timed('apt-get update -q >/dev/null')
            t_apt, _unused1 = c.timed('DEBIAN_FRONTEND=noninteractive apt-get install -y -q %s > /tmp/apt.log 2>&1 '
                                      '|| { tail -n 20 /tmp/apt.log; exit 1; }' % APT_PACKAGES)
            t_venv, _unused1 = c.timed('python3 -m venv /srv/floor-venv')
            t_pip, _unused1 = c.timed('/srv/floor-venv/bin/pip install -q --disable-pip-version-check "Django>=5.2,<5.3"')
        finally:
            c.remove()
        self.floor = {'apt_update_s (untimed prep)': round(t_update, 1), 'apt_install_s': round(t_apt, 1),
                      'venv_s': round(t_venv, 1), 'pip_django_s': round(t_pip, 1),
                      'total_s': round(t_apt + t_venv + t_pip, 1)}
        C.log('floor: apt %.1f s + venv %.1f s + pip %.1f s = %.1f s' % (t_apt, t_venv, t_pip, self.floor['total_s']))

    def converge(self, kind, count):
        inv = inventory(count)
        path = os.path.join(C.TMP, 'converge-%02d-%s-%d.log' % (len(self.steps) + 1, kind, count))
        C.log('%s: %d site(s)' % (kind, count))
        load_before = C.loadavg()
        seconds, out = C.ansible_playbook(inv, log_path=path, profile=True, timeout=7200)
        times = task_times(out)
        results = len(re.findall(r'^(?:ok|changed): \[', out, re.M))
        step = {'step': kind, 'sites': count, 'seconds': round(seconds, 1), 'recap': recap(out),
                'log': os.path.relpath(path, C.REPO), 'tasks_run': len(times), 'task_results': results,
                'loadavg_before': load_before, 'loadavg_after': C.loadavg(),
                'per_site_named_s': round(sum(sec for name, sec in times if '<site>' in normalize(name)) / count, 2),
                'top_tasks': by_task(out)}
        if kind == 'noop':
            step['changed_tasks'] = changed_tasks(out)
        self.steps.append(step)
        C.log('%s: %d site(s) took %.0f s (%s)' % (kind, count, seconds, step['recap']))
        return step

    def step(self, kind, count):
        for s in self.steps:
            if s['step'] == kind and s['sites'] == count:
                return s
        return None

    def project(self, mid, big, per_site_noop, per_site_extra, fixed_noop):
        """Projected seconds of: grow 1 -> mid, no-op at mid, grow mid -> big, no-op at big, add one.

        A run that adds k sites to n costs a no-op at n + k, a reload, and k times the extra work of
        a first deploy (venv, manage steps, activation)."""
        def noop(n):
            return fixed_noop + n * per_site_noop

        def grow(n, m):
            return noop(m) + RELOAD_S + (m - n) * per_site_extra
        parts = []
        if self.step('noop', mid) is None:
            parts += [grow(1, mid), noop(mid)]
        parts += [grow(mid, big), noop(big), grow(big, big + 1)]
        return MARGIN * sum(parts)

    def choose_plan(self):
        """The first of --plans whose projection fits what is left of the time budget (else the last).

        Before the middle size is measured, per-site costs come from the 1-site runs' per-site tasks
        (named '... | s001'); afterwards from the differences between the measured runs."""
        first, noop1 = self.step('first', 1), self.step('noop', 1)
        measured_mid = [s for s in self.steps if s['step'] == 'noop' and s['sites'] > 1]
        if measured_mid:
            mid_noop = measured_mid[-1]
            k = mid_noop['sites'] - 1
            per_site_noop = (mid_noop['seconds'] - noop1['seconds']) / k
            grow = self.step('grow', mid_noop['sites'])
            per_site_extra = (grow['seconds'] - mid_noop['seconds'] - RELOAD_S) / k
            basis = 'measured 1- and %d-site runs' % mid_noop['sites']
        else:
            per_site_noop = noop1['per_site_named_s']
            per_site_extra = first['per_site_named_s'] - noop1['per_site_named_s']
            basis = 'per-site tasks of the 1-site runs'
        # Noise can make a measured difference tiny or negative: never below the 1-site runs' own estimate.
        per_site_extra = max(per_site_extra, first['per_site_named_s'] - noop1['per_site_named_s'], 0.0)
        per_site_noop = max(per_site_noop, 0.1)
        fixed_noop = max(noop1['seconds'] - per_site_noop, 0.0)
        left = self.args.budget_min * 60 - self.elapsed()
        plans = []
        for mid, big in self.args.plans:
            if measured_mid and mid != measured_mid[-1]['sites']:
                continue
            total = self.project(mid, big, per_site_noop, per_site_extra, fixed_noop)
            plans.append({'mid': mid, 'big': big, 'projected_s': round(total), 'fits': total <= left})
        projection = {'basis': basis, 'per_site_noop_s': round(per_site_noop, 1),
                      'per_site_first_deploy_extra_s': round(per_site_extra, 1), 'fixed_noop_s': round(fixed_noop, 1),
                      'budget_left_s': round(left), 'plans': plans,
                      'noop_at_50_projected_s': round(fixed_noop + 50 * per_site_noop)}
        self.projections.append(projection)
        C.log('projection (%s): per-site no-op %.1f s, first deploy +%.1f s per site, %d s of budget left; %s' % (
            basis, per_site_noop, per_site_extra, left,
            ', '.join('%d/%d: %d s%s' % (p['mid'], p['big'], p['projected_s'], '' if p['fits'] else ' (too long)')
                      for p in plans)))
        if not self.args.adapt:
            return plans[0]['mid'], plans[0]['big']
        for p in plans:
            if p['fits']:
                return p['mid'], p['big']
        return plans[-1]['mid'], plans[-1]['big']

    def run(self):
        self.measure_floor()
        c = C.Container(TARGET)
        C.log('converge: fresh container %s' % TARGET)
        c.start()
        try:
            c.sh('apt-get update -q >/dev/null')
            self.converge('first', 1)
            self.converge('noop', 1)
            mid, big = self.choose_plan()
            self.converge('grow', mid)
            self.converge('noop', mid)
            _unused1, big = self.choose_plan()
            preferred = self.args.plans[0]
            if (mid, big) != tuple(preferred):
                self.notes.append('Sizes 1/%d/%d instead of 1/%d/%d: the projection did not fit the %g-minute budget '
                                  '(see "projections" in the JSON).'
                                  % (mid, big, preferred[0], preferred[1], self.args.budget_min))
            self.mid, self.big = mid, big
            self.converge('grow', big)
            self.converge('noop', big)
            self.converge('add', big + 1)
            self.daemons = c.sh("ps -eo args | grep -c '^(wsgi:'", check=False).stdout.strip()
            self.rss = c.sh("ps -eo rss,args | awk '$2 ~ /^\\(wsgi:/ {s+=$1} END {print int(s/1024)}'",
                            check=False).stdout.strip()
        finally:
            if self.args.keep:
                C.log('keeping container %s (--keep)' % TARGET)
            else:
                c.remove()
        self.wall = self.elapsed()
        self.write()

    def write(self):
        base = os.path.join(C.RESULTS, '%s-converge' % C.today())
        first = self.step('first', 1)
        noop1 = self.step('noop', 1)
        noop_big = self.step('noop', self.big)
        r_first = C.ratio(first['seconds'], self.floor['total_s'])
        r_noop = C.ratio(noop_big['seconds'], noop1['seconds'])
        targets = [
            {'target': 'first converge of 1 site <= %.1fx floor' % FIRST_TARGET, 'ratio': round(r_first, 2),
             'met': r_first <= FIRST_TARGET},
            {'target': 'no-op at %d sites < %.0fx no-op at 1' % (self.big, NOOP_TARGET), 'ratio': round(r_noop, 2),
             'met': r_noop < NOOP_TARGET},
        ]
        data = {
            'benchmark': 'converge', 'generated': C.now_iso(), 'script': 'bench/converge.py', 'image': C.IMAGE,
            'host': C.host_info(), 'floor': self.floor, 'steps': self.steps, 'targets': targets,
            'projections': self.projections, 'mid': self.mid, 'big': self.big,
            'wsgi_daemon_processes_at_end': self.daemons, 'wsgi_daemon_rss_mb_at_end': self.rss,
            'notes': self.notes, 'wall_seconds': round(self.wall, 1),
            'ansible': C.run(['ansible-playbook', '--version'], check=False).stdout.splitlines()[0],
        }
        C.write_json(base + '.json', data)
        C.write_text(base + '.md', self.markdown(data))
        C.log('wrote %s.{json,md} (converge bench wall time %.0f s)' % (base, self.wall))

    def rerender(self, path):
        with open(path) as handle:
            d = json.load(handle)
        self.steps, self.floor, self.mid, self.big = d['steps'], d['floor'], d['mid'], d['big']
        self.date = d['generated'][:10]
        md = os.path.splitext(path)[0] + '.md'
        C.write_text(md, self.markdown(d))
        C.log('rewrote %s' % md)

    def markdown(self, d):
        f = d['floor']
        first = self.step('first', 1)
        lines = [
            '# Converge benchmark (%s)' % d['generated'][:10], '',
            'Generated by `bench/converge.py` on %s (%s, controller Python %s, %s CPUs shared with other jobs). '
            'Target: fresh `%s` containers driven through `community.docker.docker`; every site is the probe project '
            '(source type path) in daemon mode with the collection\'s defaults, on its own host name.' % (
                d['generated'], d['ansible'], d['host']['controller_python'], d['host']['cpus'], C.IMAGE),
            '',
            '## Targets (issue 7)', '',
            '| target | measured | ratio | met |', '|---|---|---:|---|',
            '| %s | %.0f s vs floor %.1f s | %s | %s |' % (
                d['targets'][0]['target'], first['seconds'], f['total_s'], C.fmt_ratio(d['targets'][0]['ratio']),
                '**met**' if d['targets'][0]['met'] else '**not met**'),
            '| %s | %.0f s vs %.0f s | %s | %s |' % (
                d['targets'][1]['target'], self.step('noop', self.big)['seconds'],
                self.step('noop', 1)['seconds'], C.fmt_ratio(d['targets'][1]['ratio']),
                '**met**' if d['targets'][1]['met'] else '**not met**'),
            '',
            '## Floor (fresh container, same run)', '',
            '| step | seconds |', '|---|---:|',
            '| `apt-get install -y %s` | %.1f |' % (APT_PACKAGES, f['apt_install_s']),
            '| `python3 -m venv` | %.1f |' % f['venv_s'],
            '| `pip install "Django>=5.2,<5.3"` | %.1f |' % f['pip_django_s'],
            '| **floor** | **%.1f** |' % f['total_s'],
            '', '(`apt-get update` ran before, untimed, here and in the converge container: %.1f s.)' % f['apt_update_s (untimed prep)'],
            '',
            '## Converge runs', '',
            '| step | sites | seconds | per site | tasks | task results (loop items) | ok / changed / skipped | vs floor | vs no-op@1 | host load |',
            '|---|---:|---:|---:|---:|---:|---|---:|---:|---:|',
        ]
        noop1 = self.step('noop', 1)['seconds']
        label = {'first': 'first converge (fresh container)', 'noop': 'no-op rerun', 'grow': 'add sites up to',
                 'add': 'add one site, up to'}
        for s in self.steps:
            r = s['recap']
            lines.append('| %s | %d | %.0f | %.1f | %d | %d | %s / %s / %s | %s | %s | %s |' % (
                label[s['step']], s['sites'], s['seconds'], s['seconds'] / s['sites'], s['tasks_run'], s['task_results'],
                r.get('ok'), r.get('changed'), r.get('skipped'),
                C.fmt_ratio(C.ratio(s['seconds'], f['total_s'])),
                C.fmt_ratio(C.ratio(s['seconds'], noop1)) if s['step'] == 'noop' else '-',
                '%.1f -> %.1f' % (s['loadavg_before'], s['loadavg_after']) if s.get('loadavg_before') is not None else '-'))
        bad = [s for s in self.steps if s['step'] == 'noop' and s['recap'].get('changed')]
        for s in bad:
            lines.append('\nNot idempotent: the no-op at %d sites changed: %s' % (s['sites'], '; '.join(s['changed_tasks'])))
        n1 = self.step('noop', 1)['seconds']
        nm = self.step('noop', self.mid)['seconds']
        nb = self.step('noop', self.big)['seconds']
        early, late = (nm - n1) / (self.mid - 1), (nb - nm) / (self.big - self.mid)
        slope = (nb - n1) / (self.big - 1)
        lines += ['', 'No-op cost per extra site: %.1f s from 1 to %d sites, %.1f s from %d to %d sites, %.1f s on average '
                  '(no-op@1 %.0f s). Shared 2-core host: compare the per-run seconds of fixed-cost tasks in the tables '
                  'below (and the host load column) before reading a trend into the two slopes.' % (
                      early, self.mid, late, self.mid, self.big, slope, n1)]
        if self.big < 50:
            p50 = n1 + 49 * slope
            lines.append('Extrapolated linearly, a no-op at 50 sites would take ~%.0f s, ~%.0fx the no-op at 1 '
                         '(not measured in this run).' % (p50, p50 / n1))
        lines += ['', 'At the end: %s WSGI daemon processes (two colors per site), %s MB RSS together.' % (
            d['wsgi_daemon_processes_at_end'], d['wsgi_daemon_rss_mb_at_end'])]
        for s in [self.step('first', 1), self.step('noop', 1),
                  self.step('noop', self.big), self.step('add', self.big + 1)]:
            lines += ['', '### Where the time goes: %s, %d site(s) (%.0f s; task totals, per-site tasks summed)' % (
                label[s['step']], s['sites'], s['seconds']), '',
                '| task | runs | seconds | per run |', '|---|---:|---:|---:|']
            for t in s['top_tasks']:
                lines.append('| %s | %d | %.1f | %.1f |'
                             % (t['task'].replace('|', '\\|'), t['runs'], t['seconds'], t['seconds'] / t['runs']))
        if d['notes']:
            lines += ['', '## Notes', ''] + ['- %s' % n for n in d['notes']]
        lines += ['', '"runs" counts task instances (a task included once per site runs once per site); a loop task\'s '
                  'seconds cover all its items. "task results" counts ok/changed lines, one per loop item: roughly the '
                  'number of module executions on the target.']
        lines += ['', 'Logs of every run: bench/tmp/ (not committed). Converge bench wall time: %.0f s.' % d['wall_seconds'], '']
        return '\n'.join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--plans', default='10:50,10:25,5:10,3:5',
                        help='middle:big site counts, preferred first; the last runs even when it does not fit '
                             '(default 10:50,10:25,5:10,3:5)')
    parser.add_argument('--budget-min', type=float, default=40.0, help='time budget of the whole converge bench (minutes)')
    parser.add_argument('--no-adapt', dest='adapt', action='store_false',
                        help='always run the first plan, whatever the projection says')
    parser.add_argument('--keep', action='store_true', help='keep the converge container afterwards')
    parser.add_argument('--from-json', metavar='PATH', help='only rewrite the markdown of an earlier results JSON')
    args = parser.parse_args()
    try:
        args.plans = [tuple(int(x) for x in plan.split(':')) for plan in args.plans.split(',') if plan]
    except ValueError:
        parser.error('--plans: comma-separated middle:big pairs, e.g. 10:50,10:25')
    if not args.plans or any(len(p) != 2 or not 1 < p[0] < p[1] for p in args.plans):
        parser.error('--plans: each pair needs 1 < middle < big')
    if args.from_json:
        Bench(args).rerender(args.from_json)
        return
    C.require_tools()
    Bench(args).run()


if __name__ == '__main__':
    main()
