#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: apache_config
short_description: Change Apache configuration files and enabled modules/confs/sites as one tested transaction
version_added: 0.1.0
description:
  - Writes configuration files and enables or disables Debian-style modules, confs and sites
    (symlinks in C(mods-enabled), C(conf-enabled), C(sites-enabled)) in one step.
  - When anything changed, runs the Apache config test. When the test fails, every changed file and
    link is restored to its previous state and the module fails with Apache's message, naming the
    changed files. Apache is never reloaded by this module, so a running server keeps serving the
    previous configuration.
  - Reports whether the change needs a graceful reload or a full restart (an MPM change).
  - Unchanged input is a no-op that reads a few files and runs nothing.
author:
  - modwsgi.django maintainers (@modwsgi)
extends_documentation_fragment:
  - modwsgi.django.snapshot
options:
  files:
    description:
      - Files to manage. Each item has C(path) (absolute), C(content) (text), optional C(mode)
        (octal string, default C(0644)) and optional C(state) (C(present) or C(absent)).
    type: list
    elements: dict
    default: []
  enable:
    description:
      - Names to enable, by kind. Module dependencies declared in C(# Depends:) lines of the
        C(.load) files are enabled too, as C(a2enmod) does.
    type: dict
    default: {}
    suboptions:
      mods:
        description: Module names, for example C(wsgi) or C(mpm_event).
        type: list
        elements: str
        default: []
      conf:
        description: Names of files in C(conf-available) without C(.conf).
        type: list
        elements: str
        default: []
      sites:
        description: Names of files in C(sites-available) without C(.conf).
        type: list
        elements: str
        default: []
  disable:
    description: Names to disable, by kind. Disabling happens before enabling.
    type: dict
    default: {}
    suboptions:
      mods:
        description: Module names.
        type: list
        elements: str
        default: []
      conf:
        description: Conf names.
        type: list
        elements: str
        default: []
      sites:
        description: Site names.
        type: list
        elements: str
        default: []
  root:
    description: Apache configuration root.
    type: path
    default: /etc/apache2
  configtest_command:
    description: Command that tests the complete configuration.
    type: list
    elements: str
    default: [apache2ctl, -t]
attributes:
  check_mode:
    support: full
    description: Reports the planned changes without writing or testing.
  diff_mode:
    support: full
    description: Shows the content changes of managed files.
notes:
  - Do not put secrets in files managed by this module; their content appears in C(--diff) output.
"""

EXAMPLES = r"""
- name: Switch to the event MPM and drop the default site, tested before anything reloads
  modwsgi.django.apache_config:
    disable:
      mods: [mpm_prefork, mpm_worker]
      sites: ["000-default"]
    enable:
      mods: [mpm_event, headers]
    files:
      - path: /etc/apache2/conf-available/local.conf
        content: "ServerTokens Prod\n"
  register: apache_change

- name: Reload when the transaction changed something
  ansible.builtin.service:
    name: apache2
    state: "{{ 'restarted' if apache_change.restart_required else 'reloaded' }}"
  when: apache_change.changed
"""

RETURN = r"""
changed_paths:
  description: Files and links that were changed (or would be, in check mode).
  returned: always
  type: list
  elements: str
  sample: [/etc/apache2/sites-available/shop.conf]
restart_required:
  description: An MPM module was enabled or disabled; a graceful reload cannot switch MPMs.
  returned: always
  type: bool
reload_required:
  description: Something changed and a graceful reload is enough to activate it.
  returned: always
  type: bool
configtest:
  description: Output of the config test, C(skipped) when nothing changed or in check mode.
  returned: always
  type: str
  sample: Syntax OK
"""

from ansible.module_utils.basic import AnsibleModule  # noqa: E402

from ansible_collections.modwsgi.django.plugins.module_utils._apache_config import (  # noqa: E402
    ConfigError,
    run,
)


def _names():
    return dict(
        mods=dict(type="list", elements="str", default=[]),
        conf=dict(type="list", elements="str", default=[]),
        sites=dict(type="list", elements="str", default=[]),
    )


ARGUMENT_SPEC = dict(
    files=dict(type="list", elements="dict", default=[]),
    enable=dict(type="dict", default={}, options=_names()),
    disable=dict(type="dict", default={}, options=_names()),
    root=dict(type="path", default="/etc/apache2"),
    configtest_command=dict(type="list", elements="str", default=["apache2ctl", "-t"]),
    snapshot=dict(type="dict"),
)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    for item in module.params["files"]:
        if not isinstance(item.get("path"), str) or not item["path"].startswith("/"):
            module.fail_json(msg="files: every item needs an absolute 'path', got %r" % (item.get("path"),))
        if item.get("state", "present") not in ("present", "absent"):
            module.fail_json(msg="files: state of %s must be present or absent" % item["path"])

    def runner(argv):
        return module.run_command(argv)

    try:
        result = run(module.params, runner, check_mode=module.check_mode)
    except ConfigError as exc:
        module.fail_json(msg=str(exc), changed_paths=exc.changed_paths, configtest=exc.output)
    diff = result.pop("diff")
    if module._diff:
        result["diff"] = diff
    module.exit_json(**result)


if __name__ == "__main__":
    main()
