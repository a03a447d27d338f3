# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: mod_wsgi_python_version
short_description: The Python version mod_wsgi will embed, as far as the controller can tell before it is built
version_added: 0.1.0
description:
  - Role-internal (C(django_site) requirements preflight on a host where mod_wsgi is not built yet).
  - With O(install=pip), C(X.Y) from the name of the one Python of the sites (an interpreter named C(pythonX.Y),
    for example C(/opt/python3.13/bin/python3.13)); else, or when that name carries no version, an empty string.
author:
  - modwsgi.django maintainers (@modwsgi)
positional: install, python
options:
  _input:
    description: The host's C(modwsgi_sites).
    type: list
    elements: dict
    required: true
  install:
    description: C(mod_wsgi_install).
    type: str
    default: package
  python:
    description: C(mod_wsgi_python).
    type: str
"""

EXAMPLES = r"""
version: "{{ modwsgi_sites | modwsgi.django.mod_wsgi_python_version(mod_wsgi_install, mod_wsgi_python) }}"
"""

RETURN = r"""
_value:
  description: C(X.Y) or an empty string.
  type: str
"""

from ansible_collections.modwsgi.django.plugins.module_utils._one_python import embedded_python_version


class FilterModule:
    def filters(self):
        return {"mod_wsgi_python_version": embedded_python_version}
