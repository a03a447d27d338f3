#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: verify_sites
short_description: Check deployed Django sites over HTTP and in /proc, the way the collection's own tests do
version_added: 0.1.0
description:
  - Runs on the host that serves the sites, after a deploy, and checks what the collection promises. It sends
    GET requests to 127.0.0.1 with each site's host name and reads C(/proc), the site tree and the rendered
    virtual host. It changes nothing, except for marker files it writes and removes again (O(markers)).
  - C(mount) - the health URL (each site's C(health_path) under its mount) is answered, 2xx/3xx, by the site's own
    application from its live release (the boot code names the release to loopback requests), and a redirect
    stays under the mount.
  - C(colors) - C(deploy=bluegreen) - each color, pinned from 127.0.0.1, answers from the release of its link.
  - C(static), C(media) - a file in the directory is served at its URL, by Apache and not by Django.
  - C(listing) - the static and media directories, and a directory inside them, are never listed.
  - C(daemon) - daemon mode - each daemon group runs the number of processes its C(WSGIDaemonProcess) line
    configures (and the inventory's C(daemon.processes), when given), as the site's user and group.
  - C(cookies) - the cookies the probed pages set carry the site's names (not Django's C(sessionid),
    C(csrftoken), C(messages) when the site has its own) and paths under its mount.
  - C(exposed) - no code, settings or secret lies under a DocumentRoot, an Alias or a symlink there (the
    C(exposed) rule of M(modwsgi.django.validate_sites) on the real paths), and none is served over HTTP.
  - Every check of every site runs; the C(failures) it returns list those that failed, and the module fails with them
    unless O(fail_on_failures=false).
  - The role M(modwsgi.django.verify) and the playbook C(modwsgi.django.verify) run it for the inventory's
    C(modwsgi_sites), and can write the results as a JSON report for a CI job.
extends_documentation_fragment:
  - modwsgi.django.attributes
author:
  - modwsgi.django maintainers (@modwsgi)
options:
  sites:
    description:
      - The C(modwsgi_sites) items of the host, as given to the C(django_site) role (normalized sites of
        M(modwsgi.django.validate_sites) work too). They are validated again here, on paper; secrets are not
        used and not returned.
    type: list
    elements: dict
    required: true
  port:
    description: Apache's HTTP port on 127.0.0.1.
    type: int
    default: 80
  conf_root:
    description: Apache's configuration root (the virtual host files are read from C(sites-available/) there).
    type: path
    default: /etc/apache2
  document_roots:
    description: DocumentRoots Apache serves (as given to the C(django_site) role).
    type: list
    elements: path
    default: [/var/www/html]
  base_dir:
    description: Default parent of each site's root, as in the C(django_site) role.
    type: path
    default: /srv/django
  markers:
    description:
      - Write a small file and a directory, named C(modwsgi-verify-<random>), in each static and media
        directory for the C(static), C(media) and C(listing) checks, and remove them right after.
      - When false, and in check mode, an existing world-readable file of the directory is requested instead
        (the check is skipped when there is none).
    type: bool
    default: true
  cookie_paths:
    description:
      - Pages requested on every site (relative to its mount) for the C(cookies) check, besides the health URL.
        A page that does not exist costs one 404.
    type: list
    elements: str
    default: [admin/login/]
  extra_paths:
    description:
      - Site name to more pages of that site (relative to its mount) requested for the C(cookies) check, for
        example pages that use the session or a form with CSRF.
    type: dict
    default: {}
  settle:
    description: Seconds to wait for a daemon group that is still starting processes before it counts as short of them.
    type: float
    default: 10
  timeout:
    description: Seconds to wait for one HTTP answer.
    type: float
    default: 10
  fail_on_failures:
    description: Fail when a check failed. When false, the results are returned and the caller decides.
    type: bool
    default: true
attributes:
  check_mode:
    support: full
    description: Runs in check mode too, without writing marker files.
notes:
  - Needs root (C(become)) for C(/proc) of the site processes and for the marker files.
  - Mass hosting (C(modwsgi_mass_hosting)) is not checked.
"""

EXAMPLES = r"""
- name: The sites of this host do what the collection promises
  modwsgi.django.verify_sites:
    sites: "{{ modwsgi_sites }}"
    extra_paths:
      shop: [session/, contact/]
  become: true

- name: Keep the results, decide later
  modwsgi.django.verify_sites:
    sites: "{{ modwsgi_sites }}"
    fail_on_failures: false
  register: verified
"""

RETURN = r"""
checks:
  description: Every check of every site.
  returned: always
  type: list
  elements: dict
  contains:
    site:
      description: Site name.
      type: str
    check:
      description: C(mount), C(colors), C(static), C(media), C(listing), C(daemon), C(cookies) or C(exposed).
      type: str
    status:
      description: C(ok), C(failed) or C(skipped).
      type: str
    detail:
      description: What was requested or read, and what was found.
      type: str
  sample:
    - {site: shop, check: static, status: ok, detail: "GET /static/modwsgi-verify-3fa1.txt: 200 from /srv/django/shop/static, served by Apache"}
failures:
  description: "One line per failed check: C(site '<name>', check <check>: <detail>)."
  returned: always
  type: list
  elements: str
lines:
  description: "One line per check, for printing: C(<status> <site> <check>: <detail>)."
  returned: always
  type: list
  elements: str
summary:
  description: How many checks passed, failed and were skipped.
  returned: always
  type: dict
  sample: {ok: 14, failed: 0, skipped: 1}
"""

import traceback  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402

from ansible_collections.modwsgi.django.plugins.module_utils._layout import mask_secrets  # noqa: E402
from ansible_collections.modwsgi.django.plugins.module_utils._verify import FAILED, OK, SKIPPED, Host, failures, verify  # noqa: E402


def main():
    module = AnsibleModule(
        argument_spec=dict(
            sites=dict(type="list", elements="dict", required=True),
            port=dict(type="int", default=80),
            conf_root=dict(type="path", default="/etc/apache2"),
            document_roots=dict(type="list", elements="path", default=["/var/www/html"]),
            base_dir=dict(type="path", default="/srv/django"),
            markers=dict(type="bool", default=True),
            cookie_paths=dict(type="list", elements="str", default=["admin/login/"]),
            extra_paths=dict(type="dict", default={}),
            settle=dict(type="float", default=10),
            timeout=dict(type="float", default=10),
            fail_on_failures=dict(type="bool", default=True),
        ),
        supports_check_mode=True,
        # Only stops AnsibleModule from logging the invocation (the sites carry secrets) to syslog.
        no_log=True,
    )
    p = module.params
    invocation = {"module_args": dict(p, sites=mask_secrets(p["sites"]))}
    extra = {}
    for name, paths in p["extra_paths"].items():
        if not isinstance(paths, list) or not all(isinstance(path, str) for path in paths):
            module.fail_json(msg="verify_sites: extra_paths.%s must be a list of paths relative to the site's mount" % name,
                             invocation=invocation)
        extra[name] = paths
    try:
        results, error = verify(p["sites"], Host(port=p["port"], timeout=p["timeout"]), conf_root=p["conf_root"],
                                document_roots=p["document_roots"], base_dir=p["base_dir"],
                                markers=p["markers"] and not module.check_mode, extra_paths=extra,
                                cookie_paths=p["cookie_paths"], settle=p["settle"])
    except OSError as exc:
        module.fail_json(msg="verify_sites: %s: %s" % (exc.filename, exc.strerror), invocation=invocation)
    except Exception as exc:  # pylint: disable=broad-exception-caught
        module.fail_json(msg="verify_sites: internal error (%s), please report it." % exc.__class__.__name__,
                         exception=traceback.format_exc(), invocation=invocation)
    if error:
        module.fail_json(msg="verify_sites: %s" % error, checks=[], failures=[error], invocation=invocation)
    failed = failures(results)
    summary = dict((status, len([item for item in results if item["status"] == status])) for status in (OK, FAILED, SKIPPED))
    lines = ["%-7s %s %s: %s" % (item["status"], item["site"], item["check"], item["detail"]) for item in results]
    output = dict(changed=False, checks=results, failures=failed, summary=summary, lines=lines, invocation=invocation)
    if failed and p["fail_on_failures"]:
        module.fail_json(msg="verify_sites: %d of %d checks failed: %s" % (len(failed), len(results), " | ".join(failed)), **output)
    module.exit_json(**output)


if __name__ == "__main__":
    main()
