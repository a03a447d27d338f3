# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.django maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Read-only access to the target's filesystem (replaceable in tests)."""

from __future__ import annotations

import os

from ansible_collections.modwsgi.django.plugins.module_utils._layout.schema import PY_VERSION_RE

PYTHON_VERSION_CODE = 'import sys;print("%d.%d"%sys.version_info[:2])'


class FileSystem(object):
    """Read-only view of the target's filesystem. Tests pass a fake or subclass.

    ``runner(argv) -> (rc, stdout, stderr)`` runs a program (the module passes one built on
    ``AnsibleModule.run_command``); it raises ``OSError`` when the program cannot be started.
    Without a runner no program is run: :meth:`python_version` reports that it cannot check.
    """

    max_entries = 10000

    def __init__(self, runner=None):
        self.runner = runner

    def realpath(self, path):
        return os.path.realpath(path)

    def exists(self, path):
        return os.path.lexists(path)

    def isdir(self, path):
        return os.path.isdir(path)

    def islink(self, path):
        return os.path.islink(path)

    def listdir(self, path):
        try:
            return sorted(os.listdir(path))[:self.max_entries]
        except OSError:
            return []

    def python_version(self, python):
        """Return (major.minor, None) or (None, reason)."""
        if not os.path.lexists(python):
            return None, 'does not exist'
        if self.runner is None:
            return None, 'cannot be run (no command runner)'
        try:
            rc, out, dummy = self.runner([python, '-c', PYTHON_VERSION_CODE])
        except OSError as exc:
            return None, 'cannot be run (%s)' % exc.__class__.__name__
        if isinstance(out, bytes):
            out = out.decode('ascii', 'replace')
        out = (out or '').strip()
        if rc != 0 or not PY_VERSION_RE.match(out):
            return None, 'did not report its version (exit code %s)' % rc
        return out, None
