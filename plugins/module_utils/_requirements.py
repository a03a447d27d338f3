# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""A release's requirements closure and the name of its virtualenv (pure Python, no Ansible import).

A site's virtualenv lives in ``<root>/venvs/<name>``; the name is the fingerprint of the release's whole
requirements closure (the file and every file it includes with -r/-c), the pip extra arguments and the
interpreter's ``sys.version``: releases with the same dependencies share one virtualenv, and a change
anywhere in the closure builds a new one. Used on the target (``site_virtualenv``, ``_observe``) and on
the controller (``requirements_preflight``).
"""

from __future__ import annotations

import hashlib
import os
import shlex


def python_version(python, cache, run):
    """``sys.version`` of an interpreter plus newline (bytes), as ``print(sys.version)`` writes it.

    ``run(argv)`` returns (rc, stdout, stderr), like ``AnsibleModule.run_command``.
    """
    if python not in cache:
        try:
            rc, out, _err = run([python, '-c', 'import sys; print(sys.version)'])
        except OSError:
            rc, out = 1, None
        cache[python] = out.encode('utf-8') if rc == 0 and out is not None else None
    return cache[python]


class ClosureError(Exception):
    """A requirements file, or a file it includes, that cannot be read or lies outside the release."""


INCLUDE_OPTIONS = {'-r': 'requirement', '--requirement': 'requirement', '-c': 'constraint', '--constraint': 'constraint'}
MAX_INCLUDED = 200


def _includes(text):
    """File names a requirements file includes with -r/--requirement/-c/--constraint, in order."""
    found = []
    for raw in text.splitlines():
        line = raw.split(' #', 1)[0].strip() if not raw.lstrip().startswith('#') else ''
        if not line.startswith('-'):
            continue
        for option in ('--requirement', '--constraint', '-r', '-c'):
            if line.startswith(option):
                rest = line[len(option):]
                if option.startswith('--') and rest[:1] not in ('=', ' ', '\t'):
                    continue
                name = rest.lstrip('= \t').strip()
                if name:
                    found.append(name)
                break
    return found


def requirements_closure(release_dir, requirements):
    """[(path relative to the release, bytes)] of the requirements file and every file it includes.

    Includes are followed depth first in file order (pip resolves a relative name against the
    including file's directory); each file is listed once. A URL include is listed by its URL (pip
    fetches it; its content is not known here). A missing file, or one outside the release, raises
    ClosureError: pip would run it as root and the release would not be reproducible.
    """
    top = os.path.realpath(release_dir)
    out, seen = [], set()

    def visit(name, base, via):
        if '://' in name:
            if name not in seen:
                seen.add(name)
                out.append((name, b''))
            return
        path = os.path.realpath(os.path.join(base, name))
        if path != top and not path.startswith(top + os.sep):
            raise ClosureError('%s includes %s, which is outside the release' % (via, name))
        rel = os.path.relpath(path, top)
        if rel in seen:
            return
        seen.add(rel)
        if len(seen) > MAX_INCLUDED:
            raise ClosureError('more than %d requirements files are included' % MAX_INCLUDED)
        try:
            with open(path, 'rb') as handle:
                data = handle.read()
        except OSError as exc:
            raise ClosureError('%s: cannot read %s (%s)' % (via, rel, exc.strerror or exc))
        out.append((rel, data))
        for included in _includes(data.decode('utf-8', 'replace')):
            visit(included, os.path.dirname(path), rel)

    visit(requirements, top, 'the site key requirements')
    return out


def fingerprint(closure, version_line, extra_args=''):
    """Virtualenv name: sha256 over the requirements closure, the pip extra args and the interpreter version.

    ``closure`` as :func:`requirements_closure` returns it (or None without a requirements file). With
    one file and no extra args this is sha256(file bytes + version line), the name releases built before
    included files were hashed already have, so their virtualenvs are kept.
    """
    digest = hashlib.sha256()
    for index, (rel, data) in enumerate(closure or []):
        if index:
            digest.update(b'\0include\0' + rel.encode('utf-8') + b'\0')
        digest.update(data)
    if extra_args and extra_args.strip():
        digest.update(b'\0pip-extra-args\0' + ' '.join(shlex.split(extra_args)).encode('utf-8') + b'\0')
    digest.update(version_line)
    return digest.hexdigest()[:16]


def venv_name(release_dir, requirements, version_line, extra_args=''):
    """The virtualenv name of a release (raises ClosureError)."""
    closure = requirements_closure(release_dir, requirements) if requirements else None
    return fingerprint(closure, version_line, extra_args)
