"""Test harness for the `dbt` target (run by tests/dbt.rs with .venv/bin/python).

Subcommands (each prints one JSON document on stdout):

  project DIR SOURCES_YML SAMPLES_NDJSON [--seed-bad]
      Makes DIR a dbt project around a copy of SOURCES_YML (models/sources.yml,
      dbt_project.yml, profiles.yml for DuckDB) whose warehouse is the DuckDB file
      DIR/<database>.duckdb (the source's `database`, else `warehouse`, so the
      file's catalog name is the database the source names). Creates every table
      of the source there (its schema, types from `data_type`) and loads the sample
      payloads of the `samples` target into them the way Segment's warehouse
      loader does: every track call into `tracks` and into its event's table
      (nested objects flattened to `parent_child` columns, lists as JSON text),
      identify calls into `identifies`, group calls into `groups`; `context` fields
      become `context_*` columns. A table no
      sample reaches gets three synthetic rows that satisfy every test. With --seed-bad, also inserts one bad row per
      kind of check: an unplanned event in tracks.event_text, a value outside an
      enum's list, a NULL in a required property. Prints the tests those rows must
      make fail: [{"test": ..., "table": ..., "column": ...}].

  dbt PROJECT_DIR COMMAND [+ COMMAND ...]
      Runs dbt commands (`parse + test` runs both, in one process) on the project with the YAML JSON-schema checks
      switched on for DuckDB (dbt only runs them for some adapters, so deprecations
      in sources.yml would otherwise stay silent), partial parsing off and every
      deprecation shown. Prints, as its last line, a list with one summary per
      command: {"command": ..., "success": bool, "deprecations": [...],
      "warnings": [...] (other warnings and errors), "failed": [{"test", "table",
      "column"}]}.

Named harness.py, not dbt_*.py: dbt imports dbt_-prefixed modules as plugins.
"""

import json
import os
import sys

import yaml


def tests_of(column):
    """(name, arguments) of each data test of a column."""
    out = []
    for t in column.get("data_tests") or []:
        if isinstance(t, str):
            out.append((t, {}))
        else:
            ((name, body),) = t.items()
            body = body or {}
            # Arguments belong under `arguments:`; old-style YAML has them inline.
            out.append((name, body.get("arguments", body)))
    return out


def value(column, i):
    """A value of row i that passes every test of the column."""
    tests = dict(tests_of(column))
    if "accepted_values" in tests:
        values = tests["accepted_values"]["values"]
        return values[i % len(values)].replace("''", "'")
    kind = column.get("data_type", "varchar")
    if kind == "timestamp":
        return f"2026-11-{i % 28 + 1:02d} 10:00:00"
    if kind == "bigint":
        return i
    if kind == "double":
        return i + 0.5
    if kind == "boolean":
        return i % 2 == 0
    return f"{column['name']}-{i}"


def norm(name):
    """Column-name key: Segment snake-cases names (`orderId` -> `order_id`)."""
    return "".join(ch for ch in name.lower() if ch.isalnum())


def flatten(obj, prefix=""):
    """Segment's warehouse columns of a properties/traits object."""
    out = {}
    for k, v in obj.items():
        key = f"{prefix}_{k}" if prefix else k
        if isinstance(v, dict):
            out.update(flatten(v, key))
        elif isinstance(v, list):
            out[key] = json.dumps(v, sort_keys=True)
        else:
            out[key] = v
    return out


