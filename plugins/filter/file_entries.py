# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: file_entries
short_description: Turn a list of paths into file_batch entries that share state, owner, group and mode
version_added: 0.1.0
description:
  - One C(modwsgi.django.file_batch) entry per path, all with the same I(state), I(owner), I(group) and I(mode).
author:
  - modwsgi.django maintainers (@modwsgi)
positional: state, owner, group, mode
options:
  _input:
    description: Absolute paths.
    type: list
    elements: str
    required: true
  state:
    description: C(directory) or C(file) (a C(file) without content is created empty when missing).
    type: str
    required: true
  owner:
    description: Owner name.
    type: str
  group:
    description: Group name.
    type: str
  mode:
    description: Octal mode as a string, for example C("0640").
    type: str
"""

EXAMPLES = r"""
entries: "{{ ['/var/log/apache2/a.log', '/var/log/apache2/b.log'] | modwsgi.django.file_entries('file', 'root', 'adm', '0640') }}"
"""

RETURN = r"""
_value:
  description: C(file_batch) entries, in the order of the paths.
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError


def _filter(paths, state, owner=None, group=None, mode=None):
    if state not in ("directory", "file"):
        raise AnsibleFilterError("file_entries: state must be directory or file, not %r" % (state,))
    # A single path string would otherwise be iterated character by character: an entry for "/".
    if isinstance(paths, (str, bytes, dict)) or not hasattr(paths, "__iter__"):
        raise AnsibleFilterError("file_entries: needs a list of absolute paths, not %s" % type(paths).__name__)
    entries = []
    for path in paths:
        if not isinstance(path, str) or not path.startswith("/"):
            raise AnsibleFilterError("file_entries: every path must be an absolute path, not %r" % (path,))
        entry = {"path": path, "state": state}
        for key, value in (("owner", owner), ("group", group), ("mode", mode)):
            if value is not None:
                entry[key] = value
        entries.append(entry)
    return entries


class FilterModule:
    def filters(self):
        return {"file_entries": _filter}
