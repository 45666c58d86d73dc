#!/usr/bin/env bash
# The QA verdict in the warehouse at scale: `dbt build` of the QA models
# (eventsc_qa_defects, eventsc_qa_summary and the gate test) over ROWS
# Segment-shaped calls on DuckDB, next to `eventsc validate` on the same calls.
#
# A synthetic plan of 100 events x 5 properties (`eventsc synth`); its sample
# payloads loaded as Segment would (tests/dbt/harness.py), then copied with new
# message ids up to ROWS calls (bench/warehouse_rows.py: each track call is a
# row of `tracks` and of its event's table). Times `dbt build --select
# eventsc_qa_defects eventsc_qa_summary` (dbt-duckdb, 2 threads), then
# `eventsc validate --jobs 1` and `--jobs 2` on the same calls as NDJSON,
# streamed from the generator through a pipe (no multi-GB file; the figure
# that compares is CPU time per call, the generator's own CPU not counted).
# Both must pass with the same coverage.
#
# usage: bench/dbt.sh [ROWS]   (default 10000000; needs scripts/setup.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-10000000}
# EVENTSC=path/to/eventsc: measure that binary instead of building one.
if [ -z "${EVENTSC:-}" ]; then cargo build --release --quiet; fi
bin=${EVENTSC:-${CARGO_TARGET_DIR:-$PWD/target}/release/eventsc}
py=$PWD/.venv/bin/python
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
export DBT_SEND_ANONYMOUS_USAGE_STATS=false

"$bin" synth --events 100 --properties 5 --out "$dir/plan.events"
"$bin" build "$dir/plan.events" --target dbt,samples --out "$dir/out" >/dev/null 2>&1
samples=$dir/out/samples/samples.ndjson
per=$(grep -c . "$samples")
copies=$(( (rows + per - 1) / per ))
"$py" tests/dbt/harness.py project "$dir/project" "$dir/out/dbt" "$samples" >/dev/null
sed -i 's/threads: 1/threads: 2/' "$dir/project/profiles.yml"
"$py" bench/warehouse_rows.py multiply "$dir/project" "$copies"
calls=$(( copies * per ))
echo "plan: 100 events x 5 properties; $calls calls; $(nproc) cores, load average $(cut -d' ' -f1 /proc/loadavg)"

vars='{"eventsc_qa_since": "2000-01-01"}'
/usr/bin/time -f "%e %U %S %M" -o "$dir/time" .venv/bin/dbt build --project-dir "$dir/project" \
  --profiles-dir "$dir/project" --select eventsc_qa_defects eventsc_qa_summary \
  --vars "$vars" >"$dir/dbt.log" 2>&1 || { tail -30 "$dir/dbt.log"; exit 1; }
read -r d_wall d_user d_sys d_rss < "$dir/time"
summary=$("$py" tests/dbt/harness.py qa "$dir/project")
echo "dbt build (QA models): wall ${d_wall} s, user ${d_user} s, sys ${d_sys} s, max RSS $(( d_rss / 1024 )) MB: $(awk -v n="$calls" -v t="$d_wall" 'BEGIN { printf "%.0f", n / t }') calls/s, $(awk -v n="$calls" -v u="$d_user" -v s="$d_sys" 'BEGIN { printf "%.0f", n / (u + s) }') per CPU second"
echo "  $summary" | cut -c1-400

for jobs in 1 2; do
  "$py" bench/warehouse_rows.py ndjson "$samples" "$copies" | /usr/bin/time -f "%e %U %S %M" -o "$dir/time" \
    "$bin" validate "$dir/plan.events" --payloads - --jobs $jobs --format json >"$dir/validate.json" || true
  read -r v_wall v_user v_sys v_rss < "$dir/time"
  echo "eventsc validate --jobs $jobs: wall ${v_wall} s, user ${v_user} s, sys ${v_sys} s, max RSS $(( v_rss / 1024 )) MB: $(awk -v n="$calls" -v t="$v_wall" 'BEGIN { printf "%.0f", n / t }') calls/s, $(awk -v n="$calls" -v u="$v_user" -v s="$v_sys" 'BEGIN { printf "%.0f", n / (u + s) }') per CPU second"
done
"$py" - "$dir/validate.json" <<'PY'
import json, sys
q = json.load(open(sys.argv[1]))["qa"]
print(f"  validate: passed {q['passed']}, observed {q['coverage']['observed']}/{q['coverage']['planned']}, defective {q['defects']['payloads']}")
PY
