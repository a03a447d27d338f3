# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.django maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""No-op converge, two versions of the collection side by side in one run (issue 15).

A refactor must keep behaviour and must not make the run that changes nothing slower. In one run,
on one fresh Debian 12 container (--name, default modwsgi-bench-noop-compare):

  0. apt-get update (not timed);
  1. converge --sites sites (default 50, the converge bench's probe sites s001..sNNN) with BEFORE;
  2. --rounds times (default 3): a no-op with BEFORE, then a no-op with AFTER; each one timed, with
     its recap, its changed tasks, the host load before and after, and profile_tasks' task totals.

Interleaving the two versions cancels the drift of a shared, noisy host. AFTER's first no-op runs on
a host BEFORE built: changed=0 there proves the refactor changed nothing on a live host. When it
changed something, the report lists what, and the medians come from the later rounds only.
Verdict: "no slower" when median(AFTER) / median(BEFORE) <= 1.10 (the run-to-run noise of a no-op
on a shared 2-core host; the report also gives the spread of each side's runs in the same run).

Each version is the collection at a git ref, materialized with `git archive REF | tar -x` into
bench/tmp/<tag>-<side>/ansible_collections/modwsgi/django and put alone on ANSIBLE_COLLECTIONS_PATH
(community.docker and ansible.posix still come from the venv's site-packages), so each side runs its
own playbook, roles and plugins; a preflight checks that modwsgi.django resolves to that copy only.
--after worktree uses this checkout as it is, uncommitted changes included. The probe project and the
inventory come from this checkout, the same for both sides.

An existing container of that name is left alone (the run stops) unless --replace: it may be another
run's. Writes bench/results/<date>-noop-compare.{json,md}; logs and inventories in bench/tmp/. Exits 1 when
a no-op changed something (the report is written first), 2 when a ref or a run fails.

    python bench/noop_compare.py [--before ee01cc1] [--after HEAD|REF|worktree] [--sites 50] [--rounds 3]
                                 [--name modwsgi-bench-noop-compare] [--keep] [--replace]
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

HOST = C.PREFIX + 'noop-compare'
BEFORE = 'ee01cc1'   # main before issue 15 (the site tree, the _layout package, _fs, prune_releases)
NO_SLOWER = 1.10     # after/before medians: within 10 % is "no slower" (run-to-run noise of a no-op here)
TOP = 10             # tasks per side in the "where the time goes" table


class BenchError(Exception):
    """A ref, the preflight or an ansible-playbook run failed: reported on one line, exit status 2."""


def git(*args, check=True):
    return C.run(['git', '-C', C.REPO] + list(args), check=check)


def commit_of(ref):
    res = git('rev-parse', '--verify', '--quiet', ref + '^{commit}', check=False)
    if res.returncode != 0:
        raise BenchError('%r is not a commit of this repository (%s)' % (ref, C.REPO))
    return res.stdout.strip()


def materialize(base, ref):
    """Collection path base/ holding modwsgi.django at ref (a symlink to this checkout for 'worktree')."""
    base = os.path.abspath(base)
    shutil.rmtree(base, ignore_errors=True)
    dest = os.path.join(base, 'ansible_collections', 'modwsgi', 'django')
    os.makedirs(os.path.dirname(dest))
    if ref == 'worktree':
        os.symlink(C.REPO, dest)
        dirty = bool(git('status', '--porcelain', '--untracked-files=no').stdout.strip())
        return {'ref': ref, 'commit': commit_of('HEAD'), 'worktree_dirty': dirty, 'path': base}
    commit = commit_of(ref)
    os.makedirs(dest)
    archive = subprocess.Popen(['git', '-C', C.REPO, 'archive', commit], stdout=subprocess.PIPE)
    tar = subprocess.run(['tar', '-x', '-C', dest], stdin=archive.stdout, check=False)
    archive.stdout.close()
    if archive.wait() != 0 or tar.returncode != 0:
        raise BenchError('git archive %s | tar -x -C %s failed' % (ref, dest))
    for needed in ('galaxy.yml', os.path.join('playbooks', 'deploy.yml')):
        if not os.path.exists(os.path.join(dest, needed)):
            raise BenchError('%s (%s) has no %s: not a version of this collection' % (ref, commit[:12], needed))
    return {'ref': ref, 'commit': commit, 'path': base}


def preflight(side, info, inventory):
    """modwsgi.django must resolve to this side's copy and nowhere else, community.docker and ansible.posix
    must resolve, and the side's deploy playbook must pass --syntax-check (before any container work)."""
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=info['path'])
    found = {}
    for name in ('modwsgi.django', 'community.docker', 'ansible.posix'):
        res = subprocess.run(['ansible-galaxy', 'collection', 'list', name, '--format', 'json'],
                             capture_output=True, text=True, env=env, check=False)
        try:
            listed = json.loads(res.stdout or '{}')
        except ValueError:
            listed = {}
        found[name] = sorted(path for path, cols in listed.items() if name in cols)
    own = os.path.join(info['path'], 'ansible_collections')
    if found['modwsgi.django'] != [own]:
        raise BenchError('%s: modwsgi.django resolves to %s, expected only %s' % (side, found['modwsgi.django'] or 'nothing', own))
    for name in ('community.docker', 'ansible.posix'):
        if not found[name]:
            raise BenchError('%s: collection %s not found (is the venv on PATH? source scripts/env.sh)' % (side, name))
    res = subprocess.run(['ansible-playbook', '--syntax-check', '-i', inventory, 'modwsgi.django.deploy'],
                         capture_output=True, text=True, env=env, cwd=C.REPO, check=False)
    if res.returncode != 0:
        raise BenchError('%s (%s): ansible-playbook --syntax-check modwsgi.django.deploy failed:\n%s' % (
            side, info['ref'], (res.stdout + res.stderr).strip()[-2000:]))


def changed_lines(output, limit=40):
    """'task: changed: [host] => (item=...)' for every change a run reports (the evidence of a non-no-op)."""
    lines, current = [], None
    for line in output.splitlines():
        m = CV._TASK.match(line)
        if m:
            current = m.group(1)
        elif line.startswith('changed:'):
            lines.append('%s: %s' % (current, line[:300]))
    return lines[:limit]


class Compare:
    def __init__(self, args):
        self.args = args
        self.tag = args.name[len(C.PREFIX):]
        self.runs = []
        self.sides = {}
        self.started = time.monotonic()

    def play(self, side, kind, rnd, inventory):
        path = os.path.join(C.TMP, '%s-%02d-%s-%s.log' % (self.tag, len(self.runs) + 1, kind, side))
        load_before = C.loadavg()
        C.log('%s with %s (%s)%s' % (kind, side, self.sides[side]['commit'][:12], ', round %d' % rnd if rnd else ''))
        try:
            seconds, out = C.ansible_playbook(inventory, log_path=path, profile=True, timeout=7200,
                                              env_extra={'ANSIBLE_COLLECTIONS_PATH': self.sides[side]['path']})
        except RuntimeError:
            tail = ''
            if os.path.exists(path):
                with open(path) as handle:
                    tail = ''.join(re.findall(r'^(?:fatal|failed|ERROR!|\[ERROR\]).*\n?', handle.read(), re.M)[:3])
            raise BenchError('%s with %s (%s) failed; log %s\n%s' % (
                kind, side, self.sides[side]['ref'], os.path.relpath(path, C.REPO), tail.strip()))
        run = {'side': side, 'kind': kind, 'round': rnd, 'seconds': round(seconds, 1), 'recap': CV.recap(out),
               'tasks_run': len(CV.task_times(out)), 'changed_tasks': CV.changed_tasks(out),
               'changed_lines': changed_lines(out), 'loadavg_before': load_before, 'loadavg_after': C.loadavg(),
               'task_totals': CV.by_task(out, top=None), 'log': os.path.relpath(path, C.REPO)}
        self.runs.append(run)
        C.log('%s with %s: %.1f s, changed=%s' % (kind, side, seconds, run['recap'].get('changed')))
        return run

    def run(self):
        box = C.Container(self.args.name)
        if box.exists() and not self.args.replace:
            raise BenchError('container %s exists (another run in progress, or kept by --keep): use --name, '
                             'or --replace to remove it' % self.args.name)
        inventory = CV.inventory(self.args.sites, host=self.args.name)
        for side, ref in (('before', self.args.before), ('after', self.args.after)):
            self.sides[side] = materialize(os.path.join(C.TMP, '%s-%s' % (self.tag, side)), ref)
            preflight(side, self.sides[side], inventory)
            C.log('%s = %s (%s)%s' % (side, ref, self.sides[side]['commit'][:12],
                                      ', with uncommitted changes' if self.sides[side].get('worktree_dirty') else ''))
        C.log('fresh container %s' % self.args.name)
        box.start()
        try:
            box.sh('apt-get update -q >/dev/null')
            self.play('before', 'converge', 0, inventory)
            for rnd in range(1, self.args.rounds + 1):
                self.play('before', 'noop', rnd, inventory)
                self.play('after', 'noop', rnd, inventory)
        finally:
            if self.args.keep:
                C.log('keeping container %s (--keep)' % self.args.name)
            else:
                box.remove()
        return self.write()

    def summary(self):
        noops = [r for r in self.runs if r['kind'] == 'noop']
        first_after = next(r for r in noops if r['side'] == 'after' and r['round'] == 1)
        kept = first_after['recap'].get('changed') == 0
        counted = [r for r in noops if kept or r['round'] > 1]
        before = [r['seconds'] for r in counted if r['side'] == 'before']
        after = [r['seconds'] for r in counted if r['side'] == 'after']
        median_before = statistics.median(before) if before else None
        median_after = statistics.median(after) if after else None
        ratio = C.ratio(median_after, median_before)
        return {
            'after_kept_before_state': kept,
            'rounds_counted': sorted({r['round'] for r in counted}),
            'median_before_s': median_before, 'median_after_s': median_after,
            'spread_before': round(max(before) / min(before), 3) if len(before) > 1 else None,
            'spread_after': round(max(after) / min(after), 3) if len(after) > 1 else None,
            'ratio': round(ratio, 3) if ratio is not None else None,
            'verdict': None if ratio is None else ('no slower' if ratio <= NO_SLOWER else 'slower'),
            'not_idempotent': ['%s round %d' % (r['side'], r['round']) for r in noops
                               if r['recap'].get('changed') and r is not first_after],
        }

    def write(self):
        s = self.summary()
        data = {'benchmark': 'noop-compare', 'generated': C.now_iso(), 'script': 'bench/noop_compare.py',
                'image': C.IMAGE, 'container': self.args.name, 'host': C.host_info(), 'sites': self.args.sites,
                'rounds': self.args.rounds, 'sides': self.sides, 'threshold': NO_SLOWER, 'summary': s,
                'runs': self.runs, 'wall_seconds': round(time.monotonic() - self.started, 1),
                'ansible': C.run(['ansible-playbook', '--version'], check=False).stdout.splitlines()[0]}
        base = os.path.join(C.RESULTS, '%s-noop-compare' % C.today())
        C.write_json(base + '.json', data)
        C.write_text(base + '.md', markdown(data))
        C.log('wrote %s.{json,md}: after/before %s (%s)' % (base, C.fmt_ratio(s['ratio']), s['verdict'] or 'no ratio'))
        if not s['after_kept_before_state'] or s['not_idempotent'] or s['ratio'] is None:
            C.log('a no-op changed something or no ratio could be computed: see the report')
            return 1
        return 0


def _cell(text):
    return text.replace('|', '\\|')


def time_table(before, after):
    """Task totals of one BEFORE and one AFTER no-op, side by side (the union of each side's top tasks)."""
    b = {t['task']: t for t in before['task_totals']}
    a = {t['task']: t for t in after['task_totals']}
    names = []
    for totals in (before['task_totals'][:TOP], after['task_totals'][:TOP]):
        names += [t['task'] for t in totals if t['task'] not in names]
    names.sort(key=lambda n: -max(b.get(n, {}).get('seconds', 0), a.get(n, {}).get('seconds', 0)))
    lines = ['| task | before runs | before s | after runs | after s | after - before |',
             '|---|---:|---:|---:|---:|---:|']
    for n in names:
        tb, ta = b.get(n), a.get(n)
        lines.append('| %s | %s | %s | %s | %s | %s |' % (
            _cell(n), tb['runs'] if tb else '-', '%.1f' % tb['seconds'] if tb else '-',
            ta['runs'] if ta else '-', '%.1f' % ta['seconds'] if ta else '-',
            '%+.1f' % (ta['seconds'] - tb['seconds']) if ta and tb else '-'))
    total_b = sum(t['seconds'] for t in before['task_totals'])
    total_a = sum(t['seconds'] for t in after['task_totals'])
    lines.append('| **all tasks** (%d vs %d distinct) | | **%.1f** | | **%.1f** | **%+.1f** |' % (
        len(b), len(a), total_b, total_a, total_a - total_b))
    return lines


def markdown(d):
    sides, s = d['sides'], d['summary']

    def side_row(name):
        info = sides[name]
        extra = ' (working tree%s)' % (', uncommitted changes' if info.get('worktree_dirty') else ', clean') \
            if info['ref'] == 'worktree' else ''
        return '| %s | `%s`%s | %s |' % (name, info['ref'], extra, info['commit'])

    def secs(value):
        return '-' if value is None else '%.1f s' % value

    lines = [
        '# No-op converge: %s vs %s (%s)' % (sides['before']['ref'], sides['after']['ref'], d['generated'][:10]), '',
        'Generated by `bench/noop_compare.py` on %s (%s, controller Python %s, %s CPUs shared with other jobs). '
        'One fresh `%s` container (`%s`); %d probe sites (daemon mode, the collection\'s defaults) built by BEFORE, '
        'then %d rounds of a no-op with BEFORE followed by a no-op with AFTER. Wall time %.0f s.' % (
            d['generated'], d['ansible'], d['host']['controller_python'], d['host']['cpus'], C.IMAGE,
            d['container'], d['sites'], d['rounds'], d['wall_seconds']),
        '',
        '| side | ref | commit |', '|---|---|---|', side_row('before'), side_row('after'),
        '',
        '## Result', '',
        '| median no-op before | median no-op after | after / before | verdict (threshold %.2fx) |' % d['threshold'],
        '|---:|---:|---:|---|',
        '| %s | %s | %s | %s |' % (
            secs(s['median_before_s']), secs(s['median_after_s']), C.fmt_ratio(s['ratio']),
            '**%s**' % s['verdict'] if s['verdict'] else 'no ratio (no counted AFTER run)'),
        '',
        'Medians over round(s) %s. Spread (slowest / fastest) of the counted runs in this same run: before %s, '
        'after %s. The %.2fx threshold is there because a no-op\'s run-to-run noise on this shared 2-core host is '
        'of that order (compare the spreads, and the host load column); it is not a target the code aims at.' % (
            ', '.join(map(str, s['rounds_counted'])) or '-', C.fmt_ratio(s['spread_before']),
            C.fmt_ratio(s['spread_after']), d['threshold']),
        '',
    ]
    first_after = next(r for r in d['runs'] if r['side'] == 'after' and r['round'] == 1)
    if s['after_kept_before_state']:
        lines.append('Behaviour: AFTER\'s first no-op on the host BEFORE built reported **changed=0**.')
    else:
        lines.append('Behaviour: AFTER\'s first no-op on the host BEFORE built **changed %s task result(s)** (listed '
                     'below); the medians leave round 1 out.' % first_after['recap'].get('changed'))
    if s['not_idempotent']:
        lines.append('**Not idempotent**: these no-ops changed something too: %s.' % ', '.join(s['not_idempotent']))
    lines += [
        '', '## Runs (in order)', '',
        '| # | side | run | round | seconds | tasks | ok / changed / skipped | host load (1 min) before -> after | changed tasks |',
        '|---:|---|---|---:|---:|---:|---|---|---|',
    ]
    for i, r in enumerate(d['runs'], 1):
        rc = r['recap']
        load = '-' if r['loadavg_before'] is None else '%.1f -> %.1f' % (r['loadavg_before'], r['loadavg_after'])
        lines.append('| %d | %s | %s | %s | %.1f | %d | %s / %s / %s | %s | %s |' % (
            i, r['side'], r['kind'], r['round'] or '-', r['seconds'], r['tasks_run'], rc.get('ok'), rc.get('changed'),
            rc.get('skipped'), load,
            '; '.join(_cell(t) for t in r['changed_tasks']) or '-' if r['kind'] == 'noop' else '(first converge)'))
    changed = [r for r in d['runs'] if r['kind'] == 'noop' and r['changed_lines']]
    if changed:
        lines += ['', '## What the no-ops changed', '']
        for r in changed:
            lines += ['%s, round %d (%s):' % (r['side'], r['round'], r['log']), '', '```']
            lines += r['changed_lines'] + ['```', '']
    last = max(s['rounds_counted'] or [d['rounds']])
    pair = [next(r for r in d['runs'] if r['kind'] == 'noop' and r['side'] == side and r['round'] == last)
            for side in ('before', 'after')]
    lines += ['', '## Where the time goes: round %d, before %.1f s vs after %.1f s' % (last, pair[0]['seconds'], pair[1]['seconds']),
              '', 'profile_tasks totals; per-site instances of a task are summed ("runs" counts them). Tasks renamed '
              'by the refactor show up on one side only.', '']
    lines += time_table(*pair)
    lines += ['', 'Logs of every run: bench/tmp/%s-*.log (not committed).' % d['container'][len(C.PREFIX):], '']
    return '\n'.join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--before', default=BEFORE, help='git ref of the version to compare against (default %s)' % BEFORE)
    parser.add_argument('--after', default='HEAD', help="git ref, or 'worktree' for this checkout as it is (default HEAD)")
    parser.add_argument('--sites', type=int, default=50, help='number of sites (default 50)')
    parser.add_argument('--rounds', type=int, default=3, help='no-op rounds, each BEFORE then AFTER (default 3)')
    parser.add_argument('--name', default=HOST, help='container name, %s* (default %s)' % (C.PREFIX, HOST))
    parser.add_argument('--keep', action='store_true', help='keep the container afterwards')
    parser.add_argument('--replace', action='store_true',
                        help='remove an existing container of that name first (default: refuse, it may be another run)')
    parser.add_argument('--from-json', metavar='PATH', help='only rewrite the markdown of an earlier results JSON')
    args = parser.parse_args()
    if args.from_json:
        with open(args.from_json) as handle:
            data = json.load(handle)
        if not all('round' in r and 'task_totals' in r for r in data.get('runs', [])):
            parser.error('%s was written by an older noop_compare.py (runs without round/task_totals)' % args.from_json)
        C.write_text(os.path.splitext(args.from_json)[0] + '.md', markdown(data))
        return 0
    if args.sites < 1 or not 1 <= args.rounds <= 10:
        parser.error('--sites >= 1, --rounds 1..10')
    if not args.name.startswith(C.PREFIX) or not re.match(r'^[\w.-]+$', args.name) or args.name == C.PREFIX:
        parser.error('--name must be %s<something>' % C.PREFIX)
    C.require_tools()
    try:
        for ref in (args.before, args.after):
            if ref != 'worktree':
                commit_of(ref)
        return Compare(args).run()
    except BenchError as err:
        print('noop_compare: %s' % err, file=sys.stderr)
        return 2


if __name__ == '__main__':
    sys.exit(main())
