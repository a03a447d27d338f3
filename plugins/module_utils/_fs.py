# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""File-system writes of the collection's modules (pure Python, stdlib only, no Ansible import).

Every module_utils file that writes a file or points a symlink on the target goes through here, so
that they all share one meaning of "atomic" and of "changed":

* ``atomic_write``: a temp file in the same directory, written, owned, moded and fsynced before it
  is renamed over the path; the directory is fsynced after the rename. A reader sees the old bytes
  or the new ones, never a partial file; a symlink at the path is replaced, never written through.
* ``atomic_symlink``: a new link under a temp name in the same directory renamed over the path: the
  path never goes missing, not even for an instant.
* ``readlink``: the target of a symlink, None for anything else.
* ``parse_mode``: permission bits from an octal string or an int.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile

# fsync of a directory is not supported everywhere (some network and FUSE file systems), and a
# directory the writer may write into but not read cannot be opened: the rename is done either way.
_NO_DIR_FSYNC = (errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EBADF, errno.EACCES, errno.EPERM)


def parse_mode(value):
    """Permission bits from ``'0644'``, ``'644'``, ``'2755'``, ``'0o644'`` or an int such as ``0o644``.

    Raises ValueError naming the value for anything else (symbolic modes, negative numbers, more
    than the twelve permission bits, booleans).
    """
    if isinstance(value, bool):
        raise ValueError('mode %r is not an octal number such as "0750"' % (value,))
    if isinstance(value, int):
        mode = value
    else:
        try:
            mode = int(str(value), 8)
        except ValueError:
            raise ValueError('mode %r is not an octal number such as "0750"' % (value,)) from None
    if not 0 <= mode <= 0o7777:
        raise ValueError('mode %r is out of range (0000 to 7777)' % (value,))
    return mode


def readlink(path):
    """The target of symlink ``path``; None when it is missing, not a symlink or cannot be read."""
    try:
        return os.readlink(path)
    except OSError:
        return None


def read_bytes(path):
    """The bytes of file ``path`` (following symlinks); None when it does not exist."""
    try:
        with open(path, 'rb') as handle:
            return handle.read()
    except (FileNotFoundError, NotADirectoryError):
        return None


def fsync_dir(directory):
    """Make a rename or a new entry in ``directory`` durable (no-op where the file system cannot)."""
    try:
        fd = os.open(directory or '.', os.O_RDONLY | getattr(os, 'O_DIRECTORY', 0))
    except OSError as exc:
        if exc.errno in _NO_DIR_FSYNC:
            return
        raise
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in _NO_DIR_FSYNC:
            raise
    finally:
        os.close(fd)


def _unlink_quietly(path):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def atomic_write(path, data, mode, uid=None, gid=None):
    """Replace ``path`` with ``data`` (bytes), atomically and durably.

    The temp file gets owner (``uid``/``gid``; None keeps the writer's), then mode (after chown:
    chown clears set-id bits) and is fsynced before the rename; the directory is fsynced after it.
    ``mode`` is anything ``parse_mode`` accepts. On any error the temp file is removed and the old
    file stays as it was.
    """
    mode = parse_mode(mode)
    directory = os.path.dirname(path) or '.'
    fd, tmp = tempfile.mkstemp(dir=directory, prefix='.%s.' % os.path.basename(path), suffix='.tmp')
    try:
        with os.fdopen(fd, 'wb') as handle:
            handle.write(data)
            handle.flush()
            if uid is not None or gid is not None:
                os.fchown(handle.fileno(), -1 if uid is None else uid, -1 if gid is None else gid)
            os.fchmod(handle.fileno(), mode)
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        _unlink_quietly(tmp)
        raise
    fsync_dir(directory)


def atomic_symlink(target, path):
    """Point symlink ``path`` at ``target``. Returns False when it already does, True otherwise.

    The new link is made under a temp name in the same directory and renamed over ``path`` (a link
    or a file; a real directory there is an error), so ``path`` exists throughout.
    """
    if readlink(path) == target:
        return False
    directory = os.path.dirname(path) or '.'
    base = '.%s.%d.' % (os.path.basename(path), os.getpid())
    for _attempt in range(100):
        tmp = os.path.join(directory, base + os.urandom(4).hex() + '.tmp')
        try:
            os.symlink(target, tmp)
        except FileExistsError:
            continue
        break
    else:
        raise FileExistsError(errno.EEXIST, 'no free temporary name for a link next to %s' % path)
    try:
        os.replace(tmp, path)
    except BaseException:
        _unlink_quietly(tmp)
        raise
    fsync_dir(directory)
    return True


def touch(path, mode=None):
    """Create ``path`` empty when missing (an existing file keeps its bytes); then set ``mode`` if given."""
    with open(path, 'a'):
        pass
    if mode is not None:
        os.chmod(path, parse_mode(mode))


def remove(path):
    """Remove a file, a symlink (never what it points at) or a whole directory tree.

    Returns True when something was removed; False when nothing is there (or it is neither a file,
    a link nor a directory).
    """
    if os.path.islink(path) or os.path.isfile(path):
        os.unlink(path)
        return True
    if os.path.isdir(path):
        shutil.rmtree(path)
        return True
    return False


def remove_file(path):
    """Unlink a file or a symlink; False when it was already gone."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        return False
    return True


def rmdir_if_empty(path):
    """Remove directory ``path`` when it is empty. True when it was removed."""
    try:
        os.rmdir(path)
    except OSError:
        return False
    return True
