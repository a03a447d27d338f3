# shellcheck shell=bash
# Source me: puts the dev venv on PATH and makes this checkout importable as modwsgi.django.
MODWSGI_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export MODWSGI_ROOT
mkdir -p "$MODWSGI_ROOT/.cache/collections/ansible_collections/modwsgi"
ln -sfn "$MODWSGI_ROOT" "$MODWSGI_ROOT/.cache/collections/ansible_collections/modwsgi/django"
export ANSIBLE_COLLECTIONS_PATH="$MODWSGI_ROOT/.cache/collections"
export PATH="$MODWSGI_ROOT/.venv/bin:$PATH"
export ANSIBLE_FORCE_COLOR=0 PY_COLORS=0 ANSIBLE_NOCOLOR=1
export ANSIBLE_DEPRECATION_WARNINGS=false
export ANSIBLE_PIPELINING=True
