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
# The files the django_site role renders (its vhosts and their global file), the last step of a converge
# that writes Apache configuration: their header, or their name where the file itself is gone.
SITE_STEP_HEADER = b"# Managed by Ansible: modwsgi.django.django_site."
SITE_STEP_NAMES = re.compile(r"/sites-(?:available|enabled)/modwsgi-[^/]*\.conf$|/conf-(?:available|enabled)/modwsgi-django-sites\.conf$")
# The file Apache names in a failed config test: the innermost "of <path>" / "file <path>".
_BLAMED = re.compile(r"(?:\bof|\bfile) (/[^\s:]+)")
# Written files: root only (dev-sec apache-05); Apache reads its configuration as root.
DEFAULT_MODE = "0640"


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
        self.mode_only_paths = []   # files whose content was right and only their mode changed
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

    def put_file(self, path, content, mode=DEFAULT_MODE, check_mode=False):
        data = content.encode("utf-8") if isinstance(content, str) else content
        try:
            want_mode = parse_mode(mode)
        except ValueError as exc:
            raise ConfigError("file %s: %s" % (path, exc))
        before = self.fs.read(path)
        if before == data and self.fs.mode(path) == want_mode:
            return False
        if before == data:
            self.mode_only_paths.append(path)   # what Apache reads is the same: no reload for this one
        else:
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


def blamed_file(output):
    """The configuration file a failed config test names (the innermost one), or None."""
    found = _BLAMED.findall(output or "")
    return found[-1].rstrip(".") if found else None


def repaired_later(path, params, fs):
    """True when ``path`` is a file the django_site role renders and this call does not write.

    The django_site role writes Apache configuration last in a converge and tests it strictly, so a
    failure there can wait for it; any other file would wait for nobody.
    """
    own = set(os.path.basename(item.get("path") or "") for item in params.get("files") or [])
    if os.path.basename(path) in own:
        return False
    data = fs.read(path)
    if data:
        return SITE_STEP_HEADER in data[:400]
    return bool(SITE_STEP_NAMES.search(path))


def _test_output(runner, command):
    rc, out, err = runner(command)
    return rc, "\n".join(part.strip() for part in (err, out) if part and part.strip())


def run(params, runner, fs=None, check_mode=False):
    """Apply ``params`` (the module options) transactionally.

    ``runner(argv) -> (rc, stdout, stderr)`` runs the config test, which runs on every call on the host
    (also when nothing changed, and in check mode when nothing would change): a configuration broken on
    disk is never reported as fine. ``runner=None``: a plan from a snapshot (``_plan.apache_config``),
    which tests nothing; when it finds nothing to change, the action plugin does not run the module.
    Returns a result dict (``warnings`` among its keys); raises ConfigError after restoring the previous
    state.
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
                txn.put_file(item["path"], item.get("content") or "", item.get("mode") or DEFAULT_MODE, check_mode)
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

    config_changed = [path for path in txn.changed_paths if path not in txn.mode_only_paths]
    result = {
        "changed": bool(txn.changed_paths),
        "changed_paths": txn.changed_paths,
        "restart_required": txn.restart_required,
        "reload_required": bool(config_changed) and not txn.restart_required,
        "configtest": "skipped",
        "warnings": [],
        "postponed": [],
        "diff": txn.diff,
    }
    if runner is None or (check_mode and txn.changed_paths):
        return result   # a plan, or the planned files are not on disk: nothing meaningful to test
    command = params.get("configtest_command") or ["apache2ctl", "-t"]
    shown = " ".join(command)
    rc, output = _test_output(runner, command)
    if rc == 0:
        result["configtest"] = output or "Syntax OK"
        return result
    blamed = blamed_file(output)
    fs = txn.fs
    if txn.changed_paths and not check_mode:
        txn.rollback()
        before_rc, before_output = _test_output(runner, command)
        cause = ""
        if before_rc != 0:
            before_blamed = blamed_file(before_output)
            if before_blamed and repaired_later(before_blamed, params, fs):
                # Broken before this run, in a vhost edited by hand that the django_site step rewrites and
                # tests later in this converge. This step's changes wait for the next run rather than
                # going live untested.
                result.update(changed=False, changed_paths=[], reload_required=False, restart_required=False,
                              diff=[], configtest=before_output, postponed=txn.changed_paths)
                result["warnings"].append(
                    "Apache config test (%s) fails on %s, a file the django_site role renders, with or without this "
                    "step's changes. They were restored and postponed to the next run: %s. The django_site role "
                    "rewrites %s later in this run and tests the configuration again. Apache said: %s"
                    % (shown, before_blamed, ", ".join(txn.changed_paths), before_blamed, before_output))
                return result
            cause = ("It fails without this run's changes too: the configuration on disk was already broken%s, "
                     "by a change made outside this run.\n" % (" in %s" % blamed if blamed else ""))
        raise ConfigError(
            "Apache config test (%s) failed after changing %s; every changed file and link was "
            "restored and Apache was not reloaded, so it keeps serving the previous configuration.\n%s"
            "Apache said: %s" % (shown, ", ".join(txn.changed_paths), cause, output or "(no output)"),
            txn.changed_paths, output)
    if blamed and repaired_later(blamed, params, fs):
        # A vhost edited by hand: the django_site step rewrites and tests it later in this converge.
        # Refusing here would stop the converge before the repair.
        result["configtest"] = output
        result["warnings"].append(
            "Apache config test (%s) fails on %s, a file the django_site role renders: it rewrites the file "
            "later in this run and tests the configuration again. Apache said: %s" % (shown, blamed, output))
        return result
    raise ConfigError(
        "Apache config test (%s) fails although this run changed nothing: the configuration on disk was "
        "broken outside modwsgi.django%s. Nothing was changed and Apache was not reloaded, so it keeps "
        "serving the configuration it loaded earlier, but its next reload or restart would fail. Fix or "
        "remove that file, then run again.\nApache said: %s"
        % (shown, " (%s)" % blamed if blamed else "", output or "(no output)"), [], output)
