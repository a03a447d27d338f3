# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one Python mod_wsgi is built for on a host (``mod_wsgi_install: pip``).

mod_wsgi embeds one Python per Apache: every site of a host, daemon or embedded, must run on it.
``one_python`` finds it in the sites' ``python`` (or checks them against an explicit one) and says
which sites disagree; ``python_version`` reads ``X.Y`` from an interpreter's name; ``pip_plan`` says,
from the read of the host (``_observe``), whether the module there is already the one pip builds.
"""

from __future__ import annotations

import posixpath
import re

try:  # on the controller (ansible-core requires it); without it a version constraint cannot be checked
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.version import InvalidVersion
except ImportError:  # pragma: no cover
    Requirement = None

DEFAULT_PYTHON = '/usr/bin/python3'
_VERSIONED = re.compile(r'python(\d+\.\d+)$')
_SYS_VERSION = re.compile(r'^(\d+)\.(\d+)\.')


class OnePythonError(ValueError):
    pass


def one_python(sites, python=None):
    """The interpreter mod_wsgi must be built for; OnePythonError naming the sites when they disagree."""
    if not isinstance(sites, (list, tuple)):
        raise OnePythonError('modwsgi_sites must be a list of sites')
    by_python = {}
    for site in sites:
        if not isinstance(site, dict):
            continue
        by_python.setdefault(site.get('python') or DEFAULT_PYTHON, []).append(str(site.get('name', '?')))
    if python:
        if not str(python).startswith('/'):
            raise OnePythonError('mod_wsgi_python must be an absolute path, got %r' % (python,))
        others = dict((path, names) for path, names in by_python.items() if path != python)
        if others:
            raise OnePythonError(
                'mod_wsgi is built for %s (mod_wsgi_python) and embeds one Python per Apache, but %s. Fix: set '
                '"python: %s" on those sites.' % (python, _listing(others), python))
        return python
    if not by_python:
        raise OnePythonError('mod_wsgi_install is pip but the host has no site and mod_wsgi_python is not set: '
                             'set mod_wsgi_python to the interpreter to build mod_wsgi for.')
    if len(by_python) > 1:
        raise OnePythonError(
            'mod_wsgi embeds one Python per Apache, but the sites of this host name %d interpreters: %s. Fix: give every '
            'site the same python (or set mod_wsgi_python and use it on every site).' % (len(by_python), _listing(by_python)))
    return next(iter(by_python))


def _listing(by_python):
    return '; '.join('%s for site%s %s' % (path, '' if len(names) == 1 else 's', ', '.join("'%s'" % name for name in names))
                     for path, names in sorted(by_python.items()))


def python_version(path):
    """'X.Y' from an interpreter named pythonX.Y (e.g. /opt/python3.13/bin/python3.13), else ''."""
    match = _VERSIONED.search(str(path or ''))
    return match.group(1) if match else ''


def embedded_python_version(sites, install='package', python=None):
    """What the controller can tell of the Python mod_wsgi will embed before it is built: with
    ``install == 'pip'`` the version in the name of the one Python of the sites, else ''."""
    if install != 'pip':
        return ''
    try:
        return python_version(one_python(sites, python))
    except OnePythonError:
        return ''


def pip_plan(snapshot, request):
    """What ``mod_wsgi_install: pip`` has to do on the host of ``snapshot`` (None: no usable read).

    ``request``: ``python`` (the one Python, ``one_python``), ``dir`` (``mod_wsgi_pip_dir``), ``spec``
    (``mod_wsgi_pip_spec``), ``module_path`` (where Apache loads the module from) and ``package``
    (Debian's mod_wsgi package). Returns ``python``, ``venv`` (the build virtualenv, WSGIPythonHome),
    ``remove_package`` (Debian's package is installed, or unknown), ``build`` (pip has to run) and
    ``why`` (the reasons for building, in words). The module is current when Debian's package is not
    installed and the file at ``module_path`` embeds the Python the sites run (its ``sys.version``
    from the same read, else the ``pythonX.Y`` of its name) in a mod_wsgi version ``spec`` allows.
    """
    python = request['python']
    plan = {'python': python, 'venv': posixpath.join(request['dir'], posixpath.basename(python)),
            'remove_package': True, 'build': True, 'why': 'no read of the host'}
    if snapshot is None:
        return plan
    why = []
    plan['remove_package'] = request['package'] in set(snapshot.get('packages') or [])
    if plan['remove_package']:
        why.append("Debian's %s is installed" % request['package'])
    found = snapshot.get('mod_wsgi')
    want = _running_version((snapshot.get('pythons') or {}).get(python)) or python_version(python)
    if not found:
        why.append('no mod_wsgi module at %s' % request['module_path'])
    elif found.get('realpath') != request['module_path']:
        why.append('%s is a link to %s' % (request['module_path'], found.get('realpath')))
    elif not want:
        why.append('the version of %s is unknown' % python)
    elif found.get('python_version') != want:
        why.append('the module embeds Python %s, %s is %s' % (found.get('python_version'), python, want))
    elif not _allows(request.get('spec'), found.get('version')):
        why.append('mod_wsgi %s is not %s' % (found.get('version'), request.get('spec')))
    plan['build'] = bool(why)
    plan['why'] = '; '.join(why)
    return plan


def _running_version(line):
    """'X.Y' from a ``sys.version`` line, else ''."""
    match = _SYS_VERSION.match(str(line or ''))
    return '%s.%s' % match.groups() if match else ''


def _allows(spec, version):
    """Whether the requirement ``spec`` (e.g. ``mod_wsgi>=5.0,<7``) allows ``version``; False when either
    cannot be read (pip then decides)."""
    if Requirement is None or not spec or not version:
        return False
    try:
        return Requirement(spec).specifier.contains(version, prereleases=True)
    except (InvalidRequirement, InvalidVersion):
        return False
