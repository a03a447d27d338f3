# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.django maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""No-op converge, two versions of the collection side by side in one run (issue 15).

A refactor must keep behaviour and must not make the run that changes nothing slower. In one run,
on one fresh Debian 12 container (modwsgi-bench-noop-compare):

  1. converge --sites sites (default 50, the converge bench's probe sites) with BEFORE;
  2. --rounds times (default 3): a no-op with BEFORE, then a no-op with AFTER.

Interleaving the two versions cancels the drift of a shared, noisy host. AFTER's first no-op runs on
a host BEFORE built: changed=0 there proves the refactor changed nothing on a live host (the report
lists the tasks that changed otherwise, and computes the ratio from the later rounds only).

Each version is the collection at a git ref, materialized with `git archive` into
bench/tmp/noop-<side>/ansible_collections/modwsgi/django and used alone on ANSIBLE_COLLECTIONS_PATH,
so each side runs its own roles, modules and playbook (the probe project comes from this checkout).
--after worktree uses this checkout as it is, uncommitted changes included.

Writes bench/results/<date>-noop-compare.{json,md}; logs and inventories in bench/tmp/.

    python bench/noop_compare.py [--before ee01cc1] [--after HEAD|worktree] [--sites 50] [--rounds 3] [--keep]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _common as C  # noqa: E402
import converge as CV  # noqa: E402

HOST = C.PREFIX + 'noop-compare'
BEFORE = 'ee01cc1'   # main before issue 15 (the site tree, the _layout package, _fs, prune_releases)
NO_SLOWER = 1.10     # after/before medians: within 10 % is "no slower" (run-to-run noise of a no-op here)


def commit_of(ref):
    res = C.run(['git', '-C', C.REPO, 'rev-parse', '--verify', '--quiet', ref + '^{commit}'], check=False)
    if res.returncode != 0:
        sys.exit('noop_compare: %r is not a commit of this repository' % ref)
    return res.stdout.strip()


def materialize(side, ref):
    """A collection path holding modwsgi.django at ref (or this checkout for 'worktree')."""
    base = os.path.join(C.TMP, 'noop-%s' % side)
    shutil.rmtree(base, ignore_errors=True)
    dest = os.path.join(base, 'ansible_collections', 'modwsgi', 'django')
    if ref == 'worktree':
        os.makedirs(os.path.dirname(dest))
        os.symlink(C.REPO, dest)
        return base, 'worktree of %s' % commit_of('HEAD')[:12]
    commit = commit_of(ref)
    os.makedirs(dest)
    archive = subprocess.Popen(['git', '-C', C.REPO, 'archive', commit], stdout=subprocess.PIPE)
    subprocess.run(['tar', '-x', '-C', dest], stdin=archive.stdout, check=True)
    archive.stdout.close()
    if archive.wait() != 0:
        sys.exit('noop_compare: git archive %s failed' % ref)
    return base, commit[:12]


class Compare:
    def __init__(self, args):
        self.args = args
        self.runs = []
        self.sides = {}

    def play(self, side, kind, inventory):
        path = os.path.join(C.TMP, 'noop-%02d-%s-%s.log' % (len(self.runs) + 1, kind, side))
        load_before = C.loadavg()
        C.log('%s with %s (%s)' % (kind, side, self.sides[side]['commit']))
        seconds, out = C.ansible_playbook(inventory, log_path=path, profile=True, timeout=7200,
                                          env_extra={'ANSIBLE_COLLECTIONS_PATH': self.sides[side]['path']})
        run = {'side': side, 'kind': kind, 'seconds': round(seconds, 1), 'recap': CV.recap(out),
               'tasks_run': len(CV.task_times(out)), 'changed_tasks': CV.changed_tasks(out),
               'loadavg_before': load_before, 'loadavg_after': C.loadavg(), 'top_tasks': CV.by_task(out, top=8),
               'log': os.path.relpath(path, C.REPO)}
        self.runs.append(run)
        C.log('%s with %s: %.1f s, changed=%s' % (kind, side, seconds, run['recap'].get('changed')))
        return run

    def run(self):
        for side, ref in (('before', self.args.before), ('after', self.args.after)):
            path, commit = materialize(side, ref)
            self.sides[side] = {'ref': ref, 'commit': commit, 'path': path}
        inventory = CV.inventory(self.args.sites, host=HOST)
        box = C.Container(HOST)
        C.log('fresh container %s' % HOST)
        box.start()
        try:
            box.sh('apt-get update -q >/dev/null')
            self.play('before', 'converge', inventory)
            for _round in range(self.args.rounds):
                self.play('before', 'noop', inventory)
                self.play('after', 'noop', inventory)
        finally:
            if self.args.keep:
                C.log('keeping container %s (--keep)' % HOST)
            else:
                box.remove()
        self.write()

    def summary(self):
        noops = [r for r in self.runs if r['kind'] == 'noop']
        first_after = next(r for r in noops if r['side'] == 'after')
        kept = first_after['recap'].get('changed') == 0
        counted = [r for r in noops if kept or r is not first_after]
        before = [r['seconds'] for r in counted if r['side'] == 'before']
        after = [r['seconds'] for r in counted if r['side'] == 'after']
        median_before = statistics.median(before)
        median_after = statistics.median(after) if after else None
        ratio = C.ratio(median_after, median_before)
        return {'after_kept_before_state': kept, 'median_before_s': median_before, 'median_after_s': median_after,
                'ratio': round(ratio, 3) if ratio is not None else None,
                'no_slower': ratio is not None and ratio <= NO_SLOWER,
                'not_idempotent': [r for r in noops if r['recap'].get('changed') and r is not first_after]}

    def write(self):
        s = self.summary()
        data = {'benchmark': 'noop-compare', 'generated': C.now_iso(), 'script': 'bench/noop_compare.py',
                'image': C.IMAGE, 'host': C.host_info(), 'sites': self.args.sites, 'rounds': self.args.rounds,
                'sides': self.sides, 'threshold': NO_SLOWER, 'summary': {k: v for k, v in s.items() if k != 'not_idempotent'},
                'runs': self.runs,
                'ansible': C.run(['ansible-playbook', '--version'], check=False).stdout.splitlines()[0]}
        base = os.path.join(C.RESULTS, '%s-noop-compare' % C.today())
        C.write_json(base + '.json', data)
        C.write_text(base + '.md', self.markdown(data, s))
        C.log('wrote %s.{json,md}: after/before %s' % (base, C.fmt_ratio(s['ratio'])))
        if s['not_idempotent'] or s['ratio'] is None:
            sys.exit(1)

    def markdown(self, d, s):
        sides = d['sides']
        lines = [
            '# No-op converge: %s vs %s (%s)' % (sides['before']['ref'], sides['after']['ref'], d['generated'][:10]), '',
            'Generated by `bench/noop_compare.py` on %s (%s, controller Python %s, %s CPUs shared with other jobs). '
            'One fresh `%s` container; %d probe sites (daemon mode, bluegreen, the collection\'s defaults) built by '
            'BEFORE, then %d rounds of a no-op with BEFORE followed by a no-op with AFTER.' % (
                d['generated'], d['ansible'], d['host']['controller_python'], d['host']['cpus'], C.IMAGE,
                d['sites'], d['rounds']),
            '',
            '| side | ref | commit |', '|---|---|---|',
            '| before | `%s` | %s |' % (sides['before']['ref'], sides['before']['commit']),
            '| after | `%s` | %s |' % (sides['after']['ref'], sides['after']['commit']),
            '',
            '## Result', '',
            '| median no-op before | median no-op after | after / before | verdict (threshold %.2fx) |' % d['threshold'],
            '|---:|---:|---:|---|',
            '| %.1f s | %.1f s | %s | %s |' % (
                s['median_before_s'], s['median_after_s'] or 0, C.fmt_ratio(s['ratio']),
                '**no slower**' if s['no_slower'] else '**slower**'),
            '',
            'AFTER\'s first no-op on the host BEFORE built: %s' % (
                'changed=0, the refactor changed nothing on a live host.' if s['after_kept_before_state'] else
                'it changed things (listed below); the medians leave that run out.'),
            'The threshold is above the run-to-run spread of a no-op on this shared 2-core host, not a target '
            'the code aims at.',
            '', '## Runs (in order)', '',
            '| # | side | run | seconds | tasks | ok / changed / skipped | host load | changed tasks |',
            '|---:|---|---|---:|---:|---|---|---|',
        ]
        for i, r in enumerate(d['runs'], 1):
            rc = r['recap']
            lines.append('| %d | %s | %s | %.1f | %d | %s / %s / %s | %.1f -> %.1f | %s |' % (
                i, r['side'], r['kind'], r['seconds'], r['tasks_run'], rc.get('ok'), rc.get('changed'), rc.get('skipped'),
                r['loadavg_before'] or 0, r['loadavg_after'] or 0,
                '; '.join(t.replace('|', '\\|') for t in r['changed_tasks']) if r['kind'] == 'noop' else '-'))
        for side in ('before', 'after'):
            last = [r for r in d['runs'] if r['side'] == side and r['kind'] == 'noop'][-1]
            lines += ['', '### Where the time goes: last no-op with %s (%.1f s)' % (side, last['seconds']), '',
                      '| task | runs | seconds |', '|---|---:|---:|']
            lines += ['| %s | %d | %.1f |' % (t['task'].replace('|', '\\|'), t['runs'], t['seconds']) for t in last['top_tasks']]
        lines += ['', 'Logs of every run: bench/tmp/noop-*.log (not committed).', '']
        return '\n'.join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--before', default=BEFORE, help='git ref of the version to compare against (default %s)' % BEFORE)
    parser.add_argument('--after', default='HEAD', help="git ref, or 'worktree' for this checkout as it is (default HEAD)")
    parser.add_argument('--sites', type=int, default=50, help='number of sites (default 50)')
    parser.add_argument('--rounds', type=int, default=3, help='no-op rounds, each BEFORE then AFTER (default 3)')
    parser.add_argument('--keep', action='store_true', help='keep the container afterwards')
    args = parser.parse_args()
    if args.sites < 1 or not 1 <= args.rounds <= 10:
        parser.error('--sites >= 1, --rounds 1..10')
    C.require_tools()
    for ref in (args.before, args.after):
        if ref != 'worktree':
            commit_of(ref)
    Compare(args).run()


if __name__ == '__main__':
    main()
