"""Multiplies a Segment-shaped warehouse for bench/dbt.sh, and writes the same
calls as NDJSON for `eventsc validate`.

usage: warehouse_rows.py PROJECT_DIR SAMPLES_NDJSON COPIES OUT_NDJSON

PROJECT_DIR is a project made by tests/dbt/harness.py from the samples (one
row per sample in its tables, DuckDB). Every table's rows are copied COPIES
times with new message ids (`b<copy>-<id>`: a track call keeps one id in
`tracks` and in its event's table), and OUT_NDJSON gets every sample COPIES
times with the same ids. Prints the number of calls.

Not named dbt_*.py: dbt imports dbt_-prefixed modules as plugins.
"""

import json
import os
import sys

import duckdb
import yaml


def main():
    project, samples, copies, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    profile = yaml.safe_load(open(os.path.join(project, "profiles.yml")))["eventsc"]["outputs"]["dev"]
    con = duckdb.connect(profile["path"])
    doc = yaml.safe_load(open(os.path.join(project, "models", "sources.yml")))
    for s in doc["sources"]:
        for t in s["tables"]:
            rel = f'"{s["schema"]}"."{t["name"]}"'
            con.execute(f"create temp table seed as select * from {rel}")
            con.execute(f"delete from {rel}")
            con.execute(
                f"insert into {rel} select seed.* replace ('b' || r.range || '-' || id as id) "
                f"from seed, range({copies}) r")
            con.execute("drop table seed")
    con.close()
    lines = [l for l in open(samples, encoding="utf-8") if l.strip()]
    parts = []
    for l in lines:
        p = json.loads(l)
        mid = p["messageId"]
        text = json.dumps(p, separators=(",", ":"), ensure_ascii=False)
        key = f'"messageId":"{mid}"'
        pre, post = text.split(key, 1)
        parts.append((pre + '"messageId":"b', "-" + mid + '"' + post + "\n"))
    with open(out, "w", encoding="utf-8", buffering=1 << 20) as f:
        for c in range(copies):
            cs = str(c)
            for pre, post in parts:
                f.write(pre + cs + post)
    print(copies * len(lines))


if __name__ == "__main__":
    main()
