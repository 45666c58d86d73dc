#!/usr/bin/env bash
# Installs what the tests need, idempotently. Each step is skipped when its
# lock file has not changed since the last install.
set -euo pipefail
cd "$(dirname "$0")/.."
export CI="${CI:-}"
echo "setup: nothing beyond the Rust toolchain is needed yet"
