# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the action plugins that work on the controller alone share: a base class that validates the task's
arguments with the module's own argument spec, and the ``run(argv) -> (rc, out, err)`` of the engines."""

from __future__ import annotations

import os
import subprocess

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.plugins.action import ActionBase


class ControllerAction(ActionBase):
    """An action run inside the Ansible process on the controller (no module run, no connection).

    Subclasses set ``NAME`` and ``ARGUMENT_SPEC`` (the module's) and implement ``work(params, result)``.
    """

    TRANSFERS_FILES = False
    _requires_connection = False
    NAME = ''
    ARGUMENT_SPEC = {}

    def work(self, params, result):
        raise NotImplementedError

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        validated = ArgumentSpecValidator(self.ARGUMENT_SPEC).validate(dict(self._task.args))
        if validated.error_messages:
            result.update(failed=True, msg='%s: %s' % (self.NAME, ' '.join(validated.error_messages)))
            return result
        return self.work(validated.validated_parameters, result)


def run_command(argv, cwd=None):
    """Run ``argv`` (no shell), return (rc, stdout, stderr) as text; OSError when it cannot start."""
    env = dict(os.environ, LC_ALL='C', LANG='C')
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, errors='replace', env=env, check=False)
    return proc.returncode, proc.stdout, proc.stderr
