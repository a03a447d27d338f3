# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: mod_wsgi_python
short_description: The one Python mod_wsgi is built for on a host, checked against every site
version_added: 0.1.0
description:
  - Role-internal (C(mod_wsgi) role, C(mod_wsgi_install=pip)). mod_wsgi embeds one Python per Apache, so every
    site of the host must name the same C(python) (C(/usr/bin/python3) when left out).
  - Returns O(python) when given and every site uses it, else the one interpreter all sites name; fails naming the
    sites and their interpreters when they disagree.
author:
  - modwsgi.django maintainers (@modwsgi)
positional: python
options:
  _input:
    description: The host's C(modwsgi_sites).
    type: list
    elements: dict
    required: true
  python:
    description: The interpreter to build for (C(mod_wsgi_python)); null derives it from the sites.
    type: str
"""

EXAMPLES = r"""
python: "{{ modwsgi_sites | modwsgi.django.mod_wsgi_python(mod_wsgi_python) }}"
"""

RETURN = r"""
_value:
  description: Absolute path of the interpreter.
  type: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.modwsgi.django.plugins.module_utils._one_python import OnePythonError, one_python


def _filter(sites, python=None):
    try:
        return one_python(sites, python)
    except OnePythonError as exc:
        raise AnsibleFilterError(str(exc)) from exc


class FilterModule:
    def filters(self):
        return {"mod_wsgi_python": _filter}
