# -*- coding: utf-8 -*-
# Copyright (c) modwsgi.django maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Release activation against a real temporary site root, with fake daemons and a fake health probe."""

from __future__ import annotations

import os
import shutil
import subprocess
import time

import pytest

from ansible_collections.modwsgi.django.plugins.module_utils import _activate as A
from ansible_collections.modwsgi.django.plugins.module_utils._fs import atomic_symlink


# ---------------------------------------------------------------------------
# fakes
# ---------------------------------------------------------------------------

class FakeProcs:
    """Daemon groups as {group: [pids]}; SIGUSR1 replaces the signalled pids with new ones."""

    def __init__(self, groups=None):
        self.groups = {name: list(pids) for name, pids in (groups or {}).items()}
        self.signalled = []
        self.next_pid = 1000

    def pids(self, group):
        return sorted(self.groups.get(group, []))

    def signal(self, pids):
        self.signalled.append(sorted(pids))
        for group, members in self.groups.items():
            if set(members) & set(pids):
                replaced = []
                for pid in members:
                    if pid in pids:
                        self.next_pid += 1
                        replaced.append(self.next_pid)
                    else:
                        replaced.append(pid)
                self.groups[group] = replaced


class Stuck(FakeProcs):
    """Daemons that ignore SIGUSR1 (the signal is recorded, no pid changes)."""

    def signal(self, pids):
        self.signalled.append(sorted(pids))


class FakeProbe:
    """Answers like the site would: the release a color (or `current`) links to, per the real symlinks.

    ``failing``: release ids that answer HTTP 500. ``lag``: polls that still see the previous answer.
    """

    def __init__(self, root, failing=(), lag=0, stale="old", map_path=None):
        self.root = root
        # unpinned requests reach the color the map names (bluegreen), else `current`
        self.map_path = map_path or os.path.join(os.path.dirname(os.path.dirname(root)), "modwsgi-colors.map")
        self.failing = set(failing)
        self.lag = lag
        self.stale = stale
        self.calls = []

    def __call__(self, params, color):
        self.calls.append((params["path"], params["host"], color))
        if self.lag > 0:
            self.lag -= 1
            return 200, self.stale, "still the old code"
        target = os.readlink(os.path.join(self.root, color or self.live_link()))
        release = os.path.basename(target)
        if release in self.failing:
            return 500, release, "Internal Server Error"
        return 200, release, "ok"

    def live_link(self):
        if not os.path.lexists(os.path.join(self.root, "blue")) or not os.path.exists(self.map_path):
            return "current"
        return A.read_map(self.map_path).get("shop", "blue")


class Sleeps:
    def __init__(self):
        self.calls = []

    def __call__(self, seconds):
        self.calls.append(seconds)


@pytest.fixture
def root(tmp_path):
    path = tmp_path / "srv" / "shop"
    for release in ("r1", "r2", "r3"):
        (path / "releases" / release).mkdir(parents=True)
    (path / "run").mkdir()
    return str(path)


@pytest.fixture
def map_path(tmp_path):
    return str(tmp_path / "modwsgi-colors.map")


def site(root, map_path, release, mode="bluegreen", retries=3):
    return {
        "name": "shop", "mode": mode, "root": root,
        "release_dir": os.path.join(root, "releases", release) if release else None,
        "map_path": map_path, "restart_timeout": 5,
        "health": {"path": "/healthz/", "host": "shop.example.com", "port": 80, "scheme": "http",
                   "retries": retries, "delay": 0.5},
    }


def rel(root, release):
    return os.path.join(root, "releases", release)


def links(root):
    return {name: os.readlink(os.path.join(root, name))
            for name in ("blue", "green", "current") if os.path.islink(os.path.join(root, name))}


def deploy(root, map_path, release, procs, probe, mode="bluegreen", **kw):
    return A.activate(site(root, map_path, release, mode), probe, procs=procs, sleep=Sleeps(), **kw)


def bluegreen_procs():
    return FakeProcs({"shop_blue": [101, 102], "shop_green": [201, 202]})


# ---------------------------------------------------------------------------
# bluegreen
# ---------------------------------------------------------------------------

