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

import hashlib
import os
import shlex

from ansible_collections.modwsgi.django.plugins.module_utils._activate import read_map
from ansible_collections.modwsgi.django.plugins.module_utils._fs import readlink
from ansible_collections.modwsgi.django.plugins.module_utils._manage import markers as manage_markers
from ansible_collections.modwsgi.django.plugins.module_utils._site_tree import CURRENT, COLORS, LIVE_LINKS, RELEASE_MARKER, VENV_COMPLETE, VENV_LINK


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


def markers(site):
    """Marker files a finished build leaves in the release directory."""
    return [RELEASE_MARKER] + manage_markers(site)


def links(site):
    if site.get('mode') == 'daemon' and site.get('deploy') == 'bluegreen':
        return list(LIVE_LINKS)
    return [CURRENT]


def status(site, release_dir, colors, versions, run, extra_args=''):
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
    try:
        venv = os.path.join(site['paths']['venvs'], venv_name(release_dir, site.get('requirements'), version, extra_args))
    except ClosureError as exc:
        return {'built': False, 'live': False, 'why': 'requirements: %s' % exc}
    if readlink(os.path.join(release_dir, VENV_LINK)) != venv:
        return {'built': False, 'live': False, 'why': 'release is not linked to virtualenv %s' % os.path.basename(venv)}
    if not os.path.exists(os.path.join(venv, VENV_COMPLETE)):
        return {'built': False, 'live': False, 'why': 'virtualenv %s is not complete' % os.path.basename(venv)}
    for name in links(site):
        if not os.path.lexists(os.path.join(root, name)):
            return {'built': False, 'live': False, 'why': 'no %s link' % name}
    live = readlink(os.path.join(root, CURRENT)) == release_dir
    if live and len(links(site)) > 1:
        color = colors.get(site['name'])
        live = color in COLORS and readlink(os.path.join(root, color)) == release_dir
    return {'built': True, 'live': live, 'why': 'live' if live else 'built, not live'}


def statuses(sites, release_ids, map_path, run, extra_args=''):
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
        state = status(site, release_dir, colors, versions, run, extra_args)
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
            try:
                out = pack_dir(source['path'], os.path.join(dest, '%s%s.tar.gz' % (prefix, source['name'])), run)
            except PackError as exc:
                raise PackError('site %s: %s' % (source['name'], exc))
        else:
            out = source['path']
            if not os.path.isfile(out):
                raise PackError('site %s: archive %s does not exist on the controller' % (source['name'], out))
        result[source['name']] = {'file': out, 'checksum': sha1_file(out)}
    return result
