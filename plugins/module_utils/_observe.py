# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""One read of a host: everything the roles plan a converge from (runs on the target, changes nothing).

``observe(request)`` returns a snapshot, a JSON-serializable dict:

``paths``
    path -> entry for every path the request names, and for every child of a directory it lists.
    An entry has ``type`` (``file``, ``dir``, ``link``, ``other`` or ``missing``), ``mode``, ``uid``,
    ``gid``, ``size``, ``mtime_ns``; a link its ``target``; a listed directory its sorted
    ``entries``; a file, as the request asks, its ``sha1`` and/or its text ``content``.
``packages``
    names of the Debian packages dpkg records as installed (``install ok installed``).
``accounts``
    ``users`` (name -> [uid, gid, home, shell]) and ``groups`` (name -> gid).
``service``
    ``running`` and ``enabled`` of one init script/unit (None where it cannot be told).
``mod_wsgi``
    ``_mod_wsgi_info.inspect`` of the module file, or None when it is not installed.
``pythons``
    interpreter -> ``sys.version`` line (with its newline) or None when it does not run.
``facts``
    the few host facts the roles read (``distribution``, ``distribution_major_version``,
    ``os_family``, ``processor_vcpus``, ``memtotal_mb``, ``python``), under the names
    ``ansible.builtin.setup`` gives them.

Reading is cheap: ``lstat`` of each path, the bytes of the files whose checksum or text is wanted,
one parse of dpkg's status file, the account databases, and one run of each site interpreter.
``_view.SnapshotView`` answers the planning engines' questions from it. Pure Python, no Ansible import.
"""

from __future__ import annotations

import grp
import os
import platform
import pwd
import stat as stat_module
import sys

from ansible_collections.modwsgi.django.plugins.module_utils._mod_wsgi_info import inspect as inspect_mod_wsgi
from ansible_collections.modwsgi.django.plugins.module_utils._view import DIR, FILE, LINK, MISSING, OTHER, sha1_bytes

STAT, DIGEST, CONTENT = 'stat', 'digest', 'content'
LEVELS = (STAT, DIGEST, CONTENT)
MAX_CONTENT = 256 * 1024     # a larger file is reported by checksum only
DPKG_STATUS = '/var/lib/dpkg/status'


def _rank(level):
    return LEVELS.index(level)


class Request:
    """What to read: paths (with a level), directories to list (children at a level), the rest."""

    def __init__(self):
        self.paths = {}
        self.listings = {}
        self.contents = {}
        self.pythons = []

    def want(self, path, level=STAT):
        path = os.path.normpath(path)
        if path not in self.paths or _rank(level) > _rank(self.paths[path]):
            self.paths[path] = level
        return self

    def listing(self, directory, level=STAT, content=None):
        """List ``directory``; each child at ``level``, or with its text when ``content(name)`` says so."""
        directory = os.path.normpath(directory)
        if directory not in self.listings or _rank(level) > _rank(self.listings[directory]):
            self.listings[directory] = level
        if content is not None:
            self.contents[directory] = content
        return self

    def python(self, interpreter):
        if interpreter and interpreter not in self.pythons:
            self.pythons.append(interpreter)
        return self


def entry(path, level=STAT):
    """The snapshot entry of one path (``lstat``; links not followed)."""
    try:
        st = os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return {'type': MISSING}
    except PermissionError:
        return {'type': OTHER, 'mode': 0, 'uid': -1, 'gid': -1}
    mode = st.st_mode
    found = {'mode': stat_module.S_IMODE(mode), 'uid': st.st_uid, 'gid': st.st_gid,
             'size': st.st_size, 'mtime_ns': st.st_mtime_ns}
    if stat_module.S_ISLNK(mode):
        found['type'] = LINK
        try:
            found['target'] = os.readlink(path)
        except OSError:
            found['target'] = ''
    elif stat_module.S_ISDIR(mode):
        found['type'] = DIR
    elif stat_module.S_ISREG(mode):
        found['type'] = FILE
        if level in (DIGEST, CONTENT):
            try:
                with open(path, 'rb') as handle:
                    data = handle.read()
            except OSError:
                data = None
            if data is not None:
                found['sha1'] = sha1_bytes(data)
                if level == CONTENT and len(data) <= MAX_CONTENT:
                    found['content'] = data.decode('utf-8', 'surrogateescape')
    else:
        found['type'] = OTHER
    return found


def read_paths(request):
    """``paths`` of the snapshot for a :class:`Request`."""
    paths = {}
    for directory, level in sorted(request.listings.items()):
        found = entry(directory)
        paths[directory] = found
        if found['type'] != DIR:
            continue
        try:
            names = sorted(os.listdir(directory))
        except OSError:
            names = []
        found['entries'] = names
        wants = request.contents.get(directory)
        for name in names:
            child = os.path.join(directory, name)
            child_level = CONTENT if wants is not None and wants(name) else level
            paths[child] = entry(child, request.paths.get(child, child_level))
    for path, level in sorted(request.paths.items()):
        current = paths.get(path)
        if current is None or (level != STAT and current.get('type') == FILE and 'sha1' not in current):
            kept = current.get('entries') if current else None
            paths[path] = entry(path, level)
            if kept is not None:
                paths[path]['entries'] = kept
    return paths


def installed_packages(status_path=DPKG_STATUS):
    """Names dpkg's status file records as ``install ok installed`` (sorted)."""
    names = set()
    try:
        with open(status_path, 'rb') as handle:
            text = handle.read().decode('utf-8', 'replace')
    except OSError:
        return []
    for stanza in text.split('\n\n'):
        package = status = None
        for line in stanza.splitlines():
            if line.startswith('Package:'):
                package = line.split(':', 1)[1].strip()
            elif line.startswith('Status:'):
                status = line.split(':', 1)[1].split()
        if package and status and status[-1] == 'installed' and status[0] == 'install':
            names.add(package)
    return sorted(names)


