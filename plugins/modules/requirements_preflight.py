#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: requirements_preflight
short_description: Refuse, before any change, sites whose requirements need another Python than mod_wsgi's
version_added: 0.1.0
description:
  - Runs on the controller (C(delegate_to) localhost). For every site whose code is a directory on the controller
    (C(source.type=path) without C(remote)), resolves its requirements closure with C(pip install --dry-run
    --python-version X.Y --only-binary=:all:) for the Python mod_wsgi embeds on the host. Nothing is installed.
  - When that fails and the same closure resolves for Python 3.13, the Python version is the reason and the site
    is refused with pip's deciding line first (for example C(No matching distribution found for Django<6.1,>=6.0)).
    Every refused site is listed at once.
  - Any other failure (a package published only as an sdist, an index the controller cannot reach) is reported
    in RV(sites) as C(undecided), and pip on the host decides when it builds the virtualenv.
  - A closure that resolved is remembered in O(cache_dir) under the fingerprint of the closure, the pip extra
    arguments and the Python version; a rerun with the same requirements costs nothing.
  - Sites whose code is fetched on the host (git, C(remote=true)) or archives are C(skipped).
author:
  - modwsgi.django maintainers (@modwsgi)
options:
  sites:
    description: Normalized sites, as the C(validate_sites) module returns them in C(sites).
    type: list
    elements: dict
    required: true
  python_version:
    description: Major.minor of the Python mod_wsgi embeds (or will embed) on the host, for example C(3.11).
    type: str
    required: true
  pip_extra_args:
    description: Extra C(pip install) arguments of the role (C(django_site_pip_extra_args)), passed to the resolution too.
    type: str
    default: ""
  cache_dir:
    description: Directory on the controller remembering closures that resolved. Empty to resolve every time.
    type: path
attributes:
  check_mode:
    support: full
    description: Read-only; it runs in check mode too.
  diff_mode:
    support: none
    description: Nothing to diff.
"""

EXAMPLES = r"""
- name: Requirements resolve for the Python mod_wsgi embeds (before anything on the host changes)
  modwsgi.django.requirements_preflight:
    sites: "{{ layout.sites }}"
    python_version: "3.11"
    cache_dir: "~/.cache/modwsgi-django/preflight"
  delegate_to: localhost
"""

RETURN = r"""
sites:
  description:
    - Site name to C(state) (C(ok), C(cached), C(skipped), C(undecided) or C(refused)) and C(message).
  returned: always
  type: dict
  sample: {shop: {state: ok, message: resolves for Python 3.11}}
"""

import re  # noqa: E402
import sys  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402

from ansible_collections.modwsgi.django.plugins.module_utils._preflight import check_all  # noqa: E402


ARGUMENT_SPEC = dict(
    sites=dict(type="list", elements="dict", required=True),
    python_version=dict(type="str", required=True),
    pip_extra_args=dict(type="str", default=""),
    cache_dir=dict(type="path"),
)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    p = module.params
    if not re.match(r"^[0-9]+\.[0-9]+$", p["python_version"]):
        module.fail_json(msg="requirements_preflight: python_version must be major.minor, got %r" % p["python_version"])
    pip = [sys.executable, "-m", "pip"]
    rc, _out, _err = module.run_command(pip + ["--version"])
    if rc != 0:
        module.warn("pip is not available to %s on the controller; pip on the host decides" % sys.executable)
        module.exit_json(changed=False, sites={})

    def run(argv, cwd=None):
        return module.run_command(argv, cwd=cwd)

    results, refusals = check_all(p["sites"], p["python_version"], p["pip_extra_args"], pip, p["cache_dir"], run)
    if refusals:
        module.fail_json(msg="%d site(s) cannot be installed for Python %s (nothing on the host was changed): %s"
                             % (len(refusals), p["python_version"], " ".join(refusals)), sites=results)
    for name, result in sorted(results.items()):
        if result["state"] == "undecided":
            module.warn("site '%s': %s" % (name, result["message"]))
    module.exit_json(changed=False, sites=results)


if __name__ == "__main__":
    main()
