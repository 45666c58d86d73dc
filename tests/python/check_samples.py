"""Checks sample payloads against a tracking plan, independently of eventsc's
Rust code: builds a JSON Schema per call from the tracking-plan data (the `json`
target's plan/tracking-plan.json) and validates each sample with `jsonschema`.

Usage: check_samples.py TRACKING_PLAN_JSON OUT_DIR

OUT_DIR holds the `samples` target's output. Checks: one file per event
(`samples/<slug>.json`) plus identify/group and each page and screen rule
(`samples/page_<slug>.json`, with the rule for every page's properties too)
when planned; the envelope's fields and `require_one_of` on every payload; samples.ndjson holds
the same payloads in order; every payload has the envelope, the ids its
identity requires, every planned property (types, required, nullable, enums,
patterns, formats, bounds, lengths, list items, nested objects, nothing
unplanned), consent granted for the purposes it uses, a timestamp before the
event's sunset. Exits 1 with a report if anything fails.
"""

import json
import os
import sys

import jsonschema

KIND = {
    "string": {"type": "string"},
    "integer": {"type": "integer"},
    "number": {"type": "number"},
    "boolean": {"type": "boolean"},
    "datetime": {"type": "string", "format": "date-time"},
    "date": {"type": "string", "format": "date"},
    "enum": {},
    "list": {"type": "array"},
    "object": {"type": "object"},
    "any": {},
}


def shape(t, constraints, item):
    if t["kind"] == "union":
        # Each member with the property's constraints that apply to it.
        return {"anyOf": [shape(m, constraints, item) for m in t["members"]]}
    s = dict(KIND[t["kind"]])
    if "multiple_of" in constraints:
        s["multipleOf"] = constraints["multiple_of"]
    if "not_pattern" in constraints:
        s["not"] = {"type": "string", "pattern": constraints["not_pattern"]}
    if "not_enum" in constraints:
        s.setdefault("allOf", []).append({"not": {"enum": constraints["not_enum"]}})
    if t["kind"] == "enum":
        s["enum"] = list(t["values"])
    if t["kind"] == "list":
        items = t["items"]
        s["items"] = shape(items, items.get("item_constraints", {}), True)
        if items.get("item_nullable"):
            s["items"] = {"anyOf": [s["items"], {"type": "null"}]}
        if "min_length" in constraints:
            s["minItems"] = constraints["min_length"]
        if "max_length" in constraints:
            s["maxItems"] = constraints["max_length"]
        return s
    if t["kind"] == "object":
        return obj(t["properties"])
    if "minimum" in constraints:
        s["minimum"] = constraints["minimum"]
    if "maximum" in constraints:
        s["maximum"] = constraints["maximum"]
    if "pattern" in constraints:
        s["pattern"] = constraints["pattern"]
    if "format" in constraints:
        s["format"] = constraints["format"]
    if t["kind"] == "string":
        if "min_length" in constraints:
            s["minLength"] = constraints["min_length"]
        if "max_length" in constraints:
            s["maxLength"] = constraints["max_length"]
    return s


def prop(p):
    s = shape(p, p.get("constraints", {}), False)
    if p.get("nullable"):
        s = {"anyOf": [s, {"type": "null"}]}
    return s


def obj(props):
    return {
        "type": "object",
        "additionalProperties": False,
        "required": [p["name"] for p in props if p["required"]],
        "properties": {p["name"]: prop(p) for p in props},
    }


def consents(props, own):
    out = set([own] if own else [])
    for p in props:
        if p.get("deprecated") and not p["required"]:
            continue
        c = p["effective"].get("consent")
        if c:
            out.add(c)
        t = p
        while t["kind"] == "list":
            t = t["items"]
        if t["kind"] == "object":
            out |= consents(t["properties"], None)
    return out


def consent_schema(plan, ids):
    cats = sorted({c["category"] for c in plan["consents"] if c["id"] in ids})
    if not cats:
        return {"type": "object"}
    return {
        "type": "object",
        "required": ["consent"],
        "properties": {
            "consent": {
                "type": "object",
                "required": ["categoryPreferences"],
                "properties": {
                    "categoryPreferences": {
                        "type": "object",
                        "required": cats,
                        "properties": {c: {"const": True} for c in cats},
                    }
                },
            }
        },
    }


