# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""_activate.plan (what check mode reports) against activate (what a real run does), state by state.

Every case builds a site root and a map, asks ``plan`` (and the module in check mode) what would
happen, checks that nothing was touched, then activates for real with healthy fake daemons: the
result must be the prediction, key for key, and an error must be the same error.
"""

from __future__ import annotations

import os

import pytest

from ansible_collections.modwsgi.django.plugins.module_utils import _activate as A
from ansible_collections.modwsgi.django.plugins.module_utils._fs import atomic_symlink
from ansible_collections.modwsgi.django.plugins.modules import activate_release
from ansible_collections.modwsgi.django.tests.unit.plugins.module_utils.test_activate import FakeProbe, FakeProcs, Sleeps
from ansible_collections.modwsgi.django.tests.unit.plugins.modules.utils import run_module


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "srv" / "shop"
    for release in ("r1", "r2", "r3"):
        (root / "releases" / release).mkdir(parents=True)
    (root / "run").mkdir()
    return {"root": str(root), "map": str(tmp_path / "modwsgi-colors.map")}


def rel(tree, release):
    return os.path.join(tree["root"], "releases", release)


def site(tree, release, mode="bluegreen", force=False):
    return {
        "name": "shop", "mode": mode, "root": tree["root"], "map_path": tree["map"], "force": force,
        "release_dir": rel(tree, release) if release else None, "restart_timeout": 5,
        "health": {"path": "/healthz/", "host": "shop.example.com", "port": 80, "scheme": "http",
                   "retries": 2, "delay": 0},
    }


def module_args(tree, release, mode="bluegreen", force=False, rollback=False):
    args = {"name": "shop", "mode": mode, "root": tree["root"], "map_path": tree["map"], "health_host": "shop.example.com",
            "force_restart": force, "rollback": rollback, "_ansible_check_mode": True}
    if release:
        args["release_dir"] = rel(tree, release)
    return args


def state(tree):
    """Everything activation may change: the links, the map's bytes and its inode."""
    links = {name: os.readlink(os.path.join(tree["root"], name))
             for name in ("blue", "green", "current") if os.path.islink(os.path.join(tree["root"], name))}
    try:
        with open(tree["map"], "rb") as handle:
            data = handle.read()
        inode = os.stat(tree["map"]).st_ino
    except FileNotFoundError:
        data = inode = None
    return links, data, inode


def procs_for(mode):
    if mode == "bluegreen":
        return FakeProcs({"shop_blue": [101, 102], "shop_green": [201, 202]})
    return FakeProcs({"shop": [301, 302]})


def real(tree, release, mode="bluegreen", force=False, rollback=False):
    return A.activate(site(tree, release, mode, force), FakeProbe(tree["root"]), procs=procs_for(mode),
                      sleep=Sleeps(), rollback=rollback)


def agree(capsys, tree, release, mode="bluegreen", force=False, rollback=False):
    """Plan, check mode and the real run for one state; returns the (common) result."""
    before = state(tree)
    predicted = A.plan(site(tree, release, mode, force), rollback=rollback)
    code, checked = run_module(activate_release.main, capsys, module_args(tree, release, mode, force, rollback))
    assert state(tree) == before, "planning and check mode must change nothing"
    assert code == 0
    assert {key: checked[key] for key in predicted["result"]} == predicted["result"]
    actual = real(tree, release, mode, force, rollback)
    assert actual == predicted["result"]
    if not actual["changed"]:
        assert state(tree) == before
    return actual


def fail_alike(capsys, tree, release, message, mode="bluegreen", rollback=False):
    """Plan, check mode and the real run fail alike, and nothing changes."""
    before = state(tree)
    with pytest.raises(A.ActivationError, match=message) as planned:
        A.plan(site(tree, release, mode), rollback=rollback)
    code, checked = run_module(activate_release.main, capsys, module_args(tree, release, mode, rollback=rollback))
    assert code == 1 and str(planned.value) in checked["msg"]
    with pytest.raises(A.ActivationError) as ran:
        real(tree, release, mode, rollback=rollback)
    assert str(ran.value) == str(planned.value)
    assert state(tree) == before


# -- bluegreen --------------------------------------------------------------------------------------

def test_never_activated_bluegreen_site_is_a_first_deploy(capsys, tree):
    result = agree(capsys, tree, "r1")
    assert result["changed"] is True and result["first"] is True and result["live"] == "blue"
    assert A.plan(site(tree, "r1"))["result"]["changed"] is False  # and then it is live


def test_live_release_is_a_noop(capsys, tree):
    real(tree, "r1")
    result = agree(capsys, tree, "r1")
    assert result == {"changed": False, "site": "shop", "mode": "bluegreen", "live": "blue", "release": rel(tree, "r1")}


