# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The file_entries filter: one file_batch entry per path, sharing state, owner, group and mode."""

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.modwsgi.django.plugins.filter.file_entries import FilterModule

FILE_ENTRIES = FilterModule().filters()["file_entries"]
LOGS = ["/var/log/apache2/modwsgi-a.test-error.log", "/var/log/apache2/modwsgi-b.test-access.log"]


def test_documented_example_every_path_in_order_with_the_shared_attributes():
    assert FILE_ENTRIES(LOGS, "file", "root", "adm", "0640") == [
        {"path": LOGS[0], "state": "file", "owner": "root", "group": "adm", "mode": "0640"},
        {"path": LOGS[1], "state": "file", "owner": "root", "group": "adm", "mode": "0640"},
    ]


@pytest.mark.parametrize("args, keys", [
    ((), ["path", "state"]),
    (("root",), ["path", "state", "owner"]),
    ((None, "adm"), ["path", "state", "group"]),
    ((None, None, "0755"), ["path", "state", "mode"]),
])
def test_attributes_left_out_are_not_in_the_entries(args, keys):
    [entry] = FILE_ENTRIES(["/srv/django/shop/run"], "directory", *args)
    assert sorted(entry) == sorted(keys) and entry["state"] == "directory"


def test_entries_are_independent_dicts():
    entries = FILE_ENTRIES(LOGS, "file", "root")
    entries[0]["mode"] = "0600"
    assert "mode" not in entries[1]


def test_any_iterable_of_paths_and_the_empty_list():
    assert FILE_ENTRIES(iter(LOGS), "file") == FILE_ENTRIES(LOGS, "file") == FILE_ENTRIES(tuple(LOGS), "file")
    assert FILE_ENTRIES([], "directory", "root", "root", "0755") == []


@pytest.mark.parametrize("state", ["link", "absent", "", None, "Directory"])
def test_other_states_are_refused(state):
    with pytest.raises(AnsibleFilterError, match="file_entries: state must be directory or file"):
        FILE_ENTRIES(LOGS, state)


@pytest.mark.parametrize("paths", ["/var/log/apache2", b"/var/log", {"/var/log": 1}, None, 7])
def test_a_single_path_or_no_list_is_refused(paths):
    """A string must never become one entry per character (the first being "/", chmod-ed to the mode)."""
    with pytest.raises(AnsibleFilterError, match="file_entries: needs a list of absolute paths"):
        FILE_ENTRIES(paths, "directory", "root", "adm", "0750")


@pytest.mark.parametrize("bad", ["relative/path", "", None, 5, ["/nested"]])
def test_every_path_must_be_absolute(bad):
    with pytest.raises(AnsibleFilterError, match="file_entries: every path must be an absolute path"):
        FILE_ENTRIES(["/ok", bad], "file")
