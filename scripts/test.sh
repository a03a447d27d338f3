#!/usr/bin/env bash
# The collection's test entry point (`make test`, .ci/run).
#
#   scripts/test.sh [stage...]        stages: lint sanity unit docs ee molecule  (default: all, in that order)
#   scripts/test.sh molecule:default  one molecule scenario (repeatable)
#
# Runs scripts/bootstrap.sh first, then every stage even when an earlier one failed. Each stage
# (and each molecule scenario) logs to .cache/logs/<name>.log; a failed one prints its log's tail.
# Ends with a summary table and the line "N passed, N failed"; exits non-zero when anything failed.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here" || exit 2

all_stages=(lint sanity unit docs ee molecule)
# Fixed scenario order; any other scenario directory runs after these, alphabetically.
scenario_order=(default prefork worker mass_hosting trixie validation realworld redeploy hardening fleet)
tail_lines=${MODWSGI_LOG_TAIL:-60}
logdir=$here/.cache/logs
mkdir -p "$logdir"

stages=()
scenarios=()
for arg in "$@"; do
  case $arg in
    lint | sanity | unit | docs | ee | molecule) stages+=("$arg") ;;
    molecule:*)
      IFS=', ' read -r -a names <<<"${arg#molecule:}"
      for name in "${names[@]}"; do [ -n "$name" ] && scenarios+=("$name"); done
      [[ " ${stages[*]} " == *" molecule "* ]] || stages+=(molecule)
      ;;
    -h | --help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "test.sh: unknown stage '$arg' (stages: ${all_stages[*]}, molecule:<scenario>)" >&2; exit 2 ;;
  esac
