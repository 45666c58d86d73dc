"""Segment-shaped calls at scale for bench/dbt.sh: the warehouse and the same
calls as NDJSON.

usage: warehouse_rows.py multiply PROJECT_DIR COPIES
       warehouse_rows.py ndjson SAMPLES_NDJSON COPIES   (to stdout)

`multiply`: PROJECT_DIR is a project made by tests/dbt/harness.py from the
sample payloads (one row per sample in its tables, DuckDB); every table's rows
are copied COPIES times with new message ids (`b<copy>-<id>`: a track call
keeps one id in `tracks` and in its event's table).
`ndjson`: every sample COPIES times, with the same ids, one per line.

Not named dbt_*.py: dbt imports dbt_-prefixed modules as plugins.
"""

import json
import os
import sys


def multiply(project, copies):
    import duckdb
    import yaml

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


def ndjson(samples, copies):
    parts = []
    for line in open(samples, encoding="utf-8"):
        if not line.strip():
            continue
        p = json.loads(line)
        mid = p["messageId"]
        text = json.dumps(p, separators=(",", ":"), ensure_ascii=False)
        pre, post = text.split(f'"messageId":"{mid}"', 1)
        parts.append((pre + '"messageId":"b', "-" + mid + '"' + post + "\n"))
    out = sys.stdout
    for c in range(copies):
        cs = str(c)
        out.write("".join(pre + cs + post for pre, post in parts))
    out.flush()


def main():
    if sys.argv[1:2] == ["multiply"]:
        multiply(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1:2] == ["ndjson"]:
        ndjson(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
