#!/usr/bin/env bash
# Benchmark of `eventsc import` on a Segment Public API export of 10,000 events
# (tests/fixtures/import/corpus/gen.py: every construct, timestamps and editor
# ids, ~8 properties an event). Prints the input size, best and median wall
# time of several runs, user CPU and peak RSS. Usage: bench/import.sh [runs] [events]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
n=${2:-10000}
cargo build --release --quiet
bin=$PWD/target/release/eventsc
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
python3 tests/fixtures/import/corpus/gen.py --segment-export "$n" "$dir/rules.json"
size=$(du -m "$dir/rules.json" | cut -f1)
walls=(); users=(); rss=0
for i in $(seq "$runs"); do
  /usr/bin/time -f "%e %U %M" -o "$dir/time" \
    "$bin" import "$dir/rules.json" --out "$dir/plan$i.events" --owner @analytics 2>"$dir/stderr"
  read -r w u m < "$dir/time"
  walls+=("$w"); users+=("$u"); (( m > rss )) && rss=$m
done
tail -1 "$dir/stderr"
best=$(printf "%s\n" "${walls[@]}" | sort -n | head -1)
median=$(printf "%s\n" "${walls[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
user=$(printf "%s\n" "${users[@]}" | sort -n | head -1)
printf "%-8s %8s %10s %10s %10s %10s\n" events MB best_s median_s user_s max_rss_MB
printf "%-8s %8s %10s %10s %10s %10s\n" "$n" "$size" "$best" "$median" "$user" "$(( rss / 1024 ))"
