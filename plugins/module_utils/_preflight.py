# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Can a site's requirements be installed for the host's Python? Decided on the controller, before
anything on the host changes (the engine of the ``requirements_preflight`` module).

For every site whose code is a directory on the controller, pip resolves the requirements closure for
the Python mod_wsgi embeds on the host (``pip install --dry-run --python-version X.Y
--only-binary=:all:``). When that fails and the same resolution for a newer Python succeeds, the
difference is the Python version: the site is refused, with pip's deciding line. Any other failure
(an sdist-only package, a private index the controller cannot reach) is not decided here; pip on the
host decides. A success is remembered in a cache file named after the closure's fingerprint, so a
rerun costs nothing.
"""

from __future__ import annotations

import os
import shlex
import shutil
import tempfile

from ansible_collections.modwsgi.django.plugins.module_utils._requirements import ClosureError, fingerprint, requirements_closure
from ansible_collections.modwsgi.django.plugins.module_utils._venv import decisive

NEWER_PYTHON = '3.13'


def _version_key(version):
    return tuple(int(part) for part in version.split('.')[:2])


def resolve(pip, requirements, version, extra_args, run):
    """(rc, output) of a dry-run resolution of ``requirements`` for Python ``version`` (nothing is installed)."""
    target = tempfile.mkdtemp(prefix='modwsgi-preflight-')
    try:
        return _resolve(pip, requirements, version, extra_args, run, target)
    finally:
        shutil.rmtree(target, ignore_errors=True)


def _resolve(pip, requirements, version, extra_args, run, target):
    argv = list(pip) + ['install', '--dry-run', '--ignore-installed', '--quiet', '--no-input', '--disable-pip-version-check',
                        '--python-version', version, '--only-binary=:all:', '--target', target,
                        '-r', requirements] + shlex.split(extra_args or '')
    rc, out, err = run(argv, cwd=os.path.dirname(requirements))
    return rc, (out or '') + '\n' + (err or '')


def check_site(site, version, extra_args, pip, cache_dir, run):
    """{'state': ok|cached|refused|undecided|skipped, 'message': str} for one normalized site."""
    source = site.get('source') or {}
    requirements = site.get('requirements')
    if not requirements:
        return {'state': 'skipped', 'message': 'no requirements file'}
    if source.get('type') != 'path' or source.get('remote'):
        return {'state': 'skipped', 'message': 'the code is fetched on the host; pip decides there'}
    top = os.path.abspath(os.path.expanduser(source.get('path') or ''))
    if not os.path.isdir(top):
        return {'state': 'skipped', 'message': 'source directory %s is not on the controller' % top}
    try:
        closure = requirements_closure(top, requirements)
    except ClosureError as exc:
        return {'state': 'refused', 'message': str(exc), 'fix': 'fix the include, or put the file into the release'}
    key = fingerprint(closure, ('python %s' % version).encode(), extra_args)
    marker = os.path.join(cache_dir, key) if cache_dir else None
    if marker and os.path.exists(marker):
        return {'state': 'cached', 'message': 'resolved before (%s)' % key}
    rc, output = resolve(pip, os.path.join(top, requirements), version, extra_args, run)
    if rc == 0:
        if marker:
            try:
                os.makedirs(cache_dir, exist_ok=True)
                with open(marker, 'w') as handle:
                    handle.write('%s %s\n' % (site.get('name'), version))
            except OSError:
                pass
        return {'state': 'ok', 'message': 'resolves for Python %s' % version}
    line, mismatch = decisive(output)
    if _version_key(version) < _version_key(NEWER_PYTHON):
        newer_rc, _newer_output = resolve(pip, os.path.join(top, requirements), NEWER_PYTHON, extra_args, run)
        if newer_rc == 0:
            return {'state': 'refused', 'message': '%s. A requirement needs a different Python than %s, the one mod_wsgi embeds on '
                                                   'this host (it resolves for Python %s)' % (line, version, NEWER_PYTHON),
                    'fix': 'pin a release of it that supports Python %s, or use a distribution whose mod_wsgi embeds a newer '
                           'Python (Debian 13: 3.13)' % version}
    return {'state': 'undecided', 'message': 'not resolvable on the controller for Python %s (%s); pip on the host decides'
                                             % (version, line)}


def check_all(sites, version, extra_args, pip, cache_dir, run):
    """Result per site name, and the refusals as lines naming site, field and fix."""
    results, refusals = {}, []
    for site in sites:
        result = check_site(site, version, extra_args, pip, cache_dir, run)
        results[site.get('name')] = result
        if result['state'] == 'refused':
            refusals.append("site '%s', field requirements: %s. Fix: %s." % (site.get('name'), result['message'], result['fix']))
    return results, refusals
