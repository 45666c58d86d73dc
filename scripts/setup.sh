#!/usr/bin/env bash
# Installs what the tests need, idempotently:
#   - Python: a virtualenv in .venv with the pinned packages of requirements-test.txt
#     (dbt-core, dbt-duckdb, jsonschema, …) and one in .venv-clients with those of
#     requirements-clients.txt (mypy, segment-analytics-python), each reinstalled
#     only when its file changes;
#   - Node: `npm ci` in every folder holding a package-lock.json (outside
#     node_modules), rerun only when that lock file changes;
#   - Debian packages the editor and browser tests drive (vim, neovim, chromium)
#     and the PostgreSQL server the dbt tests start (postgresql), installed with
#     apt-get only when missing and only when running as root or with
#     passwordless sudo.
# Works on a fresh machine and in CI (CI=true, no stdin). Prints what it does.
set -euo pipefail
cd "$(dirname "$0")/.."

stamp_ok() { # file stamp → true when the stamp holds the file's current hash
  [ -f "$2" ] && [ "$(cat "$2")" = "$(sha256sum "$1" | cut -d' ' -f1)" ]
}
write_stamp() { sha256sum "$1" | cut -d' ' -f1 > "$2"; }

venv() { # directory requirements-file: a virtualenv with the file's pinned packages
  local dir=$1 req=$2
  if [ -f "$req" ] && grep -qvE '^\s*(#|$)' "$req"; then
    if ! stamp_ok "$req" "$dir/.requirements.sha256"; then
      echo "setup: creating $dir from $req"
      python3 -m venv "$dir"
      "$dir/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
      "$dir/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req"
      write_stamp "$req" "$dir/.requirements.sha256"
    else
      echo "setup: $dir is current"
    fi
  fi
}
venv .venv requirements-test.txt
# The typed-client tests' mypy 2.x cannot share a virtualenv with dbt-core 1.11.
venv .venv-clients requirements-clients.txt

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

# Editor tests run the real Vim and Neovim (tests/it/editor.rs, tests/it/lsp.rs).
apt_updated=""
apt_install() { # package command
  if command -v "$2" >/dev/null 2>&1; then
    echo "setup: $2 is installed"
    return 0
  fi
  local sudo=""
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo="sudo -n"
    else
      echo "setup: $2 is missing and this is not root: install the Debian package $1 (the editor tests need it)"
      return 0
    fi
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup: $2 is missing and there is no apt-get: install $1 (the editor tests need it)"
    return 0
  fi
  # One apt at a time: several checkouts of this repository may run setup at once.
  exec 9>/tmp/eventsc-apt.lock
  flock 9
  if [ -z "$apt_updated" ]; then
    echo "setup: apt-get update"
    $sudo apt-get update -qq
    apt_updated=1
  fi
  echo "setup: apt-get install $1"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$1" >/dev/null
  flock -u 9
}
apt_install vim vim
apt_install neovim nvim
# `eventsc serve` is tested with the real analytics.js in headless Chromium,
# driven by playwright-core (tests/serve/; never `playwright install`).
apt_install chromium chromium
# The dbt tests (tests/it/dbt.rs) start their own throwaway PostgreSQL cluster
# from /usr/lib/postgresql/*/bin; the package must not create and start one.
if ! command -v pg_ctlcluster >/dev/null 2>&1 && [ ! -e /etc/postgresql-common/createcluster.conf ] \
  && [ "$(id -u)" = 0 ]; then
  mkdir -p /etc/postgresql-common
  echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.conf
fi
apt_install postgresql pg_ctlcluster
