#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: build_release
short_description: Build a Django site's release in one run - unpack, virtualenv, management steps, first links
version_added: 0.1.0
description:
  - Makes C(<root>/releases/<id>) of one normalized site ready to be activated, in one run on the target.
  - Unpacks the source tarball (members checked as Python's C(data) extraction filter does - no absolute names, no
    C(..), links only inside the release, no devices) into a partial directory, writes the release marker last,
    hands the tree to root:<site group> C(u=rwX,g=rX,o=) and renames it into place.
  - Builds the release's virtualenv when no finished one is named after its requirements closure (as
    M(modwsgi.django.site_virtualenv) does) and links it from the release.
  - Runs C(migrate), C(collectstatic), the site's C(manage_steps) and C(check --deploy) as the site user, each once
    per release (as M(modwsgi.django.manage_steps) does), all in one Django process, so that Django starts once.
  - On a site's first release, makes the C(blue), C(green) and C(current) links that do not exist yet. Existing
    links are never moved; M(modwsgi.django.activate_release) does that.
  - Every failure names the step (V(unpack), V(requirements) or the management step) and shows its cause (pip's
    deciding line, the command's output); nothing is activated. What the steps before it finished stays, so the
    next run goes on from there.
  - With O(src) the action plugin copies a tarball from the controller to the site's C(paths.source_archive) first, unless
    O(snapshot) shows the file there already has that checksum.
extends_documentation_fragment:
  - modwsgi.django.snapshot
  - modwsgi.django.attributes
author:
  - modwsgi.django maintainers (@modwsgi)
options:
  site:
    description: One normalized site, as M(modwsgi.django.validate_sites) returns it.
    type: dict
    required: true
  release_id:
    description:
      - The release's name under C(releases/) (the first 12 hex digits of the tarball's SHA-1, or a commit).
      - Default the first 12 hex digits of the SHA-1 of the tarball on the target.
    type: str
  src:
    description:
      - A tarball on the controller (for example from M(modwsgi.django.pack_sources)), copied to
        the site's C(paths.source_archive) (mode 0600 root) before the build.
    type: path
  archive:
    description: The tarball on the target. Default the site's C(paths.source_archive).
    type: path
  archive_from:
    description:
      - A tarball on the target to put at O(archive) first (moved there, mode 0600). The action plugin copies O(src)
        to a temporary file on the target and passes it here.
    type: path
  source_dir:
    description:
      - A directory on the target to pack reproducibly (as M(modwsgi.django.pack_sources) packs on the controller)
        into O(archive) first; its checksum names the release.
    type: path
  apache_group:
    description: Group of the static directory (Apache reads it).
    type: str
    default: www-data
  pip_extra_args:
    description: Extra arguments for C(pip install); part of the virtualenv's name.
    type: str
    default: ""
  mod_wsgi_python:
    description: Python C(major.minor) mod_wsgi embeds, named in pip's failure message.
    type: str
  check_deploy_fatal:
    description: Fail when C(check --deploy) reports findings (it always fails on errors it exits non-zero for).
    type: bool
    default: false
attributes:
  check_mode:
    support: full
    description: Reports that the release would be built (and whether its tarball would be copied); builds nothing.
notes:
  - The module runs as root; the management steps run as the site's user through C(setpriv).
seealso:
  - module: modwsgi.django.activate_release
  - module: modwsgi.django.discard_first_deploy
"""

EXAMPLES = r"""
- name: Build the new release of a site from a tarball packed on the controller
  modwsgi.django.build_release:
    site: "{{ layout.sites[0] }}"
    src: /tmp/modwsgi-django-shop.tar.gz
    release_id: 6f1ed002ab55
  register: built
"""

RETURN = r"""
release_dir:
  description: The release directory.
  returned: success
  type: str
  sample: /srv/django/shop/releases/6f1ed002ab55
release_id:
  description: Its name.
  returned: success
  type: str
unpacked:
  description: Whether the tarball was unpacked in this run.
  returned: success
  type: bool
venv:
  description: The virtualenv the release links.
  returned: success
  type: str
venv_built:
  description: Whether that virtualenv was built in this run.
  returned: success
  type: bool
ran:
  description: The management steps run, in order.
  returned: success
  type: list
  elements: str
  sample: [migrate, collectstatic, check --deploy]
findings:
  description: The lines of C(check --deploy) from its C(WARNINGS:) or C(ERRORS:) header on; empty when clean.
  returned: always
  type: list
  elements: str
