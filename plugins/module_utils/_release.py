# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Is a site's release already built and live? (the engine of the ``release_status`` module)

The ``django_site`` role builds a release (unpack, virtualenv, migrate, collectstatic, check
--deploy, first links) only for the sites this says are not built, and activates only the sites
that are not live: a converge that changes nothing skips every per-site step.

A release directory counts as built when everything the build leaves behind is there:
``.modwsgi-release``; the marker of each management step the site runs (``.modwsgi-migrated``,
``.modwsgi-collected``, one ``.modwsgi-step-<hash>`` per extra step, ``.modwsgi-checked``); ``.modwsgi-venv`` linking the virtualenv whose name
is the fingerprint of the release's requirements file and the interpreter's version, and that
virtualenv sealed (``.modwsgi-complete``); and the site's ``current`` link (plus ``blue`` and
``green`` for blue/green sites).
"""

from __future__ import annotations

import os

from ansible_collections.modwsgi.django.plugins.module_utils._activate import read_map
from ansible_collections.modwsgi.django.plugins.module_utils._manage import markers as manage_markers
from ansible_collections.modwsgi.django.plugins.module_utils._requirements import ClosureError, python_version, venv_name
from ansible_collections.modwsgi.django.plugins.module_utils._site_tree import (
    CURRENT, COLORS, LIVE_LINKS, RELEASE_ID_LENGTH, RELEASE_MARKER, VENV_COMPLETE, VENV_LINK)
from ansible_collections.modwsgi.django.plugins.module_utils._view import LOCAL


def markers(site):
    """Marker files a finished build leaves in the release directory."""
    return [RELEASE_MARKER] + manage_markers(site)


def links(site):
    if site.get('bluegreen'):
        return list(LIVE_LINKS)
    return [CURRENT]


def release_dir_of(site, release_id):
    """``<root>/releases/<id>`` for a release id or a full checksum (None for None)."""
    return os.path.join(site['paths']['releases'], str(release_id)[:RELEASE_ID_LENGTH]) if release_id else None


def expected_venv(site, release_dir, versions, run, extra_args=''):
    """``(name, None)``: the virtualenv a release of this site must link, from its requirements closure
    on this machine; ``(None, why)`` when that cannot be told (the interpreter does not run, a bad closure)."""
    version = python_version(site.get('python') or '/usr/bin/python3', versions, run)
    if version is None:
        return None, 'interpreter %s does not run' % site.get('python')
    try:
        return venv_name(release_dir, site.get('requirements'), version, extra_args), None
    except ClosureError as exc:
        return None, 'requirements: %s' % exc


def status(site, release_dir, colors, venv, view=LOCAL):
    """{'built': bool, 'live': bool, 'why': str} for one normalized site (validate_sites output).

    ``venv``: what :func:`expected_venv` says of ``release_dir`` (or a callable returning it, called
    only when the release has every marker); ``view`` (``_view``): the host, or a snapshot of it.
    """
    root = site['paths']['root']
    if not release_dir:
        return {'built': False, 'live': False, 'why': 'release id known only on the target (source fetched there)'}
    for name in markers(site):
        if not view.exists(os.path.join(release_dir, name)):
            return {'built': False, 'live': False, 'why': 'release %s has no %s' % (os.path.basename(release_dir), name)}
    name, why = venv() if callable(venv) else venv
    if name is None:
        return {'built': False, 'live': False, 'why': why}
    venv_dir = os.path.join(site['paths']['venvs'], name)
    if view.readlink(os.path.join(release_dir, VENV_LINK)) != venv_dir:
        return {'built': False, 'live': False, 'why': 'release is not linked to virtualenv %s' % name}
    if not view.exists(os.path.join(venv_dir, VENV_COMPLETE)):
        return {'built': False, 'live': False, 'why': 'virtualenv %s is not complete' % name}
    for link in links(site):
        if not view.lexists(os.path.join(root, link)):
            return {'built': False, 'live': False, 'why': 'no %s link' % link}
    live = view.readlink(os.path.join(root, CURRENT)) == release_dir
    if live and len(links(site)) > 1:
        color = colors.get(site['name'])
        live = color in COLORS and view.readlink(os.path.join(root, color)) == release_dir
    return {'built': True, 'live': live, 'why': 'live' if live else 'built, not live'}


def summarize(sites, states):
    """The lists the role loops over, from {name: status + release_dir}."""
    result = {'sites': states, 'releases': {}, 'build': [], 'activate': []}
    for site in sites:
        name = site['name']
        state = states[name]
        if state['release_dir']:
            result['releases'][name] = state['release_dir']
        if not state['built']:
            result['build'].append(name)
        if not state['live']:
            result['activate'].append(name)
    return result


def statuses(sites, release_ids, map_path, run, extra_args=''):
    """Status of every site on this host, plus the lists the role loops over.

    ``release_ids``: site name to its release id (or the full checksum; 12 hex digits are used),
    for the sites whose code was packed or checksummed on the controller.
    Returns {'sites': {name: status + release_dir}, 'releases': {name: release_dir},
    'build': [names not built], 'activate': [names not live]}.
    """
    colors = read_map(map_path) if map_path else {}
    versions = {}
    states = {}
    for site in sites:
        release_dir = release_dir_of(site, (release_ids or {}).get(site['name']))

        def venv(site=site, release_dir=release_dir):
            return expected_venv(site, release_dir, versions, run, extra_args)

        state = status(site, release_dir, colors, venv)
        state['release_dir'] = release_dir
        states[site['name']] = state
    return summarize(sites, states)
