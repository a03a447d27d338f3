#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: discard_first_deploy
short_description: Remove what a failed first deploy of a Django site left on the host
version_added: 0.1.0
description:
  - For a site that has never been live (no C(<root>/current) link), removes what the C(django_site) role wrote
    for it - C(conf/) (with C(site.json) and its secrets), C(releases/), C(venvs/), C(cache/), C(bin/manage), the
    WSGI script, the color links, C(run/), and the static directory when it is under the root - then every
    directory left empty, the root last.
  - Directories that still hold something (C(data/) with a database, C(media/) with uploads, files put there by
    hand) are kept and listed in RV(kept).
  - With O(log_dir), the site's virtual host logs in Apache's log directory
    (C(modwsgi-<server_name>-error.log), C(-access.log), C(-ssl-access.log)) are removed too, unless an enabled
    Apache file (C(sites-enabled/), C(conf-enabled/) under O(conf_root)) still names them - Apache then writes
    them for another site of that server name - in which case they are kept and listed in RV(kept).
  - A site with a C(current) link is never touched (RV(skipped) says why).
  - The C(django_site) role runs it when the first build of a site fails, so a failed first deploy leaves no
    half-built site, and no secrets, behind.
extends_documentation_fragment:
  - modwsgi.django.attributes
author:
  - modwsgi.django maintainers (@modwsgi)
options:
  site:
    description: One normalized site, as the C(validate_sites) module returns it (C(paths), C(static), C(media)).
    type: dict
    required: true
  log_dir:
    description: Apache's log directory. When set, the site's virtual host logs there are removed as well.
    type: path
  conf_root:
    description: Apache's configuration root, where the enabled files that may still name the logs are.
    type: path
    default: /etc/apache2
attributes:
  check_mode:
    support: full
    description: Lists what would be removed.
"""

EXAMPLES = r"""
- name: Remove the half-built first deploy of shop
  modwsgi.django.discard_first_deploy:
    site: "{{ layout.sites[0] }}"
    log_dir: /var/log/apache2
"""

RETURN = r"""
removed:
  description: Paths removed (or, in check mode, that would be).
  returned: always
  type: list
  elements: str
kept:
  description: Directories kept because they still hold something, and log files kept because Apache writes them.
  returned: always
  type: list
  elements: str
skipped:
  description: Why nothing was done (a live release, or nothing written), else null.
  returned: always
  type: str
"""

from ansible.module_utils.basic import AnsibleModule  # noqa: E402

from ansible_collections.modwsgi.django.plugins.module_utils._undo import discard  # noqa: E402


def main():
    module = AnsibleModule(argument_spec=dict(site=dict(type="dict", required=True), log_dir=dict(type="path"),
                                              conf_root=dict(type="path", default="/etc/apache2")),
                           supports_check_mode=True)
    p = module.params
    try:
        result = discard(p["site"], module.check_mode, log_dir=p["log_dir"], conf_root=p["conf_root"])
    except (KeyError, TypeError) as exc:
        module.fail_json(msg="discard_first_deploy: site must be a normalized site of validate_sites (%s)" % exc)
    except OSError as exc:
        module.fail_json(msg="discard_first_deploy: cannot remove %s: %s" % (exc.filename, exc.strerror))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
