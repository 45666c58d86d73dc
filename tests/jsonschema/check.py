"""Independent JSON Schema checks with Python `jsonschema` (run by tests/jsonschema.rs).

Reads one JSON request on stdin:

  {"meta": [FILE, ...],
   "cases": [{"schema": FILE, "pointer": "/rules/3/jsonSchema" (optional), "payload": ...}]}

- every FILE of "meta" must be a valid draft-07 schema (Draft7Validator.check_schema);
  a Segment rules body ({"rules": [...]}) is checked rule by rule (each jsonSchema);
- each case's payload is validated against the schema (at the JSON pointer, if any),
  with format checking on.

Prints {"meta": {FILE: null or the error}, "cases": [{"valid": bool, "errors": [...]}]}.
"""

import json
import sys

from jsonschema import Draft7Validator
from jsonschema.exceptions import SchemaError


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def at(doc, pointer):
    for part in filter(None, (pointer or "").split("/")):
        doc = doc[int(part)] if isinstance(doc, list) else doc[part]
    return doc


def check_schema(doc):
    if isinstance(doc, dict) and isinstance(doc.get("rules"), list):
        schemas = [r["jsonSchema"] for r in doc["rules"]]
    else:
        schemas = [doc]
    for s in schemas:
        Draft7Validator.check_schema(s)


def main():
    request = json.load(sys.stdin)
    meta = {}
    for path in request.get("meta", []):
        try:
            check_schema(load(path))
            meta[path] = None
        except SchemaError as e:
            meta[path] = f"{e.message} at {list(e.path)}"
    cases = []
    for case in request.get("cases", []):
        schema = at(load(case["schema"]), case.get("pointer"))
        validator = Draft7Validator(schema, format_checker=Draft7Validator.FORMAT_CHECKER)
        errors = sorted(e.message for e in validator.iter_errors(case["payload"]))
        cases.append({"valid": not errors, "errors": errors})
    print(json.dumps({"meta": meta, "cases": cases}, sort_keys=True))


if __name__ == "__main__":
    main()
