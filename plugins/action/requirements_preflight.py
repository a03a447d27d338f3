# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""requirements_preflight: runs on the controller inside the Ansible process; pip runs only for a closure
that is not in the cache yet."""

from __future__ import annotations

import re
import sys

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.plugins.action import ActionBase

from ansible_collections.modwsgi.django.plugins.module_utils._preflight import check_all
from ansible_collections.modwsgi.django.plugins.modules.requirements_preflight import ARGUMENT_SPEC
from ansible_collections.modwsgi.django.plugins.plugin_utils._local import run_command


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp
        validated = ArgumentSpecValidator(ARGUMENT_SPEC).validate(dict(self._task.args))
        if validated.error_messages:
            result.update(failed=True, msg='requirements_preflight: %s' % ' '.join(validated.error_messages))
            return result
        p = validated.validated_parameters
        if not re.match(r'^[0-9]+\.[0-9]+$', p['python_version']):
            result.update(failed=True, msg='requirements_preflight: python_version must be major.minor, got %r' % p['python_version'])
            return result
        pip = [sys.executable, '-m', 'pip']
        checked = {}

        def run(argv, cwd=None):
            # pip is asked for its version only before the first resolution (cached closures need none).
            if 'pip' not in checked:
                rc, _out, _err = run_command(pip + ['--version'])
                checked['pip'] = rc == 0
                if rc != 0:
                    raise _NoPip()
            return run_command(argv, cwd=cwd)

        try:
            results, refusals = check_all(p['sites'], p['python_version'], p['pip_extra_args'], pip, p['cache_dir'], run)
        except _NoPip:
            self._display.warning('pip is not available to %s on the controller; pip on the host decides' % sys.executable)
            result.update(changed=False, sites={})
            return result
        if refusals:
            result.update(failed=True, sites=results,
                          msg='%d site(s) cannot be installed for Python %s (nothing on the host was changed): %s'
                              % (len(refusals), p['python_version'], ' '.join(refusals)))
            return result
        warnings = ["site '%s': %s" % (name, item['message']) for name, item in sorted(results.items()) if item['state'] == 'undecided']
        if warnings:
            result['warnings'] = warnings
        result.update(changed=False, sites=results)
        return result


class _NoPip(Exception):
    pass