def test_first_deploy_links_both_colors(root, map_path):
    procs, probe = bluegreen_procs(), FakeProbe(root)
    result = deploy(root, map_path, "r1", procs, probe)
    assert result["changed"] is True and result["first"] is True
    assert result["live"] == "blue" and result["release"] == rel(root, "r1")
    assert links(root) == {"blue": rel(root, "r1"), "green": rel(root, "r1"), "current": rel(root, "r1")}
    assert A.read_map(map_path) == {"shop": "blue"}
    assert oct(os.stat(map_path).st_mode & 0o777) == "0o644"
    # Apache starts both groups with the new links: nothing signalled, nothing probed.
    assert procs.signalled == [] and probe.calls == []


def test_same_release_is_a_noop(root, map_path):
    deploy(root, map_path, "r1", bluegreen_procs(), FakeProbe(root))
    before = (links(root), open(map_path).read(), os.stat(map_path).st_mtime_ns)
    procs, probe = bluegreen_procs(), FakeProbe(root)
    result = deploy(root, map_path, "r1", procs, probe)
    assert result["changed"] is False
    assert result["live"] == "blue" and result["release"] == rel(root, "r1")
    assert (links(root), open(map_path).read(), os.stat(map_path).st_mtime_ns) == before
    assert procs.signalled == [] and probe.calls == []


def test_same_release_repairs_a_wrong_current_link(root, map_path):
    deploy(root, map_path, "r1", bluegreen_procs(), FakeProbe(root))
    atomic_symlink(rel(root, "r3"), os.path.join(root, "current"))
    result = deploy(root, map_path, "r1", bluegreen_procs(), FakeProbe(root))
    assert result["changed"] is True
    assert links(root)["current"] == rel(root, "r1")


def test_new_release_goes_to_the_idle_color_only(root, map_path):
    with open(map_path, "w") as handle:
        handle.write("# other sites are kept\nblog green\n")
    deploy(root, map_path, "r1", bluegreen_procs(), FakeProbe(root))
    procs, probe = bluegreen_procs(), FakeProbe(root)
    result = deploy(root, map_path, "r2", procs, probe)

    assert result["changed"] is True
    assert result["live"] == "green" and result["previous"] == "blue" and result["release"] == rel(root, "r2")
    # only the idle color was repointed; the live one keeps serving the old release
    assert links(root) == {"blue": rel(root, "r1"), "green": rel(root, "r2"), "current": rel(root, "r2")}
    # only the idle group's daemons were signalled
    assert procs.signalled == [[201, 202]]
    assert procs.pids("shop_blue") == [101, 102]
    assert not set(procs.pids("shop_green")) & {201, 202}
    # health-checked with the idle color pinned, through the site's health path and host; after the flip
    # one request as any client sends it (no color) saw the new release
    assert probe.calls[:-1] and all(call == ("/healthz/", "shop.example.com", "green") for call in probe.calls[:-1])
    assert probe.calls[-1] == ("/healthz/", "shop.example.com", None)
    # the map flipped; other sites' lines survive
    assert A.read_map(map_path) == {"shop": "green", "blog": "green"}

    # the next deploy goes to blue, the now idle color
    procs, probe = bluegreen_procs(), FakeProbe(root)
    result = deploy(root, map_path, "r3", procs, probe)
    assert result["live"] == "blue" and result["previous"] == "green"
    assert procs.signalled == [[101, 102]]
    assert {call[2] for call in probe.calls} == {"blue", None}
    assert links(root) == {"blue": rel(root, "r3"), "green": rel(root, "r2"), "current": rel(root, "r3")}
    assert A.read_map(map_path)["shop"] == "blue"


def test_health_check_waits_for_the_new_release(root, map_path):
    deploy(root, map_path, "r1", bluegreen_procs(), FakeProbe(root))
    probe, sleeps = FakeProbe(root, lag=2, stale="r1"), Sleeps()
    result = A.activate(site(root, map_path, "r2"), probe, procs=bluegreen_procs(), sleep=sleeps)
    assert result["live"] == "green"
    # 3 polls until the new release answers, then 6 warm-up requests (3 per new process) to green,
    # then one unpinned request after the flip.
    assert len(probe.calls) == 3 + 6 + 1
    assert all(color == "green" for _unused1, _unused2, color in probe.calls[:-1]) and probe.calls[-1][2] is None
    # the two waits between the polls: short first (the new release is usually there a moment later)
    assert sleeps.calls == [A.FIRST_WAIT, 2 * A.FIRST_WAIT]


def test_the_waits_between_polls_double_up_to_the_delay():
    pause = A.waits(0.5)
    assert [next(pause) for _i in range(8)] == [0.02, 0.04, 0.08, 0.16, 0.32, 0.5, 0.5, 0.5]
    assert next(A.waits(0.01)) == 0.01   # never longer than the delay asked for


