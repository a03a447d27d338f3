#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: pack_sources
short_description: Pack Django project directories reproducibly and checksum them, all sites in one run
version_added: 0.1.0
description:
  - Run on the controller (C(delegate_to=localhost)). Each C(path) source directory is packed into a gzipped tarball
    with GNU tar, reproducibly (names sorted, mtimes 0, owner 0, no gzip timestamp; C(__pycache__),
    C(*.pyc), C(.git) and C(db.sqlite3) left out), so the same code always gives the same bytes. Each
    C(archive) source is only checksummed.
  - The SHA-1 of the tarball names the release (its first 12 hex digits), as the C(copy) module's checksum
    would. The C(django_site) role compares it with the releases already on the target to skip
    every site whose code did not change.
  - Writes only under I(dest); reports C(changed=false).
author:
  - modwsgi.django maintainers (@modwsgi)
options:
  sites:
    description:
      - >-
        Sites, each with C(name) and C(source) as C(validate_sites) normalizes them. Those whose source is
        a C(path) directory or an C(archive) file without C(remote=true) are packed or checksummed; the
        others (git, remote) are skipped.
      - A relative path is taken from the directory C(ansible-playbook) runs in.
    type: list
    elements: dict
    required: true
  dest:
    description: Directory for the tarballs.
    type: path
    required: true
  prefix:
    description: File name prefix of the tarballs (the role puts the inventory host name in it).
    type: str
    default: modwsgi-django-
requirements:
  - GNU tar and gzip on the host that runs it
attributes:
  check_mode:
    support: full
    description: Packs in check mode too (it writes only under I(dest)), so that check mode sees the real release ids.
  diff_mode:
    support: none
    description: Nothing to diff.
"""

EXAMPLES = r"""
- name: Pack every site's code on the controller
  modwsgi.django.pack_sources:
    sites:
      - {name: shop, source: {type: path, path: /home/me/src/shop}}
      - {name: blog, source: {type: archive, src: /home/me/dist/blog-1.4.tar.gz}}
      - {name: wiki, source: {type: git, repo: "https://git.example.com/wiki.git"}}  # skipped
    dest: /tmp
  delegate_to: localhost
  become: false
  register: packed
"""

RETURN = r"""
sources:
  description: Site name to C(file) (the tarball to copy) and C(checksum) (its SHA-1), for the sites packed or checksummed.
  returned: success
  type: dict
  sample: {shop: {file: /tmp/modwsgi-django-shop.tar.gz, checksum: 6f1ed002ab5595859014ebf0951522d9a1e5e3a2}}
checksums:
  description: Site name to the SHA-1 alone (what C(release_status) takes as I(release_ids)).
  returned: success
  type: dict
  sample: {shop: 6f1ed002ab5595859014ebf0951522d9a1e5e3a2}
"""

from ansible.module_utils.basic import AnsibleModule  # noqa: E402

from ansible_collections.modwsgi.django.plugins.module_utils._pack import PackError, local_sources, pack_all  # noqa: E402


ARGUMENT_SPEC = dict(
    sites=dict(type="list", elements="dict", required=True),
    dest=dict(type="path", required=True),
    prefix=dict(type="str", default="modwsgi-django-"),
)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    try:
        result = pack_all(local_sources(module.params["sites"]), module.params["dest"], module.params["prefix"], module.run_command)
    except PackError as exc:
        module.fail_json(msg=str(exc))
    module.exit_json(changed=False, sources=result, checksums=dict((name, item["checksum"]) for name, item in result.items()))


if __name__ == "__main__":
    main()
