#!/usr/bin/env bash
# Benchmark of the typed clients and of `eventsc status`, on synthetic plans of
# N events × 20 properties (`eventsc synth`):
#   typescript / python   `eventsc build --target typescript|python` (the check
#                         included; EVENTSC_STATS gives the target's own time)
#   tsc                   `tsc --strict --noEmit` on the generated module
#                         (TypeScript 5.9 from tests/clients)
#   mypy                  `mypy --strict` on the generated module (1,000 events
#                         only: mypy on larger modules takes minutes)
#   status                `eventsc status` over a synthetic repository of F
#                         files (default 100,000; each a few calls, planned and
#                         not), cold cache not forced
# Best and median wall time of R runs, user CPU and peak RSS of the best.
# Usage: bench/clients.sh [runs] [files]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
files=${2:-100000}
cargo build --release --quiet
bin=$PWD/target/release/eventsc
tsc=$PWD/tests/clients/node_modules/typescript/bin/tsc
mypy=$PWD/.venv-clients/bin/mypy
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

measure() { # name events cmd...: one table row
  local name=$1 n=$2; shift 2
  local walls=() best=999999 best_u="" rss=0
  for _ in $(seq "$runs"); do
    local w u m
    /usr/bin/time -o "$dir/time" -f "%e %U %M" "$@" >/dev/null 2>"$dir/err" || { cat "$dir/err"; exit 1; }
    read -r w u m <"$dir/time"
    walls+=("$w"); (( m > rss )) && rss=$m
    if awk "BEGIN{exit !($w < $best)}"; then best=$w; best_u=$u; fi
  done
  local median
  median=$(printf "%s\n" "${walls[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
  printf "%-8s %-12s %8s %8s %8s %8s\n" "$n" "$name" "$best" "$median" "$best_u" "$(( rss / 1024 ))"
}

printf "%-8s %-12s %8s %8s %8s %8s\n" events run best_s median_s user_s rss_MB
for n in 1000 10000; do
  plan=$dir/p$n.events
  "$bin" synth --events "$n" --properties 20 --out "$plan"
  for t in typescript python; do
    measure "$t" "$n" "$bin" build "$plan" --out "$dir/out-$n" --target "$t" --message-format short
    EVENTSC_STATS=1 "$bin" build "$plan" --out "$dir/stats-$n-$t" --target "$t" --message-format short 2>&1 |
      grep "stats: $t" | sed 's/^/#        /'
  done
  echo "#        typescript/tracking.ts $(du -k "$dir/out-$n/typescript/tracking.ts" | cut -f1) KB, python/tracking.py $(du -k "$dir/out-$n/python/tracking.py" | cut -f1) KB"
  measure tsc "$n" node "$tsc" --strict --noEmit --target es2020 --lib es2020 --skipLibCheck "$dir/out-$n/typescript/tracking.ts"
  if [ "$n" -le 1000 ]; then
    measure mypy "$n" "$mypy" --strict --no-incremental --cache-dir /dev/null "$dir/out-$n/python/tracking.py"
  fi
done

# A repository of $files files below 1,000 directories, with a node_modules the
# scan skips: each file has a few lines of code, a planned call, a typed-client
# call and, every tenth file, an unplanned one.
plan=$dir/p1000.events
repo=$dir/repo
python3 - "$repo" "$files" "$plan" <<'PY'
import os, re, sys
root, n = sys.argv[1], int(sys.argv[2])
names = re.findall(r'^event "([^"]+)"', open(sys.argv[3]).read(), re.M)
def camel(name):
    w = name.split()
    return w[0].lower() + "".join(x[:1].upper() + x[1:] for x in w[1:])
for i in range(n):
    d = os.path.join(root, "src", f"m{i % 1000}")
    os.makedirs(d, exist_ok=True)
    e = names[i % len(names)]
    if i % 2:
        body = (f"import {{ track }} from './x';\n// file {i}\nexport function f{i}(a: number): number {{\n"
                f"  analytics.track(\"{e}\", {{ a }});\n  t.{camel(names[(i * 7) % len(names)])}({{}});\n")
        if i % 10 == 1:
            body += "  analytics.track(\"Not In The Plan\");\n"
        body += "  return a * 2;\n}\n"
        name = f"f{i}.ts"
    else:
        body = (f"\"\"\"File {i}.\"\"\"\n\ndef f{i}(user_id: str) -> None:\n"
                f"    analytics.track(user_id, \"{e}\", {{}})\n")
        name = f"f{i}.py"
    with open(os.path.join(d, name), "w") as f:
        f.write(body)
os.makedirs(os.path.join(root, "node_modules", "dep"), exist_ok=True)
with open(os.path.join(root, "node_modules", "dep", "index.js"), "w") as f:
    f.write("analytics.track('Vendor');\n")
PY
echo "#        repository: $files files, $(du -sm "$repo" | cut -f1) MB"
measure status "$files files" "$bin" status "$plan" --code "$repo" --format json
