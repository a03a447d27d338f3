#!/usr/bin/env bash
# Build the local test base images modwsgi-django-base:{bookworm,trixie} without a registry:
# debootstrap -> docker import -> docker build (python3, python3-apt, CA certificates, tini).
# An image is rebuilt only when its recipe (Dockerfile, sources, host CAs) changes.
# Usage: scripts/build-images.sh [bookworm] [trixie] [bookworm-py313]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
imgdir=$here/molecule/shared/image
mirror=${MODWSGI_DEBIAN_MIRROR:-http://deb.debian.org/debian}
dists=()
want_py313=0
for arg in "$@"; do
  if [ "$arg" = bookworm-py313 ]; then
    want_py313=1
  else
    dists+=("$arg")
  fi
done
[ ${#dists[@]} -gt 0 ] || [ "$want_py313" = 1 ] || dists=(bookworm trixie)
[ "$want_py313" = 0 ] || [[ " ${dists[*]} " == *" bookworm "* ]] || dists+=(bookworm)
"$here/scripts/ensure-docker.sh"

sources_for() {
  case $1 in
    bookworm) printf 'deb %s bookworm main\ndeb %s bookworm-updates main\ndeb http://deb.debian.org/debian-security bookworm-security main\n' "$mirror" "$mirror" ;;
    trixie) printf 'deb %s trixie main\ndeb %s trixie-updates main\ndeb http://deb.debian.org/debian-security trixie-security main\n' "$mirror" "$mirror" ;;
    *) echo "unknown dist $1" >&2; return 1 ;;
  esac
}

for dist in "${dists[@]}"; do
  start=$(date +%s)
  ctx=$(mktemp -d)
  trap 'rm -rf "$ctx"' EXIT
  mkdir -p "$ctx/ca"
  cp "$imgdir/Dockerfile" "$ctx/"
  sources_for "$dist" >"$ctx/sources.list"
  for crt in /usr/local/share/ca-certificates/*.crt; do
    [ -e "$crt" ] && cp "$crt" "$ctx/ca/"
  done
  recipe=$( (cd "$ctx" && find . -type f -print0 | sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-16)
  tag=modwsgi-django-base:$dist
  have=$(docker image inspect -f '{{ index .Config.Labels "modwsgi.recipe" }}' "$tag" 2>/dev/null || true)
  if [ "$have" = "$recipe" ]; then
    echo "$tag is current (recipe $recipe)"
    rm -rf "$ctx"; trap - EXIT
    continue
  fi
  rootfs_tag=modwsgi-django-rootfs:$dist
  base=""
  case $dist in bookworm) reg=debian:12 ;; trixie) reg=debian:13 ;; esac
  if docker image inspect "$rootfs_tag" >/dev/null 2>&1; then
    base=$rootfs_tag
  elif timeout 25 docker pull -q "$reg" >/dev/null 2>&1; then
    echo "pulled $reg from a registry"
    base=$reg
  else
    echo "no registry answered; debootstrap $dist from $mirror"
    root=$(mktemp -d)
    debootstrap --variant=minbase "$dist" "$root" "$mirror" >"$ctx/debootstrap.log" 2>&1 \
      || { tail -n 30 "$ctx/debootstrap.log" >&2; exit 1; }
    tar -C "$root" -c . | docker import - "$rootfs_tag" >/dev/null
    rm -rf "$root"
    base=$rootfs_tag
  fi
  docker build -q --build-arg "BASE=$base" --label "modwsgi.recipe=$recipe" -t "$tag" "$ctx" >/dev/null
  echo "built $tag (recipe $recipe) in $(( $(date +%s) - start )) s"
  rm -rf "$ctx"; trap - EXIT
done

# bookworm-py313 (only when asked for, by the newpython scenario): the bookworm image plus CPython 3.13
# built from Debian's source package (molecule/shared/image/python313/Dockerfile). ~6 min on 2 idle cores.
build_py313() {
  local start recipe have tag=modwsgi-django-base:bookworm-py313 base_id
  start=$(date +%s)
  base_id=$(docker image inspect -f '{{ .Id }}' modwsgi-django-base:bookworm)
  recipe=$( (sha256sum "$imgdir/python313/Dockerfile"; echo "$base_id") | sha256sum | cut -c1-16)
  have=$(docker image inspect -f '{{ index .Config.Labels "modwsgi.recipe" }}' "$tag" 2>/dev/null || true)
  if [ "$have" = "$recipe" ]; then
    echo "$tag is current (recipe $recipe)"
    return
  fi
  docker build -q --build-arg BASE=modwsgi-django-base:bookworm --label "modwsgi.recipe=$recipe" -t "$tag" \
    "$imgdir/python313" >/dev/null
  echo "built $tag (recipe $recipe) in $(( $(date +%s) - start )) s"
}
if [ "${want_py313:-0}" = 1 ]; then
  build_py313
fi
