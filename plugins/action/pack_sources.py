# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""pack_sources: runs on the controller inside the Ansible process (no module run, no second Python)."""

from __future__ import annotations

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.plugins.action import ActionBase

from ansible_collections.modwsgi.django.plugins.module_utils._pack import PackError, local_sources, pack_all
from ansible_collections.modwsgi.django.plugins.modules.pack_sources import ARGUMENT_SPEC
from ansible_collections.modwsgi.django.plugins.plugin_utils._local import run_command


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        validated = ArgumentSpecValidator(ARGUMENT_SPEC).validate(dict(self._task.args))
        if validated.error_messages:
            result.update(failed=True, msg='pack_sources: %s' % ' '.join(validated.error_messages))
            return result
        params = validated.validated_parameters
        try:
            packed = pack_all(local_sources(params['sites']), params['dest'], params['prefix'], run_command)
        except PackError as exc:
            result.update(failed=True, msg=str(exc))
            return result
        result.update(changed=False, sources=packed,
                      checksums=dict((name, item['checksum']) for name, item in packed.items()))
        return result
