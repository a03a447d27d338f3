# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rollout_serial filter: the playbooks' serial keyword, checked, and the controller-side preload."""

from __future__ import annotations

import sys

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.modwsgi.django.plugins.filter import rollout_serial
from ansible_collections.modwsgi.django.plugins.module_utils._rollout import check_serial

SERIAL = rollout_serial.FilterModule().filters()["rollout_serial"]


@pytest.mark.parametrize("value, expected", [
    (1, 1), (0, 0), ("2", 2), (" 3 ", 3), ("25%", "25%"), ("100%", "100%"),
    ([1, "50%", "100%"], [1, "50%", "100%"]), (["1", 2], [1, 2]),
])
def test_accepted_batch_sizes(value, expected):
    assert check_serial(value) == expected
    assert SERIAL(value) == expected


@pytest.mark.parametrize("value", [-1, "-1", "abc", "0%", "101%", "2.5", "%", "", [], [1, "x"], True, None, {"a": 1}, 1.5])
def test_refused_values_name_the_variable_the_value_and_the_fix(value):
    with pytest.raises(AnsibleFilterError) as err:
        SERIAL(value)
    message = str(err.value)
    assert message.startswith("modwsgi_serial: %r is not a batch size" % (value,))
    assert '"25%"' in message and "[1, \"50%\"]" in message


def test_the_message_names_another_variable_when_asked():
    with pytest.raises(ValueError, match="^fleet_serial: 'x'"):
        check_serial("x", "fleet_serial")


def test_preload_imports_every_controller_side_plugin_once(monkeypatch):
    monkeypatch.setattr(rollout_serial, "_LOADED", [])
    for name in rollout_serial.PRELOAD:
        monkeypatch.delitem(sys.modules, name, raising=False)
    assert rollout_serial.load_plugins() == []
    assert all(name in sys.modules for name in rollout_serial.PRELOAD)
    # once per process: a second call imports nothing
    monkeypatch.delitem(sys.modules, rollout_serial.PRELOAD[0])
    assert rollout_serial.load_plugins() == []
    assert rollout_serial.PRELOAD[0] not in sys.modules


def test_preload_lists_every_filter_and_action_plugin_of_the_collection():
    import os
    plugins = os.path.dirname(os.path.dirname(os.path.abspath(rollout_serial.__file__)))
    found = set()
    for kind in ("filter", "action"):
        for name in os.listdir(os.path.join(plugins, kind)):
            if name.endswith(".py") and name != "__init__.py" and name != "rollout_serial.py":
                found.add("ansible_collections.modwsgi.django.plugins.%s.%s" % (kind, name[:-3]))
    assert found == set(rollout_serial.PRELOAD)


def test_an_import_error_is_left_to_the_worker(monkeypatch):
    monkeypatch.setattr(rollout_serial, "_LOADED", [])
    monkeypatch.setattr(rollout_serial, "PRELOAD", ("ansible_collections.modwsgi.django.plugins.filter.no_such_plugin",))
    assert rollout_serial.load_plugins() == ["ansible_collections.modwsgi.django.plugins.filter.no_such_plugin"]


def test_preload_false_checks_the_value_and_imports_nothing(monkeypatch):
    monkeypatch.setattr(rollout_serial, "_LOADED", [])
    assert SERIAL("25%", preload=False) == "25%"
    assert rollout_serial._LOADED == []
    with pytest.raises(AnsibleFilterError, match="^modwsgi_serial: 'x'"):
        SERIAL("x", preload=False)
