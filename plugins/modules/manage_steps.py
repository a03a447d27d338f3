#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: manage_steps
short_description: Run a Django site's management steps on a new release, once per release, as the site user
version_added: 0.1.0
description:
  - Runs, against a release directory that is not live yet and as the site's own user (C(setpriv)), the
    steps the normalized site asks for, in this order - C(migrate --noinput) (site key C(migrate)),
    C(collectstatic --noinput) (C(collectstatic), when the site has a static directory), each command
    line of C(manage_steps) in order, then C(check --deploy) (C(check_deploy)).
  - Each step leaves a marker file in the release and is not run again for that release. The first
    failing step stops the run; the failure message names that step and shows the tail of its output.
  - The release stays root-owned and read-only for the site, and the static directory root-owned and
    world-readable (public content, read by the site's own processes), except while C(collectstatic) and
    the extra steps run - those may write the static directory and the release (C(compress),
    C(compilemessages)). Both are sealed again before C(check --deploy) and on failure.
  - Findings of C(check --deploy) are returned in RV(findings); they fail the task only with
    O(check_deploy_fatal).
author:
  - modwsgi.django maintainers (@modwsgi)
options:
  site:
    description:
      - One normalized site, as the C(validate_sites) module returns it (keys used - C(name), C(user), C(group),
        C(paths.manage), C(static), C(migrate), C(collectstatic), C(manage_steps), C(check_deploy)).
    type: dict
    required: true
  release_dir:
    description: The release directory the steps run against (C(<root>/releases/<id>)).
    type: path
    required: true
  apache_group:
    description: Group of the static directory (Apache reads it).
    type: str
    default: www-data
  migrate:
    description:
      - Run C(migrate) when the site asks for it. V(false) skips it on this host (for example every host but
        one when several hosts share a database).
    type: bool
    default: true
  check_deploy_fatal:
    description: Fail when C(check --deploy) reports findings (it always fails on errors it exits non-zero for).
    type: bool
    default: false
attributes:
  check_mode:
    support: full
    description: Reports the steps that would run, runs none.
  diff_mode:
    support: none
    description: Nothing to diff.
"""

EXAMPLES = r"""
- name: Management steps on the new release of a site
  modwsgi.django.manage_steps:
    site: "{{ layout.sites[0] }}"
    release_dir: /srv/django/shop/releases/0123456789ab
"""

RETURN = r"""
ran:
  description: Names of the steps run, in order (empty when every step had already run for this release).
  returned: always
  type: list
  elements: str
  sample: [migrate, collectstatic, compilemessages, check --deploy]
pending:
  description: In check mode, the steps that would run.
  returned: check mode
  type: list
  elements: str
findings:
  description: The lines of C(check --deploy) from its C(WARNINGS:) or C(ERRORS:) header on; empty when clean.
  returned: always
  type: list
  elements: str
failed_step:
  description: Name of the step that failed.
  returned: failure
  type: str
  sample: compress --force
"""

import grp  # noqa: E402
import os  # noqa: E402
import pwd  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402

from ansible_collections.modwsgi.django.plugins.module_utils._manage import StepFailed, failure_message, findings_message, pending, per_process, run_steps  # noqa: E402


def main():
    module = AnsibleModule(
        argument_spec=dict(
            site=dict(type="dict", required=True),
            release_dir=dict(type="path", required=True),
            apache_group=dict(type="str", default="www-data"),
            migrate=dict(type="bool", default=True),
            check_deploy_fatal=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    site = dict(module.params["site"])
    release_dir = module.params["release_dir"].rstrip("/")
    name = site.get("name", "?")
    if not module.params["migrate"]:
        site["migrate"] = False
    if not os.path.isdir(release_dir):
        module.fail_json(msg="site '%s': release directory %s does not exist" % (name, release_dir), ran=[], findings=[])
    steps = pending(site, release_dir)
    if module.check_mode:
        module.exit_json(changed=bool(steps), ran=[], pending=[s["name"] for s in steps], findings=[])
    try:
        ids = {"site_uid": pwd.getpwnam(site["user"]).pw_uid, "site_gid": grp.getgrnam(site["group"]).gr_gid,
               "apache_gid": grp.getgrnam(module.params["apache_group"]).gr_gid}
    except KeyError as exc:
        module.fail_json(msg="site '%s': unknown user or group %s" % (name, exc), ran=[], findings=[])

    def run(argv):
        return module.run_command(argv, umask=0o022)

    release_id = os.path.basename(release_dir)
    try:
        result = run_steps(site, release_dir, per_process(site, release_dir, run), ids, steps=steps)
    except StepFailed as exc:
        module.fail_json(msg=failure_message(site, exc, release_id), failed_step=exc.step, ran=[], findings=[])
    except OSError as exc:
        module.fail_json(msg="site '%s': cannot set owners or modes of release %s: %s" % (name, release_id, exc), ran=[], findings=[])
    if result["findings"] and module.params["check_deploy_fatal"]:
        module.fail_json(msg=findings_message(site, release_id, result["findings"]), failed_step="check --deploy",
                         ran=result["ran"], findings=result["findings"])
    module.exit_json(changed=bool(result["ran"]), ran=result["ran"], findings=result["findings"])


if __name__ == "__main__":
    main()
