# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""MPM sizing: the documented formulas, overrides, and internal consistency."""

from __future__ import annotations

import itertools

import pytest

from ansible_collections.modwsgi.django.plugins.module_utils._sizing import (
    DEBIAN_MAX_REQUEST_WORKERS,
    KEYS,
    MB_PER_PYTHON_PROCESS,
    MEMORY_WARN_RATIO,
    THREADS_PER_CHILD,
    apache_children,
    daemon_load,
    daemon_processes,
    memory_exceeded,
    mpm_sizing,
    python_memory_mb,
)


# -- worker / event -------------------------------------------------------------------------------

@pytest.mark.parametrize("mpm", ["event", "worker"])
def test_threaded_two_cores(mpm):
    assert mpm_sizing(mpm, 2, 4096) == {
        "threads_per_child": 25,
        "max_request_workers": 300,      # 150 per core
        "server_limit": 12,              # 300 / 25
        "start_servers": 2,
        "min_spare_threads": 25,
        "max_spare_threads": 75,         # three children's worth
        "max_connections_per_child": 0,
    }


@pytest.mark.parametrize("cores, workers, server_limit", [
    (1, 150, 6),       # floor: 150
    (4, 600, 24),
    (10, 1500, 60),
    (11, 1600, 64),    # 1650 capped at 1600
    (64, 1600, 64),
])
def test_threaded_scales_with_cores_and_is_capped(cores, workers, server_limit):
    out = mpm_sizing("event", cores, 8192)
    assert out["max_request_workers"] == workers
    assert out["server_limit"] == server_limit
    assert out["max_request_workers"] % out["threads_per_child"] == 0


def test_threaded_memory_does_not_limit_threads():
    assert mpm_sizing("event", 2, 256) == mpm_sizing("event", 2, 65536)


def test_threaded_overrides_stay_consistent():
    out = mpm_sizing("worker", 4, 4096, {"threads_per_child": 50})
    assert out["threads_per_child"] == 50
    assert out["max_request_workers"] == 600
    assert out["server_limit"] == 12
    assert out["min_spare_threads"] == 50
    assert out["max_spare_threads"] == 150

    out = mpm_sizing("event", 2, 4096, {"max_request_workers": 400})
    assert out["max_request_workers"] == 400
    assert out["server_limit"] == 16

    # A ServerLimit too small for the workers is raised to what they need.
    out = mpm_sizing("event", 2, 4096, {"max_request_workers": 400, "server_limit": 4})
    assert out["server_limit"] == 16
    # A larger one is kept (room for graceful restarts).
    out = mpm_sizing("event", 2, 4096, {"server_limit": 40})
    assert out["server_limit"] == 40

    # Workers that are not a multiple of the threads still get enough children.
    out = mpm_sizing("event", 2, 4096, {"max_request_workers": 110})
    assert out["server_limit"] == 5


def test_every_override_is_applied():
    given = {"start_servers": 3, "min_spare_threads": 10, "max_spare_threads": 99, "max_connections_per_child": 1000}
    out = mpm_sizing("event", 2, 4096, given)
    for key, value in given.items():
        assert out[key] == value


def test_null_overrides_are_ignored():
    nulls = dict.fromkeys(KEYS)
    assert mpm_sizing("event", 2, 4096, nulls) == mpm_sizing("event", 2, 4096)
    assert mpm_sizing("prefork", 2, 4096, nulls) == mpm_sizing("prefork", 2, 4096)


def test_string_values_from_inventory_are_converted():
    out = mpm_sizing("event", "2", "4096", {"threads_per_child": "30"})
    assert out["threads_per_child"] == 30
    assert out["max_request_workers"] == 300


# -- prefork --------------------------------------------------------------------------------------

def test_prefork_two_cores_plenty_of_memory():
    assert mpm_sizing("prefork", 2, 16384) == {
        "max_request_workers": 64,       # 32 per core
        "server_limit": 64,
        "start_servers": 5,
        "min_spare_servers": 5,
        "max_spare_servers": 10,
        "max_connections_per_child": 0,
    }


