#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: rollback
short_description: Flip blue/green Django sites back to their previous release in one step, from what the host records
version_added: 0.1.0
description:
  - The fast path back. Reads the sites the C(django_site) role deployed on this host from its manifest (O(manifest),
    written by every converge), health-checks each requested bluegreen site's other color through 127.0.0.1 with that
    color pinned (it must answer from the release its link points at, which still runs), then rewrites the colors map
    once so that every such site's next request goes to its previous release. No fact gathering, no validation of the
    inventory, no build, no reload of Apache.
  - All or none. When one site's previous color does not answer, nothing is flipped. After the flip each site must
    answer from its previous release without a pinned color; otherwise the map is put back whole.
  - The playbook M(modwsgi.django.rollback) runs this module alone; C(ansible-playbook modwsgi.django.deploy -e
    django_site_rollback=true) does the same after validating the whole inventory.
extends_documentation_fragment:
  - modwsgi.django.attributes
author:
  - modwsgi.django maintainers (@modwsgi)
options:
  sites:
    description: Names of the sites to roll back. Default every bluegreen site in the manifest.
    type: list
    elements: str
  manifest:
    description: The manifest the C(django_site) role writes (C(django_site_manifest)).
    type: path
    default: /etc/apache2/modwsgi-sites.json
  retries:
    description: Health checks of each previous color before giving up.
    type: int
    default: 10
  delay:
    description: Seconds between two health checks (at most; the first waits are 0.02 s, doubling up to this).
    type: float
    default: 0.5
attributes:
  check_mode:
    support: full
    description: Says which sites would flip to which release; checks and flips nothing.
seealso:
  - module: modwsgi.django.activate_release
"""

EXAMPLES = r"""
- name: Every bluegreen site of the host back to its previous release
  modwsgi.django.rollback:

- name: Only the shop
  modwsgi.django.rollback:
    sites: [shop]
"""

RETURN = r"""
sites:
  description: Site name to C(live) (the color now live), C(previous) (the color that was) and C(release) (its release directory).
  returned: success
  type: dict
  sample: {shop: {live: blue, previous: green, release: /srv/django/shop/releases/0123456789ab}}
"""

import json  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402

from ansible_collections.modwsgi.django.plugins.module_utils._activate import ActivationError, http_probe, plan, rollback_all  # noqa: E402

ARGUMENT_SPEC = dict(
    sites=dict(type="list", elements="str"),
    manifest=dict(type="path", default="/etc/apache2/modwsgi-sites.json"),
    retries=dict(type="int", default=10),
    delay=dict(type="float", default=0.5),
)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    p = module.params
    try:
        with open(p["manifest"]) as handle:
            manifest = json.load(handle)
    except (OSError, ValueError) as exc:
        module.fail_json(msg="rollback: cannot read the manifest %s (%s); deploy the sites with the collection's roles first"
                             % (p["manifest"], exc))
    known = dict((site["name"], site) for site in manifest.get("sites") or [])
    bluegreen = [name for name, site in known.items() if site.get("mode") == "daemon" and site.get("deploy") == "bluegreen"]
    names = p["sites"] if p["sites"] is not None else sorted(bluegreen)
    unknown = [name for name in names if name not in bluegreen]
    if unknown:
        module.fail_json(msg="rollback: %s not a bluegreen site deployed on this host (bluegreen sites here: %s)"
                             % (", ".join("'%s' is" % name for name in unknown), ", ".join(sorted(bluegreen)) or "none"))
    sites = []
    for name in names:
        site = known[name]
        sites.append({"name": name, "root": site["root"],
                      "health": {"path": site["health_path"], "host": site["server_name"], "port": site["port"],
                                 "scheme": site.get("scheme", "http"), "retries": p["retries"], "delay": p["delay"]}})
    map_path = manifest.get("map_path") or "/etc/apache2/modwsgi-colors.map"
    try:
        if module.check_mode:
            results = dict((site["name"], plan(dict(site, mode="bluegreen", release_dir=None, map_path=map_path), rollback=True)["result"])
                           for site in sites)
        else:
            results = rollback_all(sites, http_probe, map_path)
    except ActivationError as exc:
        module.fail_json(msg="rollback: %s. Nothing was flipped: every site keeps its live release." % exc)
    except OSError as exc:
        module.fail_json(msg="rollback: cannot flip the colors map %s: %s" % (map_path, exc))
    module.exit_json(changed=bool(results), sites=dict((name, {"live": r["live"], "previous": r["previous"], "release": r["release"]})
                                                       for name, r in results.items()))


if __name__ == "__main__":
    main()
