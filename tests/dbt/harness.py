"""Test harness for the `dbt` target (run by tests/it/dbt.rs with .venv/bin/python).

Subcommands (each prints one JSON document as its last line on stdout):

  project DIR DBT_DIR PAYLOADS [--engine duckdb|postgres] [--port N] [--without-table NAME]
      Makes DIR a copy of the generated dbt project DBT_DIR (`eventsc build
      --target dbt` writes it under dbt/) with a profiles.yml for the engine:
      DuckDB (a file per database named in sources.yml, the first one the
      main database, the others attached) or PostgreSQL (127.0.0.1:PORT, user
      postgres, the database the sources name, else one named after DIR;
      created if missing). Creates every table of every source (types from `data_type`)
      and loads the Segment payloads of PAYLOADS (NDJSON) into them the way
      Segment's warehouse loader does: a track call into its source's `tracks`
      and into its event's table, identify/group/page/screen calls into the
      first source that has the table; properties, traits and context
      flattened into `parent_child` columns (snake_case), lists as JSON text,
      values Segment could not cast to the column's type as NULL, a column
      added (varchar) for a property, trait or context key the table lacks
      (page and screen properties too), other columns
      the table lacks dropped. `--without-table NAME` leaves the tables NAME
      out (as if Segment had not made them yet; their calls are lost).
      Prints {"rows": N}.

  dbt [--vars JSON] PROJECT_DIR COMMAND [ARGS] [+ PROJECT_DIR COMMAND [ARGS] ...]
      Runs dbt commands (`P parse + P test` runs both, in one process: dbt
      starts once) on the projects with the YAML JSON-schema checks switched on for DuckDB (dbt only
      runs them for some adapters, so deprecations would otherwise stay
      silent), partial parsing off and every deprecation shown. Prints a list
      with one summary per command: {"command", "success", "deprecations",
      "warnings" (other warnings and errors), "failed": [{"test", "table",
      "column"}], "errors": [...] (nodes that errored), "passed": N}.

  qa PROJECT_DIR
      Reads the models eventsc_qa_summary and eventsc_qa_defects from the
      warehouse. Prints {"summary": {...}, "defects": [[event, call_type,
      column_name, rule, message_id, location], ...]} (defects sorted).

  manifest PROJECT_DIR
      Reads target/manifest.json: {"sources": {unique_id: {description, meta,
      tags, columns: {name: description}}}, "tests": {unique_id: {name, tags,
      kwargs}}} for what dbt parsed.

Named harness.py, not dbt_*.py: dbt imports dbt_-prefixed modules as plugins.
"""

import datetime
import json
import os
import re
import shutil
import sys

import yaml


def snake(name):
    """Segment's snake_case (a port of github.com/segmentio/go-snakecase, as
    eventsc's `targets::dbt::snakecase`): ASCII letters and digits are kept,
    every other byte separates words, an uppercase letter starts a word."""
    b = name.encode("utf-8")
    low = lambda c: 97 <= c <= 122 or 48 <= c <= 57
    up = lambda c: 65 <= c <= 90 or 48 <= c <= 57
    alnum = lambda c: low(c) or 65 <= c <= 90
    i = 0
    while i < len(b) and (low(b[i]) or (b[i] == 95 and i + 1 < len(b) and low(b[i + 1]))):
        i += 1
    if i == len(b):
        return name
    if i > 0 and 48 <= b[i - 1] <= 57:
        i -= 1
    out = bytearray(b[:i])
    while i < len(b):
        if not alnum(b[i]):
            i += 1
            continue
        if out:
            out += b"_"
        while i < len(b) and up(b[i]):
            out.append(b[i] + 32 if 65 <= b[i] <= 90 else b[i])
            i += 1
        while i < len(b) and low(b[i]):
            out.append(b[i])
            i += 1
    return out.decode("ascii")


def flatten(obj, prefix=""):
    """Segment's warehouse columns of an object: nested objects flattened,
    lists stringified."""
    out = {}
    for k, v in obj.items():
        key = f"{prefix}_{k}" if prefix else k
        if isinstance(v, dict):
            out.update(flatten(v, key))
        else:
            out[snake(key)] = json.dumps(v, sort_keys=True, ensure_ascii=False) if isinstance(v, list) else v
    return out


