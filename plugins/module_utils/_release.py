# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Is a site's release already built and live? (the engine of the ``release_status`` module)

The ``django_site`` role builds a release (unpack, virtualenv, migrate, collectstatic, check
--deploy, first links) only for the sites this says are not built, and activates only the sites
that are not live: a converge that changes nothing skips every per-site step.

A release directory counts as built when everything the build leaves behind is there:
``.modwsgi-release``; the marker of each management step the site runs (``.modwsgi-migrated``,
``.modwsgi-collected``, ``.modwsgi-checked``); ``.modwsgi-venv`` linking the virtualenv whose name
is the fingerprint of the release's requirements file and the interpreter's version, and that
virtualenv sealed (``.modwsgi-complete``); and the site's ``current`` link (plus ``blue`` and
``green`` for blue/green sites).
"""

from __future__ import annotations

import hashlib
import os
import shlex

from ansible_collections.modwsgi.django.plugins.module_utils._activate import read_map


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


def fingerprint(requirements_file, version_line):
    """Virtualenv name: sha256 of the requirements file's bytes then the interpreter's version line.

    Same bytes as the shell form ``{ cat req || true; python -c 'print(sys.version)'; } | sha256sum``.
    """
    digest = hashlib.sha256()
    if requirements_file:
        try:
            with open(requirements_file, 'rb') as handle:
                digest.update(handle.read())
        except OSError:
            pass
    digest.update(version_line)
    return digest.hexdigest()[:16]


def _readlink(path):
    try:
        return os.readlink(path)
    except OSError:
        return None


def markers(site):
    """Marker files a finished build leaves in the release directory."""
    names = ['.modwsgi-release']
    if site.get('migrate'):
        names.append('.modwsgi-migrated')
    if site.get('collectstatic') and isinstance(site.get('static'), dict):
        names.append('.modwsgi-collected')
    if site.get('check_deploy'):
        names.append('.modwsgi-checked')
    return names


def links(site):
    if site.get('mode') == 'daemon' and site.get('deploy') == 'bluegreen':
        return ['blue', 'green', 'current']
    return ['current']


def status(site, release_dir, colors, versions, run):
    """{'built': bool, 'live': bool, 'why': str} for one normalized site (validate_sites output)."""
    root = site['paths']['root']
    if not release_dir:
        return {'built': False, 'live': False, 'why': 'release id known only on the target (source fetched there)'}
    for name in markers(site):
        if not os.path.exists(os.path.join(release_dir, name)):
            return {'built': False, 'live': False, 'why': 'release %s has no %s' % (os.path.basename(release_dir), name)}
    version = python_version(site.get('python') or '/usr/bin/python3', versions, run)
    if version is None:
        return {'built': False, 'live': False, 'why': 'interpreter %s does not run' % site.get('python')}
    requirements = site.get('requirements')
    venv = os.path.join(site['paths']['venvs'], fingerprint(os.path.join(release_dir, requirements) if requirements else None, version))
    if _readlink(os.path.join(release_dir, '.modwsgi-venv')) != venv:
        return {'built': False, 'live': False, 'why': 'release is not linked to virtualenv %s' % os.path.basename(venv)}
    if not os.path.exists(os.path.join(venv, '.modwsgi-complete')):
        return {'built': False, 'live': False, 'why': 'virtualenv %s is not complete' % os.path.basename(venv)}
    for name in links(site):
        if not os.path.lexists(os.path.join(root, name)):
            return {'built': False, 'live': False, 'why': 'no %s link' % name}
    live = _readlink(os.path.join(root, 'current')) == release_dir
    if live and 'blue' in links(site):
        color = colors.get(site['name'])
        live = color in ('blue', 'green') and _readlink(os.path.join(root, color)) == release_dir
    return {'built': True, 'live': live, 'why': 'live' if live else 'built, not live'}


def statuses(sites, release_ids, map_path, run):
    """Status of every site, plus the lists the role loops over.

    ``release_ids``: site name to its release id (or the full checksum; 12 hex digits are used),
    for the sites whose code was packed or checksummed on the controller.
    Returns {'sites': {name: status + release_dir}, 'releases': {name: release_dir},
    'build': [names not built], 'activate': [names not live]}.
    """
    colors = read_map(map_path) if map_path else {}
    versions = {}
    result = {'sites': {}, 'releases': {}, 'build': [], 'activate': []}
    for site in sites:
        name = site['name']
        release_id = (release_ids or {}).get(name)
        release_dir = os.path.join(site['paths']['releases'], str(release_id)[:12]) if release_id else None
        state = status(site, release_dir, colors, versions, run)
        state['release_dir'] = release_dir
        result['sites'][name] = state
        if release_dir:
            result['releases'][name] = release_dir
        if not state['built']:
            result['build'].append(name)
        if not state['live']:
            result['activate'].append(name)
    return result


class PackError(Exception):
    """A source directory or archive that cannot be packed or read."""


TAR_EXCLUDES = ('__pycache__', '*.pyc', '.git', 'db.sqlite3')


def sha1_file(path):
    digest = hashlib.sha1()
    with open(path, 'rb') as handle:
        for block in iter(lambda: handle.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


def pack_dir(source, out, run):
    """GNU tar of ``source`` (sorted names, mtime 0, owner 0) through ``gzip -n`` into ``out``, atomically."""
    if not os.path.isdir(source):
        raise PackError('source directory %s does not exist on the controller' % source)
    tmp = '%s.%d.tmp' % (out, os.getpid())
    excludes = ' '.join('--exclude=%s' % shlex.quote(pattern) for pattern in TAR_EXCLUDES)
    script = ('tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner %s -C %s -cf - . | gzip -n > %s'
              % (excludes, shlex.quote(source), shlex.quote(tmp)))
    try:
        rc, _out, err = run(['/bin/bash', '-o', 'pipefail', '-c', script])
        if rc != 0:
            raise PackError('cannot pack %s: %s' % (source, (err or '').strip()))
        os.replace(tmp, out)
    except OSError as exc:
        raise PackError('cannot pack %s into %s: %s' % (source, out, exc))
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return out


def local_sources(sites):
    """[{name, type: path|archive, path}] for the sites whose code is on the controller."""
    found = []
    for site in sites:
        source = site.get('source') or {}
        if source.get('remote') or source.get('type') not in ('path', 'archive'):
            continue
        where = source.get('path') if source['type'] == 'path' else source.get('src')
        if not where:
            raise PackError('site %s: source has no %s' % (site.get('name'), 'path' if source['type'] == 'path' else 'src'))
        found.append({'name': site['name'], 'type': source['type'], 'path': os.path.abspath(os.path.expanduser(where))})
    return found


def pack_all(sources, dest, prefix, run):
    """{name: {'file': tarball, 'checksum': sha1}} for every source ({name, type: path|archive, path})."""
    result = {}
    for source in sources:
        if source['type'] == 'path':
            out = pack_dir(source['path'], os.path.join(dest, '%s%s.tar.gz' % (prefix, source['name'])), run)
        else:
            out = source['path']
            if not os.path.isfile(out):
                raise PackError('site %s: archive %s does not exist on the controller' % (source['name'], out))
        result[source['name']] = {'file': out, 'checksum': sha1_file(out)}
    return result
