#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: activate_release
short_description: Make a Django site release live without reloading Apache (blue/green, restart or embedded)
version_added: 0.1.0
description:
  - C(bluegreen) sites have two mod_wsgi daemon groups, C(<name>_blue) and C(<name>_green), each running
    the release its C(<root>/<color>) symlink points at, and a RewriteMap file that names the live color.
    The module repoints the idle color, sends SIGUSR1 to the idle color's daemon processes only, polls the
    site through 127.0.0.1 with the idle color pinned (request header C(X-Modwsgi-Color), honoured only
    from loopback) until it answers 2xx/3xx from the new release, then rewrites the map atomically.
    Apache is neither reloaded nor restarted; the live color never stops serving.
  - A failed health check leaves the map alone (no flip) and fails naming the site and what the check saw.
  - After the flip, a request without a pinned color must answer from the new release; otherwise the map is put back
    to the previous color (which still runs) and the module fails.
  - C(restart) sites repoint C(<root>/current), SIGUSR1 their one group and health-check; on failure
    C(current) is pointed back and the group restarted again.
  - C(embedded) sites repoint C(current) and report C(reload_required) (embedded code needs a graceful
    reload of Apache).
  - With I(rollback=true) a bluegreen site flips back to the other color after a health check of it.
extends_documentation_fragment:
  - modwsgi.django.attributes
author:
  - modwsgi.django maintainers (@modwsgi)
options:
  name:
    description: Site name (as in C(modwsgi_sites)).
    type: str
    required: true
  mode:
    description: How the site loads code.
    type: str
    choices: [bluegreen, restart, embedded]
    required: true
  root:
    description: Site root directory.
    type: path
    required: true
  release_dir:
    description: Release directory to make live; ignored with I(rollback=true).
    type: path
  map_path:
    description: The RewriteMap text file naming each bluegreen site's live color.
    type: path
    default: /etc/apache2/modwsgi-colors.map
  health_path:
    description: URL path (including the mount) to poll.
    type: str
    default: /
  health_host:
    description: Host header of the health check (the site's server name).
    type: str
    required: true
  health_port:
    description: Port on 127.0.0.1.
    type: int
    default: 80
  health_scheme:
    description: C(http) or C(https) (certificate not verified; it is 127.0.0.1).
    type: str
    choices: [http, https]
    default: http
  health_retries:
    description: How many times to poll before giving up.
    type: int
    default: 30
  health_delay:
    description: Seconds between polls (at most; the first waits are 0.02 s, doubling up to this).
    type: float
    default: 1
  restart_timeout:
    description: Seconds to wait for the signalled daemon processes to be replaced.
    type: int
    default: 60
  force_restart:
    description:
      - Restart the site's processes even when the release is already live, the same zero-downtime
        way as a code deploy. For C(bluegreen) the idle color gets the live release, is restarted,
        checked and flipped to. Used when the site's settings, secrets or boot code changed.
    type: bool
    default: false
  rollback:
    description: Flip a bluegreen site back to its other color.
    type: bool
    default: false
  error_log:
    description:
      - The site's Apache error log. When the health check fails, the lines written to it meanwhile (the
        traceback of a failed start or request) are shown in the failure message.
    type: path
attributes:
  check_mode:
    support: partial
    description: Can run in check mode and return whether a switch would happen.
    details:
      - Changes nothing and runs no health check, so it cannot tell whether the new release would pass it.
      - It follows the same decision as a real run, from the color links, C(<root>/current) and the map, and
        returns what a real run returns when its health checks pass (RV(live), RV(previous), RV(release),
        RV(first), RV(reload_required)); a rollback without a previous release fails as a real run would.
"""

EXAMPLES = r"""
- name: Make release 3f2a9c0d1e2b of shop live through its idle color
  modwsgi.django.activate_release:
    name: shop
    mode: bluegreen
    root: /srv/django/shop
    release_dir: /srv/django/shop/releases/3f2a9c0d1e2b
    health_host: shop.example.com
    health_path: /healthz/

- name: Roll shop back to the previous color
  modwsgi.django.activate_release:
    name: shop
    mode: bluegreen
    root: /srv/django/shop
    health_host: shop.example.com
    rollback: true
"""

RETURN = r"""
checked:
  description:
    - Whether this run health-checked the release it made live (a bluegreen switch or rollback, before the flip and
      after it without a pinned color; a restart site's restart). A first release, repaired links and embedded code
      are not checked here (the role checks them, after the graceful reload for embedded code).
  returned: when changed
  type: bool
live:
  description: Live color after the call (bluegreen).
  returned: bluegreen
  type: str
  sample: green
previous:
  description: Previously live color (bluegreen) or release (restart, embedded).
  returned: when changed
  type: str
release:
  description: Release directory now live.
  returned: success
  type: str
reload_required:
  description: Embedded site whose code changed; Apache needs a graceful reload.
  returned: embedded
  type: bool
first:
  description: First deploy of a bluegreen site (both colors point at the release).
  returned: first deploy
  type: bool
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.modwsgi.django.plugins.module_utils._activate import (
    ActivationError,
    activate,
    http_probe,
    plan,
)
from ansible_collections.modwsgi.django.plugins.module_utils._logtail import explain, size


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            mode=dict(type="str", required=True, choices=["bluegreen", "restart", "embedded"]),
            root=dict(type="path", required=True),
            release_dir=dict(type="path"),
            map_path=dict(type="path", default="/etc/apache2/modwsgi-colors.map"),
            health_path=dict(type="str", default="/"),
            health_host=dict(type="str", required=True),
            health_port=dict(type="int", default=80),
            health_scheme=dict(type="str", default="http", choices=["http", "https"]),
            health_retries=dict(type="int", default=30),
            health_delay=dict(type="float", default=1),
            restart_timeout=dict(type="int", default=60),
            force_restart=dict(type="bool", default=False),
            rollback=dict(type="bool", default=False),
            error_log=dict(type="path"),
        ),
        required_if=[("rollback", False, ("release_dir",))],
        supports_check_mode=True,
    )
    p = module.params
    site = {
        "name": p["name"], "mode": p["mode"], "root": p["root"], "release_dir": p["release_dir"],
        "map_path": p["map_path"], "restart_timeout": p["restart_timeout"], "force": p["force_restart"],
        "health": {"path": p["health_path"], "host": p["health_host"], "port": p["health_port"],
                   "scheme": p["health_scheme"], "retries": p["health_retries"], "delay": p["health_delay"]},
    }
    if module.check_mode:
        # The same decision the real run follows (_activate.plan), without switching or probing.
        try:
            predicted = plan(site, rollback=p["rollback"])
        except ActivationError as exc:
            module.fail_json(msg="site %s: %s. The previously live release keeps serving." % (p["name"], exc))
        except OSError as exc:
            module.fail_json(msg="site %s: cannot switch release: %s" % (p["name"], exc))
        module.exit_json(**predicted["result"])
    log_offset = size(p["error_log"])
    try:
        result = activate(site, http_probe, rollback=p["rollback"])
    except ActivationError as exc:
        module.fail_json(msg="site %s: %s. The previously live release keeps serving.%s" % (p["name"], exc, explain(p["error_log"], log_offset)))
    except OSError as exc:
        module.fail_json(msg="site %s: cannot switch release: %s" % (p["name"], exc))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
