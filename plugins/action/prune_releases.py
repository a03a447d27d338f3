# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""prune_releases: planned from the host snapshot (option ``snapshot``); runs on the target only when there is
something to remove."""

from __future__ import annotations

from ansible_collections.modwsgi.django.plugins.module_utils import _plan
from ansible_collections.modwsgi.django.plugins.modules.prune_releases import ARGUMENT_SPEC
from ansible_collections.modwsgi.django.plugins.plugin_utils._planned import PlannedAction


class ActionModule(PlannedAction):
    ARGUMENT_SPEC = ARGUMENT_SPEC

    def plan(self, params, snapshot, diff):
        return _plan.prune(snapshot, params['roots'], params['keep'])
