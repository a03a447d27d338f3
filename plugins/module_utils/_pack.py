# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Reproducible source tarballs of the sites whose code is on the controller (the engine of ``pack_sources``).

GNU tar with sorted names, mtime 0 and owner 0 through ``gzip -n``: the same code always gives the
same bytes, and the SHA-1 of those bytes names the release (its first 12 hex digits). Pure Python,
no Ansible import.
"""

from __future__ import annotations

import hashlib
import os
import shlex


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
