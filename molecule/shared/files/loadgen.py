"""Bounded load against 127.0.0.1 for the redeploy tests (runs inside the test container).

Steady fast requests from N threads for --seconds, plus --slow requests of --slow-seconds each,
started after --slow-after seconds. Writes a JSON report: every request's start/end time,
status and the code_version / release and host (node) that answered.
"""

import argparse
import http.client
import json
import os
import threading
import time


def request(host, path, timeout):
    start = time.time()
    conn = http.client.HTTPConnection("127.0.0.1", 80, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Host": host})
        resp = conn.getresponse()
        body = resp.read()
        status = resp.status
        try:
            data = json.loads(body)
        except ValueError:
            data = {}
    except (OSError, http.client.HTTPException) as exc:
        status, data = 0, {"error": str(exc)}
    finally:
        conn.close()
    return {"path": path, "start": start, "end": time.time(), "status": status,
            "code_version": data.get("code_version"), "node": data.get("node"), "error": data.get("error")}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", required=True)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--interval", type=float, default=0,
                        help="pace each fast thread to at most one request per INTERVAL seconds (0: back to back)")
    parser.add_argument("--slow", type=int, default=12)
    parser.add_argument("--slow-seconds", type=float, default=10)
    parser.add_argument("--slow-after", type=float, default=1)
    parser.add_argument("--max-requests", type=int, default=200000)
    parser.add_argument("--out", required=True)
    parser.add_argument("--stop-file", help="end the fast requests --tail seconds after this file appears")
    parser.add_argument("--tail", type=float, default=3)
    parser.add_argument("--slow-loop", action="store_true",
                        help="each slow thread issues slow requests back to back while the load runs")
    args = parser.parse_args()
    results, lock = [], threading.Lock()
    deadline = time.time() + min(args.seconds, 300)
    stop = {"at": None}

    def running():
        now = time.time()
        if args.stop_file and stop["at"] is None and os.path.exists(args.stop_file):
            stop["at"] = now + args.tail
        return now < deadline and (stop["at"] is None or now < stop["at"])

    def fast():
        next_at = time.time()
        while running():
            delay = next_at - time.time()
            if delay > 0:
                time.sleep(delay)
            next_at = time.time() + args.interval
            r = request(args.host, "/", 10)
            with lock:
                if len(results) >= args.max_requests:
                    return
                results.append(r)

    def slow():
        time.sleep(args.slow_after)
        while True:
            r = request(args.host, "/slow/?s=%g" % args.slow_seconds, args.slow_seconds + 30)
            with lock:
                results.append(r)
            if not (args.slow_loop and running()):
                return

    threads = [threading.Thread(target=fast) for _i in range(args.threads)]
    threads += [threading.Thread(target=slow) for _i in range(args.slow)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with open(args.out + ".tmp", "w") as handle:
        json.dump(results, handle)
    os.rename(args.out + ".tmp", args.out)


if __name__ == "__main__":
    main()
