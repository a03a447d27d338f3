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
    description:
      - The tarball on the target. Default the site's C(paths.source_archive). Another file is copied there first
        (mode 0600), so the site's cache always holds what was unpacked.
    type: path
  archive_from:
    description:
      - A tarball on the target to put at O(archive) first (moved there, mode 0600). The action plugin copies O(src)
        to a temporary file on the target and passes it here, when the tarball is larger than O(archive_data) may carry.
    type: path
  archive_data:
    description:
      - The tarball itself, base64-encoded, to put at O(archive) first (mode 0600 root). The action plugin passes O(src)
        this way when it is at most 2 MiB, so that a code deploy sends the code with the module in one round trip
        instead of a temporary file and four more commands on the target.
      - Mutually exclusive with O(archive_from) and O(source_dir).
    type: str
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
  activate:
    description:
      - Also make the built release live, in the same run, as M(modwsgi.django.activate_release) does for a
        C(bluegreen) or C(restart) site (the idle color restarted, health-checked with the color pinned, the map
        flipped, the flip checked as any client asks). The C(django_site) role asks this of the last site it
        builds when the Apache configuration does not change in the run, since every build has succeeded by then.
      - A failed activation fails the task and leaves the previously live release serving (the release stays built).
      - For a C(bluegreen) site the idle color is repointed and its daemons signalled once the release has its
        virtualenv, before the management steps, so that they restart while migrate, collectstatic and check --deploy
        run (Apache's parent respawns a daemon on its once-a-second maintenance pass). The idle color only answers
        requests pinned to it from 127.0.0.1. A build that then fails puts the idle color back on the release it had,
        the one a rollback flips to.
    type: dict
    suboptions:
      map_path:
        description: The colors map.
        type: path
        default: /etc/apache2/modwsgi-colors.map
      health_host:
        description: Host header of the health check (the site's server name).
        type: str
        required: true
      health_path:
        description: Path of the health check (the site's C(health_url_path)).
        type: str
        default: /
      health_port:
        description: Apache's HTTP port on 127.0.0.1.
        type: int
        default: 80
      health_retries:
        description: Health checks before giving up.
        type: int
        default: 30
      health_delay:
        description: Seconds between two health checks (at most; the first waits are 0.02 s, doubling up to this).
        type: float
        default: 1
      restart_timeout:
        description: Seconds the restarted daemons may take to come up.
        type: int
        default: 60
      force_restart:
        description: Restart the group even when the release is live (new settings or boot code).
        type: bool
        default: false
      error_log:
        description: The site's Apache error log; what it got during a failed health check is quoted.
        type: path
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
activation:
  description: With O(activate), what M(modwsgi.django.activate_release) returns (C(live), C(previous), C(release), C(checked)).
  returned: when O(activate) is set
  type: dict
timings:
  description:
    - Seconds per phase of this run, in the order they ran - V(unpack), V(virtualenv), V(prepare) (a blue/green site
      with O(activate) - the idle color repointed and signalled), V(django) (the start of the one Django process of the
      management steps), each management step by name, V(links) and, with O(activate), V(activate) (the whole
      activation) and the parts of a blue/green switch in it (V(restart) - what was left of the idle color's restart,
      V(health), V(warm), V(flip) of the map).
    - Phases with nothing to do take milliseconds; a slow deploy says here where it spent its time.
  returned: success
  type: dict
  sample: {unpack: 0.004, virtualenv: 0.012, prepare: 0.002, django: 0.074, migrate: 0.163, collectstatic: 0.011, "check --deploy": 0.007, links: 0.053,
           restart: 0.404, health: 0.185, warm: 0.028, flip: 0.003, activate: 0.621}
failed_step:
  description: The step that failed (V(unpack), V(requirements) or a management step's name).
  returned: failure
  type: str
python_mismatch:
  description: On a failed virtualenv build, whether pip's output says a requirement needs another Python.
  returned: failure
  type: bool
"""

import base64  # noqa: E402
import binascii  # noqa: E402
import grp  # noqa: E402
import os  # noqa: E402
import pwd  # noqa: E402
import time  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402

from ansible_collections.modwsgi.django.plugins.module_utils._activate import ActivationError, activate, http_probe, prepare, unprepare  # noqa: E402
from ansible_collections.modwsgi.django.plugins.module_utils._build import BuildError, build  # noqa: E402
from ansible_collections.modwsgi.django.plugins.module_utils._logtail import explain, size  # noqa: E402
from ansible_collections.modwsgi.django.plugins.module_utils._fs import atomic_write  # noqa: E402
from ansible_collections.modwsgi.django.plugins.module_utils._manage import STEPS_FLAG, StepProcess, command, findings_message  # noqa: E402
from ansible_collections.modwsgi.django.plugins.module_utils._pack import PackError, pack_dir, sha1_file  # noqa: E402
from ansible_collections.modwsgi.django.plugins.module_utils._release import release_dir_of  # noqa: E402
from ansible_collections.modwsgi.django.plugins.module_utils._site_tree import RELEASE_ID_LENGTH  # noqa: E402

ARGUMENT_SPEC = dict(
    site=dict(type="dict", required=True),
    release_id=dict(type="str"),
    src=dict(type="path"),
    archive=dict(type="path"),
    archive_from=dict(type="path"),
    archive_data=dict(type="str", no_log=False),
    source_dir=dict(type="path"),
    apache_group=dict(type="str", default="www-data"),
    pip_extra_args=dict(type="str", default=""),
    mod_wsgi_python=dict(type="str"),
    check_deploy_fatal=dict(type="bool", default=False),
    activate=dict(type="dict", options=dict(
        map_path=dict(type="path", default="/etc/apache2/modwsgi-colors.map"),
        health_host=dict(type="str", required=True),
        health_path=dict(type="str", default="/"),
        health_port=dict(type="int", default=80),
        health_retries=dict(type="int", default=30),
        health_delay=dict(type="float", default=1),
        restart_timeout=dict(type="int", default=60),
        force_restart=dict(type="bool", default=False),
        error_log=dict(type="path"),
    )),
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
                           mutually_exclusive=[("src", "source_dir"), ("archive_from", "source_dir"),
                                               ("archive_data", "source_dir"), ("archive_data", "archive_from")])
    p = module.params
    site = p["site"]
    name = site.get("name", "?")
    try:
        archive = p["archive"] or site["paths"]["source_archive"]
    except (KeyError, TypeError):
        module.fail_json(msg="build_release: site must be a normalized site of validate_sites")
    ids = {}
    if not module.check_mode:
        # The accounts first: a site whose user or group is missing fails before anything is written.
        try:
            ids = {"site_uid": pwd.getpwnam(site["user"]).pw_uid, "site_gid": grp.getgrnam(site["group"]).gr_gid,
                   "apache_gid": grp.getgrnam(p["apache_group"]).gr_gid}
        except KeyError as exc:
            module.fail_json(msg="site '%s': unknown user or group %s" % (name, exc), findings=[])
    if (p["archive_from"] or p["archive_data"]) and not module.check_mode:
        try:
            if p["archive_data"]:
                atomic_write(archive, base64.b64decode(p["archive_data"], validate=True), 0o600)
            else:
                install_archive(p["archive_from"], archive)
        except (OSError, binascii.Error) as exc:
            module.fail_json(msg="site '%s': cannot put the tarball at %s: %s" % (name, archive, exc), findings=[])
    cache = site["paths"]["source_archive"]
    if archive != cache and not p["source_dir"] and not module.check_mode:
        # A tarball of the user's on the target: the release is unpacked from a copy in the site's cache,
        # which then holds exactly what was unpacked (and names the release by its checksum).
        try:
            with open(archive, "rb") as handle:
                atomic_write(cache, handle.read(), 0o600)
        except OSError as exc:
            module.fail_json(msg="site '%s': cannot copy the tarball %s to %s: %s" % (name, archive, cache, exc), findings=[])
        archive = cache
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

    def run(argv, cwd=None):
        return module.run_command(argv, cwd=cwd, umask=0o022)

    def steps_runner(release):
        return StepProcess(command(site, release, [STEPS_FLAG]), lambda argv: module.run_command(argv, umask=0o022), ids["site_uid"])

    target = activation_target(module, site, release_dir, p["activate"]) if p["activate"] else None
    early = {}

    def before_steps():
        # The idle color of a bluegreen site is repointed and signalled now, so that its daemons restart while
        # the management steps run. If that fails, the activation below does it the usual way and reports it.
        try:
            early["prepared"] = prepare(target)
        except (ActivationError, OSError):
            early["prepared"] = None

    def fail_build(msg, **extra):
        # A build that fails after prepare puts the idle color back on its release: a rollback still has it.
        problem = unprepare(target, early["prepared"]) if early.get("prepared") else None
        module.fail_json(msg=msg + (" Also: %s." % problem if problem else ""), **extra)

    try:
        result = build(site, release_dir, archive, release_id, ids, run, steps_runner, p["pip_extra_args"], p["mod_wsgi_python"],
                       before_steps=before_steps if target is not None and target["mode"] == "bluegreen" else None)
    except BuildError as exc:
        fail_build(exc.message, failed_step=exc.step, release_dir=release_dir, findings=[], **exc.extra)
    if result["findings"] and p["check_deploy_fatal"]:
        fail_build(findings_message(site, release_id, result["findings"]), failed_step="check --deploy", **result)
    if target is not None:
        started = time.monotonic()
        result["activation"] = activate_built(module, site, target, p["activate"]["error_log"], result["timings"], early.get("prepared"))
        result["timings"]["activate"] = round(time.monotonic() - started, 3)
        result["changed"] = result["changed"] or result["activation"]["changed"]
    module.exit_json(**result)


def activation_target(module, site, release_dir, options):
    """The site as ``_activate`` takes it (bluegreen or restart), from the module's ``activate`` options."""
    mode = site.get("deploy") if site.get("mode") == "daemon" else None
    if mode not in ("bluegreen", "restart"):
        module.fail_json(msg="site '%s': activate is for daemon-mode sites (bluegreen or restart)" % site.get("name"), findings=[])
    return {"name": site["name"], "mode": mode, "root": site["paths"]["root"], "release_dir": release_dir,
            "map_path": options["map_path"], "restart_timeout": options["restart_timeout"], "force": options["force_restart"],
            "health": {"path": options["health_path"], "host": options["health_host"], "port": options["health_port"],
                       "scheme": "http", "retries": options["health_retries"], "delay": options["health_delay"]}}


def activate_built(module, site, target, error_log, timings=None, prepared=None):
    """The activation of the built release (bluegreen or restart), as activate_release does it."""
    offset = size(error_log)
    try:
        return activate(target, http_probe, timings=timings, prepared=prepared)
    except ActivationError as exc:
        module.fail_json(msg="site %s: %s. The previously live release keeps serving.%s" % (site["name"], exc, explain(error_log, offset)),
                         failed_step="activate", findings=[], release_dir=target["release_dir"])
    except OSError as exc:
        module.fail_json(msg="site %s: cannot switch release: %s" % (site["name"], exc), failed_step="activate", findings=[])


if __name__ == "__main__":
    main()