links:
  description: The live links made in this run (a first release).
  returned: success
  type: list
  elements: str
failed_step:
  description: The step that failed (V(unpack), V(requirements) or a management step's name).
  returned: failure
  type: str
python_mismatch:
  description: On a failed virtualenv build, whether pip's output says a requirement needs another Python.
  returned: failure
  type: bool
"""

import grp  # noqa: E402
import os  # noqa: E402
import pwd  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402

from ansible_collections.modwsgi.django.plugins.module_utils._build import BuildError, build  # noqa: E402
from ansible_collections.modwsgi.django.plugins.module_utils._fs import atomic_write  # noqa: E402
from ansible_collections.modwsgi.django.plugins.module_utils._manage import STEPS_FLAG, StepProcess, command, findings_message  # noqa: E402
from ansible_collections.modwsgi.django.plugins.module_utils._pack import PackError, pack_dir, sha1_file  # noqa: E402
from ansible_collections.modwsgi.django.plugins.module_utils._release import RELEASE_ID_LENGTH, release_dir_of  # noqa: E402

ARGUMENT_SPEC = dict(
    site=dict(type="dict", required=True),
    release_id=dict(type="str"),
    src=dict(type="path"),
    archive=dict(type="path"),
    archive_from=dict(type="path"),
    source_dir=dict(type="path"),
    apache_group=dict(type="str", default="www-data"),
    pip_extra_args=dict(type="str", default=""),
    mod_wsgi_python=dict(type="str"),
    check_deploy_fatal=dict(type="bool", default=False),
    snapshot=dict(type="dict"),
)


def install_archive(incoming, archive):
    """Put the uploaded tarball at ``archive`` (0600 root), atomically."""
    with open(incoming, "rb") as handle:
        data = handle.read()
    atomic_write(archive, data, 0o600)
    os.unlink(incoming)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True,
                           mutually_exclusive=[("src", "source_dir"), ("archive_from", "source_dir")])
    p = module.params
    site = p["site"]
    name = site.get("name", "?")
    try:
        archive = p["archive"] or site["paths"]["source_archive"]
    except (KeyError, TypeError):
        module.fail_json(msg="build_release: site must be a normalized site of validate_sites")
    if p["archive_from"] and not module.check_mode:
        try:
            install_archive(p["archive_from"], archive)
        except OSError as exc:
            module.fail_json(msg="site '%s': cannot put the tarball at %s: %s" % (name, archive, exc), findings=[])
    if p["source_dir"] and not module.check_mode:
        try:
            pack_dir(p["source_dir"], archive, module.run_command)
        except PackError as exc:
            module.fail_json(msg="site '%s', step pack: %s" % (name, exc), failed_step="pack", findings=[])
    release_id = p["release_id"]
    if not release_id:
        if not os.path.exists(archive):
            module.fail_json(msg="site '%s': no tarball at %s and no release_id" % (name, archive), findings=[])
        release_id = sha1_file(archive)
    release_id = release_id[:RELEASE_ID_LENGTH]
    release_dir = release_dir_of(site, release_id)
    if module.check_mode:
        module.exit_json(changed=True, release_dir=release_dir, release_id=release_id, unpacked=False, venv=None,
                         venv_built=False, ran=[], findings=[], links=[])
    try:
        ids = {"site_uid": pwd.getpwnam(site["user"]).pw_uid, "site_gid": grp.getgrnam(site["group"]).gr_gid,
               "apache_gid": grp.getgrnam(p["apache_group"]).gr_gid}
    except KeyError as exc:
        module.fail_json(msg="site '%s': unknown user or group %s" % (name, exc), findings=[])

    def run(argv, cwd=None):
        return module.run_command(argv, cwd=cwd, umask=0o022)

    def steps_runner(release):
        return StepProcess(command(site, release, [STEPS_FLAG]), lambda argv: module.run_command(argv, umask=0o022), ids["site_uid"])

    try:
        result = build(site, release_dir, archive, release_id, ids, run, steps_runner, p["pip_extra_args"], p["mod_wsgi_python"])
    except BuildError as exc:
        module.fail_json(msg=exc.message, failed_step=exc.step, release_dir=release_dir, findings=[], **exc.extra)
    if result["findings"] and p["check_deploy_fatal"]:
        module.fail_json(msg=findings_message(site, release_id, result["findings"]), failed_step="check --deploy", **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
