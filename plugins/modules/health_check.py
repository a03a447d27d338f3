#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: health_check
short_description: Health-check many Django sites through 127.0.0.1 in one module run
version_added: 0.1.0
description:
  - Polls each site's health path through 127.0.0.1 with its Host header, several sites at a time, until
    it answers 2xx or 3xx (and, when I(sites[].release) is given, until the answer comes from that release,
    read from the C(X-Modwsgi-Release) header the site's boot code sends to loopback health requests).
  - The C(django_site) role runs it for every site after a graceful reload of Apache, which restarts every
    daemon, in one step whatever the number of sites.
  - Fails listing every site that did not answer, with what it answered last.
extends_documentation_fragment:
  - modwsgi.django.attributes
author:
  - modwsgi.django maintainers (@modwsgi)
options:
  sites:
    description:
      - Sites to check, each a dict with C(name), C(host) (or C(server_name)), C(path) (or C(health_url_path),
        default C(/)) and optionally C(release), the release id the answer must come from. Other keys are
        ignored, so the normalized sites of C(validate_sites) can be given as they are.
    type: list
    elements: dict
    required: true
  port:
    description: Port on 127.0.0.1.
    type: int
    default: 80
  scheme:
    description: C(http) or C(https) (certificate not verified; it is 127.0.0.1).
    type: str
    choices: [http, https]
    default: http
  retries:
    description: Polls per site before giving up.
    type: int
    default: 30
  delay:
    description: Seconds between the polls of one site (at most; the first waits are 0.02 s, doubling up to this).
    type: float
    default: 1
  timeout:
    description: Seconds to wait for one answer.
    type: float
    default: 10
  parallel:
    description: Sites polled at the same time.
    type: int
    default: 8
  log_dir:
    description:
      - Apache's log directory. For each site that fails, the lines written meanwhile to its error log
        (C(<log_dir>/modwsgi-<server_name>-error.log), the traceback behind an HTTP 500) are shown in the message.
    type: path
attributes:
  check_mode:
    support: full
    description: Only sends GET requests; it runs in check mode too.
"""

EXAMPLES = r"""
- name: Every site answers after the reload
  modwsgi.django.health_check:
    sites:
      - {name: shop, host: shop.example.com, path: /healthz/}
      - {name: blog, host: www.example.com, path: /blog/healthz/}
"""

RETURN = r"""
sites:
  description: Site name to the HTTP status it answered.
  returned: success
  type: dict
  sample: {shop: 200, blog: 200}
failed_sites:
  description: Site name to what went wrong (only on failure).
  returned: failure
  type: dict
"""

import os  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402

from ansible_collections.modwsgi.django.plugins.module_utils._activate import check_all  # noqa: E402
from ansible_collections.modwsgi.django.plugins.module_utils._logtail import explain, size  # noqa: E402
from ansible_collections.modwsgi.django.plugins.module_utils._site_tree import vhost_logs  # noqa: E402


def main():
    module = AnsibleModule(
        argument_spec=dict(
            sites=dict(type="list", elements="dict", required=True),
            port=dict(type="int", default=80),
            scheme=dict(type="str", choices=["http", "https"], default="http"),
            retries=dict(type="int", default=30),
            delay=dict(type="float", default=1),
            timeout=dict(type="float", default=10),
            parallel=dict(type="int", default=8),
            log_dir=dict(type="path"),
        ),
        supports_check_mode=True,
    )
    p = module.params
    params = dict(port=p["port"], scheme=p["scheme"], retries=p["retries"], delay=p["delay"], timeout=p["timeout"])
    sites = []
    for index, site in enumerate(p["sites"]):
        name, host = site.get("name"), site.get("host", site.get("server_name"))
        path = site.get("path", site.get("health_url_path", "/"))
        if not isinstance(name, str) or not isinstance(host, str) or not isinstance(path, str) or not path.startswith("/"):
            module.fail_json(msg="health_check: sites[%d] needs a name, a host (or server_name) and a path starting with / "
                                 "(or health_url_path)" % index)
        sites.append({"name": name, "host": host, "path": path, "release": site.get("release")})
    logs = {}
    if p["log_dir"]:
        for site in sites:
            path = os.path.join(p["log_dir"], vhost_logs(site["host"])["error"])
            logs[site["name"]] = (path, size(path))
    ok, failed = check_all(sites, params, workers=p["parallel"])
    if failed:
        module.fail_json(msg="health check failed for %d of %d sites: %s" % (
            len(failed), len(p["sites"]), "; ".join("site %s: %s%s" % (name, failed[name], explain(*logs[name]) if name in logs else "")
                                                    for name in sorted(failed))),
            sites=ok, failed_sites=failed)
    module.exit_json(changed=False, sites=ok)


if __name__ == "__main__":
    main()