done
if [ ${#stages[@]} -eq 0 ]; then
  stages=("${all_stages[@]}")
else  # always the canonical order (cheap stages first), each stage once
  requested=" ${stages[*]} "
  stages=()
  for stage in "${all_stages[@]}"; do [[ $requested == *" $stage "* ]] && stages+=("$stage"); done
fi

names_=() results_=() times_=()
record() { names_+=("$1"); results_+=("$2"); times_+=("$3"); }

fmt_time() { printf '%d:%02d' $(($1 / 60)) $(($1 % 60)); }

# run_step NAME COMMAND...: run with output to .cache/logs/NAME.log, time it, record the result.
run_step() {
  local name=$1; shift
  local log=$logdir/${name//\//-}.log start rc secs
  printf '==> %-22s ' "$name"
  start=$(date +%s)
  "$@" >"$log" 2>&1
  rc=$?
  secs=$(( $(date +%s) - start ))
  if [ $rc -eq 0 ]; then
    printf 'ok    %s\n' "$(fmt_time $secs)"
    record "$name" PASS "$secs"
  elif [ $rc -eq 77 ]; then
    printf 'skip  %s  (%s)\n' "$(fmt_time $secs)" "$(tail -n 1 "$log")"
    record "$name" SKIP "$secs"
  else
    printf 'FAIL  %s  (rc %d, log %s)\n' "$(fmt_time $secs)" "$rc" "${log#"$here"/}"
    echo "---- last $tail_lines lines of ${log#"$here"/} ----"
    tail -n "$tail_lines" "$log"
    echo "---- end of ${log#"$here"/} ----"
    record "$name" FAIL "$secs"
  fi
  return $rc
}

# --- stages ---------------------------------------------------------------------------------------
stage_lint() {
  local rc=0
  echo "+ yamllint -s ."
  yamllint -s . || rc=1
  echo "+ ansible-lint --profile production"
  ansible-lint --profile production || rc=1
  return $rc
}

# ansible-test fetches a get-pip bootstrap script from a host these machines cannot reach. Install
# a stand-in at the cache path it checks first (one per pip version ansible-test pins): it bootstraps
# pip with ensurepip, then runs `pip install` with the arguments it was given.
install_get_pip_standins() {
  local at versions ver path
  at=$(python -c 'import ansible_test, os; print(os.path.dirname(ansible_test.__file__))') || return 1
  versions=$(grep -rhoE "pip=['\"][0-9][0-9.]*['\"]" "$at/_internal/python_requirements.py" | grep -oE "[0-9][0-9.]*[0-9]" | sort -u)
  [ -n "$versions" ] || { echo "cannot find the pip version(s) ansible-test pins in $at" >&2; return 1; }
  mkdir -p "$HOME/.ansible/test/cache"
  for ver in $versions; do
    path=$HOME/.ansible/test/cache/get_pip_${ver//./_}.py
    [ -e "$path" ] && ! grep -q "modwsgi.django stand-in" "$path" && continue   # a real get-pip: keep it
    cat >"$path" <<'EOF'
"""modwsgi.django stand-in for get-pip.py (written by scripts/test.sh).

ansible-test runs this with pip-install arguments to put pip into a fresh virtual environment.
The real script cannot be downloaded here, so: bootstrap pip with ensurepip, then pip install.
"""
import ensurepip
import subprocess
import sys

ensurepip.bootstrap(upgrade=True)
ARGS = [arg for arg in sys.argv[1:] if arg not in ("--no-setuptools", "--no-wheel")]
sys.exit(subprocess.call([sys.executable, "-m", "pip", "install"] + ARGS))
EOF
    echo "get-pip stand-in for pip $ver: $path"
  done
}

stage_sanity() {
  local dest=$here/.cache/sanity/ansible_collections/modwsgi/django pyver ignore
  for ignore in tests/sanity/ignore-*.txt; do
    if [ -s "$ignore" ]; then
      echo "$ignore is not empty: fix the findings instead of ignoring them" >&2
      return 1
    fi
  done
  install_get_pip_standins || return 1
  rm -rf "$dest"
  mkdir -p "$dest"
  echo "+ copy git ls-files -co --exclude-standard to ${dest#"$here"/}"
  git ls-files -z -co --exclude-standard \
    | rsync -a --from0 --files-from=- --ignore-missing-args ./ "$dest/" || return 1
  # ansible-test lists files with git from the nearest .git upwards; the copy sits in an ignored
  # directory of this checkout, so give it its own (empty) repository: every file counts, untracked.
  git -C "$dest" init -q || return 1
  pyver=$(python -c 'import sys; print("%d.%d" % sys.version_info[:2])')
  echo "+ ansible-test sanity --local --requirements --python $pyver"
  (cd "$dest" && ansible-test sanity --local --requirements --python "$pyver")
}

stage_unit() {
  # The tests import the checkout as ansible_collections.modwsgi.django: tests/unit/conftest.py
  # arranges that, and .cache/collections (made by scripts/env.sh) provides it as well.
  echo "+ PYTHONPATH=.cache/collections pytest tests/unit -q"
  PYTHONPATH=$here/.cache/collections${PYTHONPATH:+:$PYTHONPATH} pytest tests/unit -q
}

stage_docs() {
  if [ -x scripts/check-docs.sh ]; then
    scripts/check-docs.sh
  elif [ -f scripts/check-docs.sh ]; then
    bash scripts/check-docs.sh
  else
    echo "no scripts/check-docs.sh yet"
    return 77
  fi
}

# The execution environment (execution-environment.yml): built locally with ansible-builder on the
# local base image, then it runs the demo deploy and the verify playbook over SSH (scripts/ee.sh).
stage_ee() {
  scripts/ee.sh test
}

list_scenarios() {
  local name dir found=()
  for name in "${scenario_order[@]}"; do
    [ -f "molecule/$name/molecule.yml" ] && found+=("$name")
  done
  for dir in molecule/*/; do
    name=$(basename "$dir")
    [ "$name" = shared ] && continue
    [ -f "molecule/$name/molecule.yml" ] || continue
    [[ " ${found[*]} " == *" $name "* ]] || found+=("$name")
  done
  printf '%s\n' "${found[@]}"
}

run_molecule() {
  local list=("$@") name
  if [ ${#list[@]} -eq 0 ]; then
    mapfile -t list < <(list_scenarios)
  fi
  if [ ${#list[@]} -eq 0 ] || [ -z "${list[0]}" ]; then
    echo "==> molecule               no scenarios"
    return
  fi
  local start
  start=$(date +%s)
  for name in "${list[@]}"; do
    if [ ! -f "molecule/$name/molecule.yml" ]; then
      printf '==> %-22s FAIL  (no molecule/%s/molecule.yml)\n' "molecule/$name" "$name"
      record "molecule/$name" FAIL 0
      continue
    fi
    run_step "molecule/$name" molecule test -s "$name"
  done
  echo "    molecule total $(fmt_time $(( $(date +%s) - start )))"
}

# --- main -----------------------------------------------------------------------------------------
total_start=$(date +%s)
boot_args=()
[[ " ${stages[*]} " == *" molecule "* || " ${stages[*]} " == *" ee "* ]] || boot_args+=(--no-docker)
if ! run_step bootstrap scripts/bootstrap.sh "${boot_args[@]}"; then
  echo "bootstrap failed; running the stages anyway" >&2
else
  # bootstrap counts only when it fails
  unset 'names_[-1]' 'results_[-1]' 'times_[-1]'
fi
# shellcheck source=scripts/env.sh
source scripts/env.sh

for stage in "${stages[@]}"; do
  case $stage in
    molecule) run_molecule ${scenarios[@]+"${scenarios[@]}"} ;;
    *) run_step "$stage" "stage_$stage" ;;
  esac
done

passed=0 failed=0
echo
printf '%-24s %-6s %s\n' "stage" "result" "time"
printf '%-24s %-6s %s\n' "------------------------" "------" "-----"
for i in "${!names_[@]}"; do
  printf '%-24s %-6s %s\n' "${names_[$i]}" "${results_[$i]}" "$(fmt_time "${times_[$i]}")"
  case ${results_[$i]} in PASS) passed=$((passed + 1)) ;; FAIL) failed=$((failed + 1)) ;; esac
done
printf '%-24s %-6s %s\n' "total" "" "$(fmt_time $(( $(date +%s) - total_start )))"
echo "logs: .cache/logs/"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
