#!/usr/bin/env bash
# The execution environment of execution-environment.yml, built and used without any registry.
#
#   scripts/ee.sh build   collection tarball (ansible-galaxy collection build) -> ansible-builder build
#                         on the local base image -> image modwsgi-django-ee:local
#   scripts/ee.sh demo    the demo deploy (examples/demo/inventory.yml), run by the EE image as AWX
#                         would run it: ansible-playbook modwsgi.django.deploy over SSH into a fresh
#                         container modwsgi-ee-demo (network modwsgi-ee), then modwsgi.django.verify,
#                         then both demo sites are asked over HTTP from inside that container
#   scripts/ee.sh clean   remove the demo container, its network and key
#   scripts/ee.sh test    build, demo, clean (the `ee` stage of scripts/test.sh)
#
# Needs Docker and the base image (scripts/bootstrap.sh makes both). The demo container gets
# openssh-server from Debian's archive; nothing is published on a host port.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
# shellcheck source=scripts/env.sh
source "$here/scripts/env.sh"

image=modwsgi-django-ee:local
target=modwsgi-ee-demo
network=modwsgi-ee
work=$here/.cache/ee

timed() {  # timed LABEL COMMAND...: run, then print how long it took
  local label=$1 start rc=0
  shift
  start=$(date +%s)
  "$@" || rc=$?
  echo "ee: $label: $(( $(date +%s) - start )) s (rc $rc)"
  return $rc
}

build() {
  "$here/scripts/build-images.sh" bookworm
  rm -rf "$work/collections" "$work/build" "$work/context"
  mkdir -p "$work/collections" "$work/build"
  ansible-galaxy collection build --force --output-path "$work/build" .
  cp "$work/build"/modwsgi-django-*.tar.gz "$work/collections/modwsgi-django.tar.gz"
  ansible-builder build -f execution-environment.yml -c "$work/context" --container-runtime docker -t "$image" -v 2
  # The image runs the collection's own copy, from the tarball.
  docker run --rm "$image" ansible-doc -t role modwsgi.django.django_site | grep -q 'modwsgi.django.django_site'
  docker run --rm "$image" ansible-galaxy collection list modwsgi.django
}

clean() {
  docker rm -f "$target" >/dev/null 2>&1 || true
  docker network rm "$network" >/dev/null 2>&1 || true
  rm -rf "$work/ssh"
}

start_target() {
  clean
  docker network create "$network" >/dev/null
  docker run -d --name "$target" --hostname "$target" --network "$network" modwsgi-django-base:bookworm >/dev/null
  mkdir -p "$work/ssh"
  ssh-keygen -q -t ed25519 -N '' -C modwsgi-ee-demo -f "$work/ssh/id_ed25519"
  docker exec "$target" sh -c 'apt-get update -qq && apt-get install -y -qq openssh-server >/dev/null \
    && mkdir -p /root/.ssh /run/sshd && chmod 700 /root/.ssh && service ssh start >/dev/null'
  docker cp "$work/ssh/id_ed25519.pub" "$target:/root/.ssh/authorized_keys"
  docker exec "$target" sh -c 'chown root:root /root/.ssh/authorized_keys && chmod 600 /root/.ssh/authorized_keys'
}

# in_ee PLAYBOOK [ARGS...]: ansible-playbook inside the EE image, against the demo inventory over SSH.
# The SSH settings are a second inventory source (host vars of modwsgi-demo, loaded last): as extra
# vars they would also apply to the tasks the roles delegate to the controller (localhost).
in_ee() {
  local address
  address=$(docker inspect -f "{{ (index .NetworkSettings.Networks \"$network\").IPAddress }}" "$target")
  cat >"$work/ssh/inventory.yml" <<EOF
all:
  hosts:
    modwsgi-demo:
      ansible_connection: ssh
      ansible_host: $address
      ansible_user: root
      ansible_ssh_private_key_file: /runner/ssh/id_ed25519
      ansible_ssh_common_args: -o UserKnownHostsFile=/dev/null -o StrictHostKeyChecking=no
EOF
  # The EE runs as uid 1000: it must own the key it is given.
  chown -R 1000 "$work/ssh"
  docker run --rm --network "$network" \
    -v "$here:/runner/project:ro" -v "$work/ssh:/runner/ssh:ro" \
    -e MODWSGI_ROOT=/runner/project -e ANSIBLE_FORCE_COLOR=0 -e ANSIBLE_PIPELINING=True \
    "$image" ansible-playbook -i /runner/project/examples/demo/inventory.yml -i /runner/ssh/inventory.yml "$@"
}

demo() {
  docker image inspect "$image" >/dev/null 2>&1 || { echo "ee: no image $image: run scripts/ee.sh build" >&2; return 1; }
  timed "demo target with sshd" start_target
  timed "modwsgi.django.deploy in the EE" in_ee modwsgi.django.deploy
  timed "modwsgi.django.verify in the EE" in_ee modwsgi.django.verify
  local path body
  for path in / /blog/; do
    body=$(docker exec "$target" curl -fsS --max-time 20 "http://localhost$path")
    echo "ee: GET $path -> $body" | cut -c1-200
    case $path in
      /) grep -q '"site": "shop"' <<<"$body" ;;
      /blog/) grep -q '"site": "blog"' <<<"$body" && grep -q '"script_name": "/blog"' <<<"$body" ;;
    esac
  done
  echo "ee: the demo deploy ran in $image"
}

case ${1:-} in
  build) timed "build $image" build ;;
  demo) demo ;;
  clean) clean ;;
  test)
    rc=0
    timed "build $image" build && demo || rc=$?
    clean
    exit $rc
    ;;
  *) sed -n '2,14p' "$0"; exit 2 ;;
esac
