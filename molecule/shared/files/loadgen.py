"""Bounded load against 127.0.0.1:80, run inside a container; stdlib only.

The one load generator of the molecule tests and of bench/reload.py:

- fast GETs of --path (default /) from --threads threads, back to back or paced to at most one
  request per --interval seconds per thread, starting --fast-after seconds in, at most
  --max-requests in all; or, with --rate, open loop: --rate requests per second whatever the
  answers take (each in its own thread, at most --max-inflight at once), to see what a request
  arriving at any moment gets;
- --slow requests of /slow/?s=--slow-seconds, started --slow-after seconds after the start (or,
  with --trigger-links, when one of those symlinks changes target); with --slow-loop each slow
  thread issues them back to back while the load runs;
- the load ends after --seconds (at most 600), or --tail seconds after --stop-file appears;
- a switch (bench/reload.py): --switch-cmd run through /bin/sh at --switch-at seconds, or the
  --trigger-links change; the load then ends --after seconds later;
- with --group: a sampler every --sample seconds of the RSS and pids of the wsgi daemon processes
  whose title starts with each prefix (from /proc), and the load average.

Writes one JSON object to --out (atomically): t0, end, settings, state (switch/trigger times),
requests (each: path, start, end, status, code_version, node, pid, error) and samples.

fault_figures() and phase_figures() turn a report into the figures the fault tests assert and
bench/faults.py records (they import this file; it needs nothing but the standard library).
"""

import argparse
import http.client
import json
import os
import subprocess
import threading
import time

MAX_SECONDS = 600


