"""Sample HAProxy's view of each server (status: UP, DRAIN, MAINT, DOWN) through its runtime API.

Runs on the balancer, bounded: every --every seconds until --stop-file appears or --seconds pass.
Writes JSON lines {"t": time, "servers": {name: status}} to --out. Stdlib only.
"""

import argparse
import json
import os
import socket
import time


def show_stat(sock_path, backend):
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.settimeout(2)
    try:
        conn.connect(sock_path)
        conn.sendall(("show stat %s 4 -1\n" % backend).encode())
        data = b""
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                break
            data += chunk
    finally:
        conn.close()
    lines = data.decode("utf-8", "replace").splitlines()
    header = lines[0].lstrip("# ").split(",") if lines else []
    status = header.index("status") if "status" in header else 17
    return {row[1]: row[status] for row in (line.split(",") for line in lines[1:] if line) if len(row) > status}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--socket", default="/run/haproxy/admin.sock")
    parser.add_argument("--backend", default="web")
    parser.add_argument("--every", type=float, default=0.25)
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--stop-file", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    deadline = time.time() + min(args.seconds, 600)
    with open(args.out + ".tmp", "w") as handle:
        while time.time() < deadline and not os.path.exists(args.stop_file):
            now = time.time()
            try:
                servers = show_stat(args.socket, args.backend)
            except OSError as exc:
                servers = {"error": str(exc)}
            handle.write(json.dumps({"t": now, "servers": servers}) + "\n")
            handle.flush()
            time.sleep(max(0.0, args.every - (time.time() - now)))
    os.rename(args.out + ".tmp", args.out)


if __name__ == "__main__":
    main()
