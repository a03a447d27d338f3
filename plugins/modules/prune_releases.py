#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: prune_releases
short_description: Remove old releases and unused virtualenvs of Django sites, all sites in one run
version_added: 0.1.0
description:
  - For every site root, keeps the newest O(keep) releases under C(releases/) (by modification time) and
    every release the C(blue), C(green) or C(current) link points at, and removes the others. A live
    release still counts towards O(keep).
  - Then removes every virtualenv under C(venvs/) that no remaining release's C(.modwsgi-venv) link
    points at.
  - Entries whose name starts with a dot or ends in C(.partial) (a build in progress) are never touched. A
    root without a C(releases/) directory is skipped.
author:
  - modwsgi.django maintainers (@modwsgi)
extends_documentation_fragment:
  - modwsgi.django.snapshot
options:
  roots:
    description: Site root directories (C(paths.root) of the normalized sites of C(validate_sites)).
    type: list
    elements: path
    required: true
  keep:
    description: How many of the newest releases of each site stay, live ones included.
    type: int
    default: 5
attributes:
  check_mode:
    support: full
    description: Reports what would be removed.
  diff_mode:
    support: none
    description: Nothing to diff.
"""

EXAMPLES = r"""
- name: Prune old releases
  modwsgi.django.prune_releases:
    roots: "{{ layout.sites | map(attribute='paths.root') }}"
    keep: 5
"""

RETURN = r"""
removed:
  description: Paths removed (in check mode, that would be removed), releases of a root before its virtualenvs.
  returned: success
  type: list
  elements: str
  sample: [/srv/django/shop/releases/0123456789ab, /srv/django/shop/venvs/5d41402abc4b2a76]
"""

from ansible.module_utils.basic import AnsibleModule  # noqa: E402

from ansible_collections.modwsgi.django.plugins.module_utils._prune import prune  # noqa: E402


ARGUMENT_SPEC = dict(
    roots=dict(type="list", elements="path", required=True),
    keep=dict(type="int", default=5),
    snapshot=dict(type="dict"),
)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    try:
        removed = prune(module.params["roots"], module.params["keep"], check_mode=module.check_mode)
    except OSError as exc:
        module.fail_json(msg="prune_releases: %s" % exc)
    module.exit_json(changed=bool(removed), removed=removed)


if __name__ == "__main__":
    main()