def test_a_site_that_never_answers_is_polled_retries_times(root, map_path):
    sleeps = Sleeps()
    with pytest.raises(A.ActivationError, match="failed after 5 tries"):
        A.health(lambda params, color: (503, None, "busy"), {"path": "/", "retries": 5, "delay": 1}, None, None, sleeps)
    assert sleeps.calls == [0.02, 0.04, 0.08, 0.16]   # no wait after the last poll: the error comes at once


def test_failed_health_check_leaves_map_and_live_link_alone(root, map_path):
    deploy(root, map_path, "r1", bluegreen_procs(), FakeProbe(root))
    map_before = open(map_path).read()
    procs, probe = bluegreen_procs(), FakeProbe(root, failing={"r2"})
    with pytest.raises(A.ActivationError) as caught:
        deploy(root, map_path, "r2", procs, probe)
    message = str(caught.value)
    assert "/healthz/" in message and "green" in message and "HTTP 500" in message and "3 tries" in message
    assert open(map_path).read() == map_before
    assert A.read_map(map_path) == {"shop": "blue"}
    now = links(root)
    assert now["blue"] == rel(root, "r1") and now["current"] == rel(root, "r1")
    assert procs.pids("shop_blue") == [101, 102]
    assert len(probe.calls) == 3


def test_rollback_flips_back_after_a_health_check(root, map_path):
    deploy(root, map_path, "r1", bluegreen_procs(), FakeProbe(root))
    deploy(root, map_path, "r2", bluegreen_procs(), FakeProbe(root))
    procs, probe = bluegreen_procs(), FakeProbe(root)
    result = A.activate(site(root, map_path, None), probe, procs=procs, sleep=Sleeps(), rollback=True)
    assert result["changed"] is True
    assert result["live"] == "blue" and result["previous"] == "green" and result["release"] == rel(root, "r1")
    assert [call[2] for call in probe.calls] == ["blue", None]
    assert A.read_map(map_path) == {"shop": "blue"}
    assert links(root) == {"blue": rel(root, "r1"), "green": rel(root, "r2"), "current": rel(root, "r1")}
    # a rollback signals nobody: the old color still runs its release
    assert procs.signalled == []


def test_a_flip_that_clients_do_not_see_is_put_back(root, map_path):
    """The map names the new color, but requests without a pinned color still reach the old release
    (for example a map Apache does not read): the map is put back and the switch fails."""
    deploy(root, map_path, "r1", bluegreen_procs(), FakeProbe(root))

    class StaleMap(FakeProbe):
        def live_link(self):
            return "blue"

    with pytest.raises(A.ActivationError) as caught:
        A.activate(site(root, map_path, "r2"), StaleMap(root), procs=bluegreen_procs(), sleep=Sleeps())
    assert "did not answer from release r2" in str(caught.value) and "put back to blue" in str(caught.value)
    assert A.read_map(map_path) == {"shop": "blue"}
    assert links(root)["current"] == rel(root, "r1")


def test_rollback_with_a_failing_old_color_changes_nothing(root, map_path):
    deploy(root, map_path, "r1", bluegreen_procs(), FakeProbe(root))
    deploy(root, map_path, "r2", bluegreen_procs(), FakeProbe(root))
    with pytest.raises(A.ActivationError):
        A.activate(site(root, map_path, None), FakeProbe(root, failing={"r1"}), procs=bluegreen_procs(),
                   sleep=Sleeps(), rollback=True)
    assert A.read_map(map_path) == {"shop": "green"}
    assert links(root)["current"] == rel(root, "r2")


def test_rollback_without_a_previous_release(root, map_path):
    with pytest.raises(A.ActivationError, match="no previous release"):
        A.activate(site(root, map_path, None), FakeProbe(root), procs=bluegreen_procs(), sleep=Sleeps(), rollback=True)
    assert not os.path.exists(map_path)


def test_idle_group_that_does_not_restart_is_an_error(root, map_path):
    deploy(root, map_path, "r1", bluegreen_procs(), FakeProbe(root))

    procs = Stuck({"shop_blue": [101], "shop_green": [201]})
    clock = iter(range(0, 1000, 1))
    with pytest.raises(A.ActivationError, match="did not restart"):
        A.restart_group(procs, "shop_green", 5, sleep=Sleeps(), clock=lambda: next(clock))
    assert procs.signalled == [[201]]


