# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""build_release: sends O(src) from the controller (unless the snapshot shows it is there already), then
runs the module once on the target. A tarball up to INLINE_MAX travels in the module's arguments (with
pipelining, code and module in one command on the target); a larger one is copied to a temporary file first."""

from __future__ import annotations

import base64
import os

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.modwsgi.django.plugins.module_utils._plan import usable
from ansible_collections.modwsgi.django.plugins.module_utils._view import sha1_file


# A tarball up to this size travels inside the module's arguments (one round trip with pipelining); a larger
# one is copied to a temporary file first.
INLINE_MAX = 2 * 1024 * 1024


class ActionModule(ActionBase):
    # No remote temporary directory up front (ActionBase makes one for TRANSFERS_FILES, two round trips of
    # ~0.2 s): the inline tarball and pipelining need none; only a tarball over INLINE_MAX makes one, below.
    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        args = dict(self._task.args)
        snapshot = args.pop('snapshot', None)
        src = args.pop('src', None)
        try:
            if src:
                src = self._find_needle('files', src) if not src.startswith('/') else src
                archive = args.get('archive') or (args.get('site') or {}).get('paths', {}).get('source_archive')
                if not archive:
                    raise AnsibleActionFail('build_release: site must be a normalized site of validate_sites')
                known = ((snapshot or {}).get('paths') or {}).get(archive, {}) if usable(snapshot) else {}
                if known.get('sha1') != sha1_file(src):
                    if self._play_context.check_mode:
                        result['copied'] = True
                    elif os.path.getsize(src) <= INLINE_MAX:
                        with open(src, 'rb') as handle:
                            args['archive_data'] = base64.b64encode(handle.read()).decode('ascii')
                        result['copied'] = True
                    else:
                        tmp_src = self._connection._shell.join_path(self._connection._shell.tmpdir or self._make_tmp_path(), 'source.tar.gz')
                        self._transfer_file(src, tmp_src)
                        self._fixup_perms2((self._connection._shell.tmpdir, tmp_src))
                        args['archive_from'] = tmp_src
                        result['copied'] = True
                else:
                    result['copied'] = False
            result.update(self._execute_module(module_name='modwsgi.django.build_release', module_args=args, task_vars=task_vars))
            shown = (result.get('invocation') or {}).get('module_args') or {}
            if shown.get('archive_data'):
                shown['archive_data'] = '(%d bytes of %s)' % (os.path.getsize(src), src)
        except AnsibleActionFail as exc:
            result.update(exc.result)
        finally:
            self._remove_tmp_path(self._connection._shell.tmpdir)
        return result
