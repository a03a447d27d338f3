# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""apache_config: planned from the host snapshot (option ``snapshot``); the transaction and its config test run
on the target only when a file or link differs."""

from __future__ import annotations

from ansible_collections.modwsgi.django.plugins.module_utils import _plan
from ansible_collections.modwsgi.django.plugins.modules.apache_config import ARGUMENT_SPEC
from ansible_collections.modwsgi.django.plugins.plugin_utils._planned import PlannedAction


class ActionModule(PlannedAction):
    ARGUMENT_SPEC = ARGUMENT_SPEC

    def plan(self, params, snapshot, diff):
        for item in params['files']:
            if not isinstance(item.get('path'), str) or not item['path'].startswith('/'):
                return None
            if item.get('state', 'present') not in ('present', 'absent'):
                return None
        return _plan.apache_config(snapshot, params, diff)
