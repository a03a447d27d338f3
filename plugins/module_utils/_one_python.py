# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one Python mod_wsgi is built for on a host (``mod_wsgi_install: pip``).

mod_wsgi embeds one Python per Apache: every site of a host, daemon or embedded, must run on it.
``one_python`` finds it in the sites' ``python`` (or checks them against an explicit one) and says
which sites disagree; ``python_version`` reads ``X.Y`` from an interpreter's name.
"""

from __future__ import annotations

import re

DEFAULT_PYTHON = '/usr/bin/python3'
_VERSIONED = re.compile(r'python(\d+\.\d+)$')


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
