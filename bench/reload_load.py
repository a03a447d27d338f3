"""Bounded load for the reload benchmark (bench/reload.py); runs INSIDE the container, stdlib only.

Extends molecule/shared/files/loadgen.py (same request record) with what the benchmark needs:

- fast GETs of / from --threads threads, paced to at most one request per --interval seconds per
  thread (steady, not a saturating closed loop: the box has 2 cores and runs other jobs);
- --slow requests of /slow/?s=--slow-seconds, started either --slow-after seconds after the start,
  or (with --trigger-links) as soon as one of the given symlinks changes target (the collection's
  deploy repointing the idle color);
- the switch: --switch-cmd run through /bin/sh at --switch-at seconds (its start/end recorded), or
  the trigger above;
- the load stops --after seconds after the switch (or at --max-seconds without one), then waits for
  the slow requests;
- a sampler every --sample seconds: RSS and pids of the wsgi daemon processes whose title starts
  with each --group prefix (read from /proc, what `ps -o rss` shows), and the load average.

Writes one JSON file (--out, atomically): requests, samples, switch/trigger times, settings.
Loads only 127.0.0.1.
"""

import argparse
import http.client
import json
import os
import subprocess
import threading
import time


def request(host, path, timeout):
    start = time.time()
    conn = http.client.HTTPConnection("127.0.0.1", 80, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Host": host, "User-Agent": "modwsgi-reload-bench"})
        resp = conn.getresponse()
        body = resp.read()
        status = resp.status
        try:
            data = json.loads(body)
        except ValueError:
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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", required=True)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--interval", type=float, default=0.05)
    parser.add_argument("--fast-timeout", type=float, default=60)
    parser.add_argument("--slow", type=int, default=12)
    parser.add_argument("--slow-seconds", type=float, default=10)
    parser.add_argument("--slow-after", type=float, default=1)
    parser.add_argument("--switch-at", type=float, default=2)
    parser.add_argument("--switch-cmd")
    parser.add_argument("--trigger-links", nargs="*", default=[])
    parser.add_argument("--after", type=float, default=25)
    parser.add_argument("--max-seconds", type=float, default=300)
    parser.add_argument("--group", action="append", default=[])
    parser.add_argument("--sample", type=float, default=0.2)
    parser.add_argument("--max-requests", type=int, default=100000)
    parser.add_argument("--ready-file")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    t0 = time.time()
    hard_end = t0 + min(args.max_seconds, 600)
    state = {
        "stop_at": hard_end,
        "switch": None,
        "switch_end": None,
        "switch_rc": None,
        "switch_output": "",
        "trigger": None,
        "trigger_link": None,
        "slow_started": None,
    }
    results, samples, lock = [], [], threading.Lock()
    stop = threading.Event()
    slow_go = threading.Event()

    def running():
        return time.time() < state["stop_at"] and not stop.is_set()

    def fast():
        next_at = time.time()
        while running():
            delay = next_at - time.time()
            if delay > 0:
                time.sleep(delay)
            next_at = time.time() + args.interval
            r = request(args.host, "/", args.fast_timeout)
            with lock:
                if len(results) >= args.max_requests:
                    return
                results.append(r)

    def slow():
        slow_go.wait()
        r = request(args.host, "/slow/?s=%g" % args.slow_seconds, args.slow_seconds + 30)
        with lock:
            results.append(r)

    def sampler():
        while running() or any(t.is_alive() for t in slow_threads):
            now = time.time()
            found = wsgi_rss(args.group)
            try:
                with open("/proc/loadavg") as handle:
                    load1 = float(handle.read().split()[0])
            except (OSError, ValueError):
                load1 = None
            samples.append(
                {
                    "t": now,
                    "load1": load1,
                    "groups": {
                        g: {"pids": [p for p, _unused1 in v], "rss_kb": sum(r for _unused2, r in v)} for g, v in found.items()
                    },
                }
            )
            time.sleep(max(0.0, args.sample - (time.time() - now)))
            if time.time() > hard_end + args.slow_seconds + 40:
                return

    def switch_at(when):
        state["switch"] = when
        state["stop_at"] = min(hard_end, when + args.after)

    def driver():
        if args.trigger_links:
            before = {p: os.readlink(p) for p in args.trigger_links}
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
                        state.update(trigger=now, trigger_link="%s -> %s" % (path, target), slow_started=now)
                        slow_go.set()
                        switch_at(now)
                        return
                time.sleep(0.01)
            return
        if args.ready_file:
            open(args.ready_file, "w").close()
        time.sleep(max(0.0, t0 + args.slow_after - time.time()))
        state["slow_started"] = time.time()
        slow_go.set()
        time.sleep(max(0.0, t0 + args.switch_at - time.time()))
        if args.switch_cmd:
            start = time.time()
            switch_at(start)
            proc = subprocess.run(
                ["/bin/sh", "-c", args.switch_cmd], capture_output=True, text=True, timeout=120, check=False
            )
            state.update(
                switch_end=time.time(), switch_rc=proc.returncode, switch_output=(proc.stdout + proc.stderr)[-2000:]
            )
        else:
            switch_at(time.time())

    slow_threads = [threading.Thread(target=slow) for _unused1 in range(args.slow)]
    threads = [threading.Thread(target=fast) for _unused1 in range(args.threads)]
    sampler_thread = threading.Thread(target=sampler)
    driver_thread = threading.Thread(target=driver)
    for t in slow_threads + threads + [sampler_thread, driver_thread]:
        t.start()
    driver_thread.join()
    for t in threads:
        t.join()
    slow_go.set()  # no trigger came: run the slow requests anyway so that every thread ends
    for t in slow_threads:
        t.join()
    stop.set()
    sampler_thread.join()
    report = {
        "t0": t0,
        "end": time.time(),
        "settings": vars(args),
        "state": state,
        "requests": results,
        "samples": samples,
    }
    with open(args.out + ".tmp", "w") as handle:
        json.dump(report, handle)
    os.rename(args.out + ".tmp", args.out)


if __name__ == "__main__":
    main()