def request(host, path, timeout):
    start = time.time()
    conn = http.client.HTTPConnection("127.0.0.1", 80, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Host": host, "User-Agent": "modwsgi-loadgen"})
        resp = conn.getresponse()
        body = resp.read()
        status = resp.status
        try:
            data = json.loads(body)
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        if status != 200:
            data.setdefault("error", body[:200].decode("utf-8", "replace"))
    except (OSError, http.client.HTTPException) as exc:
        status, data = 0, {"error": "%s: %s" % (type(exc).__name__, exc)}
    finally:
        conn.close()
    return {
        "path": path,
        "start": start,
        "end": time.time(),
        "status": status,
        "code_version": data.get("code_version"),
        "node": data.get("node"),
        "pid": data.get("pid"),
        "error": data.get("error"),
    }


def wsgi_rss(prefixes):
    """{prefix: [(pid, rss_kb), ...]} of processes whose title starts with a prefix."""
    found = {p: [] for p in prefixes}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % entry, "rb") as handle:
                title = handle.read(64).split(b"\0")[0].decode("utf-8", "replace")
            if not title.startswith("(wsgi:"):
                continue
            rss = 0
            with open("/proc/%s/status" % entry) as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        rss = int(line.split()[1])
                        break
        except (OSError, ValueError):
            continue
        for prefix in prefixes:
            if title.startswith(prefix):
                found[prefix].append((int(entry), rss))
    return found


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--host", required=True, help="Host header")
    parser.add_argument("--out", required=True)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--path", default="/", help="what the fast requests GET")
    parser.add_argument("--fast-after", type=float, default=0, help="start the fast requests this many seconds in")
    parser.add_argument("--rate", type=float, default=0, help="open loop: fast requests per second (replaces --threads)")
    parser.add_argument("--max-inflight", type=int, default=200, help="open loop: most requests at once")
    parser.add_argument("--interval", type=float, default=0, help="per fast thread; 0: back to back")
    parser.add_argument("--fast-timeout", type=float, default=10)
    parser.add_argument("--max-requests", type=int, default=200000)
    parser.add_argument("--slow", type=int, default=12)
    parser.add_argument("--slow-seconds", type=float, default=10)
    parser.add_argument("--slow-after", type=float, default=1)
    parser.add_argument("--slow-loop", action="store_true")
    parser.add_argument("--seconds", type=float, default=30, help="longest run (at most %d)" % MAX_SECONDS)
    parser.add_argument("--stop-file", help="end the load --tail seconds after this file appears")
    parser.add_argument("--tail", type=float, default=3)
    parser.add_argument("--switch-at", type=float, help="run --switch-cmd (or mark the switch) this many seconds in")
    parser.add_argument("--switch-cmd")
    parser.add_argument("--trigger-links", nargs="*", default=[])
    parser.add_argument("--after", type=float, default=25, help="end the load this long after the switch")
    parser.add_argument("--group", action="append", default=[], help="sample the RSS of these wsgi process groups")
    parser.add_argument("--sample", type=float, default=0.2)
    parser.add_argument("--ready-file", help="created once the load runs")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    switching = args.switch_at is not None or bool(args.switch_cmd) or bool(args.trigger_links)
    t0 = time.time()
    hard_end = t0 + min(args.seconds, MAX_SECONDS)
    state = {"stop_at": hard_end, "switch": None, "switch_end": None, "switch_rc": None, "switch_output": "",
             "trigger": None, "trigger_link": None, "slow_started": None, "stop_file_seen": None}
    results, samples, lock = [], [], threading.Lock()
    stop = threading.Event()
    slow_go = threading.Event()

    def running():
        now = time.time()
        if args.stop_file and state["stop_file_seen"] is None and os.path.exists(args.stop_file):
            state["stop_file_seen"] = now
            state["stop_at"] = min(state["stop_at"], now + args.tail)
        return now < state["stop_at"] and not stop.is_set()

    def fast():
        next_at = t0 + args.fast_after
        while running():
            delay = next_at - time.time()
            if delay > 0:
                time.sleep(delay)
            next_at = time.time() + args.interval
            r = request(args.host, args.path, args.fast_timeout)
            with lock:
                if len(results) >= args.max_requests:
                    return
                results.append(r)

    inflight = threading.BoundedSemaphore(max(1, args.max_inflight))
    open_threads = []

    def one_open_request():
        try:
            r = request(args.host, args.path, args.fast_timeout)
            with lock:
                results.append(r)
        finally:
            inflight.release()

    def open_loop():
        """One request every 1/--rate seconds, each in its own thread (skipped when --max-inflight are out)."""
        step, n = 1.0 / args.rate, 0
        while running():
            delay = t0 + args.fast_after + n * step - time.time()
            if delay > 0:
                time.sleep(delay)
            n += 1
            if len(open_threads) >= args.max_requests:
                return
            if not running() or not inflight.acquire(blocking=False):
                continue
            thread = threading.Thread(target=one_open_request)
            open_threads.append(thread)
            thread.start()

    def slow():
        slow_go.wait()
        while True:
            r = request(args.host, "/slow/?s=%g" % args.slow_seconds, args.slow_seconds + 30)
            with lock:
                results.append(r)
            if not (args.slow_loop and running()):
                return

    def sampler():
        while running() or any(t.is_alive() for t in slow_threads):
            now = time.time()
            found = wsgi_rss(args.group)
            try:
                with open("/proc/loadavg") as handle:
                    load1 = float(handle.read().split()[0])
            except (OSError, ValueError):
                load1 = None
            samples.append({"t": now, "load1": load1,
                            "groups": {g: {"pids": [p for p, _rss in v], "rss_kb": sum(rss for _pid, rss in v)}
                                       for g, v in found.items()}})
            time.sleep(max(0.0, args.sample - (time.time() - now)))
            if time.time() > hard_end + args.slow_seconds + 40:
                return

    def switch_at(when):
        state["switch"] = when
        state["stop_at"] = min(state["stop_at"], when + args.after)

    def go_slow():
        state["slow_started"] = time.time()
        slow_go.set()

    def driver():
        if args.trigger_links:
            before = {p: os.readlink(p) for p in args.trigger_links}   # read before saying ready: no flip missed
            if args.ready_file:
                open(args.ready_file, "w").close()
            while running():
                for path in args.trigger_links:
                    try:
                        target = os.readlink(path)
                    except OSError:
                        continue
                    if target != before[path]:
                        now = time.time()
                        state.update(trigger=now, trigger_link="%s -> %s" % (path, target))
                        go_slow()
                        switch_at(now)
                        return
                time.sleep(0.01)
            return
        if args.ready_file:
            open(args.ready_file, "w").close()
        time.sleep(max(0.0, t0 + args.slow_after - time.time()))
        go_slow()
        if not switching:
            return
        time.sleep(max(0.0, t0 + (args.switch_at or 0) - time.time()))
        if args.switch_cmd:
            start = time.time()
            switch_at(start)
            proc = subprocess.run(["/bin/sh", "-c", args.switch_cmd], capture_output=True, text=True, timeout=120,
                                  check=False)
            state.update(switch_end=time.time(), switch_rc=proc.returncode,
                         switch_output=(proc.stdout + proc.stderr)[-2000:])
        else:
            switch_at(time.time())

    slow_threads = [threading.Thread(target=slow) for _i in range(args.slow)]
    if args.rate > 0:
        threads = [threading.Thread(target=open_loop)]
    else:
        threads = [threading.Thread(target=fast) for _i in range(args.threads)]
    sampler_thread = threading.Thread(target=sampler) if args.group else None
    driver_thread = threading.Thread(target=driver)
    for t in slow_threads + threads + [driver_thread] + ([sampler_thread] if sampler_thread else []):
        t.start()
    driver_thread.join()
    for t in threads:
        t.join()
    for t in open_threads:
        t.join()
    slow_go.set()  # no trigger came: run the slow requests anyway so that every thread ends
    for t in slow_threads:
        t.join()
    stop.set()
    if sampler_thread:
        sampler_thread.join()
    settings = dict(vars(args))
    report = {"t0": t0, "end": time.time(), "settings": settings, "state": state,
              "requests": results, "samples": samples}
    with open(args.out + ".tmp", "w") as handle:
        json.dump(report, handle)
    os.rename(args.out + ".tmp", args.out)


