# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unpack a source tarball into a site's release directory, safely and all at once (pure Python).

The tarball (``pack_sources``, ``git archive`` or the site's own archive) is extracted into
``<release><partial suffix>``; the release marker is written last; the tree is handed to root:<site
group> with ``u=rwX,g=rX,o=`` (the site reads its code, never writes it); then the directory is
renamed to its final name. A release directory without its marker is never used: an interrupted
unpack is done again from scratch.

Members are checked before anything is written, as Python's ``data`` extraction filter (PEP 706)
does: no absolute names, no ``..``, links only to places inside the release, only files,
directories and links (no devices, fifos or set-id bits). A tarball that breaks a rule is refused
with the member's name.
"""

from __future__ import annotations

import os
import posixpath
import shutil
import stat
import tarfile

from ansible_collections.modwsgi.django.plugins.module_utils._fs import atomic_write
from ansible_collections.modwsgi.django.plugins.module_utils._manage import private_dir, private_file, set_tree
from ansible_collections.modwsgi.django.plugins.module_utils._site_tree import PARTIAL_SUFFIX, RELEASE_MARKER


class UnpackError(Exception):
    """The tarball cannot be read or holds a member that would land outside the release."""


def _inside(name):
    """The member name normalized, or None when it is absolute or climbs out with ``..``."""
    if name.startswith('/'):
        return None
    normalized = posixpath.normpath(name)
    if normalized == '..' or normalized.startswith('../'):
        return None
    return normalized


def check_members(members):
    """The members to extract (``.`` itself dropped); raises UnpackError naming the first bad one."""
    keep = []
    for member in members:
        name = _inside(member.name)
        if name is None:
            raise UnpackError('member %r is outside the release (absolute, or climbs out with ..)' % member.name)
        if not (member.isfile() or member.isdir() or member.issym() or member.islnk()):
            raise UnpackError('member %r is not a file, a directory or a link (devices and fifos are refused)' % member.name)
        if member.issym() or member.islnk():
            target = member.linkname
            if member.issym():
                target = posixpath.join(posixpath.dirname(name), target) if not target.startswith('/') else target
            if target.startswith('/') or _inside(target) is None:
                raise UnpackError('link %r points outside the release (%s)' % (member.name, member.linkname))
        if member.mode & (stat.S_ISUID | stat.S_ISGID):
            member.mode &= ~(stat.S_ISUID | stat.S_ISGID)
        if name == '.':
            continue
        keep.append(member)
    return keep


def unpack(archive, release_dir, release_id, site_gid, root_uid=0):
    """Make ``release_dir`` from ``archive``. Returns False when the release is already complete."""
    release_dir = release_dir.rstrip('/')
    if os.path.exists(os.path.join(release_dir, RELEASE_MARKER)):
        return False
    partial = release_dir + PARTIAL_SUFFIX
    shutil.rmtree(partial, ignore_errors=True)
    if os.path.lexists(release_dir):
        # A directory without its marker: what an interrupted run left; it is rebuilt.
        shutil.rmtree(release_dir)
    os.makedirs(partial, 0o750)
    try:
        try:
            with tarfile.open(archive, 'r:*') as tar:
                members = check_members(tar.getmembers())
                tar.extractall(partial, members=members, numeric_owner=True, **_filter_kwargs())
        except (tarfile.TarError, EOFError, OSError) as exc:
            if isinstance(exc, OSError) and not isinstance(exc, (tarfile.TarError, EOFError)) and exc.filename == archive:
                raise UnpackError('cannot read %s: %s' % (archive, exc.strerror))
            raise UnpackError('%s is not a readable tarball: %s' % (archive, exc))
        atomic_write(os.path.join(partial, RELEASE_MARKER), ('%s\n' % release_id).encode('utf-8'), 0o640)
        set_tree(partial, root_uid, site_gid, private_dir, private_file)
        os.rename(partial, release_dir)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return True


def _filter_kwargs():
    """``filter='fully_trusted'`` where tarfile knows filters: the members were checked above, and
    the modes and owners are set afterwards (the ``data`` filter would also clear executable bits)."""
    return {'filter': 'fully_trusted'} if hasattr(tarfile, 'fully_trusted_filter') else {}