def load_samples(con, schema, tables, samples):
    """Inserts one row per table a payload lands in; returns the tables filled."""
    by_event = {}
    for name, table in tables.items():
        meta = ((table.get("config") or {}).get("meta") or {})
        for event in [meta.get("event")] + list(meta.get("events") or []):
            if event:
                by_event[event] = name
    filled = set()

    def put(table, values):
        columns = tables[table]["columns"]
        keyed = {norm(k): v for k, v in values.items()}
        row = [keyed.get(norm(c["name"])) for c in columns]
        insert(con, schema, table, columns, row)
        filled.add(table)

    with open(samples, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            p = json.loads(line)
            ts = p.get("timestamp")
            base = {"id": p.get("messageId"), "received_at": ts, "sent_at": ts, "timestamp": ts,
                    "original_timestamp": ts, "user_id": p.get("userId"),
                    "anonymous_id": p.get("anonymousId"),
                    **flatten(p.get("context") or {}, "context")}
            kind = p.get("type")
            if kind == "track":
                table = by_event.get(p.get("event"))
                calls = {**base, "event": table, "event_text": p.get("event")}
                if "tracks" in tables:
                    put("tracks", calls)
                if table:
                    put(table, {**calls, **flatten(p.get("properties") or {})})
            elif kind == "identify" and "identifies" in tables:
                put("identifies", {**base, **flatten(p.get("traits") or {})})
            elif kind == "group" and "groups" in tables:
                put("groups", {**base, "group_id": p.get("groupId"), **flatten(p.get("traits") or {})})
    return filled


def insert(con, schema, table, columns, row):
    names = ", ".join(f'"{c["name"]}"' for c in columns)
    marks = ", ".join("?" for _ in columns)
    con.execute(f'insert into "{schema}"."{table}" ({names}) values ({marks})', row)


PROJECT = """name: eventsc_check
version: "1.0.0"
config-version: 2
profile: eventsc_check
"""


def project(dir, sources_yml, samples, seed_bad):
    import duckdb

    text = open(sources_yml, encoding="utf-8").read()
    doc = yaml.safe_load(text)
    (source,) = doc["sources"]
    schema = source.get("schema", source["name"])
    os.makedirs(os.path.join(dir, "models"), exist_ok=True)
    with open(os.path.join(dir, "models", "sources.yml"), "w", encoding="utf-8") as f:
        f.write(text)
    with open(os.path.join(dir, "dbt_project.yml"), "w", encoding="utf-8") as f:
        f.write(PROJECT)
    db = os.path.join(dir, source.get("database", "warehouse") + ".duckdb")
    profile = {"eventsc_check": {"target": "dev", "outputs": {
        "dev": {"type": "duckdb", "path": db, "threads": 1}}}}
    with open(os.path.join(dir, "profiles.yml"), "w", encoding="utf-8") as f:
        yaml.safe_dump(profile, f)
    con = duckdb.connect(db)
    con.execute(f'create schema if not exists "{schema}"')
    tables = {}
    for table in source["tables"]:
        columns = table["columns"]
        cols = ", ".join(f'"{c["name"]}" {c.get("data_type", "varchar")}' for c in columns)
        con.execute(f'create or replace table "{schema}"."{table["name"]}" ({cols})')
        tables[table["name"]] = table
    filled = load_samples(con, schema, tables, samples)
    for name, table in tables.items():
        if name in filled:
            continue
        for i in range(3):
            row = [value(c, i) for c in table["columns"]]
            insert(con, schema, name, table["columns"], row)
    tables = {name: table["columns"] for name, table in tables.items()}

    expected = []
    if seed_bad:
        serial = iter(range(10, 100))

        def bad_row(table, column, bad):
            columns = tables[table]
            i = next(serial)
            row = [bad if c["name"] == column else value(c, i) for c in columns]
            insert(con, schema, table, columns, row)

        bad_row("tracks", "event_text", "Unplanned Event Happened")
        expected.append({"test": "accepted_values", "table": "tracks", "column": "event_text"})
        enum = required = None
        # Event tables first: a required event property is the usual case.
        order = sorted(tables, key=lambda t: t in ("tracks", "identifies", "groups"))
        for table in order:
            columns = tables[table]
            for c in columns:
                names = [n for n, _ in tests_of(c)]
                if enum is None and table != "tracks" and "accepted_values" in names:
                    enum = (table, c["name"])
                standard = c["name"] in ("id", "group_id", "user_id", "anonymous_id", "context_group_id")
                if required is None and not standard and "not_null" in names:
                    required = (table, c["name"])
        if enum is None or required is None:
            sys.exit("the plan has no enum or no required property to break")
        bad_row(enum[0], enum[1], "not-in-the-plan")
        expected.append({"test": "accepted_values", "table": enum[0], "column": enum[1]})
        bad_row(required[0], required[1], None)
        expected.append({"test": "not_null", "table": required[0], "column": required[1]})
    con.close()
    print(json.dumps(expected, sort_keys=True))


def run_dbt(project, args):
    import dbt.jsonschemas.jsonschemas as schemas

    schemas._JSONSCHEMA_SUPPORTED_ADAPTERS.add("duckdb")
    commands, current = [], []
    for a in args:
        if a == "+":
            commands.append(current)
            current = []
        else:
            current.append(a)
    commands.append(current)
    print(json.dumps([run_one(project, c) for c in commands], sort_keys=True))


def run_one(project, args):
    from dbt.cli.main import dbtRunner

    deprecations, warnings = [], []
    # Failed tests are reported through `failed`, not as warnings.
    expected = ("LogTestResult", "RunResultFailure", "RunResultError", "StatsLine", "EndOfRunSummary")

    def listen(event):
        name, level = event.info.name, str(event.info.level)
        if "Deprecat" in name:
            deprecations.append(f"{name}: {event.info.msg}")
        elif level in ("warn", "error") and name not in expected:
            warnings.append(f"{name}: {event.info.msg}")

    command, rest = args[0], args[1:]
    argv = [
        command,
        "--project-dir", project,
        "--profiles-dir", project,
        "--no-partial-parse",
        "--show-all-deprecations",
        *rest,
    ]
    res = dbtRunner(callbacks=[listen]).invoke(argv)
    failed = []
    for r in getattr(res.result, "results", None) or []:
        status = str(getattr(r, "status", ""))
        node = r.node
        if status in ("fail", "error") and node.resource_type == "test":
            meta = node.test_metadata
            table = node.sources[0][1] if node.sources else None
            failed.append({"test": meta.name if meta else node.name, "table": table,
                           "column": getattr(node, "column_name", None)})
    failed.sort(key=lambda f: json.dumps(f, sort_keys=True))
    if res.exception is not None:
        warnings.append(f"exception: {res.exception}")
    return {"command": command, "success": bool(res.success), "deprecations": deprecations,
            "warnings": warnings, "failed": failed}


def main():
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    if len(sys.argv) >= 5 and sys.argv[1] == "project":
        project(sys.argv[2], sys.argv[3], sys.argv[4], "--seed-bad" in sys.argv[5:])
    elif len(sys.argv) >= 4 and sys.argv[1] == "dbt":
        run_dbt(sys.argv[2], sys.argv[3:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
