# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Transactional Apache configuration (pure Python, no Ansible import).

One transaction writes a set of files and enables/disables modules, confs and sites
(the Debian ``*-available``/``*-enabled`` symlink layout), then runs the config test.
When the test fails, every file and link is put back exactly as it was, so the running
server (which was never reloaded) keeps serving the old configuration and the next
reload cannot pick up a broken one.
"""

from __future__ import annotations

import os
import re
import stat

from ansible_collections.modwsgi.django.plugins.module_utils._fs import (
    atomic_symlink,
    atomic_write,
    parse_mode,
    read_bytes,
    readlink,
    remove_file,
)

KINDS = ("mods", "conf", "sites")
_DEPENDS = re.compile(r"^#\s*Depends:\s*(.+)$", re.MULTILINE)
_MPM = re.compile(r"^mpm_")


class ConfigError(Exception):
    """The transaction could not be applied; the previous state was restored."""

    def __init__(self, message, changed_paths=None, output=""):
        super().__init__(message)
        self.changed_paths = changed_paths or []
        self.output = output


class LocalFS:
    """The real filesystem (through ``_fs``). Tests substitute a temporary directory, not a fake."""

    def read(self, path):
        return read_bytes(path)

    def mode(self, path):
        try:
            return stat.S_IMODE(os.lstat(path).st_mode)
        except FileNotFoundError:
            return None

    def write(self, path, data, mode):
        atomic_write(path, data, mode)

    def remove(self, path):
        remove_file(path)

    def readlink(self, path):
        return readlink(path)

    def is_file(self, path):
        """A file is there (links followed): what an ``*-available`` entry must be to be enabled."""
        return os.path.isfile(path)

    def exists(self, path):
        return os.path.lexists(path)

    def symlink(self, target, path):
        """Point ``path`` at ``target`` by renaming a new link over it: the path never goes missing."""
        atomic_symlink(target, path)


class Transaction:
    """Plan, apply and (on failure) roll back one set of configuration changes."""

    def __init__(self, root="/etc/apache2", fs=None):
        self.root = root
        self.fs = fs or LocalFS()
        self._saved_files = {}   # path -> (content or None, mode or None)
        self._saved_links = {}   # path -> target or None
        self.changed_paths = []
        self.restart_required = False
        self.diff = []
        self._written = set()    # files this transaction writes (in check mode only planned)

    # -- planning helpers -------------------------------------------------
    def _available(self, kind, name, ext):
        return os.path.join(self.root, "%s-available" % kind, name + ext)

    def _enabled(self, kind, name, ext):
        return os.path.join(self.root, "%s-enabled" % kind, name + ext)

    def _exts(self, kind):
        return (".load", ".conf") if kind == "mods" else (".conf",)

    def _module_deps(self, name, seen=None):
        seen = seen if seen is not None else set()
        if name in seen:
            return []
        seen.add(name)
        data = self.fs.read(self._available("mods", name, ".load"))
        order = []
        if data:
            for line in _DEPENDS.findall(data.decode("utf-8", "replace")):
                for dep in re.split(r"[\s,]+", line.strip()):
                    if dep:
                        order.extend(self._module_deps(dep, seen))
        order.append(name)
        return order

    # -- mutation with bookkeeping ----------------------------------------
    def _save_file(self, path):
        if path not in self._saved_files:
            self._saved_files[path] = (self.fs.read(path), self.fs.mode(path))

    def _save_link(self, path):
        if path not in self._saved_links:
            self._saved_links[path] = self.fs.readlink(path) if self.fs.exists(path) else None

    def put_file(self, path, content, mode="0644", check_mode=False):
        data = content.encode("utf-8") if isinstance(content, str) else content
        try:
            want_mode = parse_mode(mode)
        except ValueError as exc:
            raise ConfigError("file %s: %s" % (path, exc))
        before = self.fs.read(path)
        if before == data and self.fs.mode(path) == want_mode:
            return False
        self.diff.append({
            "before_header": path, "after_header": path,
            "before": (before or b"").decode("utf-8", "replace"),
            "after": data.decode("utf-8", "replace"),
        })
        self.changed_paths.append(path)
        self._written.add(path)
        if not check_mode:
            self._save_file(path)
            self.fs.write(path, data, want_mode)
        return True

    def remove_file(self, path, check_mode=False):
        before = self.fs.read(path)
        if before is None:
            return False
        self.diff.append({"before_header": path, "after_header": path,
                          "before": before.decode("utf-8", "replace"), "after": ""})
        self.changed_paths.append(path)
        if not check_mode:
            self._save_file(path)
            self.fs.remove(path)
        return True

    def _link(self, kind, name, enable, check_mode):
        changed = False
        for ext in self._exts(kind):
            src = self._available(kind, name, ext)
            dst = self._enabled(kind, name, ext)
            present = self.fs.exists(dst)
            if enable:
                if src not in self._written and not self.fs.is_file(src):
                    if ext == ".conf" and kind == "mods":
                        continue
                    raise ConfigError("cannot enable %s '%s': %s does not exist" % (kind, name, src))
                target = os.path.join("..", "%s-available" % kind, name + ext)
                if present and self.fs.readlink(dst) == target:
                    continue
            elif not present:
                continue
            changed = True
            self.changed_paths.append(dst)
            if kind == "mods" and _MPM.match(name):
                self.restart_required = True
            if not check_mode:
                if present and self.fs.readlink(dst) is None:
                    self._save_file(dst)  # a real file where a link belongs: keep its bytes
                else:
                    self._save_link(dst)
                if enable:
                    self.fs.symlink(os.path.join("..", "%s-available" % kind, name + ext), dst)
                else:
                    self.fs.remove(dst)
        return changed

    def enable(self, kind, name, check_mode=False):
        names = self._module_deps(name) if kind == "mods" else [name]
        changed = False
        for item in names:
            changed = self._link(kind, item, True, check_mode) or changed
        return changed

    def disable(self, kind, name, check_mode=False):
        return self._link(kind, name, False, check_mode)

    # -- rollback ---------------------------------------------------------
    def rollback(self):
        for path, (content, mode) in self._saved_files.items():
            if content is None:
                self.fs.remove(path)
            else:
                self.fs.write(path, content, mode if mode is not None else 0o644)
        for path, target in self._saved_links.items():
            if target is None:
                self.fs.remove(path)
            else:
                self.fs.symlink(target, path)


def run(params, runner, fs=None, check_mode=False):
    """Apply ``params`` (the module options) transactionally.

    ``runner(argv) -> (rc, stdout, stderr)`` runs the config test.
    Returns a result dict; raises ConfigError after restoring the previous state.
    """
    txn = Transaction(root=params.get("root") or "/etc/apache2", fs=fs)
    try:
        for kind in KINDS:
            for name in (params.get("disable") or {}).get(kind) or []:
                txn.disable(kind, name, check_mode)
        for item in params.get("files") or []:
            if item.get("state", "present") == "absent":
                txn.remove_file(item["path"], check_mode)
            else:
                txn.put_file(item["path"], item.get("content") or "", item.get("mode") or "0644", check_mode)
        for kind in KINDS:
            for name in (params.get("enable") or {}).get(kind) or []:
                txn.enable(kind, name, check_mode)
    except ConfigError:
        txn.rollback()
        raise
    except OSError as exc:
        txn.rollback()
        raise ConfigError("could not write Apache configuration: %s; previous files restored" % exc,
                          txn.changed_paths)

    result = {
        "changed": bool(txn.changed_paths),
        "changed_paths": txn.changed_paths,
        "restart_required": txn.restart_required,
        "reload_required": bool(txn.changed_paths) and not txn.restart_required,
        "configtest": "skipped",
        "diff": txn.diff,
    }
    if not txn.changed_paths or check_mode:
        return result
    command = params.get("configtest_command") or ["apache2ctl", "-t"]
    rc, out, err = runner(command)
    output = "\n".join(part.strip() for part in (err, out) if part and part.strip())
    if rc != 0:
        txn.rollback()
        raise ConfigError(
            "Apache config test (%s) failed after changing %s; every changed file and link was "
            "restored and Apache was not reloaded, so it keeps serving the previous configuration.\n"
            "Apache said: %s" % (" ".join(command), ", ".join(txn.changed_paths), output or "(no output)"),
            txn.changed_paths, output)
    result["configtest"] = output or "Syntax OK"
    return result
