#!/usr/bin/env bash
# Benchmark of `eventsc validate` against ajv, side by side in one run.
#
# Makes the 10k-event plan (`eventsc synth --events 10000 --properties 20`),
# 1,000,000 valid payloads for it (bench/gen_payloads.py, ~1.1 GB of NDJSON),
# the plan's JSON Schemas (`eventsc build --target jsonschema`), then times:
#   - eventsc validate, one thread (EVENTSC_STATS=1 splits plan load and
#     streaming: CPU time, peak RSS of each phase);
#   - bench/ajv_validate.js: ajv 8 + ajv-formats, the same schemas, JSON.parse
#     per line, one thread (schema compilation timed apart);
#   - eventsc validate --jobs 2 and 4 (wall time: scaling);
#   - eventsc validate on a 100-event plan with as many payloads, jobs 1, 2, 4:
#     time and peak RSS of the streaming part alone (the 10k-event plan's own
#     load dominates the other runs' peak).
# Both validators must find every payload valid.
#
# usage: bench/validate.sh [COUNT]   (BENCH_DIR=dir keeps and reuses the files)
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-1000000}
events=10000
cargo build --release --quiet
bin=${CARGO_TARGET_DIR:-$PWD/target}/release/eventsc
if [ -n "${BENCH_DIR:-}" ]; then
  dir=$BENCH_DIR
  mkdir -p "$dir"
else
  dir=$(mktemp -d)
  trap 'rm -rf "$dir"' EXIT
fi
[ -d tests/validate/node_modules/ajv ] || scripts/setup.sh

"$bin" synth --events $events --properties 20 --force --out "$dir/plan.events"
"$bin" synth --events 100 --properties 20 --force --out "$dir/small.events"
if [ ! -f "$dir/payloads-$count.ndjson" ]; then
  python3 bench/gen_payloads.py --events $events --count "$count" --out "$dir/payloads-$count.ndjson"
fi
if [ ! -f "$dir/small-$count.ndjson" ]; then
  python3 bench/gen_payloads.py --events 100 --count "$count" --out "$dir/small-$count.ndjson"
fi
payloads=$dir/payloads-$count.ndjson
rm -rf "$dir/build"
"$bin" build "$dir/plan.events" --target jsonschema --out "$dir/build" >/dev/null 2>&1
schemas=$dir/build/schemas
rm -rf "$dir/build-small"
"$bin" build "$dir/small.events" --target jsonschema --out "$dir/build-small" >/dev/null 2>&1
mb=$(( $(stat -L -c %s "$payloads") / 1000000 ))
echo "plan: $events events x 20 properties; payloads: $count lines, $mb MB; $(nproc) cores, load average $(cut -d' ' -f1 /proc/loadavg)"
echo

# eventsc, one thread: `stats:` lines give each phase's CPU time and peak RSS.
run_eventsc() { # plan jobs → "wall user sys maxrss_kb" on the last line of $dir/time, stats in $dir/stats
  EVENTSC_STATS=1 /usr/bin/time -f "%e %U %S %M" -o "$dir/time" \
    "$bin" validate "$1" --payloads "$2" --jobs "$3" --format json >"$dir/out.json" 2>"$dir/stats" || true
  grep -q '"passed": true' "$dir/out.json" || { echo "eventsc found defects:"; head -40 "$dir/out.json"; exit 1; }
}
field() { sed -n "s/.*$1 \\([0-9.]*\\).*/\\1/p" "$dir/stats" | head -1; }

run_eventsc "$dir/plan.events" "$payloads" 1
read -r e_wall e_user e_sys e_rss < "$dir/time"
load_cpu=$(sed -n 's/.*plan loaded in \([0-9.]*\) s CPU.*/\1/p' "$dir/stats")
load_rss=$(sed -n 's/.*plan loaded.*peak RSS \([0-9]*\) MB.*/\1/p' "$dir/stats")
model_mb=$(sed -n 's/.*compiled model ~\([0-9.]*\) MB.*/\1/p' "$dir/stats")
stream_cpu=$(sed -n 's/.*streamed.* s wall, \([0-9.]*\) s CPU.*/\1/p' "$dir/stats")
stream_wall=$(sed -n 's/.*streamed [0-9]* records in \([0-9.]*\) s wall.*/\1/p' "$dir/stats")
rss_before=$(sed -n 's/.*plan loaded.*RSS now \([0-9]*\) MB.*/\1/p' "$dir/stats")
rss_stream=$(sed -n 's/.*peak RSS while streaming \([0-9]*\) MB.*/\1/p' "$dir/stats")
e_rate=$(awk -v n="$count" -v c="$stream_cpu" 'BEGIN { printf "%d", n / c }')
# EVENTSC_STATS resets the kernel's peak between the phases (so `time` reports
# the streaming peak): the run's max RSS is the larger of the two.
e_max=$(( e_rss / 1024 > load_rss ? e_rss / 1024 : load_rss ))

