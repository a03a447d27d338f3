# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: site_json
short_description: The conf/site.json of Django sites (environment, secrets, settings), as file_batch entries
version_added: 0.1.0
description:
  - For each site normalized by C(validate_sites), an entry for C(conf/site.json), mode 0640 root:<site group>,
    holding C(environ) (the site's C(env), then its C(secrets) from the inventory over it) and C(settings)
    (the effective settings the generated settings module applies). Entries never show their content in
    C(--diff); the task that writes them must still use C(no_log).
author:
  - modwsgi.django maintainers (@modwsgi)
positional: inventory_sites
options:
  _input:
    description: Normalized sites (C(sites) of the C(validate_sites) result).
    type: list
    elements: dict
    required: true
  inventory_sites:
    description: The raw C(modwsgi_sites) list, where the secrets are (validate_sites never returns them).
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
entries: "{{ layout.sites | modwsgi.django.site_json(modwsgi_sites) }}"
"""

RETURN = r"""
_value:
  description: C(file_batch) entries tagged with the site name.
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.modwsgi.django.plugins.module_utils._site_files import json_entries


def _filter(sites, inventory_sites):
    try:
        return json_entries(sites, inventory_sites)
    except (KeyError, TypeError) as exc:
        raise AnsibleFilterError("site_json: needs the normalized sites of validate_sites (%s)" % exc) from exc


class FilterModule:
    def filters(self):
        return {"site_json": _filter}
