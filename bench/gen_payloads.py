#!/usr/bin/env python3
"""Writes N valid Segment track payloads (NDJSON) for the plan of
`eventsc synth --events E --properties P`, deterministic (seeded).

Each line looks like what analytics.js sends (~1 KB): envelope, a context with
library, page, user agent, ip and consent preferences, and every property of the
event with a value that satisfies its type and constraints.

usage: gen_payloads.py --events 10000 --properties 20 --count 1000000 --out FILE
"""
import argparse
import json
import random
import sys

OBJECTS = ["Order", "Cart", "Product", "Trial", "Invoice", "Report", "Widget", "Page"]
ACTIONS = ["Viewed", "Created", "Updated", "Deleted", "Shared", "Exported", "Completed", "Paid"]


def event_name(i):
    return f"{OBJECTS[i % len(OBJECTS)]} {i} {ACTIONS[(i // len(OBJECTS)) % len(ACTIONS)]}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=10000)
    ap.add_argument("--properties", type=int, default=20)
    ap.add_argument("--count", type=int, default=1000000)
    ap.add_argument("--out", default="-")
    ap.add_argument("--seed", type=int, default=42)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    out = sys.stdout if a.out == "-" else open(a.out, "w", encoding="utf-8", newline="\n")
    names = [json.dumps(event_name(i)) for i in range(a.events)]
    tiers = ['"free"', '"pro"', '"enterprise"']
    choices = ['"a"', '"b"', '"c"']
    nfields = max(a.properties - 2, 0)
    # Pre-rendered value pools per field kind (j % 6), picked at random per line.
    pools = {
        0: [json.dumps(f"text value {k} " + "x" * (k % 40)) for k in range(64)],
        1: [str(k * 7 % 1001) for k in range(64)],
        2: ["null"] + [f"{k * 3.25:.2f}" for k in range(63)],
        3: choices,
        4: [f'"2026-11-{1 + k % 28:02d}T{k % 24:02d}:{k % 60:02d}:00.000Z"' for k in range(64)],
        5: [f'"user{k}@example.com"' for k in range(64)],
    }
    head_ctx = (
        '"context":{"library":{"name":"analytics.js","version":"5.2.0"},'
        '"page":{"path":"/app/settings","referrer":"https://www.example.com/","title":"Settings","url":"https://app.example.com/app/settings"},'
        '"userAgent":"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15",'
        '"locale":"en-US","ip":"203.0.113.7",'
        '"consent":{"categoryPreferences":{"analytics":true,"marketing":true}}}'
    )
    buf = []
    for n in range(a.count):
        e = rnd.randrange(a.events)
        fields = []
        for j in range(nfields):
            pool = pools[j % 6]
            fields.append(f'"field_{j}":{pool[rnd.randrange(len(pool))]}')
        props = (
            f'{{"account_id":"acct_{rnd.randrange(100000)}","tier":{tiers[rnd.randrange(3)]},'
            + ",".join(fields)
            + "}"
        )
        line = (
            f'{{"type":"track","event":{names[e]},"messageId":"msg-{n:08d}",'
            f'"anonymousId":"anon-{rnd.randrange(1 << 30):08x}","userId":"user-{rnd.randrange(100000)}",'
            f'"timestamp":"2026-11-25T10:{n % 60:02d}:00.000Z","sentAt":"2026-11-25T10:{n % 60:02d}:01.000Z",'
            f"{head_ctx},"
            f'"properties":{props}}}'
        )
        buf.append(line)
        if len(buf) >= 10000:
            out.write("\n".join(buf))
            out.write("\n")
            buf.clear()
    if buf:
        out.write("\n".join(buf))
        out.write("\n")
    if out is not sys.stdout:
        out.close()


if __name__ == "__main__":
    main()
