#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: release_status
short_description: Tell which Django site releases are already built and live
version_added: 0.1.0
description:
  - For every site, checks in one run on the target whether the release directory it should serve is
    completely built and whether it is the one serving. The C(django_site) role builds only the sites that
    are not built and activates only those that are not live, so a converge that changes nothing skips
    every per-site step.
  - Built means every file the build leaves is there, in the release directory C(.modwsgi-release) and the
    marker of each management step the site runs (C(.modwsgi-migrated), C(.modwsgi-collected),
    one C(.modwsgi-step-<hash>) per extra management step, C(.modwsgi-checked)); C(.modwsgi-venv) linking
    the virtualenv named after the fingerprint of the release's requirements closure (the file and every
    file it includes with C(-r)/C(-c)), the pip extra arguments and the site interpreter's version, sealed
    by C(.modwsgi-complete); and
    the site's C(current) link (with C(blue) and C(green) for blue/green sites).
  - Live means C(current) points at the release and, for blue/green sites, the color the RewriteMap names
    points at it too.
  - Read-only.
author:
  - modwsgi.django maintainers (@modwsgi)
extends_documentation_fragment:
  - modwsgi.django.snapshot
options:
  sites:
    description: Normalized sites, as the C(validate_sites) module returns them in C(sites).
    type: list
    elements: dict
    required: true
  release_ids:
    description:
      - Site name to the id of the release it should serve (the SHA-1 of its packed code, as
        C(pack_sources) returns it; the first 12 hex digits name the directory under C(releases/)).
      - Sites left out are reported as not built and not live (their release id is known only after
        fetching the source on the target, for example git).
    type: dict
    default: {}
  map_path:
    description: RewriteMap file naming each blue/green site's live color.
    type: path
    default: /etc/apache2/modwsgi-colors.map
  pip_extra_args:
    description: Extra C(pip install) arguments of the role (C(django_site_pip_extra_args)); part of the virtualenv name.
    type: str
    default: ""
attributes:
  check_mode:
    support: full
    description: Read-only.
  diff_mode:
    support: none
    description: Nothing to diff.
"""

EXAMPLES = r"""
- name: Which sites need a build or an activation
  modwsgi.django.release_status:
    sites: "{{ layout.sites }}"
    release_ids:
      shop: 0123456789ab
  register: status

- name: Sites that need a build
  ansible.builtin.debug:
    var: status.build
"""

RETURN = r"""
sites:
  description:
    - Site name to C(built) (bool), C(live) (bool), C(why) (the first thing missing, or C(live)) and
      C(release_dir) (null when no release id was given).
  returned: success
  type: dict
  sample: {shop: {built: true, live: true, why: live, release_dir: /srv/django/shop/releases/0123456789ab}}
releases:
  description: Site name to release directory, for the sites given a release id.
  returned: success
  type: dict
  sample: {shop: /srv/django/shop/releases/0123456789ab}
build:
  description: Names of the sites whose release is not completely built, in site order.
  returned: success
  type: list
  elements: str
  sample: [blog]
activate:
  description: Names of the sites whose release is not the live one, in site order.
  returned: success
  type: list
  elements: str
  sample: [blog]
"""

import functools  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402

from ansible_collections.modwsgi.django.plugins.module_utils._release import statuses  # noqa: E402


ARGUMENT_SPEC = dict(
    sites=dict(type="list", elements="dict", required=True),
    release_ids=dict(type="dict", default={}),
    map_path=dict(type="path", default="/etc/apache2/modwsgi-colors.map"),
    pip_extra_args=dict(type="str", default=""),
    snapshot=dict(type="dict"),
)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    try:
        result = statuses(module.params["sites"], module.params["release_ids"], module.params["map_path"],
                          functools.partial(module.run_command, handle_exceptions=False),
                          module.params["pip_extra_args"])
    except (KeyError, TypeError) as exc:
        module.fail_json(msg="release_status: sites must be the normalized sites of validate_sites (%s)" % exc)
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