# ---------------------------------------------------------------------------
# bluegreen started early (prepare: the idle color restarts while the management steps run)
# ---------------------------------------------------------------------------

def test_prepare_repoints_and_signals_the_idle_color_only(root, map_path):
    deploy(root, map_path, "r1", bluegreen_procs(), FakeProbe(root))
    procs = bluegreen_procs()
    prepared = A.prepare(site(root, map_path, "r2"), procs=procs)
    assert prepared["idle"] == "green" and prepared["group"] == "shop_green" and prepared["old"] == [201, 202]
    assert prepared["before"] == rel(root, "r1")
    # the idle link moved and its daemons were signalled; nothing else changed: the map, current, the live color
    assert links(root) == {"blue": rel(root, "r1"), "green": rel(root, "r2"), "current": rel(root, "r1")}
    assert procs.signalled == [[201, 202]] and procs.pids("shop_blue") == [101, 102]
    assert A.read_map(map_path) == {"shop": "blue"}


def test_activate_after_prepare_waits_instead_of_signalling_again(root, map_path):
    deploy(root, map_path, "r1", bluegreen_procs(), FakeProbe(root))
    procs, probe, timings = bluegreen_procs(), FakeProbe(root), {}
    target = site(root, map_path, "r2")
    prepared = A.prepare(target, procs=procs)
    result = A.activate(target, probe, procs=procs, sleep=Sleeps(), timings=timings, prepared=prepared)
    assert result["live"] == "green" and result["previous"] == "blue" and result["release"] == rel(root, "r2")
    assert procs.signalled == [[201, 202]]          # once, by prepare
    assert links(root) == {"blue": rel(root, "r1"), "green": rel(root, "r2"), "current": rel(root, "r2")}
    assert A.read_map(map_path) == {"shop": "green"}
    assert {call[2] for call in probe.calls} == {"green", None}
    assert list(timings) == ["restart", "health", "warm", "flip"]


def test_activate_after_prepare_fails_when_the_idle_color_does_not_come_back(root, map_path):
    deploy(root, map_path, "r1", bluegreen_procs(), FakeProbe(root))

    procs = Stuck({"shop_blue": [101], "shop_green": [201]})
    target = dict(site(root, map_path, "r2"), restart_timeout=0)
    prepared = A.prepare(target, procs=procs)
    with pytest.raises(A.ActivationError, match="did not restart"):
        A.activate(target, FakeProbe(root), procs=procs, sleep=Sleeps(), prepared=prepared)
    assert A.read_map(map_path) == {"shop": "blue"} and links(root)["current"] == rel(root, "r1")


@pytest.mark.parametrize("case", ["first", "same", "restart-mode", "embedded"])
def test_prepare_starts_nothing_when_activate_would_not_restart_the_idle_color(root, map_path, case):
    procs = bluegreen_procs()
    if case == "first":
        target = site(root, map_path, "r1")
    elif case == "same":
        deploy(root, map_path, "r1", bluegreen_procs(), FakeProbe(root))
        deploy(root, map_path, "r2", bluegreen_procs(), FakeProbe(root))
        target = site(root, map_path, "r2")       # live already
    else:
        target = site(root, map_path, "r1", mode="restart" if case == "restart-mode" else "embedded")
    before = links(root)
    assert A.prepare(target, procs=procs) is None
    assert links(root) == before and procs.signalled == []


def test_unprepare_puts_the_idle_color_back_for_a_rollback(root, map_path):
    deploy(root, map_path, "r1", bluegreen_procs(), FakeProbe(root))
    deploy(root, map_path, "r2", bluegreen_procs(), FakeProbe(root))     # green live on r2, blue idle on r1
    procs = bluegreen_procs()
    target = site(root, map_path, "r3")
    prepared = A.prepare(target, procs=procs)
    assert links(root)["blue"] == rel(root, "r3")
    assert A.unprepare(target, prepared, sleep=Sleeps()) is None
    assert links(root) == {"blue": rel(root, "r1"), "green": rel(root, "r2"), "current": rel(root, "r2")}
    # signalled by prepare, then again once the link was back (the new daemons may have read r3)
    assert procs.signalled[0] == [101, 102] and len(procs.signalled) == 2
    assert not set(procs.signalled[1]) & {101, 102}
    assert A.read_map(map_path) == {"shop": "green"}
    # the rollback target is the idle color's release again
    result = A.activate(site(root, map_path, None), FakeProbe(root), procs=bluegreen_procs(), sleep=Sleeps(), rollback=True)
    assert result["release"] == rel(root, "r1")


