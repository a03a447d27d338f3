# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: rollout_report
short_description: What a stopped rolling deploy left behind, and the command that puts it back
version_added: 0.1.0
description:
  - Given the host whose deploy failed, says which hosts already serve the new release (they finished the
    play in an earlier batch), that the failed host keeps its live release (a bluegreen site flips only after
    a healthy check), which hosts were not touched, and the C(ansible-playbook modwsgi.django.rollback --limit ...)
    command that rolls the finished hosts back (the fast path, one module run per host).
  - Used by the rescue of the C(modwsgi.django.deploy) playbook.
author:
  - modwsgi.django maintainers (@modwsgi)
positional: failed_task, play_hosts, batch
options:
  _input:
    description: The host that failed (C(inventory_hostname)).
    type: str
    required: true
  failed_task:
    description: The name of the task that failed (C(ansible_failed_task.name)).
    type: str
    required: true
  play_hosts:
    description: The play's hosts in rollout order (C(ansible_play_hosts_all)).
    type: list
    elements: str
    required: true
  batch:
    description: The hosts of the failed host's batch (C(ansible_play_batch)).
    type: list
    elements: str
    required: true
  failed_hosts:
    description: Hosts that failed earlier in the play; they are not reported as serving the new release.
    type: list
    elements: str
    default: []
  rollback:
    description: The run was a rollback (C(django_site_rollback)).
    type: bool
    default: false
  inventory:
    description: How to name the inventory in the printed command.
    type: str
    default: INVENTORY
"""

EXAMPLES = r"""
msg: "{{ inventory_hostname | modwsgi.django.rollout_report(ansible_failed_task.name, ansible_play_hosts_all, ansible_play_batch) }}"
"""

RETURN = r"""
_value:
  description: One paragraph for C(ansible.builtin.fail).
  type: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.modwsgi.django.plugins.module_utils._rollout import stop_report


def _filter(host, failed_task, play_hosts, batch, failed_hosts=(), rollback=False, inventory='INVENTORY'):
    if not isinstance(play_hosts, (list, tuple)) or not isinstance(batch, (list, tuple)):
        raise AnsibleFilterError("rollout_report: play_hosts and batch must be lists of hosts")
    return stop_report(str(host), failed_task, play_hosts, batch, failed_hosts=failed_hosts or (),
                       rollback=bool(rollback), inventory=inventory)


class FilterModule:
    def filters(self):
        return {"rollout_report": _filter}
