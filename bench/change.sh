#!/usr/bin/env bash
# Benchmark of `eventsc fmt` and `eventsc diff` on the synthetic plan of 10,000
# events × 20 properties (target: each under 500 ms). Prints, per command: best
# and median wall time of several runs, user and system CPU of the best run,
# and peak RSS. Usage: bench/change.sh [runs]
#
#   fmt -            the synthetic plan (not yet formatted) on stdin → stdout
#   fmt --check      an already formatted copy (nothing to change)
#   diff             the plan against a copy with three changes (one of them a
#                    narrowed max_length in every event: 10,000 breaking changes)
#   diff (same)      the plan against an identical copy
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
cargo build --release --quiet
bin=$PWD/target/release/eventsc
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$bin" synth --events 10000 --properties 20 --out "$dir/plan.events"
"$bin" fmt - <"$dir/plan.events" >"$dir/formatted.events"
sed -e 's/"Synthetic event number 17."/"Changed."/' \
    -e 's/field_0: string required max_length(120) "Text field 0"/field_0: string required max_length(100) "Text field 0"/' \
    -e 's/version "1.0.0"/version "2.0.0"/' "$dir/plan.events" >"$dir/new.events"
cp "$dir/plan.events" "$dir/same.events"
echo "plan: $(du -m "$dir/plan.events" | cut -f1) MB, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf "%-14s %8s %9s %7s %7s %7s\n" command best_s median_s user_s sys_s rss_MB
bench() {
  local label=$1 stdin=$2; shift 2
  local walls=() best=999 best_user=0 best_sys=0 rss=0
  for _ in $(seq "$runs"); do
    /usr/bin/time -o "$dir/time" -f "%e %U %S %M" "$bin" "$@" <"$stdin" >/dev/null 2>/dev/null || true
    read -r w u s m <"$dir/time"
    walls+=("$w")
    if awk -v w="$w" -v b="$best" 'BEGIN { exit !(w < b) }'; then best=$w; best_user=$u; best_sys=$s; fi
    (( m > rss )) && rss=$m
  done
  median=$(printf "%s\n" "${walls[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
  printf "%-14s %8s %9s %7s %7s %7s\n" "$label" "$best" "$median" "$best_user" "$best_sys" "$(( rss / 1024 ))"
}
bench "fmt -" "$dir/plan.events" fmt -
bench "fmt --check" /dev/null fmt --check "$dir/formatted.events"
bench "diff" /dev/null diff "$dir/plan.events" "$dir/new.events"
bench "diff (same)" /dev/null diff "$dir/plan.events" "$dir/same.events"
