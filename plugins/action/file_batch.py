# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""file_batch: planned from the host snapshot (option ``snapshot``); runs on the target only when something differs."""

from __future__ import annotations

from ansible_collections.modwsgi.django.plugins.module_utils import _plan
from ansible_collections.modwsgi.django.plugins.modules.file_batch import ARGUMENT_SPEC
from ansible_collections.modwsgi.django.plugins.plugin_utils._planned import PlannedAction


class ActionModule(PlannedAction):
    ARGUMENT_SPEC = ARGUMENT_SPEC

    def plan(self, params, snapshot, diff):
        return _plan.file_batch(snapshot, params['entries'], diff)
