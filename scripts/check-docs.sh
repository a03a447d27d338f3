#!/usr/bin/env bash
# Documentation checks (`make docs`, the `docs` stage of scripts/test.sh):
#   0. the files scripts/gen-schema-docs.py generates from plugins/module_utils/_layout/schema.py are
#      up to date (the modwsgi_sites options of roles/django_site/meta/argument_specs.yml,
#      plugins/doc_fragments/site.py, the input table of docs/dev/contract.md)
#   1. docs/variables.md is what scripts/gen-varref.py makes of roles/*/meta/argument_specs.yml
#   2. relative links in README.md and docs/*.md point at files that exist, and so does every
#      repository path they name (roles/..., plugins/..., bench/..., scripts/..., molecule/..., ...)
#   3. yamllint -s examples changelogs; antsibull-changelog lint
#   4. every examples/*/inventory.yml passes modwsgi.django.validate_sites on paper
#      (examples/validate.yml) and `ansible-playbook --syntax-check modwsgi.django.deploy`
#   5. ansible-doc renders every module, filter and role of the collection
#   6. README.md lists every module and filter; meta/runtime.yml's action group lists every module
# Runs every check, prints what failed, exits non-zero when anything did.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here" || exit 2
# shellcheck source=scripts/env.sh
source "$here/scripts/env.sh"

failures=()
fail() { failures+=("$1"); echo "FAIL: $1" >&2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run NAME COMMAND...: quiet on success, the command's output on failure.
run() {
  local name=$1; shift
  if "$@" >"$tmp/out" 2>&1; then
    echo "ok    $name"
  else
    cat "$tmp/out" >&2
    fail "$name"
  fi
}

# --- 0. generated from schema.py -------------------------------------------------------------------
run "generated from plugins/module_utils/_layout/schema.py are up to date (scripts/gen-schema-docs.py --check)" \
  python scripts/gen-schema-docs.py --check

# --- 1. variables reference ---------------------------------------------------------------------
if python scripts/gen-varref.py -o "$tmp/variables.md" 2>"$tmp/gen.err"; then
  sed 's/^/      /' "$tmp/gen.err"
  if [ ! -f docs/variables.md ]; then
    fail "docs/variables.md does not exist: run 'python scripts/gen-varref.py' (with .venv/bin on PATH)"
  elif ! diff -u docs/variables.md "$tmp/variables.md" >"$tmp/varref.diff"; then
    head -n 60 "$tmp/varref.diff" >&2
    fail "docs/variables.md is stale (roles/*/meta/argument_specs.yml changed): run 'python scripts/gen-varref.py' and commit the result"
  else
    echo "ok    docs/variables.md is up to date"
  fi
else
  cat "$tmp/gen.err" >&2
  fail "scripts/gen-varref.py failed"
fi

# --- 2. relative links in the markdown ------------------------------------------------------------
link_check() {
  python - README.md docs/*.md examples/README.md <<'EOF'
import os, re, sys
bad = 0
for doc in sys.argv[1:]:
    if not os.path.exists(doc):
        print("%s: missing" % doc)
        bad += 1
        continue
    text = open(doc, encoding="utf-8").read()
    text = re.sub(r"```.*?```", "", text, flags=re.S)      # no links inside code blocks
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"^[a-z]+:", target) or target.startswith("#"):
            continue
        path = os.path.normpath(os.path.join(os.path.dirname(doc), target.split("#")[0]))
        if not os.path.exists(path):
            print("%s: broken link %s (%s does not exist)" % (doc, target, path))
            bad += 1
sys.exit(1 if bad else 0)
EOF
}
run "relative links in README.md, docs/*.md, examples/README.md" link_check
run "repository paths named in README.md, docs/*.md, docs/dev/*.md exist" \
  python scripts/check-doc-paths.py README.md docs/*.md docs/dev/*.md

# --- 3. YAML and changelog fragments ------------------------------------------------------------
run "yamllint -s examples changelogs" yamllint -s examples changelogs
run "antsibull-changelog lint" antsibull-changelog lint

# --- 4. examples ----------------------------------------------------------------------------------
for inventory in examples/*/inventory.yml; do
  run "validate_sites on paper: $inventory" ansible-playbook -i "$inventory" examples/validate.yml
  run "syntax-check modwsgi.django.deploy -i $inventory" \
    ansible-playbook -i "$inventory" modwsgi.django.deploy --syntax-check
done

# --- 5. ansible-doc -------------------------------------------------------------------------------
# ansible-doc exits 0 on some problems (it only warns about a plugin it cannot find): require the
# header naming the plugin too.
doc_check() {
  local type=$1 name=$2 header=$3
  ansible-doc -t "$type" "modwsgi.django.$name" >"$tmp/doc" 2>&1 || { cat "$tmp/doc"; return 1; }
  if grep -qE '^\[ERROR\]|^ERROR!|was not found' "$tmp/doc" || ! grep -q "$header" "$tmp/doc"; then
    cat "$tmp/doc"
    return 1
  fi
}
for file in plugins/modules/*.py; do
  name=$(basename "$file" .py)
  run "ansible-doc -t module modwsgi.django.$name" doc_check module "$name" "modwsgi.django.$name"
done
for file in plugins/filter/*.py; do
  [ -e "$file" ] || continue
  name=$(basename "$file" .py)
  run "ansible-doc -t filter modwsgi.django.$name" doc_check filter "$name" "modwsgi.django.$name"
done
for dir in roles/*/; do
  name=$(basename "$dir")
  if [ ! -f "$dir/meta/argument_specs.yml" ]; then
    fail "roles/$name/meta/argument_specs.yml is missing: the role has no variables reference and ansible-doc cannot show it"
    continue
  fi
  run "ansible-doc -t role modwsgi.django.$name" doc_check role "$name" "modwsgi.django.$name"
done

# --- 6. public surface -----------------------------------------------------------------------------
in_readme() { grep -qF "\`modwsgi.django.$1\`" README.md || { echo "README.md does not list modwsgi.django.$1"; return 1; }; }
in_action_group() {
  python - "$1" <<'EOF'
import sys, yaml
groups = yaml.safe_load(open("meta/runtime.yml"))["action_groups"]
if sys.argv[1] not in groups["django"]:
    sys.exit("meta/runtime.yml action_groups.django does not list " + sys.argv[1])
EOF
}
for file in plugins/modules/*.py plugins/filter/*.py; do
  [ -e "$file" ] || continue
  name=$(basename "$file" .py)
  run "README.md lists modwsgi.django.$name" in_readme "$name"
done
for file in plugins/modules/*.py; do
  name=$(basename "$file" .py)
  run "meta/runtime.yml action group lists $name" in_action_group "$name"
done

echo
if [ ${#failures[@]} -gt 0 ]; then
  echo "check-docs: ${#failures[@]} check(s) failed:"
  printf '  - %s\n' "${failures[@]}"
  exit 1
fi
echo "check-docs: all checks passed"
