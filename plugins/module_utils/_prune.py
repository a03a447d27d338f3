# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Old releases and unused virtualenvs of a site (the engine of the ``prune_releases`` module).

Pure Python, no Ansible import. The rules (what the role's former ``prune.yml`` shell loop did):

- a root without ``releases/`` is left alone entirely;
- releases are the entries of ``releases/`` not starting with ``.`` and not ending in ``.partial``,
  newest modification time first (ties by name); the newest ``keep`` of them stay, and so does any
  release the ``blue``, ``green`` or ``current`` link of the root points at (by base name), wherever
  it ranks -- it still counts towards ``keep``;
- afterwards every entry of ``venvs/`` (same name filter) that no remaining release's
  ``.modwsgi-venv`` link points at (by base name) is removed.
"""

from __future__ import annotations

import os
import shutil

from ansible_collections.modwsgi.django.plugins.module_utils._site_tree import LIVE_LINKS, PARTIAL_SUFFIX, RELEASES, VENV_LINK, VENVS
from ansible_collections.modwsgi.django.plugins.module_utils._view import LOCAL


def _candidates(directory, view):
    """Names in ``directory`` that prune considers (hidden and ``.partial`` entries never are)."""
    return [name for name in view.listdir(directory) if not name.startswith(".") and not name.endswith(PARTIAL_SUFFIX)]


def _link_name(path, view):
    """Base name of the target of the symlink ``path``, or None when it is not a symlink."""
    target = view.readlink(path)
    return None if target is None else os.path.basename(target.rstrip("/"))


def plan(root, keep, view=LOCAL):
    """What prune would remove under ``root``: ``(releases, venvs)``, two lists of names.

    ``view`` (``_view``): the host's file system, or a snapshot of it.
    """
    releases_dir = os.path.join(root, RELEASES)
    if not view.isdir(releases_dir):
        return [], []
    live = {_link_name(os.path.join(root, link), view) for link in LIVE_LINKS} - {None}
    dated = []
    for name in _candidates(releases_dir, view):
        st = view.lstat(os.path.join(releases_dir, name))
        if st is not None:
            dated.append((-st.st_mtime_ns, name))
    newest_first = [name for _mtime, name in sorted(dated)]
    remove_releases = [name for rank, name in enumerate(newest_first, 1) if rank > keep and name not in live]
    remaining = [name for name in newest_first if name not in remove_releases]
    used = {_link_name(os.path.join(releases_dir, name, VENV_LINK), view) for name in remaining} - {None}
    remove_venvs = sorted(name for name in _candidates(os.path.join(root, VENVS), view) if name not in used)
    return remove_releases, remove_venvs


def _remove(path):
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    else:
        os.unlink(path)


def prune(roots, keep, check_mode=False):
    """Prune every root; return the removed (or, in check mode, removable) paths, in order."""
    removed = []
    for root in roots:
        releases, venvs = plan(root, keep)
        paths = [os.path.join(root, RELEASES, name) for name in releases]
        paths += [os.path.join(root, VENVS, name) for name in venvs]
        for path in paths:
            if not check_mode:
                _remove(path)
            removed.append(path)
    return removed
