#!/usr/bin/env bash
# Installs what the tests need, idempotently:
#   - Python: a virtualenv in .venv with the pinned packages of requirements-test.txt
#     (dbt-core, dbt-duckdb, jsonschema, …), reinstalled only when that file changes;
#   - Node: `npm ci` in every folder holding a package-lock.json (outside
#     node_modules), rerun only when that lock file changes.
# Works on a fresh machine and in CI (CI=true, no stdin). Prints what it does.
set -euo pipefail
cd "$(dirname "$0")/.."

stamp_ok() { # file stamp → true when the stamp holds the file's current hash
  [ -f "$2" ] && [ "$(cat "$2")" = "$(sha256sum "$1" | cut -d' ' -f1)" ]
}
write_stamp() { sha256sum "$1" | cut -d' ' -f1 > "$2"; }

if [ -f requirements-test.txt ] && grep -qvE '^\s*(#|$)' requirements-test.txt; then
  if ! stamp_ok requirements-test.txt .venv/.requirements.sha256; then
    echo "setup: creating .venv from requirements-test.txt"
    python3 -m venv .venv
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-test.txt
    write_stamp requirements-test.txt .venv/.requirements.sha256
  else
    echo "setup: .venv is current"
  fi
fi

while IFS= read -r lock; do
  dir=$(dirname "$lock")
  if ! stamp_ok "$lock" "$dir/node_modules/.lock.sha256"; then
    echo "setup: npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    write_stamp "$lock" "$dir/node_modules/.lock.sha256"
  else
    echo "setup: $dir/node_modules is current"
  fi
done < <(find . -name package-lock.json -not -path '*/node_modules/*' -not -path './target/*' | sort)
