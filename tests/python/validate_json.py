"""Validates JSON documents against a JSON Schema with the Python `jsonschema`
package, an implementation independent of eventsc.

Usage: validate_json.py SCHEMA INSTANCE [INSTANCE ...]

The schema must pass its meta-schema (the draft it declares in `$schema`). Each
instance is a `.json` file, or a `.ndjson` file validated line by line. Formats
are checked (`date-time` through rfc3339-validator). Prints every error with the
file, line and JSON path; exits 1 if any, 0 otherwise.
"""

import json
import sys

import jsonschema


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    schema_path, instances = argv[1], argv[2:]
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    try:
        cls.check_schema(schema)
    except jsonschema.exceptions.SchemaError as e:
        print(f"{schema_path}: not a valid {cls.__name__} schema: {e.message}")
        return 1
    validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
    errors = 0
    for path in instances:
        with open(path, encoding="utf-8") as f:
            if path.endswith(".ndjson"):
                docs = [(i + 1, json.loads(line)) for i, line in enumerate(f) if line.strip()]
            else:
                docs = [(1, json.load(f))]
        for line, doc in docs:
            for e in sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path)):
                errors += 1
                where = "/".join(str(p) for p in e.absolute_path)
                print(f"{path}:{line}: at /{where}: {e.message}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
