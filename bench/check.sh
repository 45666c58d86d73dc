#!/usr/bin/env bash
# Benchmark of `eventsc check` on synthetic plans of N events × 20 properties
# (N = 1k, 10k, 100k). Prints, per size: file size, best and median wall time of
# several runs, user CPU, and peak RSS. Usage: bench/check.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
cargo build --release --quiet
bin=target/release/eventsc
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
printf "%-8s %8s %10s %10s %10s %10s\n" events MB best_s median_s user_s max_rss_MB
for n in 1000 10000 100000; do
  "$bin" synth --events "$n" --properties 20 --out "$dir/p$n.events"
  size=$(du -m "$dir/p$n.events" | cut -f1)
  r=$runs; [ "$n" -ge 100000 ] && r=$(( runs < 3 ? runs : 3 ))
  walls=(); users=(); rss=0
  for _ in $(seq "$r"); do
    /usr/bin/time -f "%e %U %M" -o "$dir/time" "$bin" check "$dir/p$n.events" --message-format short >/dev/null 2>&1
    read -r w u m < "$dir/time"
    walls+=("$w"); users+=("$u"); (( m > rss )) && rss=$m
  done
  best=$(printf "%s\n" "${walls[@]}" | sort -n | head -1)
  median=$(printf "%s\n" "${walls[@]}" | sort -n | sed -n "$(( (r + 1) / 2 ))p")
  user=$(printf "%s\n" "${users[@]}" | sort -n | head -1)
  printf "%-8s %8s %10s %10s %10s %10s\n" "$n" "$size" "$best" "$median" "$user" "$(( rss / 1024 ))"
done