def test_unprepare_says_what_it_could_not_put_back(root, map_path):
    deploy(root, map_path, "r1", bluegreen_procs(), FakeProbe(root))

    procs = Stuck({"shop_blue": [101], "shop_green": [201]})
    target = dict(site(root, map_path, "r2"), restart_timeout=0)
    prepared = A.prepare(target, procs=procs)
    problem = A.unprepare(target, prepared, sleep=Sleeps())
    assert problem.startswith("color green of site shop could not be put back on %s: " % rel(root, "r1"))
    assert links(root)["green"] == rel(root, "r1")   # the link is back even so


# ---------------------------------------------------------------------------
# restart and embedded
# ---------------------------------------------------------------------------

def test_restart_mode_deploys_and_signals_its_one_group(root, map_path):
    procs = FakeProcs({"shop": [301, 302]})
    first = deploy(root, map_path, "r1", procs, FakeProbe(root), mode="restart")
    assert first["changed"] is True and first["previous"] is None
    assert procs.signalled == []
    probe = FakeProbe(root)
    result = deploy(root, map_path, "r2", procs, probe, mode="restart")
    assert result["changed"] is True and result["previous"] == rel(root, "r1")
    assert links(root) == {"current": rel(root, "r2")}
    assert procs.signalled == [[301, 302]]
    assert probe.calls and {call[2] for call in probe.calls} == {None}
    assert not os.path.exists(map_path)
    assert deploy(root, map_path, "r2", procs, FakeProbe(root), mode="restart")["changed"] is False


def test_restart_mode_points_current_back_on_failure(root, map_path):
    procs = FakeProcs({"shop": [301, 302]})
    deploy(root, map_path, "r1", procs, FakeProbe(root), mode="restart")
    with pytest.raises(A.ActivationError) as caught:
        deploy(root, map_path, "r2", procs, FakeProbe(root, failing={"r2"}), mode="restart")
    assert "points back at %s" % rel(root, "r1") in str(caught.value)
    assert links(root) == {"current": rel(root, "r1")}
    # signalled once for the new release, once more to bring the old one back
    assert len(procs.signalled) == 2


def test_embedded_reports_reload_required(root, map_path):
    procs, probe = FakeProcs(), FakeProbe(root)
    first = deploy(root, map_path, "r1", procs, probe, mode="embedded")
    assert first["changed"] is True and first["reload_required"] is False
    second = deploy(root, map_path, "r2", procs, probe, mode="embedded")
    assert second["changed"] is True and second["reload_required"] is True
    assert second["previous"] == rel(root, "r1")
    assert links(root) == {"current": rel(root, "r2")}
    same = deploy(root, map_path, "r2", procs, probe, mode="embedded")
    assert same["changed"] is False and "reload_required" not in same
    assert procs.signalled == [] and probe.calls == []


# ---------------------------------------------------------------------------
# links, map, pid files
# ---------------------------------------------------------------------------

def test_read_map_ignores_junk(map_path):
    with open(map_path, "w") as handle:
        handle.write("# comment\nshop green\nblog purple\nbroken\nnews blue extra\nwiki blue\n")
    assert A.read_map(map_path) == {"shop": "green", "wiki": "blue"}
    assert A.read_map(map_path + ".missing") == {}


def dead_pid():
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


@pytest.fixture
def wsgi_daemon():
    """A live process whose title looks like a mod_wsgi daemon of group shop_blue."""
    proc = subprocess.Popen(["(wsgi:shop_blue)", "60"], executable=shutil.which("sleep"))
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with open("/proc/%d/cmdline" % proc.pid, "rb") as handle:
            if handle.read().startswith(b"(wsgi:"):
                break
        time.sleep(0.01)
    yield proc.pid
    proc.kill()
    proc.wait()


def test_registered_pids_ignore_and_remove_stale_files(tmp_path, wsgi_daemon):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    stale = dead_pid()
    for name in ("shop_blue.%d" % stale, "shop_blue.%d" % wsgi_daemon, "shop_green.%d" % stale,
                 "shop_blue.notapid", "unrelated"):
        (run_dir / name).write_text("")
    procs = A.Procs(str(run_dir))
    assert procs.pids("shop_blue") == [wsgi_daemon]
    # the stale file of this group is gone; other groups' files and junk are not touched
    assert sorted(os.listdir(str(run_dir))) == sorted(
        ["shop_blue.%d" % wsgi_daemon, "shop_green.%d" % stale, "shop_blue.notapid", "unrelated"])


