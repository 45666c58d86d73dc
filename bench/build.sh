#!/usr/bin/env bash
# Benchmark of `eventsc build --target all` on synthetic plans of N events × 20
# properties. Per size: output size and file count, then best and median wall time
# of several runs, user and system CPU (of the best run) and peak RSS for
#   check   `eventsc check` alone (the front end every build starts with),
#   cold    a build into a new, empty directory (every file written),
#   warm    the same build again (every file already up to date, nothing written);
# and, for 10k events, `cp -r` of the build's output into a new directory (the
# file system's floor for a cold build) and each target alone (cold).
# Usage: bench/build.sh [runs]
#
# Every cold run writes into a directory of its own, and all are removed only at
# the end: on ext4, creating files in the minutes after thousands were deleted
# is several times slower (the inode allocator skips recently freed inodes), so
# removing the previous run's output first would measure that instead.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
cargo build --release --quiet
bin=$PWD/target/release/eventsc
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# measure NAME CMD...: runs CMD $runs times (after `prep`, if defined as a function
# for this row), prints one table row.
measure() {
  local name=$1; shift
  local walls=() best_line="" best=999999 rss=0
  for _ in $(seq "$runs"); do
    if declare -F prep >/dev/null; then prep; fi
    local w u s m
    # An argument written '$out' is the current output directory (set by prep).
    local args=()
    for a in "$@"; do if [ "$a" = '$out' ]; then args+=("$out"); else args+=("$a"); fi; done
    /usr/bin/time -o "$dir/time" -f "%e %U %S %M" "${args[@]}" >/dev/null 2>&1
    read -r w u s m <"$dir/time"
    walls+=("$w"); (( m > rss )) && rss=$m
    if awk "BEGIN{exit !($w < $best)}"; then best=$w; best_line="$u $s"; fi
  done
  local median
  median=$(printf "%s\n" "${walls[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
  read -r u s <<<"$best_line"
  printf "%-8s %-16s %8s %8s %8s %8s %8s\n" "$n" "$name" "$best" "$median" "$u" "$s" "$(( rss / 1024 ))"
}

printf "%-8s %-16s %8s %8s %8s %8s %8s\n" events run best_s median_s user_s sys_s rss_MB
for n in 1000 5000 10000; do
  plan=$dir/p$n.events
  "$bin" synth --events "$n" --properties 20 --out "$plan"
  unset -f prep
  measure check "$bin" check "$plan" --message-format short
  fresh=0
  prep() { fresh=$((fresh + 1)); out=$dir/out-$n-$fresh; sync; }
  measure cold "$bin" build "$plan" --out '$out' --message-format short
  # The cold runs leave up to 2.5 GB to write back: let it finish first, or the
  # warm runs measure the disk.
  prep() { sync; }
  measure warm "$bin" build "$plan" --out "$out" --message-format short
  unset -f prep
  echo "#        output: $(du -sm "$out" | cut -f1) MB in $(find "$out" -type f | wc -l) files"
  if [ "$n" -eq 10000 ]; then
    # The file system's floor for a cold build: copying its output.
    built=$out
    prep() { fresh=$((fresh + 1)); out=$dir/out-$n-$fresh; sync; }
    measure "cp -r output" cp -r "$built" '$out'
    unset -f prep
    for t in $("$bin" targets | cut -d' ' -f1); do
      prep() { fresh=$((fresh + 1)); out=$dir/out-$n-$fresh; sync; }
      measure "cold:$t" "$bin" build "$plan" --out '$out' --target "$t" --message-format short
    done
  fi
done
