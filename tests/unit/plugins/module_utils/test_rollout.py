# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Migrate once per rollout, and the message of a stopped rollout."""

from __future__ import annotations

import os
import re

from ansible_collections.modwsgi.django.plugins.module_utils._rollout import RULE, migrate_once, stop_report

HOSTS = ["web1", "web2", "web3"]
SITES = [{"name": "shop", "migrate": True}, {"name": "blog", "migrate": False}]


def test_empty_migrate_on_changes_nothing():
    sites, errors, warnings = migrate_once(SITES, "", "web2", HOSTS, HOSTS, ["web2"])
    assert sites is SITES and not errors and not warnings


def test_the_migrate_host_keeps_migrate():
    sites, errors, warnings = migrate_once(SITES, "web1", "web1", HOSTS, HOSTS, ["web1"])
    assert [s["migrate"] for s in sites] == [True, False]
    assert not errors and not warnings


def test_other_hosts_skip_migrate_without_changing_the_input():
    sites, errors, warnings = migrate_once(SITES, "web1", "web3", HOSTS, HOSTS, ["web3"])
    assert [s["migrate"] for s in sites] == [False, False]
    assert SITES[0]["migrate"] is True
    assert sites[0]["name"] == "shop"
    assert not errors and not warnings


def test_unknown_migrate_host_is_refused_with_a_fix():
    _sites, errors, _warnings = migrate_once(SITES, "web-1", "web2", HOSTS, HOSTS, ["web2"])
    [(field, message, fix)] = errors
    assert field == "django_site_migrate_on"
    assert "'web-1' is not a host of the inventory" in message
    assert "'web1'" in fix


def test_a_host_deployed_before_the_migrate_host_is_refused():
    _sites, errors, _warnings = migrate_once(SITES, "web3", "web1", HOSTS, HOSTS, ["web1"])
    [(_field, message, fix)] = errors
    assert "host 'web1' is deployed before 'web3'" in message
    assert "set django_site_migrate_on to 'web1'" in fix


def test_same_batch_and_later_hosts_are_fine():
    # serial 0 / serial 3: one batch, tasks run in lockstep, migrate finishes before any host flips
    assert not migrate_once(SITES, "web3", "web1", HOSTS, HOSTS, HOSTS)[1]
    assert not migrate_once(SITES, "web1", "web3", HOSTS, HOSTS, ["web3"])[1]


def test_migrate_host_outside_the_play_warns():
    sites, errors, warnings = migrate_once(SITES, "web1", "web2", HOSTS, ["web2"], ["web2"])
    assert not errors
    assert "'web1' is not in this play" in warnings[0]
    assert sites[0]["migrate"] is False


def test_report_after_host1_names_the_rollback_command():
    text = stop_report("web2", "Health check", HOSTS, ["web2"])
    assert 'web2 failed at "Health check".' in text
    assert "web2 keeps its live release" in text
    assert "Hosts that already serve the new release: web1." in text
    assert "ansible-playbook modwsgi.django.rollback -i INVENTORY --limit web1" in text
    assert text.endswith("Not touched: web3.")


def test_report_on_the_first_host():
    text = stop_report("web1", "x", HOSTS, ["web1"])
    assert "No host before it was changed." in text
    assert "--limit" not in text
    assert "Not touched: web2, web3." in text


def test_report_leaves_out_the_batch_and_failed_hosts():
    hosts = ["a", "b", "c", "d", "e"]
    text = stop_report("d", "t", hosts, ["c", "d"], failed_hosts=["b"], inventory="prod.ini")
    assert "Hosts that already serve the new release: a." in text
    assert "-i prod.ini --limit a " in text
    assert "Not touched: e." in text


def test_report_of_a_rollback():
    text = stop_report("web2", "Roll back", HOSTS, ["web2"], rollback=True)
    assert "The rollback stopped here" in text
    assert "Not rolled back yet: web3." in text
    assert "modwsgi.django.rollback" not in text


def test_report_for_a_host_outside_the_list():
    assert "No host before it was changed." in stop_report("x", None, HOSTS, ["x"])


def test_the_rule_is_documented():
    path = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'docs', 'rules.md')
    with open(path) as handle:
        assert re.search(r'^## `%s`' % re.escape(RULE), handle.read(), re.M)
