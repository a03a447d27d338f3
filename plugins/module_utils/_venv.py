# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""A release's virtualenv (the engine of the ``site_virtualenv`` module) and pip's error messages.

The virtualenv lives in ``<root>/venvs/<name>``, where the name is the fingerprint of the release's
whole requirements closure, the pip extra arguments and the interpreter version
(``_release.venv_name``): releases with the same dependencies share one, and a change anywhere in
the closure builds a new one while the live release keeps its own. A virtualenv is usable only once
sealed (root:<site group>, read-only for the site, ``.modwsgi-complete`` written last); a failed or
interrupted build is removed and done again.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil

from ansible_collections.modwsgi.django.plugins.module_utils._fs import atomic_symlink, touch
from ansible_collections.modwsgi.django.plugins.module_utils._manage import private_dir, private_file, set_tree
from ansible_collections.modwsgi.django.plugins.module_utils._requirements import ClosureError, python_version, venv_name
from ansible_collections.modwsgi.django.plugins.module_utils._site_tree import VENV_COMPLETE, VENV_LINK

COMPLETE = VENV_COMPLETE
LINK = VENV_LINK
PYTHON_MISMATCH_RE = re.compile(r'requires? a different [Pp]ython|Requires-Python', re.I)
NO_MATCH_RE = re.compile(r'No matching distribution found for (\S+)')


class VenvError(Exception):
    """The virtualenv could not be built: ``message`` says why, ``output`` is what pip printed."""

    def __init__(self, message, output='', python_mismatch=False):
        Exception.__init__(self, message)
        self.message = message
        self.output = output
        self.python_mismatch = python_mismatch


def decisive(output):
    """(the line of pip's output that says why it failed, whether a Python version is the reason).

    pip prints its verdict last and the reason before it ("Ignored the following versions that
    require a different python version: ... 6.0 Requires-Python >=3.12"). The verdict comes first,
    with the versions that were ignored for needing another Python (the last three) after it.
    """
    lines = [line.strip() for line in (output or '').splitlines() if line.strip()]
    errors = [line[len('ERROR:'):].strip() for line in lines if line.startswith('ERROR:')]
    ignored = next((line for line in lines if 'Ignored the following versions' in line), None)
    verdict = next((line for line in reversed(errors) if NO_MATCH_RE.search(line)), None)
    if verdict is None:
        verdict = next((line for line in errors if 'Ignored the following versions' not in line), None)
    if verdict is None:
        verdict = lines[-1] if lines else 'pip printed nothing'
    if ignored:
        parts = [part.strip() for part in ignored.split(':', 1)[-1].split(';') if part.strip()]
        return '%s (ignored for needing another Python: %s%s)' % (
            verdict, '...; ' if len(parts) > 3 else '', '; '.join(parts[-3:])), True
    mismatch = next((line for line in lines if PYTHON_MISMATCH_RE.search(line)), None)
    if mismatch and mismatch.replace('ERROR:', '').strip() != verdict:
        return '%s (%s)' % (verdict, mismatch.replace('ERROR:', '').strip()), True
    return verdict, mismatch is not None


def ensure(site, release_dir, run, extra_args='', site_gid=0, versions=None):
    """Build (if needed) and link the virtualenv of ``release_dir``.

    ``run(argv, cwd=None) -> (rc, stdout, stderr)``. Returns {'changed', 'built', 'venv', 'name'};
    raises VenvError (and removes a partial virtualenv) when it cannot be built.
    """
    versions = {} if versions is None else versions
    python = site.get('python') or '/usr/bin/python3'
    version = python_version(python, versions, run)
    if version is None:
        raise VenvError('the interpreter %s does not run' % python)
    requirements = site.get('requirements')
    try:
        name = venv_name(release_dir, requirements, version, extra_args)
    except ClosureError as exc:
        raise VenvError('requirements: %s' % exc)
    venv = os.path.join(site['paths']['venvs'], name)
    built = False
    if not os.path.exists(os.path.join(venv, COMPLETE)):
        shutil.rmtree(venv, ignore_errors=True)
        try:
            rc, out, err = run([python, '-m', 'venv', venv])
            if rc != 0:
                raise VenvError('%s -m venv %s failed' % (python, venv), (err or '') + (out or ''))
            if requirements:
                argv = [os.path.join(venv, 'bin', 'pip'), 'install', '--disable-pip-version-check', '--no-input',
                        '-r', os.path.join(release_dir, requirements)] + shlex.split(extra_args or '')
                rc, out, err = run(argv, cwd=release_dir)
                if rc != 0:
                    output = (out or '') + '\n' + (err or '')
                    line, mismatch = decisive(output)
                    raise VenvError(line, output, mismatch)
            set_tree(venv, 0, site_gid, private_dir, private_file)
            touch(os.path.join(venv, COMPLETE))
        except BaseException:
            shutil.rmtree(venv, ignore_errors=True)
            raise
        built = True
    linked = atomic_symlink(venv, os.path.join(release_dir, LINK))
    return {'changed': built or linked, 'built': built, 'venv': venv, 'name': name}


def failure_message(site, exc, release_id, mod_wsgi_python=None):
    """What a failed virtualenv build says: the site, the step, pip's deciding line, the fix, pip's tail."""
    python = site.get('python') or '/usr/bin/python3'
    embeds = mod_wsgi_python or '?'
    hint = ''
    if exc.python_mismatch:
        hint = ("A requirement needs a different Python than %s, the one mod_wsgi embeds: pin a release of it that "
                "supports Python %s, or use a distribution whose mod_wsgi embeds a newer Python (Debian 13: 3.13). " % (embeds, embeds))
    return ("site '%s', step requirements: %s. pip could not install %s of release %s with %s (Python %s, the one mod_wsgi "
            "embeds). %sNothing was activated; the live release keeps serving. pip said (last lines): %s"
            % (site.get('name', '?'), exc.message, site.get('requirements'), release_id, python, embeds, hint, exc.output.strip()[-1500:]))