def test_colors_linked_by_the_role_but_not_in_the_map(capsys, tree):
    """The role links both colors before Apache starts; the first activation records the map entry and current.

    (The old check mode compared only the live color's link and predicted no change here.)
    """
    atomic_symlink(rel(tree, "r1"), os.path.join(tree["root"], "blue"))
    atomic_symlink(rel(tree, "r1"), os.path.join(tree["root"], "green"))
    step = A.plan(site(tree, "r1"))
    assert step["action"] == "none" and step["write_map"] and step["link_current"]
    result = agree(capsys, tree, "r1")
    assert result["changed"] is True and result["live"] == "blue" and "first" not in result
    assert A.read_map(tree["map"]) == {"shop": "blue"}
    assert os.readlink(os.path.join(tree["root"], "current")) == rel(tree, "r1")


def test_wrong_current_link_is_repaired(capsys, tree):
    real(tree, "r1")
    atomic_symlink(rel(tree, "r3"), os.path.join(tree["root"], "current"))
    step = A.plan(site(tree, "r1"))
    assert step["action"] == "none" and not step["write_map"] and step["link_current"]
    assert agree(capsys, tree, "r1")["changed"] is True


def test_new_release_switches_to_the_idle_color(capsys, tree):
    real(tree, "r1")
    step = A.plan(site(tree, "r2"))
    assert step["action"] == "switch" and step["idle"] == "green" and step["restart_idle"] is True
    result = agree(capsys, tree, "r2")
    assert result["live"] == "green" and result["previous"] == "blue"
    result = agree(capsys, tree, "r3")
    assert result["live"] == "blue" and result["previous"] == "green"


def test_idle_color_already_on_the_release_is_not_restarted(capsys, tree):
    real(tree, "r1")
    real(tree, "r2")  # green live on r2, blue idle on r1
    step = A.plan(site(tree, "r1"))
    assert step["action"] == "switch" and step["idle"] == "blue" and step["restart_idle"] is False
    procs = procs_for("bluegreen")
    result = A.activate(site(tree, "r1"), FakeProbe(tree["root"]), procs=procs, sleep=Sleeps())
    assert result == step["result"] and procs.signalled == []


def test_forced_restart_of_the_live_release(capsys, tree):
    real(tree, "r1")
    step = A.plan(site(tree, "r1", force=True))
    assert step["action"] == "switch" and step["restart_idle"] is True
    result = agree(capsys, tree, "r1", force=True)
    assert result["changed"] is True and result["live"] == "green" and result["release"] == rel(tree, "r1")


def test_rollback(capsys, tree):
    real(tree, "r1")
    real(tree, "r2")
    result = agree(capsys, tree, None, rollback=True)
    assert result == {"changed": True, "site": "shop", "mode": "bluegreen", "live": "blue", "previous": "green",
                      "release": rel(tree, "r1"), "checked": True}
    # and back again
    assert agree(capsys, tree, None, rollback=True)["live"] == "green"


def test_rollback_of_a_never_activated_site_fails_alike(capsys, tree):
    fail_alike(capsys, tree, None, "no previous release on color green", rollback=True)


# -- restart and embedded ---------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["restart", "embedded"])
def test_current_link_modes_agree_through_a_life(capsys, tree, mode):
    first = agree(capsys, tree, "r1", mode)
    assert first["changed"] is True and first["previous"] is None
    assert first.get("reload_required", False) is False
    second = agree(capsys, tree, "r2", mode)
    assert second["changed"] is True and second["previous"] == rel(tree, "r1")
    assert second.get("reload_required", True) is True
    assert agree(capsys, tree, "r2", mode)["changed"] is False
    assert agree(capsys, tree, "r2", mode, force=True)["changed"] is True


def test_restart_plan_signals_only_with_a_previous_release(tree):
    assert A.plan(site(tree, "r1", "restart"))["restart"] is False
    real(tree, "r1", "restart")
    assert A.plan(site(tree, "r2", "restart"))["restart"] is True
    assert A.plan(site(tree, "r2", "embedded"))["restart"] is False


@pytest.mark.parametrize("mode", ["restart", "embedded"])
def test_force_on_a_never_activated_site_is_a_plain_first_link(capsys, tree, mode):
    result = agree(capsys, tree, "r1", mode, force=True)
    assert result["changed"] is True and result["previous"] is None


@pytest.mark.parametrize("mode", ["restart", "embedded"])
def test_rollback_without_a_release_outside_bluegreen_fails_alike(capsys, tree, mode):
    real(tree, "r1", mode)
    fail_alike(capsys, tree, None, "no release to activate", mode, rollback=True)
