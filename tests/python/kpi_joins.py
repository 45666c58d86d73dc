"""Computes every KPI of a built plan on DuckDB from the dbt sources it generates.

Usage: kpi_joins.py OUT_DIR...

Loads the generated sample payloads (OUT_DIR/samples/samples.ndjson) into
Segment-shaped tables, one per track event, named and with the columns the dbt
target declares (OUT_DIR/dbt/models/sources.yml: each table's `config.meta.event`),
then, for each KPI of OUT_DIR/plan/tracking-plan.json, joins its events on an
identifier they share (a declared `*_id` column, or `user_id`) and groups by its
dimensions. Each KPI must give at least one row; exits 1 with the reasons
when any KPI cannot be computed.
"""

import json
import sys
from pathlib import Path

import duckdb
import yaml

def check(out_dir):
    out = Path(out_dir)
    plan = json.loads((out / "plan/tracking-plan.json").read_text())
    sources = yaml.safe_load((out / "dbt/models/sources.yml").read_text())

    # event name -> (qualified table, declared columns)
    tables = {}
    for source in sources["sources"]:
        for table in source.get("tables", []):
            meta = (table.get("config") or {}).get("meta") or table.get("meta") or {}
            event = meta.get("event")
            if event:
                name = table.get("identifier") or table["name"]
                tables[event] = (name, [c["name"] for c in table.get("columns", [])])


    def flatten(prefix, value, row):
        if isinstance(value, dict):
            for k, v in value.items():
                flatten(f"{prefix}_{k}" if prefix else k, v, row)
        else:
            row[prefix] = value


    rows = {}
    for line in (out / "samples/samples.ndjson").read_text().splitlines():
        p = json.loads(line)
        if p.get("type") != "track":
            continue
        row = {"id": p["messageId"], "user_id": p.get("userId"), "event": p["event"]}
        flatten("", p.get("properties", {}), row)
        rows.setdefault(p["event"], []).append(row)

    db = duckdb.connect()
    problems = []
    for event, (table, columns) in tables.items():
        cols = ", ".join(f'"{c}" VARCHAR' for c in columns)
        db.execute(f'CREATE TABLE "{table}" ({cols})')
        values = [
            [None if row.get(c) is None else str(row.get(c)) for c in columns]
            for row in rows.get(event, [])
        ]
        if values:
            db.executemany(
                f'INSERT INTO "{table}" VALUES ({", ".join("?" for _ in columns)})', values
            )


    def key(a, b):
        shared = [c for c in tables[a][1] if c in tables[b][1]]
        ids = [c for c in shared if c.endswith("_id") and c not in ("anonymous_id",)]
        ids.sort(key=lambda c: (c == "user_id", c))
        return ids[0] if ids else None


    for kpi in plan["kpis"]:
        events = kpi["events"]
        missing = [e for e in events if e not in tables]
        if missing:
            problems.append(f'{kpi["name"]}: no dbt table for {missing}')
            continue
        alias = {e: f"t{i}" for i, e in enumerate(events)}
        sql = f'FROM "{tables[events[0]][0]}" t0'
        ok = True
        for i in range(1, len(events)):
            k = key(events[i - 1], events[i])
            if k is None:
                problems.append(f'{kpi["name"]}: "{events[i-1]}" and "{events[i]}" share no identifier')
                ok = False
                break
            sql += f' JOIN "{tables[events[i]][0]}" t{i} ON t{i}."{k}" = t{i-1}."{k}"'
        if not ok:
            continue
        dims = []
        for d in kpi.get("dimensions", []):
            owner = next((e for e in events if d in tables[e][1]), None)
            if owner is None:
                problems.append(f'{kpi["name"]}: dimension {d} is no column of its tables')
                ok = False
            else:
                dims.append(f'{alias[owner]}."{d}"')
        if not ok:
            continue
        select = ", ".join(dims + ["count(*)"])
        group = f' GROUP BY {", ".join(dims)}' if dims else ""
        result = db.execute(f"SELECT {select} {sql}{group}").fetchall()
        if not result or result[0][-1] == 0:
            problems.append(f'{kpi["name"]}: the join gives no rows: SELECT {select} {sql}{group}')

    return problems


failures = []
for arg in sys.argv[1:]:
    failures += [f"{arg}: {p}" for p in check(arg)]
if failures:
    print("\n".join(failures))
    sys.exit(1)
