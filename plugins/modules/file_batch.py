#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: file_batch
short_description: Ensure many directories, files and symlinks in one module run
version_added: 0.1.0
description:
  - Brings a list of paths to their wanted state in one execution on the target, in list order.
    The C(django_site) role uses it for every site's directories, configuration files and log files
    so that a converge that changes nothing costs one round trip whatever the number of sites.
  - C(directory) creates the directory and its parents when missing and enforces owner, group and mode
    (an existing symlink to a directory is followed, as C(ansible.builtin.file) does).
  - C(file) with I(entries[].content) writes the file atomically (temporary file in the same directory,
    fsync, rename) only when its bytes differ; a symlink at the path is replaced, never written through.
    Without I(entries[].content) the file is created empty when missing and only owner, group and mode
    are enforced afterwards.
  - C(link) makes a symbolic link to I(entries[].src); an existing different link is replaced atomically
    when I(entries[].force=true), left alone when false (create-only).
  - The first entry that cannot be handled fails the task naming its path; entries before it are done
    (each is atomic on its own).
author:
  - modwsgi.django maintainers (@modwsgi)
extends_documentation_fragment:
  - modwsgi.django.snapshot
options:
  entries:
    description: Paths to ensure, processed in order (list a directory before what it holds).
    type: list
    elements: dict
    required: true
    suboptions:
      path:
        description: Absolute path.
        type: path
        required: true
      state:
        description: What the path must be.
        type: str
        choices: [directory, file, link]
        default: file
      owner:
        description: Owner name (not for links). Left as is when omitted.
        type: str
      group:
        description: Group name (not for links). Left as is when omitted.
        type: str
      mode:
        description: Octal mode as a string, for example C("0640") or C("2750") (not for links).
        type: str
      content:
        description: Full content of a C(file) entry.
        type: str
      src:
        description: Target of a C(link) entry.
        type: str
      force:
        description: For C(link), replace an existing different link or file.
        type: bool
        default: true
      tag:
        description: Free label (the role uses the site name); the tags of changed entries are returned.
        type: str
      no_diff:
        description: Never show this file's content in C(--diff) output.
        type: bool
        default: false
attributes:
  check_mode:
    support: full
    description: Reports what would change; users or groups that do not exist yet count as a change.
  diff_mode:
    support: partial
    description: Content changes of C(file) entries, except those with I(entries[].no_diff=true).
"""

EXAMPLES = r"""
- name: Directories and configuration of two sites in one round trip
  modwsgi.django.file_batch:
    entries:
      - {path: /srv/django/shop, state: directory, owner: root, group: root, mode: "0711", tag: shop}
      - {path: /srv/django/shop/conf/app.ini, content: "[app]\nname = shop\n", owner: root, group: shop, mode: "0640", tag: shop}
      - {path: /srv/django/blog, state: directory, owner: root, group: root, mode: "0711", tag: blog}
      - {path: /srv/django/blog/current, state: link, src: /srv/django/blog/releases/0123abcd, force: false, tag: blog}
  register: written

- name: Sites whose configuration changed
  ansible.builtin.debug:
    var: written.changed_tags
"""

RETURN = r"""
changed_paths:
  description: Paths that were (or in check mode would be) changed, in list order.
  returned: success
  type: list
  elements: str
  sample: [/srv/django/shop/conf/app.ini]
changed_tags:
  description: The distinct I(entries[].tag) values of the changed entries.
  returned: success
  type: list
  elements: str
  sample: [shop]
"""

from ansible.module_utils.basic import AnsibleModule  # noqa: E402

from ansible_collections.modwsgi.django.plugins.module_utils._files import FileBatchError, ensure  # noqa: E402


ARGUMENT_SPEC = dict(
    entries=dict(type="list", elements="dict", required=True, options=dict(
        path=dict(type="path", required=True),
        state=dict(type="str", choices=["directory", "file", "link"], default="file"),
        owner=dict(type="str"),
        group=dict(type="str"),
        mode=dict(type="str"),
        content=dict(type="str"),
        src=dict(type="str"),
        force=dict(type="bool", default=True),
        tag=dict(type="str"),
        no_diff=dict(type="bool", default=False),
    )),
    snapshot=dict(type="dict"),
)


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    try:
        paths, tags, diffs = ensure(module.params["entries"], check_mode=module.check_mode, want_diff=module._diff)
    except (FileBatchError, OSError) as exc:
        module.fail_json(msg="file_batch: %s" % exc)
    result = dict(changed=bool(paths), changed_paths=paths, changed_tags=tags)
    if diffs:
        result["diff"] = diffs
    module.exit_json(**result)


if __name__ == "__main__":
    main()
