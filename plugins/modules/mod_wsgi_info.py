#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: mod_wsgi_info
short_description: Report the installed mod_wsgi version and the Python version it embeds
version_added: 0.1.0
description:
  - Reads the installed C(mod_wsgi.so) and reports its version and the Python major.minor it was
    built for, taken from the module binary itself (the C(libpython) it links).
  - Site virtualenvs must use that same Python; the C(validate_sites) module checks it (rule
    C(python-abi)).
extends_documentation_fragment:
  - modwsgi.django.attributes
  - modwsgi.django.attributes.read_only
author:
  - modwsgi.django maintainers (@modwsgi)
options:
  path:
    description: Path of the mod_wsgi module file.
    type: path
    default: /usr/lib/apache2/modules/mod_wsgi.so
"""

EXAMPLES = r"""
- name: Learn which Python mod_wsgi embeds
  modwsgi.django.mod_wsgi_info:
  register: mod_wsgi

- name: Show it
  ansible.builtin.debug:
    msg: "mod_wsgi {{ mod_wsgi.version }} embeds Python {{ mod_wsgi.python_version }}"
"""

RETURN = r"""
version:
  description: mod_wsgi version, from the module's banner string; null when not found.
  returned: success
  type: str
  sample: 4.9.4
python_version:
  description: Python major.minor the module links.
  returned: success
  type: str
  sample: "3.11"
realpath:
  description: The module file after resolving symlinks.
  returned: success
  type: str
  sample: /usr/lib/apache2/modules/mod_wsgi.so-3.11
"""

from ansible.module_utils.basic import AnsibleModule  # noqa: E402

from ansible_collections.modwsgi.django.plugins.module_utils._mod_wsgi_info import inspect  # noqa: E402


def main():
    module = AnsibleModule(
        argument_spec=dict(path=dict(type="path", default="/usr/lib/apache2/modules/mod_wsgi.so")),
        supports_check_mode=True,
    )
    try:
        info = inspect(module.params["path"])
    except (OSError, ValueError) as exc:
        module.fail_json(msg="cannot read mod_wsgi module %s: %s" % (module.params["path"], exc))
    module.exit_json(changed=False, **info)


if __name__ == "__main__":
    main()
