# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rollout_report filter: the deploy playbook's rescue message."""

from __future__ import annotations

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.modwsgi.django.plugins.filter.rollout_report import FilterModule
from ansible_collections.modwsgi.django.plugins.module_utils._rollout import stop_report

REPORT = FilterModule().filters()["rollout_report"]


def test_filter_matches_the_pure_function():
    hosts = ["web1", "web2", "web3"]
    assert REPORT("web2", "t", hosts, ["web2"]) == stop_report("web2", "t", hosts, ["web2"])
    assert REPORT("web2", "t", hosts, ["web2"], rollback=True) == stop_report("web2", "t", hosts, ["web2"], rollback=True)


def test_bad_host_lists_are_a_filter_error():
    with pytest.raises(AnsibleFilterError, match="play_hosts and batch must be lists"):
        REPORT("web2", "t", "web1,web2", ["web2"])
