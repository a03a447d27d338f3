# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""pack_sources: runs on the controller inside the Ansible process (no module run, no second Python)."""

from __future__ import annotations

from ansible_collections.modwsgi.django.plugins.module_utils._pack import PackError, local_sources, pack_all
from ansible_collections.modwsgi.django.plugins.modules.pack_sources import ARGUMENT_SPEC
from ansible_collections.modwsgi.django.plugins.plugin_utils._local import ControllerAction, run_command


class ActionModule(ControllerAction):
    NAME = 'pack_sources'
    ARGUMENT_SPEC = ARGUMENT_SPEC

    def work(self, params, result):
        try:
            packed = pack_all(local_sources(params['sites']), params['dest'], params['prefix'], run_command)
        except PackError as exc:
            result.update(failed=True, msg=str(exc))
            return result
        result.update(changed=False, sources=packed,
                      checksums=dict((name, item['checksum']) for name, item in packed.items()))
        return result
