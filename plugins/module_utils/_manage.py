# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Django management steps on a new release (the engine of the ``manage_steps`` module).

Before a release is activated the ``django_site`` role runs, as the site user and against that
release (``<root>/bin/manage --code <release>``): ``migrate``, ``collectstatic``, the site's
``manage_steps`` in order, then ``check --deploy``. Each step runs once per release: a marker file
in the release directory records it. The first failure stops the sequence and is reported by the
step's name (never guessed from its command line); nothing is activated.

Ownership while the steps run: the release is root-owned and read-only for the site, and so is the
static directory (root:<apache group>, world-readable: it is public content and the site's own
processes read ``staticfiles.json`` and scan it, e.g. whitenoise). Only for ``collectstatic`` and
the extra steps (``compress`` writes into STATIC_ROOT, ``compilemessages`` next to the code) are the
static directory and the release handed to the site user; both are sealed again (root-owned,
no write bit for group and others) before ``check --deploy`` and whatever happens.
"""

from __future__ import annotations

import os
import stat

MIGRATED = '.modwsgi-migrated'
COLLECTED = '.modwsgi-collected'
CHECKED = '.modwsgi-checked'
OUTPUT_TAIL = 3000
FINDINGS_MARK = ('WARNINGS:', 'ERRORS:')


class StepFailed(Exception):
    """A management step exited non-zero: ``step`` is its name, ``output`` the tail of what it printed."""

    def __init__(self, step, rc, output):
        Exception.__init__(self, step)
        self.step = step
        self.rc = rc
        self.output = output


def plan(site):
    """The steps of a normalized site, in order: [{'name', 'argv', 'marker', 'writes'}]."""
    steps = []
    if site.get('migrate'):
        steps.append({'name': 'migrate', 'argv': ['migrate', '--noinput'], 'marker': MIGRATED, 'writes': False})
    if site.get('collectstatic') and isinstance(site.get('static'), dict):
        steps.append({'name': 'collectstatic', 'argv': ['collectstatic', '--noinput'], 'marker': COLLECTED, 'writes': True})
    for step in site.get('manage_steps') or []:
        steps.append({'name': step['name'], 'argv': list(step['argv']), 'marker': step['marker'], 'writes': True})
    if site.get('check_deploy'):
        steps.append({'name': 'check --deploy', 'argv': ['check', '--deploy'], 'marker': CHECKED, 'writes': False})
    return steps


def markers(site):
    """Marker files every step of the site leaves in a finished release."""
    return [step['marker'] for step in plan(site)]


def pending(site, release_dir):
    """The steps whose marker is not in the release yet."""
    return [step for step in plan(site) if not os.path.exists(os.path.join(release_dir, step['marker']))]


def _walk(top):
    """``top`` and everything below it, without following symlinks."""
    yield top, True
    for parent, dirs, files in os.walk(top):
        for name in dirs + files:
            path = os.path.join(parent, name)
            yield path, os.path.isdir(path) and not os.path.islink(path)


def set_tree(top, uid, gid, dir_mode, file_mode):
    """chown every entry below ``top`` (symlinks themselves, never their targets) and set modes.

    ``file_mode(old_mode)`` and ``dir_mode(old_mode)`` return the new permission bits.
    """
    if not os.path.isdir(top):
        return
    for path, is_dir in _walk(top):
        st = os.lstat(path)
        if st.st_uid != uid or (gid is not None and st.st_gid != gid):
            os.lchown(path, uid, -1 if gid is None else gid)
        if stat.S_ISLNK(st.st_mode):
            continue
        old = stat.S_IMODE(st.st_mode)
        new = dir_mode(old) if is_dir else file_mode(old)
        if new != old:
            os.chmod(path, new)


def _public_dir(old):
    return (old & 0o2000) | 0o755


def _public_file(old):
    return 0o644 | (old & 0o100 and 0o111)


def private_dir(old):
    return 0o750


def private_file(old):
    return 0o640 | (old & 0o100 and 0o110)


def seal(site, release_dir, apache_gid, site_gid, root_uid=0):
    """Release: root:<site group>, u=rwX,g=rX,o=. Static dir: root:<apache group>, readable by all."""
    set_tree(release_dir, root_uid, site_gid, private_dir, private_file)
    static = site.get('static')
    if isinstance(static, dict):
        set_tree(static['dir'], root_uid, apache_gid, _public_dir, _public_file)


def unseal(site, release_dir, site_uid):
    """Hand the release and the static dir to the site user (owner only; groups and modes stay)."""
    set_tree(release_dir, site_uid, None, lambda old: old | 0o700, lambda old: old | 0o600)
    static = site.get('static')
    if isinstance(static, dict):
        set_tree(static['dir'], site_uid, None, lambda old: old | 0o700, lambda old: old | 0o600)


def command(site, release_dir, argv):
    """The argv that runs one management command as the site user (setpriv: works for nologin users)."""
    return (['setpriv', '--reuid=%s' % site['user'], '--regid=%s' % site['group'], '--init-groups', '--',
             site['paths']['manage'], '--code', release_dir] + list(argv))


def findings(output):
    """The lines of ``check --deploy`` output from its WARNINGS:/ERRORS: header on (empty when clean)."""
    lines = (output or '').splitlines()
    for index, line in enumerate(lines):
        if line.strip() in FINDINGS_MARK:
            return [text for text in lines[index:] if text.strip()]
    return []


def run_steps(site, release_dir, run, ids, steps=None, touch=None):
    """Run the pending steps of one site on ``release_dir``.

    ``run(argv) -> (rc, stdout, stderr)``; ``ids``: {'site_uid', 'site_gid', 'apache_gid'}.
    Returns {'ran': [names], 'findings': [check --deploy lines]}; raises StepFailed at the first
    failure. The release and the static dir are sealed on the way out, failed or not.
    """
    steps = pending(site, release_dir) if steps is None else steps
    touch = touch or _touch
    ran, found = [], []
    unsealed = False
    try:
        for step in steps:
            if step['writes'] and not unsealed:
                unseal(site, release_dir, ids['site_uid'])
                unsealed = True
            elif not step['writes'] and unsealed:
                seal(site, release_dir, ids['apache_gid'], ids['site_gid'])
                unsealed = False
            rc, out, err = run(command(site, release_dir, step['argv']))
            output = ((err or '') + ('\n' if err and out else '') + (out or '')).strip()
            if rc != 0:
                raise StepFailed(step['name'], rc, output[-OUTPUT_TAIL:])
            if step['marker'] == CHECKED:
                found = findings((err or '') + '\n' + (out or ''))
            touch(os.path.join(release_dir, step['marker']))
            ran.append(step['name'])
    finally:
        if unsealed:
            seal(site, release_dir, ids['apache_gid'], ids['site_gid'])
    return {'ran': ran, 'findings': found}


def _touch(path):
    with open(path, 'a'):
        pass
    os.chmod(path, 0o640)
