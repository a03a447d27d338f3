#!/usr/bin/env bash
# `make bench`: the serve and converge benchmarks (issue 7), results in bench/results/<date>-*.
#
#   scripts/bench.sh [serve|converge|reload|validate|noop|speed|faults]...   default: serve converge reload speed
#
#   serve     bench/serve.py: the collection's default site vs nginx -> gunicorn gthread, bare
#             gunicorn gthread and mod_wsgi-express, a trivial and a realistic view, c16 and c64,
#             3 interleaved rounds in one Debian 12 container (~25 min on 2 cores)
#   converge  bench/converge.py: provisioning floor, first converge, no-op reruns at 1/10/50 sites,
#             adding a site (bounded to ~40 min: falls back to 1/10/25, 1/5/10 or 1/3/5 sites when
#             the projection from the first runs does not fit, and says so in the results)
#   reload    bench/reload.py: the collection's blue/green deploy vs SIGUSR1, graceful, touching the
#             script and restart, under the same load (~10 min)
#   validate  bench/validate_sites_bench.py (validate_sites rules at 1/50/500 sites, seconds)
#   noop      bench/noop_compare.py: a no-op converge at 50 sites, BEFORE (a git ref) vs AFTER (HEAD),
#             interleaved in one run (~20 min); refs in MODWSGI_BENCH_NOOP_ARGS ("--before REF")
#   speed     bench/speed.py: deploy speed before (a git ref) vs after (HEAD), interleaved rounds: no-op at 1 and
#             50 sites, seconds until new code is served, until old code is served after a rollback, first
#             converge against the provisioning floor (~40 min); args in MODWSGI_BENCH_SPEED_ARGS
#   faults    bench/faults.py: killed daemons, a full queue, broken releases and configuration broken by
#             hand, each under load, 3 interleaved rounds (~25 min); MODWSGI_BENCH_FAULTS_ARGS
#
# Runs scripts/bootstrap.sh first (venv, Docker, base images), installs bench/requirements.txt
# (matplotlib, for the PNG; the benchmarks run without it). Containers are named modwsgi-bench-*
# and removed afterwards. Extra arguments for the scripts: MODWSGI_BENCH_SERVE_ARGS,
# MODWSGI_BENCH_CONVERGE_ARGS (e.g. "--plans 10:25 --no-adapt"), MODWSGI_BENCH_NOOP_ARGS,
# MODWSGI_BENCH_SPEED_ARGS, MODWSGI_BENCH_FAULTS_ARGS (e.g. "--rounds 5 --only kill_one,kill_all").
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"

suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(serve converge reload speed)
for suite in "${suites[@]}"; do
  case $suite in
    serve | converge | reload | validate | noop | speed | faults) ;;
    -h | --help) sed -n '2,27p' "$0"; exit 0 ;;
    *) echo "bench.sh: unknown suite '$suite' (serve, converge, reload, validate, noop, speed, faults)" >&2; exit 2 ;;
  esac
done

started=$(date +%s)
"$here/scripts/bootstrap.sh"
# shellcheck source=scripts/env.sh
source "$here/scripts/env.sh"

stamp=.venv/.bench-requirements.sha256
want=$(sha256sum bench/requirements.txt | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
  echo "bench: installing bench/requirements.txt into .venv"
  if python -m pip install -q --disable-pip-version-check -r bench/requirements.txt; then
    echo "$want" >"$stamp"
  else
    echo "bench: matplotlib could not be installed; the serve bench will skip its PNG" >&2
  fi
fi

mkdir -p bench/tmp bench/results
read -r -a serve_args <<<"${MODWSGI_BENCH_SERVE_ARGS:-}"
read -r -a converge_args <<<"${MODWSGI_BENCH_CONVERGE_ARGS:-}"
read -r -a noop_args <<<"${MODWSGI_BENCH_NOOP_ARGS:-}"
read -r -a speed_args <<<"${MODWSGI_BENCH_SPEED_ARGS:-}"
read -r -a faults_args <<<"${MODWSGI_BENCH_FAULTS_ARGS:-}"
status=0
for suite in "${suites[@]}"; do
  t0=$(date +%s)
  echo "bench: == $suite =="
  case $suite in
    serve) python bench/serve.py "${serve_args[@]}" || status=1 ;;
    converge) python bench/converge.py "${converge_args[@]}" || status=1 ;;
    reload) python bench/reload.py --append || status=1 ;;
    validate) python bench/validate_sites_bench.py || status=1 ;;
    noop) python bench/noop_compare.py "${noop_args[@]}" || status=1 ;;
    speed) python bench/speed.py "${speed_args[@]}" || status=1 ;;
    faults) python bench/faults.py "${faults_args[@]}" || status=1 ;;
  esac
  echo "bench: $suite took $(( $(date +%s) - t0 )) s"
done
echo "bench: done in $(( $(date +%s) - started )) s (results: bench/results/)"
exit $status
