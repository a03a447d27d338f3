#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: site_virtualenv
short_description: Build and link the virtualenv of a Django site release, named after its whole requirements closure
version_added: 0.1.0
description:
  - Names the virtualenv after the fingerprint of the release's requirements file, every file it includes
    with C(-r), C(--requirement), C(-c) or C(--constraint) (nested, relative to the including file), the pip
    extra arguments and the site interpreter's version. A change in any of them builds a new virtualenv;
    releases with the same closure share one.
  - Builds it when it is not complete (C(python -m venv), then C(pip install -r) in the release directory),
    seals it (root:<site group>, read-only for the site, C(.modwsgi-complete) written last) and points the
    release's C(.modwsgi-venv) link at it. A failed build is removed.
  - On failure the message names the site and the step, and shows the line of pip's output that decides
    first (for example C(No matching distribution found for Django==6.0), with the versions ignored for
    needing another Python).
  - Includes outside the release directory are refused (pip runs as root).
author:
  - modwsgi.django maintainers (@modwsgi)
options:
  site:
    description:
      - One normalized site, as the C(validate_sites) module returns it (keys used - C(name), C(python),
        C(requirements), C(group), C(paths.venvs)).
    type: dict
    required: true
  release_dir:
    description: The release directory (C(<root>/releases/<id>)) holding the requirements files.
    type: path
    required: true
  pip_extra_args:
    description: Extra C(pip install) arguments (the role's C(django_site_pip_extra_args)), split like a shell would.
    type: str
    default: ""
  mod_wsgi_python:
    description: The Python version mod_wsgi embeds, only to word the failure message.
    type: str
attributes:
  check_mode:
    support: full
    description: Reports whether the virtualenv would be built or linked; builds nothing.
  diff_mode:
    support: none
    description: Nothing to diff.
"""

EXAMPLES = r"""
- name: Virtualenv of the new release
  modwsgi.django.site_virtualenv:
    site: "{{ layout.sites[0] }}"
    release_dir: /srv/django/shop/releases/0123456789ab
    pip_extra_args: "--only-binary=:all:"
"""

RETURN = r"""
venv:
  description: Path of the virtualenv.
  returned: success
  type: str
  sample: /srv/django/shop/venvs/3f2a9c0d1e2b4a5c
name:
  description: Its name, the fingerprint of the requirements closure, pip extra args and Python version.
  returned: success
  type: str
  sample: 3f2a9c0d1e2b4a5c
built:
  description: Whether it was built in this run.
  returned: success
  type: bool
python_mismatch:
  description: On failure, whether pip's output says a requirement needs another Python version.
  returned: failure
  type: bool
"""

import grp  # noqa: E402
import os  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402

from ansible_collections.modwsgi.django.plugins.module_utils._fs import readlink  # noqa: E402
from ansible_collections.modwsgi.django.plugins.module_utils._requirements import ClosureError, python_version, venv_name  # noqa: E402
from ansible_collections.modwsgi.django.plugins.module_utils._venv import COMPLETE, LINK, VenvError, ensure, failure_message  # noqa: E402


def main():
    module = AnsibleModule(
        argument_spec=dict(
            site=dict(type="dict", required=True),
            release_dir=dict(type="path", required=True),
            pip_extra_args=dict(type="str", default=""),
            mod_wsgi_python=dict(type="str"),
        ),
        supports_check_mode=True,
    )
    p = module.params
    site = p["site"]
    release_dir = p["release_dir"].rstrip("/")
    name = site.get("name", "?")
    release_id = os.path.basename(release_dir)

    def run(argv, cwd=None):
        return module.run_command(argv, cwd=cwd, umask=0o022)

    if module.check_mode:
        version = python_version(site.get("python") or "/usr/bin/python3", {}, run)
        try:
            venv = os.path.join(site["paths"]["venvs"], venv_name(release_dir, site.get("requirements"), version or b"", p["pip_extra_args"]))
        except ClosureError as exc:
            module.fail_json(msg="site '%s', field requirements: %s (release %s)" % (name, exc, release_id))
        complete = os.path.exists(os.path.join(venv, COMPLETE))
        linked = readlink(os.path.join(release_dir, LINK)) == venv
        module.exit_json(changed=not (complete and linked), venv=venv, name=os.path.basename(venv), built=False)
    try:
        gid = grp.getgrnam(site["group"]).gr_gid
    except KeyError:
        module.fail_json(msg="site '%s': group %s does not exist" % (name, site.get("group")))
    try:
        result = ensure(site, release_dir, run, p["pip_extra_args"], gid)
    except VenvError as exc:
        module.fail_json(msg=failure_message(site, exc, release_id, p["mod_wsgi_python"]), python_mismatch=exc.python_mismatch)
    except OSError as exc:
        module.fail_json(msg="site '%s', step requirements: cannot build the virtualenv of release %s: %s" % (name, release_id, exc))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