def _rel(value, at):
    return None if value is None else round(value - at, 3)


def fault_figures(requests, at, done=None, path=None):
    """What a fault injected at ``at`` (epoch; ``done``: when the injection command returned) did to requests.

    Returns failed (all), failed_in_flight (started before ``done``: the ones a fault may take down),
    failed_after (started after ``done``: requests that should have waited, not failed), served_again_s
    (end of the first success that started after ``done``), all_ok_after_s (from ``at`` until the start of
    the first request after which every request succeeded; 0 when none failed after the fault),
    longest_after_s (slowest request that started after ``done``) and per-status counts. Only requests
    of ``path`` when given.
    """
    done = at if done is None else done
    reqs = [r for r in requests if path is None or r["path"] == path]
    failed = [r for r in reqs if r["status"] != 200]
    after = [r for r in reqs if r["start"] >= done]
    ok_after = [r for r in after if r["status"] == 200]
    late_failures = [r for r in failed if r["end"] >= at]
    last_bad_start = max((r["start"] for r in late_failures), default=None)
    statuses = {}
    for r in reqs:
        statuses[str(r["status"])] = statuses.get(str(r["status"]), 0) + 1
    return {
        "requests": len(reqs),
        "failed": len(failed),
        "failed_in_flight": sum(1 for r in failed if r["start"] < done),
        "failed_after": sum(1 for r in failed if r["start"] >= done),
        "served_again_s": _rel(min((r["end"] for r in ok_after), default=None), at),
        "all_ok_after_s": 0.0 if last_bad_start is None else max(0.0, round(last_bad_start - at, 3)),
        "longest_after_s": round(max((r["end"] - r["start"] for r in after), default=0.0), 3),
        "statuses": statuses,
        "errors": sorted({"%s %s" % (r["status"], (r["error"] or "")[:100]) for r in failed})[:5],
    }


def phase_figures(requests, start, end, path=None):
    """Requests that started in [start, end): count, statuses, slowest answer and latest answer (epoch)."""
    reqs = [r for r in requests if start <= r["start"] < end and (path is None or r["path"] == path)]
    statuses = {}
    for r in reqs:
        statuses[str(r["status"])] = statuses.get(str(r["status"]), 0) + 1
    return {
        "requests": len(reqs),
        "statuses": statuses,
        "slowest_s": round(max((r["end"] - r["start"] for r in reqs), default=0.0), 3),
        "last_answer": max((r["end"] for r in reqs), default=None),
    }


if __name__ == "__main__":
    main()
