# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Helpers for driving a module's main() in unit tests (the set_module_args pattern)."""

from __future__ import annotations

import contextlib
import json
from unittest import mock

import pytest

from ansible.module_utils import basic
from ansible.module_utils.common.text.converters import to_bytes

try:  # ansible-core >= 2.19
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # older ansible-core reads the serialized args from basic._ANSIBLE_ARGS
    patch_module_args = None


@contextlib.contextmanager
def set_module_args(args):
    """Expose ``args`` to the AnsibleModule created inside the block."""
    if patch_module_args is not None:
        with patch_module_args(args):
            yield
    else:
        with mock.patch.object(basic, "_ANSIBLE_ARGS", to_bytes(json.dumps({"ANSIBLE_MODULE_ARGS": args}))):
            yield


def run_module(main, capsys, args):
    """Run ``main()`` with ``args``; return (exit code, the JSON result it printed)."""
    with set_module_args(args):
        with pytest.raises(SystemExit) as caught:
            main()
    return caught.value.code, json.loads(capsys.readouterr().out)


def make_action(cls, action, args, check_mode=False):
    """An action plugin of class ``cls`` as the task executor makes it: a real Task for ``action`` with ``args``,
    the local connection, a real loader and templar."""
    from ansible.parsing.dataloader import DataLoader
    from ansible.playbook.play_context import PlayContext
    from ansible.playbook.task import Task
    from ansible.plugins.loader import connection_loader
    from ansible.template import Templar

    task = Task()
    task.action = action
    task.args = args
    task.check_mode = check_mode
    play_context = PlayContext()
    play_context.check_mode = check_mode
    loader = DataLoader()
    return cls(task, connection_loader.get('local', play_context, None), play_context, loader, Templar(loader=loader), None)
