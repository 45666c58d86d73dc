#!/usr/bin/env bash
# Every check a change must pass, in the order CI runs them: install what the
# tests need (idempotent), formatting, clippy, rustdoc (no broken or private
# links in the library's docs), all tests. Works on a fresh machine
# and in CI (CI=true, no stdin).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
cargo fmt --all -- --check
cargo clippy --all-targets --locked -- -D warnings
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --locked --quiet
cargo test --locked
