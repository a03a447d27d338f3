# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Action plugins that plan their module's work from a snapshot of the host (``snapshot`` option).

The module runs on the target only when the plan (the module's own engine, run in check mode on the
controller against ``_view.SnapshotView``) says it would change something, or when the plan cannot be
made. In check mode the planned result is the task's result. See ``module_utils/_plan.py``.
"""

from __future__ import annotations

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.plugins.action import ActionBase

from ansible_collections.modwsgi.django.plugins.module_utils._plan import UNPLANNABLE, usable


class PlannedAction(ActionBase):
    """Subclasses set ``ARGUMENT_SPEC`` (the module's) and implement ``plan(params, snapshot, diff)``."""

    ARGUMENT_SPEC = {}

    def plan(self, params, snapshot, diff):
        raise NotImplementedError

    def _planned(self, args, snapshot):
        """The planned module result, or None when it cannot be planned (the module decides)."""
        if not usable(snapshot):
            return None
        validated = ArgumentSpecValidator(self.ARGUMENT_SPEC).validate(args)
        if validated.error_messages:
            return None   # the module reports the error in its own words
        try:
            return self.plan(validated.validated_parameters, snapshot, bool(self._play_context.diff))
        except UNPLANNABLE:
            return None
        except Exception as exc:  # pylint: disable=broad-exception-caught
            # The engines raise their own errors (bad entries, an unknown module to enable...): the
            # module, run on the host, says what is wrong.
            self._display.vvv('modwsgi.django: %s: no plan (%s: %s), running the module' % (self._task.action, type(exc).__name__, exc))
            return None

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        args = dict(self._task.args)
        snapshot = args.pop('snapshot', None)
        if snapshot is not None:
            planned = self._planned(args, snapshot)
            if planned is not None and (not planned.get('changed') or self._play_context.check_mode):
                planned['planned'] = True
                result.update(planned)
                return result
        result.update(self._execute_module(module_name=self._task.resolved_action or self._task.action,
                                           module_args=args, task_vars=task_vars))
        return result