# ajv, one thread.
/usr/bin/time -f "%e %U %S %M" -o "$dir/time-ajv" node bench/ajv_validate.js "$schemas" "$payloads" >"$dir/ajv.json"
read -r a_wall a_user a_sys a_rss < "$dir/time-ajv"
a_valid=$(sed -n 's/.*"valid":\([0-9]*\).*/\1/p' "$dir/ajv.json")
[ "$a_valid" = "$count" ] || { echo "ajv found invalid payloads: $(cat "$dir/ajv.json")"; exit 1; }
a_compile=$(sed -n 's/.*"compile_cpu_s":\([0-9.]*\).*/\1/p' "$dir/ajv.json")
a_cpu=$(sed -n 's/.*"validate_cpu_s":\([0-9.]*\).*/\1/p' "$dir/ajv.json")
a_vwall=$(sed -n 's/.*"validate_wall_s":\([0-9.]*\).*/\1/p' "$dir/ajv.json")
a_rate=$(sed -n 's/.*"per_cpu_s":\([0-9]*\).*/\1/p' "$dir/ajv.json")

printf "%-34s %12s %14s %14s %12s\n" "" "setup CPU s" "payloads CPU s" "payloads/CPU s" "max RSS MB"
printf "%-34s %12s %14s %14s %12s\n" "eventsc validate (1 thread)" "$load_cpu" "$stream_cpu" "$e_rate" "$e_max"
printf "%-34s %12s %14s %14s %12s\n" "ajv 8 + JSON.parse (1 thread)" "$a_compile" "$a_cpu" "$a_rate" "$(( a_rss / 1024 ))"
awk -v e="$e_rate" -v a="$a_rate" 'BEGIN { printf "ratio: eventsc %.1fx ajv payloads per CPU second\n", e / a }'
echo "setup: eventsc loads and checks the plan and compiles its model (~$model_mb MB); ajv compiles the schemas"
echo "eventsc memory: plan load peak $load_rss MB; RSS $rss_before MB before streaming, streaming peak $rss_stream MB"
echo

echo "scaling (payload phase; CPU seconds stay flat when threads add no overhead):"
printf "  jobs 1: %6s s wall, %6s s CPU\n" "$stream_wall" "$stream_cpu"
for j in 2 4; do
  run_eventsc "$dir/plan.events" "$payloads" "$j"
  w=$(sed -n 's/.*streamed [0-9]* records in \([0-9.]*\) s wall.*/\1/p' "$dir/stats")
  c=$(sed -n 's/.*streamed.* s wall, \([0-9.]*\) s CPU.*/\1/p' "$dir/stats")
  printf "  jobs %s: %6s s wall, %6s s CPU\n" "$j" "$w" "$c"
done
printf "  ajv:    %6s s wall, %6s s CPU\n" "$a_vwall" "$a_cpu"
echo

small_mb=$(( $(stat -L -c %s "$dir/small-$count.ndjson") / 1000000 ))
echo "100-event plan (model in cache), $small_mb MB of payloads: streaming alone"
for j in 1 2 4; do
  run_eventsc "$dir/small.events" "$dir/small-$count.ndjson" "$j"
  read -r s_wall s_user s_sys s_rss < "$dir/time"
  w=$(sed -n 's/.*streamed [0-9]* records in \([0-9.]*\) s wall.*/\1/p' "$dir/stats")
  c=$(sed -n 's/.*streamed.* s wall, \([0-9.]*\) s CPU.*/\1/p' "$dir/stats")
  printf "  jobs %s: %6s s wall, %6s s CPU, max RSS %s MB\n" "$j" "$w" "$c" "$(( s_rss / 1024 ))"
done

# ajv at its best: 100 schemas, each called 10,000 times (hot, optimised code).
/usr/bin/time -f "%e %U %S %M" -o "$dir/time-ajv" node bench/ajv_validate.js "$dir/build-small/schemas" "$dir/small-$count.ndjson" >"$dir/ajv-small.json"
a_valid=$(sed -n 's/.*"valid":\([0-9]*\).*/\1/p' "$dir/ajv-small.json")
[ "$a_valid" = "$count" ] || { echo "ajv found invalid payloads: $(cat "$dir/ajv-small.json")"; exit 1; }
a_cpu=$(sed -n 's/.*"validate_cpu_s":\([0-9.]*\).*/\1/p' "$dir/ajv-small.json")
a_rate=$(sed -n 's/.*"per_cpu_s":\([0-9]*\).*/\1/p' "$dir/ajv-small.json")
run_eventsc "$dir/small.events" "$dir/small-$count.ndjson" 1
c=$(sed -n 's/.*streamed.* s wall, \([0-9.]*\) s CPU.*/\1/p' "$dir/stats")
e_rate=$(awk -v n="$count" -v c="$c" 'BEGIN { printf "%d", n / c }')
printf "  ajv, same payloads, 1 thread: %6s s CPU: %s payloads/CPU s; eventsc %s: ratio %s\n" "$a_cpu" "$a_rate" "$e_rate" \
  "$(awk -v e="$e_rate" -v a="$a_rate" 'BEGIN { printf "%.1fx", e / a }')"
