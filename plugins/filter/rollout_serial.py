# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: rollout_serial
short_description: The playbooks' C(modwsgi_serial), checked, as the play's C(serial) keyword
version_added: 0.1.0
description:
  - Returns its input as Ansible's C(serial) play keyword takes it (a number of hosts, a percentage
    C("N%") with N in 1-100, or a non-empty list of them for growing batches; C(-e modwsgi_serial=2)
    arrives as the string C("2") and is returned as the number). Anything else stops the run before the
    first task, with a message that names C(modwsgi_serial), the value and the fix; a negative number,
    which Ansible would quietly turn into one batch of every host, is refused the same way.
  - The controller templates play keywords itself, before the first task forks a worker. On that first
    call the filter also imports the collection's other controller-side plugins (filters and action
    plugins) into the controller process, so that each task's worker, a fork of it, finds them loaded
    instead of compiling them and their module_utils again (docs/benchmarks.md, "Deploy speed").
  - Used by the C(serial) keyword of the C(modwsgi.django.deploy) and C(modwsgi.django.rollback) playbooks.
author:
  - modwsgi.django maintainers (@modwsgi)
options:
  _input:
    description: The value of C(modwsgi_serial).
    type: raw
    required: true
  name:
    description: The variable to name in the error message.
    type: str
    default: modwsgi_serial
  preload:
    description:
      - Import the collection's controller-side plugins into the controller process (see above). The rollback
        playbook, which runs one module and none of them, sets it to V(false).
    type: bool
    default: true
"""

EXAMPLES = r"""
- name: A rolling deploy, one host at a time unless modwsgi_serial says otherwise
  hosts: all
  serial: "{{ modwsgi_serial | default(1) | modwsgi.django.rollout_serial }}"
  tasks: []

- name: A play that runs none of the collection's filters and action plugins
  hosts: all
  serial: "{{ modwsgi_serial | default('100%') | modwsgi.django.rollout_serial(preload=false) }}"
  tasks: []
"""

RETURN = r"""
_value:
  description: The batch size (an integer or a C("N%") string), or the list of them.
  type: raw
"""

import importlib

from ansible.errors import AnsibleFilterError

from ansible_collections.modwsgi.django.plugins.module_utils._rollout import check_serial

# The collection's plugins that run on the controller during a deploy (in the task's worker process).
PRELOAD = tuple('ansible_collections.modwsgi.django.plugins.' + name for name in (
    'filter.host_plan', 'filter.mpm_sizing', 'filter.mod_wsgi_python', 'filter.mod_wsgi_python_version',
    'filter.rollout_report', 'filter.file_entries', 'filter.site_entries', 'filter.site_json',
    'action.apache_config', 'action.build_release', 'action.file_batch', 'action.pack_sources',
    'action.prune_releases', 'action.release_status', 'action.requirements_preflight',
))
_LOADED = []


def load_plugins():
    """Import PRELOAD once per process; returns the names it could not import (a worker reports those itself)."""
    missing = []
    if not _LOADED:
        _LOADED.append(True)
        for name in PRELOAD:
            try:
                importlib.import_module(name)
            except ImportError:
                missing.append(name)
    return missing


def _filter(value, name='modwsgi_serial', preload=True):
    try:
        checked = check_serial(value, name)
    except ValueError as exc:
        raise AnsibleFilterError(str(exc))
    if preload:
        load_plugins()
    return checked


class FilterModule:
    def filters(self):
        return {"rollout_serial": _filter}
