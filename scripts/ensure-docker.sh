#!/usr/bin/env bash
# Start a Docker engine when none answers (CI machines have no init system running one).
set -euo pipefail
if docker info >/dev/null 2>&1; then exit 0; fi
command -v dockerd >/dev/null || { echo "dockerd not installed (apt-get install docker.io)" >&2; exit 1; }
log=${TMPDIR:-/tmp}/modwsgi-django-dockerd.log
echo "starting dockerd (log: $log)"
nohup dockerd >"$log" 2>&1 &
for _ in $(seq 1 60); do
  docker info >/dev/null 2>&1 && exit 0
  sleep 1
done
echo "dockerd did not come up in 60 s; see $log" >&2
tail -n 20 "$log" >&2
exit 1
