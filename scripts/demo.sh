#!/usr/bin/env bash
# `make demo`: deploy two sample Django sites (daemon mode, one at /, one at /blog) into a local
# container with its port published on 127.0.0.1 only, wait until they answer, print where.
# `make demo-clean` (scripts/demo.sh clean) removes the container.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
name=modwsgi-demo
port=${MODWSGI_DEMO_PORT:-8080}

if [ "${1:-}" = "clean" ]; then
  docker rm -f "$name" >/dev/null 2>&1 && echo "removed container $name" || echo "no container $name"
  exit 0
fi

"$here/scripts/bootstrap.sh"
# shellcheck source=scripts/env.sh
source "$here/scripts/env.sh"

if ! docker inspect "$name" >/dev/null 2>&1; then
  docker run -d --name "$name" --hostname "$name" -p "127.0.0.1:$port:80" modwsgi-django-base:bookworm >/dev/null
  echo "started container $name (127.0.0.1:$port -> 80)"
elif [ "$(docker inspect -f '{{.State.Running}}' "$name")" != true ]; then
  docker start "$name" >/dev/null
  docker exec "$name" service apache2 start >/dev/null 2>&1 || true
fi

start=$(date +%s)
ansible-playbook -i "$here/examples/demo/inventory.yml" modwsgi.django.deploy
echo "deploy took $(( $(date +%s) - start )) s"

for _ in $(seq 1 30); do
  curl -fsS "http://localhost:$port/healthz/" >/dev/null 2>&1 && curl -fsS "http://localhost:$port/blog/healthz/" >/dev/null 2>&1 && break
  sleep 1
done
summary() {
  curl -fsS "http://localhost:$port$1" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print("  %-28s site=%s group=%s user=%s multiprocess=%s multithread=%s" % (
    sys.argv[1], d["site"], d["mod_wsgi_process_group"], d["user"], d["wsgi_multiprocess"], d["wsgi_multithread"]))
' "http://localhost:$port$1"
}
echo
echo "Django sites answering (Apache $(docker exec "$name" apache2ctl -V 2>/dev/null | sed -n 's/^Server MPM: *//p') MPM, mod_wsgi daemon mode, blue/green groups):"
summary /
summary /blog/
docker exec "$name" sh -c 'grep -h "WSGIDaemonProcess" /etc/apache2/sites-available/modwsgi-*.conf' \
  | awk '{out = "  " $1 " " $2; for (i = 3; i <= NF; i++) if ($i ~ /^(processes|threads)=/) out = out " " $i; print out}'
echo
echo "Open http://localhost:$port/ and http://localhost:$port/blog/ (admin: /blog/admin/). Remove with: make demo-clean"
