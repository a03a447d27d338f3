# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: site_entries
short_description: Directories and generated files of Django sites, as file_batch entries
version_added: 0.1.0
description:
  - For each site normalized by C(validate_sites), the site root, C(releases), C(venvs), C(conf), the script
    directory, C(bin), C(cache), C(run), C(data), the static and media directories, then the boot code,
    settings override, WSGI script and manage wrapper with their owners and modes, ready for
    C(modwsgi.django.file_batch). The generated files are tagged with the site name.
author:
  - modwsgi.django maintainers (@modwsgi)
positional: rendered, apache_group
options:
  _input:
    description: Normalized sites (C(sites) of the C(validate_sites) result).
    type: list
    elements: dict
    required: true
  rendered:
    description: Site name to the rendered text of its C(boot), C(settings), C(wsgi) and C(manage) files.
    type: dict
    required: true
  apache_group:
    description: Group Apache runs as (group of the static and media directories).
    type: str
    default: www-data
"""

EXAMPLES = r"""
entries: "{{ layout.sites | modwsgi.django.site_entries(rendered, 'www-data') }}"
"""

RETURN = r"""
_value:
  description: C(file_batch) entries, directories of a site before its files.
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.modwsgi.django.plugins.module_utils._site_files import layout_entries


def _filter(sites, rendered, apache_group="www-data"):
    try:
        return layout_entries(sites, rendered, apache_group)
    except (KeyError, TypeError) as exc:
        raise AnsibleFilterError("site_entries: needs the normalized sites of validate_sites and every site's rendered files (%s)" % exc) from exc


class FilterModule:
    def filters(self):
        return {"site_entries": _filter}
