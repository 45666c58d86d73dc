#!/usr/bin/env bash
# Hostile input shapes (issue 12, items 13-16): each runs once, with its wall
# time, user CPU and peak RSS. All must grow linearly; the figures in README
# ("Input limits") come from this script. Usage: bench/hostile.sh [BIN]
# (BIN: an eventsc binary to measure instead of a fresh release build, e.g. an
# older one to compare).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -ge 1 ]; then
  bin=$(realpath "$1")
else
  cargo build --release --quiet
  bin=$PWD/target/release/eventsc
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
plan=$PWD/examples/ecommerce

python3 - "$dir" <<'EOF'
import gzip, json, sys
d = sys.argv[1]
payload = b'{"type":"page","anonymousId":"a","messageId":"m"}\n'
# 13: 128 MB of leading whitespace, and a 4 MB gzip of 4 GB of spaces.
with open(f"{d}/ws.ndjson", "wb") as f:
    f.write(b" " * (128 << 20) + b"\n" + payload)
with gzip.open(f"{d}/ws.ndjson.gz", "wb", 9) as f:
    block = b" " * (1 << 20)
    for _ in range(4096):
        f.write(block)
    f.write(b"\n" + payload)
# 14 and 15: 20k events on one line, a syntax error at its end (column 1M).
parts = ['plan "P" { owner @a }', 'owner @a { name "A" }']
parts += ['event "E%d Viewed" { owner @a; description "x" }' % i for i in range(20000)]
with open(f"{d}/oneline.events", "w") as f:
    f.write("; ".join(parts) + '; event "Z" { owner @a @b }\n')
# 16: an enum of 100k values; 20k required properties.
values = ["v%d" % i for i in range(100000)]
rule = lambda props, req: {"rules": [{"type": "TRACK", "key": "Order Completed", "jsonSchema":
    {"properties": {"properties": {"type": "object", "properties": props, "required": req}}}}]}
with open(f"{d}/enum.json", "w") as f:
    json.dump(rule({"plan": {"type": "string", "enum": values}}, []), f)
props = {"p%d" % i: {"type": "string"} for i in range(20000)}
with open(f"{d}/required.json", "w") as f:
    json.dump(rule(props, list(props)), f)
EOF
# Many diagnostics in one large file: 10k events without a description.
"$bin" synth --events 10000 --properties 20 | grep -v '^  description "Synthetic' > "$dir/warn.events"

run() {
  local name=$1; shift
  /usr/bin/time -f "%e %U %M" -o "$dir/time" "$@" >/dev/null 2>&1 || true
  read -r w u m < "$dir/time"
  printf "%-44s %8s %8s %8s\n" "$name" "$w" "$u" "$(( m / 1024 ))"
}
printf "%-44s %8s %8s %8s\n" case wall_s user_s max_rss_MB
run "validate: 128 MB of leading whitespace" "$bin" validate "$plan" --payloads "$dir/ws.ndjson"
run "validate: 4 MB gzip of 4 GB of spaces" "$bin" validate "$plan" --payloads "$dir/ws.ndjson.gz"
run "check --message-format short: error at col 1M" "$bin" check --message-format short "$dir/oneline.events"
run "check (human): error at column 1M" "$bin" check "$dir/oneline.events"
run "check (human): 10k warnings in 10 MB" "$bin" check "$dir/warn.events"
run "import segment: enum of 100k values" "$bin" import segment "$dir/enum.json"
run "import segment: 20k required properties" "$bin" import segment "$dir/required.json"