def utc(value):
    """An RFC 3339 string as a naive UTC timestamp string, else None."""
    if not isinstance(value, str):
        return None
    m = re.fullmatch(r"(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})?", value)
    if not m:
        return None
    frac = (m.group(3) or "")[:7]
    zone = m.group(4) or "Z"
    try:
        t = datetime.datetime.fromisoformat(f"{m.group(1)}T{m.group(2)}{frac}")
    except ValueError:
        return None
    if zone not in ("Z", "z"):
        sign = 1 if zone[0] == "+" else -1
        t -= sign * datetime.timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
    return t.isoformat(sep=" ")


def cast(value, kind):
    """A payload value in a column of `kind`, as Segment's loader casts it."""
    if value is None:
        return None
    if kind == "bigint":
        if isinstance(value, bool):
            return None
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return None
    if kind == "double":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        return float(value)
    if kind == "boolean":
        return value if isinstance(value, bool) else None
    if kind == "timestamp":
        return utc(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return value


class Warehouse:
    def __init__(self, engine, conn):
        self.engine, self.conn = engine, conn

    def execute(self, sql, params=()):
        if self.engine == "duckdb":
            self.conn.execute(sql, list(params))
        else:
            with self.conn.cursor() as cur:
                cur.execute(sql.replace("?", "%s"), tuple(params))

    def query(self, sql):
        if self.engine == "duckdb":
            cur = self.conn.execute(sql)
            names = [d[0] for d in cur.description]
            return names, cur.fetchall()
        with self.conn.cursor() as cur:
            cur.execute(sql)
            names = [d[0] for d in cur.description]
            return names, cur.fetchall()

    def close(self):
        if self.engine == "postgres":
            self.conn.commit()
        self.conn.close()


def pg_connect(port, dbname):
    import psycopg2

    conn = psycopg2.connect(host="127.0.0.1", port=port, user="postgres", dbname=dbname)
    return conn


def relation(engine, db, schema, table):
    if engine == "duckdb":
        return f'"{db}"."{schema}"."{table}"'
    return f'"{schema}"."{table}"'


def project(dir, dbt_dir, payloads, engine, port, without=None):
    if os.path.exists(dir):
        shutil.rmtree(dir)
    shutil.copytree(dbt_dir, dir)
    doc = yaml.safe_load(open(os.path.join(dir, "models", "sources.yml"), encoding="utf-8"))
    sources = doc["sources"]
    # A database of its own per project (projects share a PostgreSQL server),
    # unless the sources name one.
    default = re.sub(r"[^a-z0-9_]", "_", os.path.basename(os.path.abspath(dir)).lower())
    databases = []
    for s in sources:
        db = s.get("database", default)
        if db not in databases:
            databases.append(db)
    if engine == "duckdb":
        import duckdb

        main = databases[0]
        output = {"type": "duckdb", "path": os.path.join(dir, main + ".duckdb"), "threads": 1}
        if databases[1:]:
            output["attach"] = [{"path": os.path.join(dir, d + ".duckdb")} for d in databases[1:]]
        con = duckdb.connect(os.path.join(dir, main + ".duckdb"))
        for d in databases[1:]:
            con.execute(f"attach '{os.path.join(dir, d + '.duckdb')}' as \"{d}\"")
        wh = Warehouse("duckdb", con)
    else:
        if len(databases) > 1:
            sys.exit("PostgreSQL: the sources name more than one database")
        dbname = databases[0]
        admin = pg_connect(port, "postgres")
        admin.autocommit = True
        with admin.cursor() as cur:
            cur.execute("select 1 from pg_database where datname = %s", (dbname,))
            if cur.fetchone() is None:
                cur.execute(f'create database "{dbname}"')
        admin.close()
        output = {"type": "postgres", "host": "127.0.0.1", "port": port, "user": "postgres",
                  "password": "", "dbname": dbname, "schema": "eventsc_qa", "threads": 1}
        wh = Warehouse("postgres", pg_connect(port, dbname))
    if engine == "duckdb":
        output["schema"] = "eventsc_qa"
    profile = {"eventsc": {"target": "dev", "outputs": {"dev": output}}}
    with open(os.path.join(dir, "profiles.yml"), "w", encoding="utf-8") as f:
        yaml.safe_dump(profile, f)

    tables = {}  # (source, table) -> (relation, {column: type})
    for s in sources:
        db = s.get("database", default)
        schema = s["schema"]
        wh.execute(f'create schema if not exists "{schema}"' if engine == "postgres"
                   else f'create schema if not exists "{db}"."{schema}"')
        for t in s["tables"]:
            if t["name"] == without:
                continue
            types = {c["name"]: c.get("data_type", "varchar") for c in t["columns"]}
            kinds = {"double": "double precision"} if engine == "postgres" else {}
            cols = ", ".join(f'"{n}" {kinds.get(k, k)}' for n, k in types.items())
            rel = relation(engine, db, schema, t["name"])
            wh.execute(f"drop table if exists {rel}")
            wh.execute(f"create table {rel} ({cols})")
            meta = t.get("meta") or (t.get("config") or {}).get("meta") or {}
            tables[(s["name"], t["name"])] = (rel, types, meta.get("event"))

    by_event = {}
    for (src, name), (_, _, event) in tables.items():
        if event and event not in by_event:
            by_event[event] = (src, name)
    # Events sharing a table: every event named in a shared table's tests is
    # found through the source of the table's first event; look up the rest
    # by Segment's table name.
    def table_of(event):
        if event in by_event:
            return by_event[event]
        name = snake(event)
        for (src, t) in tables:
            if t == name:
                return (src, t)
        return None

    def first(table):
        for (src, t) in tables:
            if t == table:
                return src
        return None

    rows = 0

    def put(key, values, keys=()):
        """A row; `keys`: the columns of properties and traits, which
        Segment adds to the table when it lacks them (as varchar here)."""
        nonlocal rows
        if key not in tables:
            return
        rel, types, _ = tables[key]
        for n in keys:
            if n not in types and re.fullmatch(r"[a-z0-9_]+", n) and values.get(n) is not None:
                wh.execute(f'alter table {rel} add column "{n}" varchar')
                types[n] = "varchar"
        names = [n for n in types if n in values]
        if not names:
            return
        marks = ", ".join("?" for _ in names)
        cols = ", ".join(f'"{n}"' for n in names)
        wh.execute(f"insert into {rel} ({cols}) values ({marks})",
                   [cast(values[n], types[n]) for n in names])
        rows += 1

    with open(payloads, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            p = json.loads(line)
            ts = p.get("timestamp")
            base = {"id": p.get("messageId"), "received_at": p.get("receivedAt", ts),
                    "sent_at": p.get("sentAt", ts), "timestamp": ts,
                    "original_timestamp": p.get("originalTimestamp", ts),
                    "user_id": p.get("userId"), "anonymous_id": p.get("anonymousId"),
                    **flatten(p.get("context") or {}, "context")}
            kind = p.get("type")
            # Context keys make columns too (Segment adds one per new key).
            context = [k for k in base if k.startswith("context_")]
            if kind == "track":
                event = p.get("event")
                at = table_of(event) if isinstance(event, str) else None
                calls = {**base, "event": at[1] if at else snake(str(event)), "event_text": event}
                src = at[0] if at else first("tracks")
                if src and (src, "tracks") in tables:
                    put((src, "tracks"), calls, context)
                if at and at[1] != "tracks":
                    props = flatten(p.get("properties") or {})
                    put(at, {**calls, **props}, [*props, *context])
            elif kind in ("identify", "group", "page", "screen"):
                table = {"identify": "identifies", "group": "groups", "page": "pages",
                         "screen": "screens"}[kind]
                src = first(table)
                if src is None:
                    continue
                extra = {}
                keys = [*context]
                if kind == "group":
                    extra["group_id"] = p.get("groupId")
                if kind in ("page", "screen"):
                    props = flatten(p.get("properties") or {})
                    extra.update(props)
                    keys += props
                    extra["name"] = p.get("name")
                traits = flatten(p.get("traits") or {})
                put((src, table), {**base, **extra, **traits}, [*keys, *traits])
    wh.close()
    print(json.dumps({"rows": rows}))


def run_dbt(args):
    import dbt.jsonschemas.jsonschemas as schemas

    schemas._JSONSCHEMA_SUPPORTED_ADAPTERS.add("duckdb")
    extra = []
    if args[:1] == ["--vars"]:
        extra = ["--vars", args[1]]
        args = args[2:]
    commands, current = [], []
    for a in args:
        if a == "+":
            commands.append(current)
            current = []
        else:
            current.append(a)
    commands.append(current)
    print(json.dumps([run_one(c[0], c[1:], extra) for c in commands], sort_keys=True))


def run_one(project, args, extra):
    from dbt.cli.main import dbtRunner

    deprecations, warnings = [], []
    # Failed tests are reported through `failed`, not as warnings.
    expected = ("LogTestResult", "RunResultFailure", "RunResultError", "StatsLine",
                "EndOfRunSummary", "RunResultErrorNoMessage", "LogModelResult",
                "RunResultWarning", "SQLRuntimeError", "CompiledNode")

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
    if command in ("test", "build", "run", "compile"):
        argv += extra
    res = dbtRunner(callbacks=[listen]).invoke(argv)
    failed, errors, passed = [], [], 0
    for r in getattr(res.result, "results", None) or []:
        status = str(getattr(r, "status", ""))
        node = r.node
        if status in ("pass", "success"):
            passed += 1
        elif status == "fail" and node.resource_type == "test":
            meta = node.test_metadata
            table = node.sources[0][1] if node.sources else None
            failed.append({"test": meta.name if meta else node.name, "table": table,
                           "column": getattr(node, "column_name", None)})
        elif status == "error":
            errors.append({"node": node.unique_id, "message": str(getattr(r, "message", ""))[:2000]})
    failed.sort(key=lambda f: json.dumps(f, sort_keys=True))
    if res.exception is not None:
        warnings.append(f"exception: {res.exception}")
    return {"command": command, "success": bool(res.success), "deprecations": deprecations,
            "warnings": warnings, "failed": failed, "errors": errors, "passed": passed}


def connect_profile(project):
    profile = yaml.safe_load(open(os.path.join(project, "profiles.yml"), encoding="utf-8"))
    out = profile["eventsc"]["outputs"]["dev"]
    if out["type"] == "duckdb":
        import duckdb

        con = duckdb.connect(out["path"], read_only=True)
        return Warehouse("duckdb", con), out["schema"]
    return Warehouse("postgres", pg_connect(out["port"], out["dbname"])), out["schema"]


def plain(v):
    if isinstance(v, (datetime.datetime, datetime.date)):
        return v.isoformat()
    if hasattr(v, "is_finite"):  # Decimal
        return float(v)
    return v


def qa(project):
    wh, schema = connect_profile(project)
    names, rows = wh.query(f'select * from "{schema}"."eventsc_qa_summary"')
    summary = {n: plain(v) for n, v in zip(names, rows[0])} if rows else None
    _, rows = wh.query(
        f'select event, call_type, column_name, rule, message_id, location '
        f'from "{schema}"."eventsc_qa_defects"')
    defects = sorted([list(r) for r in rows], key=lambda r: json.dumps(r))
    wh.close() if wh.engine == "duckdb" else wh.conn.close()
    print(json.dumps({"summary": summary, "defects": defects}, sort_keys=True))


def manifest(project):
    m = json.load(open(os.path.join(project, "target", "manifest.json"), encoding="utf-8"))
    sources = {}
    for uid, s in m["sources"].items():
        sources[uid] = {"description": s["description"], "source_description": s["source_description"],
                        "meta": s["meta"], "tags": s["tags"],
                        "columns": {k: {"description": c["description"], "meta": c["meta"]}
                                    for k, c in s["columns"].items()}}
    tests = {}
    for uid, n in m["nodes"].items():
        if n["resource_type"] == "test":
            meta = n.get("test_metadata") or {}
            tests[uid] = {"name": meta.get("name"), "tags": n["tags"], "kwargs": meta.get("kwargs")}
    print(json.dumps({"sources": sources, "tests": tests}, sort_keys=True))


def main():
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    a = sys.argv[1:]
    if len(a) >= 4 and a[0] == "project":
        engine, port, without = "duckdb", None, None
        if "--engine" in a:
            engine = a[a.index("--engine") + 1]
        if "--port" in a:
            port = int(a[a.index("--port") + 1])
        if "--without-table" in a:
            without = a[a.index("--without-table") + 1]
        project(a[1], a[2], a[3], engine, port, without)
    elif len(a) >= 3 and a[0] == "dbt":
        run_dbt(a[1:])
    elif len(a) == 2 and a[0] == "qa":
        qa(a[1])
    elif len(a) == 2 and a[0] == "manifest":
        manifest(a[1])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
