# -*- coding: utf-8 -*-
# Copyright: modwsgi.django contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""MPM sizing derived from the host's cores and memory (pure Python).

The formula, documented in docs/operations.md:

* worker/event: 25 threads per child; MaxRequestWorkers = 150 per core, at least 150, at most
  1600 (rounded down to whole children); ServerLimit = MaxRequestWorkers / ThreadsPerChild.
  Threads are cheap here: with daemon mode the Apache children only proxy to the daemons.
* prefork: one process per worker. MaxRequestWorkers = 32 per core (16..256), and never more
  than half the memory at ~60 MB per child (embedded Django loads the application into every
  child, so memory is the real limit).

Any explicit value in ``overrides`` wins; the others stay consistent with it.

It also holds the arithmetic of the ``validate_sites`` capacity model (rule ``capacity`` and the
default ``daemon.processes``, docs/operations.md "Sizing"): one set of constants for both.
"""

from __future__ import annotations

from collections.abc import Mapping

# Memory of one Python process: a daemon process, or an Apache child that loads embedded sites
# (prefork MaxRequestWorkers, the default daemon processes and rule capacity all count with it).
MB_PER_PYTHON_PROCESS = 60
# ThreadsPerChild of worker/event (the role's and Debian's default).
THREADS_PER_CHILD = 25
# Debian's MaxRequestWorkers, assumed when validate_sites is not told the real one.
DEBIAN_MAX_REQUEST_WORKERS = 150
# Rule capacity warns when the estimated Python memory exceeds this share of the host's memory.
MEMORY_WARN_RATIO = 0.8
KEYS = ("server_limit", "threads_per_child", "max_request_workers", "start_servers",
        "min_spare_threads", "max_spare_threads", "min_spare_servers", "max_spare_servers",
        "max_connections_per_child")


def _clamp(value, low, high):
    return max(low, min(high, value))


def mpm_sizing(mpm, cores, memory_mb, overrides=None):
    cores = max(1, int(cores or 1))
    memory_mb = max(256, int(memory_mb or 1024))
    if overrides is not None and not isinstance(overrides, Mapping):
        raise ValueError("overrides must be a mapping of sizing keys, got %s" % type(overrides).__name__)
    over = {k: v for k, v in (overrides or {}).items() if v is not None}
    unknown = sorted(set(over) - set(KEYS))
    if unknown:
        raise ValueError("unknown MPM sizing keys: %s (known: %s)" % (", ".join(unknown), ", ".join(KEYS)))
    if mpm == "prefork":
        workers = _clamp(cores * 32, 16, 256)
        workers = int(over.get("max_request_workers", min(workers, max(8, memory_mb // 2 // MB_PER_PYTHON_PROCESS))))
        out = {
            "max_request_workers": workers,
            "server_limit": int(over.get("server_limit", workers)),
            "start_servers": int(over.get("start_servers", min(5, workers))),
            "min_spare_servers": int(over.get("min_spare_servers", min(5, workers))),
            "max_spare_servers": int(over.get("max_spare_servers", min(10, workers))),
            "max_connections_per_child": int(over.get("max_connections_per_child", 0)),
        }
        out["server_limit"] = max(out["server_limit"], workers)
        return out
    if mpm not in ("worker", "event"):
        raise ValueError("mpm must be prefork, worker or event, got %r" % (mpm,))
    tpc = int(over.get("threads_per_child", THREADS_PER_CHILD))
    workers = int(over.get("max_request_workers", _clamp(cores * 150, 150, 1600) // tpc * tpc))
    children = -(-workers // tpc)
    return {
        "threads_per_child": tpc,
        "max_request_workers": workers,
        "server_limit": max(int(over.get("server_limit", children)), children),
        "start_servers": int(over.get("start_servers", min(2, children))),
        "min_spare_threads": int(over.get("min_spare_threads", tpc)),
        "max_spare_threads": int(over.get("max_spare_threads", min(workers, tpc * 3))),
        "max_connections_per_child": int(over.get("max_connections_per_child", 0)),
    }


# Daemon processes per site when the inventory does not set daemon.processes (see docs/operations.md):
# one per core, so that the Python code of a site can use every core despite the GIL, at most
# DAEMON_PROCESSES_MAX, never more than the memory budget allows (all daemon processes of all sites
# together, both colors of a bluegreen site, get half the host's memory at ~mb_per_process each),
# and never more threads than Apache's workers can feed (live color only: the idle one gets no traffic).
DAEMON_PROCESSES_MAX = 8


def daemon_processes(cores, memory_mb, copies, reserved, mb_per_process, workers=None, threads=0, reserved_threads=0):
    """Default daemon processes of each site that does not set them.

    ``copies``: process groups the defaulted sites run in total (2 per bluegreen site, 1 per restart
    site); ``reserved``: daemon processes the inventory sets explicitly (all copies). ``workers``:
    Apache's MaxRequestWorkers; ``threads``: sum of the defaulted sites' threads per process;
    ``reserved_threads``: live threads of the explicit sites.
    Returns an int >= 1 (1 means: leave ``processes`` out, one process, wsgi.multiprocess False).
    """
    cores = max(1, int(cores or 1))
    wanted = min(cores, DAEMON_PROCESSES_MAX)
    if memory_mb is not None and copies > 0:
        budget = int(memory_mb) // 2 // int(mb_per_process) - int(reserved)
        wanted = min(wanted, budget // copies)
    if workers is not None and threads > 0:
        wanted = min(wanted, (int(workers) - int(reserved_threads)) // threads)
    return max(1, wanted)


def daemon_load(groups):
    """Resident processes and live threads of daemon process groups.

    ``groups``: one ``(processes, threads, copies)`` per daemon site or mass hosting; ``processes``
    None means one process; ``copies`` is 2 for a bluegreen site (both colors are resident, only the
    live one gets requests), else 1. Returns ``(processes of all copies, threads of one copy)``.
    """
    processes = threads = 0
    for group_processes, group_threads, copies in groups:
        group_processes = group_processes or 1
        processes += group_processes * copies
        threads += group_processes * group_threads
    return processes, threads


def apache_children(mpm, max_request_workers):
    """Apache children at MaxRequestWorkers: each one loads every embedded site.

    prefork: one child per worker; worker/event: MaxRequestWorkers / THREADS_PER_CHILD, rounded up.
    """
    if mpm == 'prefork':
        return max_request_workers
    return -(-max_request_workers // THREADS_PER_CHILD)


def python_memory_mb(processes, embedded_sites, mpm, max_request_workers=None):
    """Estimated memory (MB) of every Python process on the host.

    ``processes``: daemon processes (all copies, :func:`daemon_load`); each of the ``embedded_sites``
    is loaded once per Apache child (:func:`apache_children`; Debian's MaxRequestWorkers when
    ``max_request_workers`` is None). Returns ``(estimate_mb, Apache children per embedded site)``.
    """
    children = apache_children(mpm, max_request_workers or DEBIAN_MAX_REQUEST_WORKERS)
    return (processes + children * embedded_sites) * MB_PER_PYTHON_PROCESS, children


def memory_exceeded(estimate_mb, memory_mb):
    """True when the estimate is above MEMORY_WARN_RATIO of the host's memory."""
    return estimate_mb > memory_mb * MEMORY_WARN_RATIO
