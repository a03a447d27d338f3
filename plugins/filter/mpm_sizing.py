# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: mpm_sizing
short_description: Apache MPM limits derived from cores and memory
version_added: 0.1.0
description:
  - Returns the Apache MPM sizing directives (as snake_case keys) for the given MPM, derived from
    the host's cores and memory, with explicit overrides applied.
author:
  - modwsgi.django maintainers (@modwsgi)
positional: cores, memory_mb, overrides
options:
  _input:
    description: The MPM, C(prefork), C(worker) or C(event).
    type: str
    required: true
  cores:
    description: Number of CPU cores of the host.
    type: int
    required: true
  memory_mb:
    description: Memory of the host in MiB.
    type: int
    required: true
  overrides:
    description: Explicit values (null values are ignored).
    type: dict
    default: {}
"""

EXAMPLES = r"""
sizing: "{{ 'event' | modwsgi.django.mpm_sizing(ansible_facts['processor_vcpus'], ansible_facts['memtotal_mb']) }}"
"""

RETURN = r"""
_value:
  description: Keys server_limit, max_request_workers, start_servers, max_connections_per_child and the MPM's own.
  type: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.modwsgi.django.plugins.module_utils._sizing import mpm_sizing


def _filter(mpm, cores, memory_mb, overrides=None):
    try:
        return mpm_sizing(mpm, cores, memory_mb, overrides)
    except (TypeError, ValueError) as exc:
        raise AnsibleFilterError("mpm_sizing: %s" % exc) from exc


class FilterModule:
    def filters(self):
        return {"mpm_sizing": _filter}