def test_registered_pids_ignore_live_processes_that_are_not_wsgi_daemons(tmp_path):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / ("shop_blue.%d" % os.getpid())).write_text("")
    assert A.Procs(str(run_dir))._registered("shop_blue") == []
    assert os.listdir(str(run_dir)) == []


def test_registered_pids_without_run_dir(tmp_path):
    assert A.Procs(str(tmp_path / "missing"))._registered("shop_blue") == []


# ---------------------------------------------------------------------------
# force (settings, secrets or boot code changed, same release)
# ---------------------------------------------------------------------------

def _forced(root, map_path, release, procs, probe, mode="bluegreen"):
    s = site(root, map_path, release, mode)
    s["force"] = True
    return A.activate(s, probe, procs=procs, sleep=Sleeps())


def test_force_restarts_the_idle_color_and_flips(root, map_path):
    deploy(root, map_path, "r1", bluegreen_procs(), FakeProbe(root))
    procs, probe = bluegreen_procs(), FakeProbe(root)
    result = _forced(root, map_path, "r1", procs, probe)
    assert result["changed"] is True and result["live"] == "green" and result["previous"] == "blue"
    assert procs.signalled == [[201, 202]]  # only the idle color
    assert probe.calls and all(color == "green" for _unused1, _unused2, color in probe.calls[:-1])
    assert A.read_map(map_path) == {"shop": "green"}
    assert links(root)["green"] == rel(root, "r1")


def test_without_force_the_same_release_restarts_nothing(root, map_path):
    deploy(root, map_path, "r1", bluegreen_procs(), FakeProbe(root))
    procs = bluegreen_procs()
    result = deploy(root, map_path, "r1", procs, FakeProbe(root))
    assert result["changed"] is False and procs.signalled == []


def test_force_in_restart_mode_signals_the_group(root, map_path):
    procs = FakeProcs({"shop": [301]})
    deploy(root, map_path, "r1", procs, FakeProbe(root), mode="restart")
    result = _forced(root, map_path, "r1", procs, FakeProbe(root), mode="restart")
    assert result["changed"] is True and procs.signalled == [[301]]
    assert links(root)["current"] == rel(root, "r1")


def test_force_in_embedded_mode_asks_for_a_reload(root, map_path):
    deploy(root, map_path, "r1", FakeProcs(), FakeProbe(root), mode="embedded")
    result = _forced(root, map_path, "r1", FakeProcs(), FakeProbe(root), mode="embedded")
    assert result["reload_required"] is True


# ---------------------------------------------------------------------------
# check_all: every site after a graceful reload
# ---------------------------------------------------------------------------

def test_check_all_reports_every_failing_site_and_polls_the_others_to_the_end():
    answers = {"a.test": [(200, "r1", "")], "b.test": [(0, None, "refused")] * 3,
               "c.test": [(503, None, "starting"), (302, "r3", "")]}
    polls = []

    def probe(params, color):
        polls.append(params["host"])
        queue = answers[params["host"]]
        return queue.pop(0) if len(queue) > 1 else queue[0]

    sites = [{"name": "a", "host": "a.test", "path": "/"}, {"name": "b", "host": "b.test", "path": "/h/"},
             {"name": "c", "host": "c.test", "path": "/", "release": "r3"}]
    ok, failed = A.check_all(sites, {"port": 80, "scheme": "http", "retries": 3, "delay": 0}, probe, sleep=lambda s: None, workers=2)
    assert ok == {"a": 200, "c": 302}
    assert list(failed) == ["b"] and "health check /h/ on the site failed after 3 tries: HTTP 0: refused" in failed["b"]
    assert polls.count("b.test") == 3


def test_check_all_waits_for_the_expected_release():
    seen = iter([(200, "old", ""), (200, "old", ""), (200, "new", "")])
    ok, failed = A.check_all([{"name": "a", "host": "a.test", "path": "/", "release": "new"}],
                             {"port": 80, "scheme": "http", "retries": 5, "delay": 0},
                             lambda params, color: next(seen), sleep=lambda s: None)
    assert ok == {"a": 200} and failed == {}
