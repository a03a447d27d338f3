# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.django maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Deploy speed, two versions of the collection side by side in one run (issue 20).

BEFORE (a git ref, default the main of 2026-12-05) and AFTER (default HEAD) each run their own playbooks,
roles and plugins (bench/noop_compare.py's materialize/preflight) against their own containers, in
interleaved rounds (the order of the two sides alternates from round to round), so that the drift of a
shared, noisy host hits both:

  noop1     a no-op converge of 1 site (changed=0 is checked)
  deploy    new code (the probe project's CODE_VERSION changes, so the release id does): seconds from the
            start of `ansible-playbook modwsgi.django.deploy` until the first request answered by the new
            code, under a paced load through 127.0.0.1 inside the container (molecule/shared/files/
            loadgen.py, 2 threads, one request per 20 ms each); failed requests counted
  rollback  seconds from the start of the rollback command until the first request answered by the old
            code again: BEFORE `modwsgi.django.deploy -e django_site_rollback=true`, AFTER
            `modwsgi.django.rollback`; failed requests counted
  noop50    a no-op converge of 50 sites (each side converges its own 50 sites first)
  first     a first converge of 1 site on a fresh container, beside the provisioning floor measured in the
            same round on another fresh container (apt-get install apache2 libapache2-mod-wsgi-py3
            python3-venv, python3 -m venv, pip install Django)

Every ansible-playbook run is profiled (ansible.posix.profile_tasks): the report gives per-phase totals
(facts, validate/read, apache, mod_wsgi, plan, files, build, apache config, activate, prune, other) of the
median run of each side and part. Writes bench/results/<date>-speed.{json,md}; logs in bench/tmp/.

    python bench/speed.py [--before REF] [--after HEAD|REF|worktree] [--rounds 3] [--parts noop1,deploy,rollback,noop50,first]
                          [--sites 50] [--keep] [--replace]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _common as C  # noqa: E402
import converge as CV  # noqa: E402
import noop_compare as NC  # noqa: E402

BEFORE = 'c1770a6'     # main at the start of issue 20
PARTS = ('noop1', 'deploy', 'rollback', 'noop50', 'first')
LOADGEN = os.path.join(C.REPO, 'molecule', 'shared', 'files', 'loadgen.py')
HOST = 's001.test'
TARGETS = {'noop1': 3.0, 'noop50': 4.0, 'deploy': 5.0, 'rollback': 1.0, 'first': 1.5}

PHASES = (
    ('facts', ('Gathering Facts',)),
    ('validate/read', ('Validate', 'Check every site', 'Requirements resolve', 'Which Python the installed mod_wsgi',
                       'Plan from this read', 'read the host')),
    ('plan', ('Plan ', 'Pack each site', 'Which releases', 'Render every', 'Which accounts', 'Remember', 'The plan')),
    ('build', ('Unpack', 'Copy the packed', 'Virtualenv of the release', 'Management steps', 'check --deploy findings',
               'First deploy', 'Fetch the code', 'Release id', 'Remember the release', 'Build the release')),
    ('activate', ('Activate release', 'Health check', 'Graceful reload for new embedded', 'Roll back', 'Flip each site')),
    ('prune', ('Prune',)),
    ('files', ('Directories', 'Settings and environment', 'Colors map', 'log files', 'Managed vhost files')),
    ('apache config', ('Write, test', 'Activate the Apache change', 'Reload gracefully', 'Restart (the MPM')),
    ('packages/accounts', ('Install packages', 'Which of the packages', 'Existing groups', 'Existing users', 'Groups of',
                           'Users of', 'Enable and start')),
)


def phase_of(task):
    name = task.split(' : ', 1)[-1]
    for phase, words in PHASES:
        if any(word in name for word in words):
            return phase
    if task.startswith('modwsgi.django.apache :') or task.startswith('apache :'):
        return 'apache'
    if task.startswith('modwsgi.django.mod_wsgi :') or task.startswith('mod_wsgi :'):
        return 'mod_wsgi'
    return 'other'


def phases(output):
    totals = {}
    for name, seconds in CV.task_times(output):
        phase = phase_of(re.sub(r'^modwsgi\.django\.', '', name))
        totals[phase] = round(totals.get(phase, 0.0) + seconds, 2)
    return totals


def site(name, src):
    data = CV.site(int(name[1:]))
    data['source'] = {'type': 'path', 'path': src}
    return data


def inventory(path, host, count, src):
    data = {'all': {'hosts': {host: {'ansible_connection': 'community.docker.docker',
                                     'ansible_python_interpreter': '/usr/bin/python3'}},
                    'vars': {'apache_mpm': 'event',
                             'modwsgi_sites': [site('s%03d' % i, src) for i in range(1, count + 1)]}}}
    C.write_text(path, json.dumps(data, indent=1) + '\n')
    return path


def median(values):
    return statistics.median(values) if values else None


def spread(values):
    return (min(values), max(values)) if values else (None, None)


class Speed:
    def __init__(self, args):
        self.args = args
        self.sides = {}
        self.runs = []
        self.tag = 'speed'

    # ------------------------------------------------------------------ helpers
    def env(self, side):
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=self.sides[side]['path'], ANSIBLE_STDOUT_CALLBACK='default',
                   ANSIBLE_CALLBACKS_ENABLED='ansible.posix.profile_tasks', PROFILE_TASKS_TASK_OUTPUT_LIMIT='all',
                   PROFILE_TASKS_SORT_ORDER='none')
        env.setdefault('MODWSGI_ROOT', C.REPO)
        return env

    def play(self, side, part, rnd, inventory_path, playbook='modwsgi.django.deploy', extra=(), start_hook=None):
        """Run one ansible-playbook; returns (seconds, wall-clock start, output)."""
        log = os.path.join(C.TMP, '%s-%02d-%s-%s.log' % (self.tag, len(self.runs) + 1, part, side))
        cmd = ['ansible-playbook', '-i', inventory_path, playbook] + list(extra)
        load = C.loadavg()
        started_wall = time.time()
        started = time.monotonic()
        res = subprocess.run(cmd, capture_output=True, text=True, env=self.env(side), cwd=C.REPO, timeout=7200, check=False)
        seconds = time.monotonic() - started
        out = res.stdout + res.stderr
        C.write_text(log, '$ %s\n%s\n# %.1f s, rc %d\n' % (' '.join(cmd), out, seconds, res.returncode))
        if res.returncode != 0:
            raise NC.BenchError('%s %s (%s) failed, log %s' % (part, side, self.sides[side]['ref'], os.path.relpath(log, C.REPO)))
        run = {'side': side, 'part': part, 'round': rnd, 'seconds': round(seconds, 2), 'recap': CV.recap(out),
               'phases': phases(out), 'tasks_run': len(CV.task_times(out)), 'loadavg_before': load,
               'loadavg_after': C.loadavg(), 'log': os.path.relpath(log, C.REPO)}
        self.runs.append(run)
        C.log('%s %s round %d: %.2f s (changed=%s)' % (part, side, rnd, seconds, run['recap'].get('changed')))
        return run, started_wall

    def box(self, name):
        box = C.Container(C.PREFIX + name)
        if box.exists() and not self.args.replace:
            raise NC.BenchError('container %s exists: use --replace to remove it' % box.name)
        box.start()
        box.sh('apt-get update -q >/dev/null')
        return box

    def source(self, side, version):
        """bench/tmp/speed-src-<side>: the probe project with CODE_VERSION = version (a new release id)."""
        dest = os.path.join(C.TMP, 'speed-src-%s' % side)
        if not os.path.isdir(dest):
            shutil.copytree(CV.PROBE, dest, ignore=shutil.ignore_patterns('__pycache__', '*.pyc', 'db.sqlite3'))
        C.write_text(os.path.join(dest, 'CODE_VERSION'), version + '\n')
        return dest

    # ------------------------------------------------------------------ parts
    def timed_switch(self, box, side, part, rnd, inventory_path, want, playbook='modwsgi.django.deploy', extra=()):
        """Run a playbook under the paced load; seconds until the first answer from code version ``want``."""
        out = '/tmp/speed-load.json'
        box.sh('rm -f /tmp/speed-stop %s' % out)
        box.sh_bg('python3 /opt/loadgen.py --host %s --out %s --threads 2 --interval 0.02 --slow 0 --seconds 300 '
                  '--stop-file /tmp/speed-stop --tail 1.5 --max-requests 40000' % (HOST, out))
        time.sleep(1.0)
        try:
            run, started = self.play(side, part, rnd, inventory_path, playbook, extra)
        finally:
            box.sh('touch /tmp/speed-stop')
        for _i in range(100):
            if box.sh('test -s %s' % out, check=False).returncode == 0:
                break
            time.sleep(0.2)
        report = json.loads(box.sh('cat %s' % out).stdout)
        requests = report['requests']
        seen = [r['end'] for r in requests if r.get('code_version') == want and r['start'] >= started]
        run['requests'] = len(requests)
        run['failed'] = len([r for r in requests if r['status'] != 200])
        run['to_code_s'] = round(min(seen) - started, 2) if seen else None
        C.log('%s %s round %d: code %s served after %s s, %d requests, %d failed'
              % (part, side, rnd, want, run['to_code_s'], run['requests'], run['failed']))
        return run

    def one_site(self, rounds):
        boxes, inventories = {}, {}
        for side in ('before', 'after'):
            boxes[side] = self.box('speed-%s' % side)
            boxes[side].put(LOADGEN, '/opt/loadgen.py')
            inventories[side] = inventory(os.path.join(C.TMP, 'speed-%s-1.json' % side), boxes[side].name, 1,
                                          self.source(side, '%s-0' % side))
            self.play(side, 'setup1', 0, inventories[side])
        live = dict((side, '%s-0' % side) for side in boxes)
        try:
            for rnd in range(1, rounds + 1):
                order = ('before', 'after') if rnd % 2 else ('after', 'before')
                for side in order:
                    box, inv = boxes[side], inventories[side]
                    old, new = live[side], '%s-%d' % (side, rnd)
                    self.source(side, new)
                    self.timed_switch(box, side, 'deploy', rnd, inv, new)
                    live[side] = new
                    if 'noop1' in self.args.parts:
                        self.play(side, 'noop1', rnd, inv)   # the source is the live code: nothing to do
                    if 'rollback' in self.args.parts:
                        if side == 'before':
                            self.timed_switch(box, side, 'rollback', rnd, inv, old, extra=('-e', 'django_site_rollback=true'))
                        else:
                            self.timed_switch(box, side, 'rollback', rnd, inv, old, playbook='modwsgi.django.rollback')
                        live[side] = old
        finally:
            for box in boxes.values():
                if not self.args.keep:
                    box.remove()

    def many_sites(self, rounds, count):
        boxes, inventories = {}, {}
        for side in ('before', 'after'):
            boxes[side] = self.box('speed50-%s' % side)
            inventories[side] = inventory(os.path.join(C.TMP, 'speed-%s-%d.json' % (side, count)), boxes[side].name, count, CV.PROBE)
            self.play(side, 'setup%d' % count, 0, inventories[side])
        try:
            for rnd in range(1, rounds + 1):
                for side in (('before', 'after') if rnd % 2 else ('after', 'before')):
                    self.play(side, 'noop50', rnd, inventories[side])
        finally:
            for box in boxes.values():
                if not self.args.keep:
                    box.remove()

    def first(self, rounds):
        for rnd in range(1, rounds + 1):
            floor = self.box('speed-floor')
            try:
                t_apt, _res = floor.timed('DEBIAN_FRONTEND=noninteractive apt-get install -y -q %s > /tmp/apt.log 2>&1 '
                                          '|| { tail -n 20 /tmp/apt.log; exit 1; }' % CV.APT_PACKAGES)
                t_venv, _res = floor.timed('python3 -m venv /srv/floor-venv')
                t_pip, _res = floor.timed('/srv/floor-venv/bin/pip install -q --disable-pip-version-check "Django>=5.2,<5.3"')
            finally:
                floor.remove()
            self.runs.append({'side': 'floor', 'part': 'first', 'round': rnd, 'seconds': round(t_apt + t_venv + t_pip, 2),
                              'floor': {'apt': round(t_apt, 2), 'venv': round(t_venv, 2), 'pip': round(t_pip, 2)}})
            C.log('floor round %d: %.1f s' % (rnd, t_apt + t_venv + t_pip))
            for side in (('before', 'after') if rnd % 2 else ('after', 'before')):
                box = self.box('speed-first-%s' % side)
                try:
                    inv = inventory(os.path.join(C.TMP, 'speed-first-%s.json' % side), box.name, 1, CV.PROBE)
                    self.play(side, 'first', rnd, inv)
                finally:
                    box.remove()

    # ------------------------------------------------------------------ run + report
    def run(self):
        inv = inventory(os.path.join(C.TMP, 'speed-preflight.json'), C.PREFIX + 'speed-preflight', 1, CV.PROBE)
        for side, ref in (('before', self.args.before), ('after', self.args.after)):
            self.sides[side] = NC.materialize(os.path.join(C.TMP, 'speed-%s-collection' % side), ref)
            NC.preflight(side, self.sides[side], inv)
            C.log('%s = %s (%s)' % (side, ref, self.sides[side]['commit'][:12]))
        started = time.monotonic()
        if set(self.args.parts) & {'noop1', 'deploy', 'rollback'}:
            self.one_site(self.args.rounds)
        if 'first' in self.args.parts:
            self.first(self.args.rounds)
        if 'noop50' in self.args.parts:
            self.many_sites(self.args.rounds, self.args.sites)
        self.elapsed = time.monotonic() - started
        return self.write()

    def values(self, part, side, key='seconds'):
        return [r[key] for r in self.runs if r['part'] == part and r['side'] == side and r.get(key) is not None]

    def summary(self):
        rows = []
        for part in self.args.parts:
            key = 'to_code_s' if part in ('deploy', 'rollback') else 'seconds'
            before, after = self.values(part, 'before', key), self.values(part, 'after', key)
            row = {'part': part, 'metric': key, 'before': before, 'after': after,
                   'median_before': median(before), 'median_after': median(after),
                   'ratio': C.ratio(median(after), median(before))}
            if part in ('deploy', 'rollback'):
                row['failed_before'] = sum(self.values(part, 'before', 'failed'))
                row['failed_after'] = sum(self.values(part, 'after', 'failed'))
            if part == 'first':
                floor = self.values('first', 'floor')
                row['floor'] = floor
                row['median_floor'] = median(floor)
                row['after_over_floor'] = C.ratio(median(after), median(floor))
                row['before_over_floor'] = C.ratio(median(before), median(floor))
            if part.startswith('noop'):
                row['changed_after'] = [r['recap'].get('changed') for r in self.runs if r['part'] == part and r['side'] == 'after']
            rows.append(row)
        return rows

    def median_phases(self, part, side):
        runs = [r for r in self.runs if r['part'] == part and r['side'] == side and 'phases' in r]
        if not runs:
            return {}
        runs.sort(key=lambda r: r['seconds'])
        return runs[len(runs) // 2]['phases']

    def write(self):
        data = {'generated': C.now_iso(), 'host': C.host_info(), 'sides': self.sides, 'args': vars(self.args),
                'elapsed_s': round(self.elapsed), 'summary': self.summary(), 'runs': self.runs,
                'phases': dict((part, {'before': self.median_phases(part, 'before'), 'after': self.median_phases(part, 'after')})
                               for part in self.args.parts)}
        base = os.path.join(C.RESULTS, '%s-speed' % C.today())
        C.write_json(base + '.json', data)
        C.write_text(base + '.md', self.markdown(data))
        C.log('results: %s.{json,md}' % os.path.relpath(base, C.REPO))
        return 0

    def markdown(self, data):
        def fmt(value):
            return '-' if value is None else ('%.2f' % value)
        lines = ['# Deploy speed: %s vs %s (%s)' % (self.args.before, self.args.after, C.today()), '',
                 'Generated by `bench/speed.py` on %s (%s, %s CPUs shared with other jobs), %d interleaved rounds, %d min.'
                 % (data['generated'], C.run(['ansible-playbook', '--version']).stdout.splitlines()[0], data['host'].get('cpus'),
                    self.args.rounds, data['elapsed_s'] // 60), '',
                 '| side | ref | commit |', '|---|---|---|']
        for side in ('before', 'after'):
            lines.append('| %s | `%s` | %s |' % (side, self.sides[side]['ref'], self.sides[side]['commit'][:12]))
        lines += ['', '## Result (medians; every run in brackets)', '',
                  '| part | measure | before | after | after / before | target | other |', '|---|---|---:|---:|---:|---|---|']
        for row in data['summary']:
            measure = {'noop1': 'no-op, 1 site (s)', 'noop50': 'no-op, 50 sites (s)', 'deploy': 'new code served after (s)',
                       'rollback': 'old code served after (s)', 'first': 'first converge, 1 site (s)'}[row['part']]
            other = ''
            if row['part'] in ('deploy', 'rollback'):
                other = 'failed requests: before %d, after %d' % (row['failed_before'], row['failed_after'])
            if row['part'] == 'first':
                other = 'floor %s s [%s]; after / floor **%s**, before / floor %s' % (
                    fmt(row['median_floor']), ', '.join(fmt(v) for v in row['floor']), C.fmt_ratio(row['after_over_floor']),
                    C.fmt_ratio(row['before_over_floor']))
            if row['part'].startswith('noop'):
                other = 'changed (after): %s' % row['changed_after']
            target = TARGETS[row['part']]
            target_text = ('<= %.1fx floor' % target) if row['part'] == 'first' else ('%s %.1f s' % ('<' if row['part'].startswith('noop') else '<=', target))
            lines.append('| %s | %s | %s [%s] | %s [%s] | %s | %s | %s |' % (
                row['part'], measure, fmt(row['median_before']), ', '.join(fmt(v) for v in row['before']),
                fmt(row['median_after']), ', '.join(fmt(v) for v in row['after']), C.fmt_ratio(row['ratio']), target_text, other))
        lines += ['', '## Where the time goes (profile_tasks, median run of each side, seconds per phase)', '']
        names = [name for name, _words in PHASES] + ['apache', 'mod_wsgi', 'other']
        lines += ['| part | side | ' + ' | '.join(names) + ' |', '|---|---|' + '---:|' * len(names)]
        for part, sides in data['phases'].items():
            for side in ('before', 'after'):
                if sides[side]:
                    lines.append('| %s | %s | %s |' % (part, side, ' | '.join(fmt(sides[side].get(name)) for name in names)))
        lines += ['', '## Runs (in order)', '', '| # | part | side | round | seconds | to code | requests | failed | recap | load |',
                  '|---:|---|---|---:|---:|---:|---:|---:|---|---|']
        for index, run in enumerate(self.runs, 1):
            recap = run.get('recap') or {}
            lines.append('| %d | %s | %s | %d | %s | %s | %s | %s | %s | %s |' % (
                index, run['part'], run['side'], run['round'], fmt(run['seconds']), fmt(run.get('to_code_s')),
                run.get('requests', '-'), run.get('failed', '-'),
                '%s/%s/%s' % (recap.get('ok', '-'), recap.get('changed', '-'), recap.get('skipped', '-')) if recap else '-',
                '%s -> %s' % (run.get('loadavg_before'), run.get('loadavg_after')) if 'loadavg_before' in run else '-'))
        lines += ['', 'Logs of every run: bench/tmp/speed-*.log (not committed).', '']
        return '\n'.join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('--before', default=BEFORE)
    parser.add_argument('--after', default='HEAD')
    parser.add_argument('--rounds', type=int, default=3)
    parser.add_argument('--sites', type=int, default=50)
    parser.add_argument('--parts', default=','.join(PARTS))
    parser.add_argument('--keep', action='store_true')
    parser.add_argument('--replace', action='store_true')
    args = parser.parse_args(argv)
    args.parts = [part for part in args.parts.split(',') if part]
    unknown = set(args.parts) - set(PARTS)
    if unknown:
        parser.error('unknown parts: %s (known: %s)' % (', '.join(sorted(unknown)), ', '.join(PARTS)))
    C.require_tools()
    try:
        return Speed(args).run()
    except NC.BenchError as exc:
        C.log('speed: %s' % exc)
        return 2


if __name__ == '__main__':
    sys.exit(main())
