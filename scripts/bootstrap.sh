#!/usr/bin/env bash
# Idempotent development/CI set-up on a fresh Debian 12 machine that has only Python and apt:
#   1. Debian packages docker.io, debootstrap, rsync, make, git, and shellcheck for the sanity test
#      (apt-get only when one is missing)
#   2. .venv with the newest Python 3.13/3.12 found, requirements-dev.txt installed (stamped by sha256)
#   3. a running Docker engine and the molecule base images (skipped with --no-docker)
# Every step checks first and does nothing when it is already done, so a second run takes seconds.
# Usage: scripts/bootstrap.sh [--no-docker]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"

with_docker=1
for arg in "$@"; do
  case $arg in
    --no-docker) with_docker=0 ;;
    -h | --help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "bootstrap: unknown argument $arg" >&2; exit 2 ;;
  esac
done

say() { printf 'bootstrap: %s\n' "$*"; }
started=$(date +%s)

# --- 1. Debian packages -------------------------------------------------------------------------
# A package counts as present when dpkg has it installed or its command is already on PATH
# (e.g. Docker from docker-ce instead of Debian's docker.io).
declare -A command_of=([docker.io]=dockerd [debootstrap]=debootstrap [rsync]=rsync [make]=make [git]=git
  [shellcheck]=shellcheck)
missing=()
for pkg in docker.io debootstrap rsync make git shellcheck; do
  if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then continue; fi
  if PATH="$PATH:/usr/sbin:/sbin" command -v "${command_of[$pkg]}" >/dev/null 2>&1; then continue; fi
  missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "bootstrap: need root (or sudo) to install ${missing[*]}" >&2; exit 1; }
    sudo=(sudo)
  fi
  say "installing ${missing[*]}"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  say "Debian packages present"
fi

# --- 2. Python venv with the dev tools ----------------------------------------------------------
venv_ok() {
  [ -x .venv/bin/python ] && .venv/bin/python -c 'import sys; sys.exit(0 if sys.version_info[:2] >= (3, 12) else 1)' 2>/dev/null
}

find_python() {
  local candidate minor
  local pyenv_root=${PYENV_ROOT:-$HOME/.pyenv}
  for minor in 13 12; do
    # pyenv installs first (its shims fail when the version is not selected), newest patch first.
    for candidate in $(printf '%s\n' "$pyenv_root"/versions/3."$minor".*/bin/python \
        /root/.pyenv/versions/3."$minor".*/bin/python | sort -rVu); do
      [ -x "$candidate" ] || continue
      if "$candidate" -c 'import venv, ensurepip' >/dev/null 2>&1; then echo "$candidate"; return 0; fi
    done
    for candidate in "python3.$minor" "/usr/bin/python3.$minor" "/usr/local/bin/python3.$minor"; do
      if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import venv, ensurepip' >/dev/null 2>&1; then
        command -v "$candidate"; return 0
      fi
    done
  done
  return 1
}

if ! venv_ok; then
  python=$(find_python) || { echo "bootstrap: no Python 3.13 or 3.12 with venv/ensurepip found (pyenv or PATH)" >&2; exit 1; }
  say "creating .venv with $python ($("$python" -V 2>&1))"
  rm -rf .venv
  "$python" -m venv .venv
fi

stamp=.venv/.requirements-dev.sha256
want=$(sha256sum requirements-dev.txt | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null || true)" = "$want" ]; then
  say ".venv is current ($(.venv/bin/python -V 2>&1), requirements ${want:0:12})"
else
  say "installing requirements-dev.txt into .venv"
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements-dev.txt
  echo "$want" >"$stamp"
fi

# Make this checkout importable as modwsgi.django (.cache/collections) for ansible, pytest, molecule.
# shellcheck source=scripts/env.sh
source "$here/scripts/env.sh"

# --- 3. Docker engine and base images -----------------------------------------------------------
if [ "$with_docker" = 1 ]; then
  "$here/scripts/ensure-docker.sh"
  "$here/scripts/build-images.sh"
fi

say "done in $(( $(date +%s) - started )) s"