@pytest.mark.parametrize("cores, memory_mb, workers", [
    (2, 4096, 4096 // 2 // MB_PER_PYTHON_PROCESS),  # memory-bound: 34
    (1, 16384, 32),                                   # cores-bound
    (0, 16384, 32),                                   # cores < 1 counts as 1
    (64, 65536, 256),                                 # capped at 256
    (16, 1024, 8),                                    # never below 8 even on tiny memory
    (2, 100, 8),                                      # memory below 256 MB counts as 256
])
def test_prefork_bounds(cores, memory_mb, workers):
    out = mpm_sizing("prefork", cores, memory_mb)
    assert out["max_request_workers"] == workers
    assert out["server_limit"] == workers
    assert out["start_servers"] <= workers
    assert out["max_spare_servers"] <= workers


def test_prefork_missing_facts_use_safe_defaults():
    assert mpm_sizing("prefork", None, None) == mpm_sizing("prefork", 1, 1024)


def test_prefork_overrides():
    out = mpm_sizing("prefork", 2, 16384, {"max_request_workers": 100, "server_limit": 50})
    assert out["max_request_workers"] == 100
    assert out["server_limit"] == 100   # raised: ServerLimit below MaxRequestWorkers caps it
    out = mpm_sizing("prefork", 2, 16384, {"server_limit": 200, "max_connections_per_child": 500})
    assert out["server_limit"] == 200
    assert out["max_connections_per_child"] == 500
    assert "threads_per_child" not in out


# -- consistency over the whole input space ---------------------------------------------------------

@pytest.mark.parametrize("mpm", ["event", "worker"])
def test_threaded_server_limit_covers_workers(mpm):
    for cores, memory, tpc, workers, limit in itertools.product(
            [1, 2, 3, 8, 17, 96], [256, 2048, 131072], [None, 1, 7, 25, 64],
            [None, 1, 99, 150, 1601], [None, 1, 1000]):
        over = {"threads_per_child": tpc, "max_request_workers": workers, "server_limit": limit}
        out = mpm_sizing(mpm, cores, memory, over)
        assert out["server_limit"] * out["threads_per_child"] >= out["max_request_workers"], (cores, memory, over, out)
        assert out["start_servers"] <= out["server_limit"]
        assert out["max_spare_threads"] <= max(out["max_request_workers"], out["threads_per_child"] * 3)


def test_prefork_server_limit_covers_workers():
    for cores, memory, workers, limit in itertools.product(
            [1, 2, 8, 96], [256, 2048, 131072], [None, 1, 300], [None, 1, 1000]):
        out = mpm_sizing("prefork", cores, memory, {"max_request_workers": workers, "server_limit": limit})
        assert out["server_limit"] >= out["max_request_workers"]


def test_default_threads_per_child_constant():
    assert mpm_sizing("event", 1, 1024)["threads_per_child"] == THREADS_PER_CHILD


# -- bad input ------------------------------------------------------------------------------------

@pytest.mark.parametrize("mpm", ["Event", "itk", "", None, "mpm_event"])
def test_bad_mpm_raises(mpm):
    with pytest.raises(ValueError, match="mpm must be prefork, worker or event"):
        mpm_sizing(mpm, 2, 4096)


@pytest.mark.parametrize("mpm", ["prefork", "event"])
def test_unknown_keys_raise_and_name_them(mpm):
    with pytest.raises(ValueError) as caught:
        mpm_sizing(mpm, 2, 4096, {"MaxRequestWorkers": 10, "threads": 3})
    message = str(caught.value)
    assert "MaxRequestWorkers" in message and "threads" in message
    assert "max_request_workers" in message  # lists the known keys


def test_non_numeric_values_raise():
    with pytest.raises(ValueError):
        mpm_sizing("event", 2, 4096, {"threads_per_child": "many"})


# --- daemon processes -------------------------------------------------------------------------


@pytest.mark.parametrize("cores, memory_mb, copies, reserved, expected", [
    (1, 2048, 2, 0, 1),        # one core: one process (processes left out)
    (2, 24000, 2, 0, 2),       # the test machines: one per core
    (4, 8192, 2, 0, 4),
    (64, 262144, 2, 0, 8),     # capped at 8
    (8, 2048, 20, 0, 1),       # 10 bluegreen sites on 2 GB: 17 processes for 20 copies -> 1 each
    (4, 4096, 10, 0, 3),       # 34 processes in the budget for 10 copies
    (4, 4096, 10, 30, 1),      # explicit processes use the budget first
    (4, None, 2, 0, 4),        # memory unknown: cores only
    (None, 4096, 2, 0, 1),
])
def test_daemon_processes(cores, memory_mb, copies, reserved, expected):
    assert daemon_processes(cores, memory_mb, copies, reserved, 60) == expected


# --- capacity model (rule capacity of validate_sites) -------------------------------------------


def test_one_set_of_constants():
    assert (MB_PER_PYTHON_PROCESS, THREADS_PER_CHILD, DEBIAN_MAX_REQUEST_WORKERS, MEMORY_WARN_RATIO) == (60, 25, 150, 0.8)


def test_daemon_load_counts_copies_for_memory_and_one_copy_for_threads():
    # a bluegreen site (2 copies) of 2 x 15, a restart site with processes left out (one process) x 5
    assert daemon_load([(2, 15, 2), (None, 5, 1)]) == (2 * 2 + 1, 2 * 15 + 5)
    assert daemon_load([]) == (0, 0)


@pytest.mark.parametrize("mpm, workers, children", [
    ("prefork", 150, 150), ("event", 150, 6), ("worker", 151, 7), ("event", 1, 1),
])
def test_apache_children(mpm, workers, children):
    assert apache_children(mpm, workers) == children


def test_python_memory_estimate():
    assert python_memory_mb(8, 0, "event") == (8 * 60, 6)              # Debian's 150 workers: 6 children
    assert python_memory_mb(0, 1, "prefork") == (150 * 60, 150)
    assert python_memory_mb(4, 2, "event", 300) == ((4 + 2 * 12) * 60, 12)
    assert memory_exceeded(2400, 2048) and not memory_exceeded(2400, 8192)
    assert not memory_exceeded(800, 1000) and memory_exceeded(801, 1000)