def accounts():
    users = dict((user.pw_name, [user.pw_uid, user.pw_gid, user.pw_dir, user.pw_shell]) for user in pwd.getpwall())
    groups = dict((group.gr_name, group.gr_gid) for group in grp.getgrall())
    return {'users': users, 'groups': groups}


def _alive(pidfile, names):
    try:
        with open(pidfile) as handle:
            pid = int(handle.read().strip())
        with open('/proc/%d/comm' % pid) as handle:
            return handle.read().strip() in names
    except (OSError, ValueError):
        return False


def service(name, pidfile=None, root='/'):
    """``running``/``enabled`` of a service as the ``service`` module would find them (None: unknown).

    Running: the pid in its pid file is a live process of that name. Enabled: under systemd the
    unit's ``multi-user.target.wants`` link; otherwise a sysvinit start link in ``/etc/rc[2-5].d``.
    A role skips its ``service`` task only when both are True.
    """
    def at(path):
        return os.path.join(root, path.lstrip('/'))

    pidfile = pidfile or '/var/run/%s/%s.pid' % (name, name)
    running = _alive(at(pidfile), (name, 'httpd'))
    if os.path.isdir(at('/run/systemd/system')):
        # `systemctl enable` of a WantedBy=multi-user.target unit (Debian's apache2.service) makes this link.
        enabled = os.path.lexists(at('/etc/systemd/system/multi-user.target.wants/%s.service' % name))
        return {'running': running, 'enabled': enabled, 'init': 'systemd'}
    enabled = False
    for level in '2345':
        directory = at('/etc/rc%s.d' % level)
        try:
            names = os.listdir(directory)
        except OSError:
            continue
        if any(entry_name.startswith('S') and entry_name[3:] == name for entry_name in names):
            enabled = True
            break
    return {'running': running, 'enabled': enabled, 'init': 'sysv'}


def python_versions(interpreters, run):
    """interpreter -> ``sys.version`` plus newline, as ``print(sys.version)`` writes it (None: does not run)."""
    found = {}
    for python in interpreters:
        try:
            rc, out, _err = run([python, '-c', 'import sys; print(sys.version)'])
        except OSError:
            rc, out = 1, None
        found[python] = out if rc == 0 and out is not None else None
    return found


def _os_release(root='/'):
    values = {}
    for path in ('etc/os-release', 'usr/lib/os-release'):
        try:
            with open(os.path.join(root, path)) as handle:
                for line in handle:
                    key, sep, value = line.strip().partition('=')
                    if sep:
                        values[key] = value.strip().strip('"\'')
            break
        except OSError:
            continue
    return values


_NAMES = {'debian': 'Debian', 'ubuntu': 'Ubuntu', 'centos': 'CentOS', 'rhel': 'RedHat', 'fedora': 'Fedora'}
_FAMILIES = {'debian': 'Debian', 'ubuntu': 'Debian', 'centos': 'RedHat', 'rhel': 'RedHat', 'fedora': 'RedHat'}


def facts(root='/'):
    """The host facts the roles use, named as ``ansible.builtin.setup`` names them."""
    release = _os_release(root)
    ident = release.get('ID', 'linux').lower()
    version = release.get('VERSION_ID', '')
    if not version and ident == 'debian':
        try:
            with open(os.path.join(root, 'etc/debian_version')) as handle:
                version = handle.read().strip()
        except OSError:
            version = ''
    try:
        with open(os.path.join(root, 'proc/cpuinfo')) as handle:
            vcpus = sum(1 for line in handle if line.startswith('processor'))
    except OSError:
        vcpus = 0
    memtotal = 0
    try:
        with open(os.path.join(root, 'proc/meminfo')) as handle:
            for line in handle:
                if line.startswith('MemTotal:'):
                    memtotal = int(line.split()[1]) // 1024
                    break
    except (OSError, ValueError):
        pass
    info = sys.version_info
    return {
        'distribution': _NAMES.get(ident, ident.capitalize()),
        'distribution_major_version': version.split('.')[0] if version else 'NA',
        'distribution_version': version or 'NA',
        'distribution_release': release.get('VERSION_CODENAME', 'NA'),
        'os_family': _FAMILIES.get(ident, _FAMILIES.get(release.get('ID_LIKE', '').split(' ')[0], ident.capitalize())),
        'processor_vcpus': vcpus or (os.cpu_count() or 1),
        'memtotal_mb': memtotal,
        'python': {'executable': sys.executable,
                   'version': {'major': info[0], 'minor': info[1], 'micro': info[2],
                               'releaselevel': info[3], 'serial': info[4]},
                   'type': platform.python_implementation()},
    }


def observe(request, run, packages=True, account_db=True, service_name=None, mod_wsgi_module=None):
    """The snapshot of a host for ``request`` (see the module docstring)."""
    snapshot = {'paths': read_paths(request), 'facts': facts()}
    snapshot['packages'] = installed_packages() if packages else None
    snapshot['accounts'] = accounts() if account_db else None
    snapshot['service'] = service(service_name) if service_name else None
    snapshot['mod_wsgi'] = None
    if mod_wsgi_module and os.path.exists(mod_wsgi_module):
        try:
            snapshot['mod_wsgi'] = inspect_mod_wsgi(mod_wsgi_module)
        except (OSError, ValueError):
            snapshot['mod_wsgi'] = None
    snapshot['pythons'] = python_versions(request.pythons, run)
    return snapshot
