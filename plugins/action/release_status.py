# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""release_status: answered from the host snapshot (option ``snapshot``) without a run on the target."""

from __future__ import annotations

from ansible_collections.modwsgi.django.plugins.module_utils import _plan
from ansible_collections.modwsgi.django.plugins.modules.release_status import ARGUMENT_SPEC
from ansible_collections.modwsgi.django.plugins.plugin_utils._planned import PlannedAction


class ActionModule(PlannedAction):
    ARGUMENT_SPEC = ARGUMENT_SPEC

    def plan(self, params, snapshot, diff):
        if params['pip_extra_args'] != (snapshot.get('pip_extra_args') or ''):
            return None   # the snapshot named the virtualenvs with other pip arguments
        result = _plan.release_status(snapshot, params['sites'], params['release_ids'], params['map_path'])
        result['changed'] = False
        return result
