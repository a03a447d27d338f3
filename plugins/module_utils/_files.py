# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Many directories, files and symlinks in one pass (the engine of the ``file_batch`` module).

One module run per host for every site's directories, conf files and log files, instead of one
``file``/``copy``/``template`` task execution per path: a no-op converge then costs one round trip
whatever the number of sites.

Semantics follow the builtin modules they replace:

* ``directory``: created with its parents when missing (``file state=directory``); owner, group
  and mode of the leaf are enforced. An existing symlink to a directory is followed.
* ``file`` with ``content``: written atomically (temp file in the same directory, fsync, rename)
  only when the bytes differ (``copy``); owner, group and mode enforced. A symlink at the path is
  replaced by the file, never written through.
* ``file`` without ``content``: created empty when missing, otherwise only owner, group and mode
  are enforced (``file state=touch`` with times preserved).
* ``link``: points at ``src``; an existing different link (or file) is replaced atomically when
  ``force`` is true, left alone when false (create-only, like ``command creates=``).
"""

from __future__ import annotations

import os
import stat

from ansible_collections.modwsgi.django.plugins.module_utils._fs import atomic_symlink, atomic_write, parse_mode
from ansible_collections.modwsgi.django.plugins.module_utils._view import LOCAL, ContentNotObserved


class FileBatchError(Exception):
    """Bad entry or a path that cannot be brought to the wanted state."""


STATES = ('directory', 'file', 'link')


def _account_id(kind, name, check_mode, view):
    """uid (kind 'user') or gid (kind 'group') of ``name``; None when not given."""
    if name is None:
        return None
    found = view.uid(name) if kind == 'user' else view.gid(name)
    if found is None:
        if check_mode:
            return -2  # created by an earlier task of the same run: report a change
        raise FileBatchError('no such %s: %s' % (kind, name))
    return found


def _mode(value, path):
    if value is None:
        return None
    try:
        return parse_mode(value)
    except ValueError as exc:
        raise FileBatchError('%s: %s' % (path, exc))


def _attrs_differ(st, uid, gid, mode):
    return ((uid is not None and st.st_uid != uid) or (gid is not None and st.st_gid != gid)
            or (mode is not None and stat.S_IMODE(st.st_mode) != mode))


def _set_attrs(path, uid, gid, mode):
    os.chown(path, -1 if uid is None else uid, -1 if gid is None else gid)
    if mode is not None:
        os.chmod(path, mode)  # after chown: chown clears setgid bits


def _fix_attrs(path, st, uid, gid, mode, check_mode):
    """Enforce owner, group and mode on an existing path; True when something differed."""
    if not _attrs_differ(st, uid, gid, mode):
        return False
    if not check_mode:
        _set_attrs(path, uid, gid, mode)
    return True


def _directory(entry, uid, gid, mode, check_mode, view):
    path = entry['path']
    st = view.stat(path)
    if st is None:
        if not check_mode:
            os.makedirs(path, exist_ok=True)
            _set_attrs(path, uid, gid, 0o755 if mode is None else mode)
        return True
    if not stat.S_ISDIR(st.st_mode):
        raise FileBatchError('%s exists and is not a directory' % path)
    return _fix_attrs(path, st, uid, gid, mode, check_mode)


def _file(entry, uid, gid, mode, check_mode, diffs, view):
    path = entry['path']
    content = entry.get('content')
    st = view.lstat(path)
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise FileBatchError('%s is a directory, a file was wanted' % path)
    if content is None:
        if st is None:
            if not check_mode:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
                os.close(fd)
                _set_attrs(path, uid, gid, 0o644 if mode is None else mode)
            return True
        if stat.S_ISLNK(st.st_mode):
            raise FileBatchError('%s is a symlink; refusing to change what it points at' % path)
        return _fix_attrs(path, st, uid, gid, mode, check_mode)

    data = content.encode('utf-8') if isinstance(content, str) else bytes(content)
    regular = st is not None and stat.S_ISREG(st.st_mode)
    if regular and view.same_content(path, data):
        return _fix_attrs(path, st, uid, gid, mode, check_mode)
    if diffs is not None and not entry.get('no_diff'):
        try:
            before = view.read(path) if regular else None
        except ContentNotObserved:
            before = None
        diffs.append({'before_header': path, 'after_header': path,
                      'before': '' if before is None else before.decode('utf-8', 'replace'),
                      'after': data.decode('utf-8', 'replace')})
    if not check_mode:
        if st is not None and stat.S_ISREG(st.st_mode) and mode is None:
            mode = stat.S_IMODE(st.st_mode)
        atomic_write(path, data, 0o644 if mode is None else mode, uid, gid)
    return True


def _link(entry, check_mode, view):
    path, src = entry['path'], entry.get('src')
    if not src:
        raise FileBatchError('%s: a link needs src' % path)
    if view.readlink(path) == src:
        return False
    st = view.lstat(path)
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            raise FileBatchError('%s is a directory, a link was wanted' % path)
        if not entry.get('force', True):
            return False
    if not check_mode:
        atomic_symlink(src, path)
    return True


def ensure(entries, check_mode=False, want_diff=False, view=LOCAL):
    """Bring every entry to its state. Returns (changed_paths, changed_tags, diffs).

    Entries are processed in order, so a directory listed before the files in it is created first.
    The first entry that cannot be handled raises FileBatchError naming its path; entries before it
    stay done (each one is atomic on its own, like a sequence of file tasks).

    ``view`` is what is read (``_view``): the real file system, or, in check mode only, a snapshot
    of the host (then the result is what the module would report on the host).
    """
    if view.snapshot and not check_mode:
        raise ValueError('a snapshot can only be planned from (check_mode=True)')
    changed_paths, tags, diffs = [], [], ([] if want_diff else None)
    for entry in entries:
        state = entry.get('state', 'file')
        if state not in STATES:
            raise FileBatchError('%s: state must be one of %s' % (entry.get('path'), ', '.join(STATES)))
        path = entry.get('path')
        if not path or not os.path.isabs(path):
            raise FileBatchError('path must be absolute: %r' % (path,))
        if state == 'link':
            changed = _link(entry, check_mode, view)
        else:
            uid = _account_id('user', entry.get('owner'), check_mode, view)
            gid = _account_id('group', entry.get('group'), check_mode, view)
            mode = _mode(entry.get('mode'), path)
            if state == 'directory':
                changed = _directory(entry, uid, gid, mode, check_mode, view)
            else:
                changed = _file(entry, uid, gid, mode, check_mode, diffs, view)
        if changed:
            changed_paths.append(path)
            if entry.get('tag') and entry['tag'] not in tags:
                tags.append(entry['tag'])
    return changed_paths, tags, diffs or []
