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

import json
import os
import stat
import time
from functools import partial

from ansible_collections.modwsgi.django.plugins.module_utils._fs import touch as fs_touch

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


def per_process(site, release_dir, run):
    """A step runner that starts one ``bin/manage`` process per step: ``run(argv) -> (rc, out, err)``
    runs a whole command line (``AnsibleModule.run_command``)."""
    return lambda argv: run(command(site, release_dir, argv))


def findings(output):
    """The lines of ``check --deploy`` output from its WARNINGS:/ERRORS: header on (empty when clean)."""
    lines = (output or '').splitlines()
    for index, line in enumerate(lines):
        if line.strip() in FINDINGS_MARK:
            return [text for text in lines[index:] if text.strip()]
    return []


STEPS_FLAG = '--modwsgi-steps'   # the boot module's protocol: one Django process runs the steps it is sent
STEP_MARK = b'\x00modwsgi-step '
STEP_TIMEOUT = 3600              # seconds one management step may take
START_TIMEOUT = 120              # seconds until the Django process is ready for its first step


class StepProcess:
    """One Django process of the site user that runs management steps one at a time, so that Django starts
    once for all the steps of a release: ``bin/manage --code <release> --modwsgi-steps <socket>``.

    ``start(argv) -> (rc, out, err)`` runs that command to its end (``AnsibleModule.run_command``); it runs
    in a thread while this side, root, talks to the process over a Unix socket only it and the site user
    can reach: a request is a JSON line (``{"argv": [...]}``), the answer a line starting with
    :data:`STEP_MARK` and holding ``{"rc", "output"}``. Between two steps the process waits for the next
    request while this side seals or unseals the release.
    """

    def __init__(self, argv, start, uid, timeout=STEP_TIMEOUT):
        import socket
        import tempfile
        import threading

        self.timeout = timeout
        self.directory = tempfile.mkdtemp(prefix='modwsgi-steps-')
        os.chmod(self.directory, 0o711)
        path = os.path.join(self.directory, 'socket')
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(path)
        os.chmod(path, 0o600)
        os.chown(path, uid, -1)
        self.server.listen(1)
        self.ended = {}

        def run():
            try:
                self.ended['result'] = start(list(argv) + [path])
            except Exception as exc:  # pylint: disable=broad-exception-caught
                self.ended['result'] = (1, '', 'cannot run %s: %s' % (' '.join(argv), exc))

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        self.channel = None
        deadline = time.monotonic() + START_TIMEOUT
        self.server.settimeout(0.2)
        while self.channel is None and time.monotonic() < deadline and 'result' not in self.ended:
            try:
                connection, _address = self.server.accept()
            except socket.timeout:
                continue
            connection.settimeout(timeout)
            self.channel = connection.makefile('rwb')

    def _gone(self, what):
        self.thread.join(5)
        rc, out, err = self.ended.get('result') or (1, '', '')
        text = ((err or '') + ('\n' if err and out else '') + (out or '')).strip()
        return (rc or 1), (text + '\n' if text else '') + what + (' (exit code %s)' % rc if 'result' in self.ended else ''), ''

    def step(self, argv):
        """(rc, output, '') of one management command."""
        if self.channel is None:
            return self._gone('the management process did not start')
        try:
            self.channel.write((json.dumps({'argv': list(argv)}) + '\n').encode('utf-8'))
            self.channel.flush()
            line = self.channel.readline()
        except OSError as exc:
            return self._gone('the management process did not answer: %s' % exc)
        if not line.startswith(STEP_MARK):
            return self._gone('the management process ended before answering')
        answer = json.loads(line[len(STEP_MARK):].decode('utf-8', 'replace'))
        return int(answer.get('rc', 1)), answer.get('output') or '', ''

    def close(self):
        import shutil

        for handle in (self.channel, self.server):
            try:
                if handle is not None:
                    handle.close()
            except OSError:
                pass
        self.thread.join(60)
        shutil.rmtree(self.directory, ignore_errors=True)


def run_steps(site, release_dir, run, ids, steps=None, touch=None, lap=None):
    """Run the pending steps of one site on ``release_dir``.

    ``run(argv) -> (rc, stdout, stderr)`` runs one management command given as its ``manage.py``
    arguments (:class:`StepProcess`.step, or a process per step around :func:`command`);
    ``ids``: {'site_uid', 'site_gid', 'apache_gid'}; ``lap(name)``, when given, is called after each step
    with the step's name (the timings of ``_build.build``).
    Returns {'ran': [names], 'findings': [check --deploy lines]}; raises StepFailed at the first
    failure. The release and the static dir are sealed on the way out, failed or not.
    """
    steps = pending(site, release_dir) if steps is None else steps
    touch = touch or partial(fs_touch, mode=0o640)
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
            rc, out, err = run(step['argv'])
            output = ((err or '') + ('\n' if err and out else '') + (out or '')).strip()
            if rc != 0:
                raise StepFailed(step['name'], rc, output[-OUTPUT_TAIL:])
            if step['marker'] == CHECKED:
                found = findings((err or '') + '\n' + (out or ''))
            touch(os.path.join(release_dir, step['marker']))
            ran.append(step['name'])
            if lap:
                lap(step['name'])
    finally:
        if unsealed:
            seal(site, release_dir, ids['apache_gid'], ids['site_gid'])
    return {'ran': ran, 'findings': found}


def failure_message(site, exc, release_id):
    """What a failed management step says: the site, the step by its name, the exit code, its output's tail."""
    return ("site '%s', step '%s' failed on release %s (exit code %s). Nothing was activated: the live release keeps "
            "serving and the other sites are untouched. Output (last lines): %s" % (site.get('name', '?'), exc.step, release_id, exc.rc, exc.output))


def findings_message(site, release_id, found):
    """What ``check --deploy`` findings say when they are fatal (``check_deploy_fatal``)."""
    return ("site '%s', step 'check --deploy' reported findings on release %s (django_site_check_deploy_fatal is true): %s"
            % (site.get('name', '?'), release_id, ' | '.join(found)))
