# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the planning engines read of a host, from the host itself or from one snapshot of it.

The engines that decide what a converge has to change (``_files``, ``_apache_config``, ``_activate``,
``_prune``, ``_release``) read the file system only through a *view*:

* :class:`LocalView` is the real file system of the machine the code runs on (the modules use it on
  the target, to plan and to apply);
* :class:`SnapshotView` answers the same questions from one snapshot of the target taken by
  ``_observe.observe`` (the roles use it on the controller to plan a whole converge from a single read
  of the host, and run a module only where the plan says something differs).

Because both run the same engine code, a plan made from a snapshot says what the module would do on
the host at the time of the snapshot. A question about a path the snapshot did not cover raises
:class:`NotObserved`: the caller must then treat that part as changed and let the module decide on
the host. Pure Python, no Ansible import.
"""

from __future__ import annotations

import errno
import grp
import hashlib
import os
import posixpath
import pwd
import stat as stat_module


class NotObserved(Exception):
    """The snapshot has no answer for this path (a bug in what was observed, or a path outside it)."""


class ContentNotObserved(NotObserved):
    """The snapshot holds the checksum of this file, not its bytes."""


class Stat(tuple):
    """The part of ``os.stat_result`` the engines use: mode, uid, gid, size, mtime_ns."""

    __slots__ = ()

    def __new__(cls, st_mode, st_uid, st_gid, st_size=0, st_mtime_ns=0):
        return tuple.__new__(cls, (st_mode, st_uid, st_gid, st_size, st_mtime_ns))

    st_mode = property(lambda self: self[0])
    st_uid = property(lambda self: self[1])
    st_gid = property(lambda self: self[2])
    st_size = property(lambda self: self[3])
    st_mtime_ns = property(lambda self: self[4])


def sha1_bytes(data):
    return hashlib.sha1(data).hexdigest()


def sha1_file(path):
    digest = hashlib.sha1()
    with open(path, 'rb') as handle:
        for block in iter(lambda: handle.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


class LocalView:
    """The real file system (``os``), and the real user and group databases."""

    snapshot = False

    @staticmethod
    def lstat(path):
        """``os.lstat`` or None when nothing is there."""
        try:
            return os.lstat(path)
        except (FileNotFoundError, NotADirectoryError):
            return None

    @staticmethod
    def stat(path):
        """``os.stat`` (links followed) or None when nothing (or a dangling link) is there."""
        try:
            return os.stat(path)
        except (FileNotFoundError, NotADirectoryError):
            return None

    @staticmethod
    def read(path):
        """The bytes of a file (links followed), None when it does not exist."""
        try:
            with open(path, 'rb') as handle:
                return handle.read()
        except (FileNotFoundError, NotADirectoryError):
            return None

    def same_content(self, path, data):
        """Whether the file at ``path`` holds exactly ``data`` (False when it does not exist)."""
        return self.read(path) == data

    @staticmethod
    def readlink(path):
        try:
            return os.readlink(path)
        except OSError:
            return None

    @staticmethod
    def lexists(path):
        return os.path.lexists(path)

    @staticmethod
    def exists(path):
        return os.path.exists(path)

    @staticmethod
    def isdir(path):
        return os.path.isdir(path)

    @staticmethod
    def listdir(path):
        """Names in a directory; [] when it is missing or not a directory."""
        try:
            return os.listdir(path)
        except (FileNotFoundError, NotADirectoryError):
            return []

    @staticmethod
    def uid(name):
        """uid of user ``name``; None when there is no such user."""
        try:
            return pwd.getpwnam(name).pw_uid
        except KeyError:
            return None

    @staticmethod
    def gid(name):
        """gid of group ``name``; None when there is no such group."""
        try:
            return grp.getgrnam(name).gr_gid
        except KeyError:
            return None


LOCAL = LocalView()

# Entry types in a snapshot.
FILE, DIR, LINK, OTHER, MISSING = 'file', 'dir', 'link', 'other', 'missing'
_FORMAT = {FILE: stat_module.S_IFREG, DIR: stat_module.S_IFDIR, LINK: stat_module.S_IFLNK}


class SnapshotView:
    """The :class:`LocalView` questions answered from a snapshot (``_observe.observe``'s ``paths``)."""

    snapshot = True

    def __init__(self, snapshot):
        self.paths = snapshot.get('paths') or {}
        accounts = snapshot.get('accounts') or {}
        self.users = accounts.get('users') or {}
        self.groups = accounts.get('groups') or {}

    # -- lookup -------------------------------------------------------------------------------
    def entry(self, path):
        """The snapshot entry of ``path`` ({'type': ...}); raises NotObserved outside the snapshot."""
        path = posixpath.normpath(path)
        found = self.paths.get(path)
        if found is not None:
            return found
        # Not read itself: known missing when an observed ancestor is missing, is not a directory,
        # or is a listed directory without the next component.
        child, parent = path, posixpath.dirname(path)
        while parent != child:
            above = self.paths.get(parent)
            if above is not None:
                if above['type'] in (MISSING, FILE, OTHER):
                    return {'type': MISSING}
                if above['type'] == DIR and 'entries' in above and posixpath.basename(child) not in above['entries']:
                    return {'type': MISSING}
                break
            child, parent = parent, posixpath.dirname(parent)
        raise NotObserved(path)

    def _resolve(self, path, depth=0):
        """The entry at the end of any symlinks at ``path`` (the links' own path components are
        not resolved: the engines only follow links they asked for)."""
        found = self.entry(path)
        if found['type'] != LINK:
            return found
        if depth > 40:
            raise OSError(errno.ELOOP, 'Too many levels of symbolic links', path)
        target = found['target']
        if not target.startswith('/'):
            target = posixpath.join(posixpath.dirname(path), target)
        return self._resolve(target, depth + 1)

    @staticmethod
    def _stat(found):
        if found['type'] == MISSING:
            return None
        fmt = _FORMAT.get(found['type'], stat_module.S_IFIFO)
        return Stat(fmt | found.get('mode', 0), found.get('uid', 0), found.get('gid', 0),
                    found.get('size', 0), found.get('mtime_ns', 0))

    # -- the LocalView interface --------------------------------------------------------------
    def lstat(self, path):
        return self._stat(self.entry(path))

    def stat(self, path):
        return self._stat(self._resolve(path))

    def read(self, path):
        found = self._resolve(path)
        if found['type'] == MISSING:
            return None
        if found['type'] != FILE:
            raise IsADirectoryError(path)
        if 'content' not in found:
            raise ContentNotObserved(path)
        return found['content'].encode('utf-8', 'surrogateescape')

    def same_content(self, path, data):
        found = self._resolve(path)
        if found['type'] != FILE:
            return False
        if 'sha1' in found:
            return found['sha1'] == sha1_bytes(data)
        if 'current' in found:
            # Compared on the host against what the host computed for it (files holding secrets:
            # neither their bytes nor their checksum are in a snapshot).
            return found['current']
        return self.read(path) == data

    def readlink(self, path):
        found = self.entry(path)
        return found['target'] if found['type'] == LINK else None

    def lexists(self, path):
        return self.entry(path)['type'] != MISSING

    def exists(self, path):
        return self._resolve(path)['type'] != MISSING

    def isdir(self, path):
        return self._resolve(path)['type'] == DIR

    def listdir(self, path):
        found = self._resolve(path)
        if found['type'] != DIR:
            return []
        if 'entries' not in found:
            raise NotObserved(path + '/')
        return list(found['entries'])

    def uid(self, name):
        user = self.users.get(name)
        return None if user is None else user[0]

    def gid(self, name):
        group = self.groups.get(name)
        return None if group is None else group