def envelope(kind, body_key, body, context):
    return {
        "type": "object",
        "required": ["type", "messageId", "timestamp", body_key, "context"],
        "properties": {
            "type": {"const": kind},
            "messageId": {"type": "string", "format": "uuid", "minLength": 1},
            "timestamp": {"type": "string", "format": "date-time"},
            body_key: body,
            "context": context,
        },
    }


IDENTITY = {
    "user": {"required": ["userId"]},
    "anonymous": {"required": ["anonymousId"]},
    "group": {"required": ["context"], "properties": {"context": {"required": ["groupId"]}}},
    "any": {"anyOf": [{"required": ["userId"]}, {"required": ["anonymousId"]}]},
}


def main(argv):
    plan_path, out = argv[1], argv[2]
    with open(plan_path, encoding="utf-8") as f:
        plan = json.load(f)
    common = plan.get("common", {}).get("properties", [])
    jobs = []  # (path, schema, sunset)
    for kind in ("identify", "group"):
        block = plan.get(kind)
        if block is None:
            continue
        s = envelope(kind, "traits", obj(block["properties"]),
                     consent_schema(plan, consents(block["properties"], block.get("consent"))))
        s["required"].append("userId")
        if kind == "group":
            s["required"].append("groupId")
        jobs.append((f"samples/{kind}.json", s, None))
    views = plan.get("views", [])
    for v in views:
        every = next((w for w in views if w["kind"] == v["kind"] and "name" not in w), None)
        # The rule for every page (screen) applies to a named one too.
        props = (every["properties"] if every and every is not v else []) + v["properties"]
        own = v.get("consent") or (every or {}).get("consent")
        s = envelope(v["kind"], "properties", obj(props), consent_schema(plan, consents(props, own)))
        s["required"].append("userId")
        if "name" in v:
            s["required"].append("name")
            s["properties"]["name"] = {"const": v["name"]}
        jobs.append((f"samples/{v['slug']}.json", s, None))
    for e in plan["events"]:
        props = common + e["properties"]
        s = envelope("track", "properties", obj(props),
                     consent_schema(plan, consents(props, e.get("consent"))))
        s["required"].append("event")
        s["properties"]["event"] = {"const": e["name"]}
        s = {"allOf": [s, IDENTITY[e["identity"]]]}
        jobs.append((f"samples/{e['slug']}.json", s, e.get("sunset")))
    env = plan.get("envelope")
    if env is not None:
        # The envelope's fields on every call (at the top level, where the
        # call's own fields and the libraries' sit beside them: objects there
        # are open at their first level, which holds the sample's consent and
        # ids too), and one of `require_one_of`.
        def open_top(p):
            s = prop(p)
            if p["kind"] == "object":
                s = dict(s, additionalProperties=True)
            return s
        top = {
            "type": "object",
            "required": [p["name"] for p in env["properties"] if p["required"]],
            "properties": {p["name"]: open_top(p) for p in env["properties"]},
        }
        if env.get("require_one_of"):
            top["anyOf"] = [{"required": [n]} for n in env["require_one_of"]]
        jobs = [(path, {"allOf": [schema, top]}, sunset) for path, schema, sunset in jobs]
    errors = []
    payloads = []
    for path, schema, sunset in jobs:
        jsonschema.Draft7Validator.check_schema(schema)
        full = os.path.join(out, path)
        if not os.path.exists(full):
            errors.append(f"{path}: missing")
            continue
        with open(full, encoding="utf-8") as f:
            doc = json.load(f)
        payloads.append(doc)
        v = jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
        for e in v.iter_errors(doc):
            where = "/".join(str(p) for p in e.absolute_path)
            errors.append(f"{path}: at /{where}: {e.message}")
        if sunset and doc.get("timestamp", "")[:10] >= sunset:
            errors.append(f"{path}: timestamp {doc['timestamp']} is not before the sunset {sunset}")
    ids = [p.get("messageId") for p in payloads]
    if len(set(ids)) != len(ids):
        errors.append(f"messageIds are not unique: {ids}")
    with open(os.path.join(out, "samples/samples.ndjson"), encoding="utf-8") as f:
        lines = [json.loads(line) for line in f if line.strip()]
    if lines != payloads:
        errors.append("samples.ndjson does not hold the sample files' payloads in order")
    files = sorted(os.listdir(os.path.join(out, "samples")))
    expected = sorted([os.path.basename(j[0]) for j in jobs] + ["samples.ndjson"])
    if files != expected:
        errors.append(f"sample files {files} != expected {expected}")
    for e in errors:
        print(e)
    print(f"checked {len(payloads)} samples, {len(errors)} problems", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
