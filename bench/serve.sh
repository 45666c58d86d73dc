#!/usr/bin/env bash
# Benchmark of `eventsc serve` under load from a local generator
# (bench/serve_load.mjs, Node's http with keep-alive):
#   - payloads of a 100-event synthetic plan (bench/gen_payloads.py, ~1.1 KB
#     each, analytics.js-like context), all valid;
#   - batches of 100 to /v1/batch (the server libraries), then one payload per
#     request to /v1/t (analytics.js), 4 connections each, SECONDS each;
#   - meanwhile the dashboard's data (/qa.json) and page (/) are polled every
#     250 ms: their latency under load;
#   - the collector's CPU time and peak RSS (from /proc), and that the capture
#     holds every acknowledged payload and validates to the same counts.
#
# usage: bench/serve.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
# EVENTSC=path/to/eventsc: measure that binary instead of building one.
if [ -z "${EVENTSC:-}" ]; then cargo build --release --quiet; fi
bin=${EVENTSC:-${CARGO_TARGET_DIR:-$PWD/target}/release/eventsc}
dir=$(mktemp -d)
pid=""
cleanup() { if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi; rm -rf "$dir"; }
trap cleanup EXIT

"$bin" synth --events 100 --properties 20 --out "$dir/plan.events"
python3 bench/gen_payloads.py --events 100 --count 20000 --out "$dir/payloads.ndjson"

run() { # name batch
  local name=$1 batch=$2
  rm -f "$dir/capture.ndjson" "$dir/evidence.md"
  "$bin" serve "$dir/plan.events" --port 0 --capture "$dir/capture.ndjson" \
    --report "$dir/evidence.md" 2> "$dir/serve.log" > "$dir/summary.txt" &
  pid=$!
  local port=""
  for _ in $(seq 100); do
    port=$(grep -o '127.0.0.1:[0-9]*' "$dir/serve.log" 2>/dev/null | head -1 | cut -d: -f2 || true)
    [ -n "$port" ] && break
    sleep 0.05
  done
  echo "== $name (batch $batch, ${seconds}s)"
  timeout $((seconds * 3 + 60)) node bench/serve_load.mjs "http://127.0.0.1:$port" "$dir/payloads.ndjson" "$seconds" "$batch" 4
  local ticks hwm
  ticks=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
  kill -TERM "$pid"; wait "$pid" || true; pid=""
  echo "serve: $(echo "scale=2; $ticks / 100" | bc) s CPU, peak RSS $((hwm / 1024)) MB, capture $(wc -l < "$dir/capture.ndjson") lines"
  "$bin" validate "$dir/plan.events" --payloads "$dir/capture.ndjson" | tail -4 | head -1
}
run batches 100
run single 1
