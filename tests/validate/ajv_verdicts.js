#!/usr/bin/env node
// The independent side of tests/validate_ajv.rs: ajv 8 (draft-07) with
// ajv-formats validates each payload of an NDJSON corpus against the schema
// `eventsc build --target jsonschema` wrote for it (schemas/*.json: track
// schemas are found by their `event` const, identify and group by `type`).
//
// usage: node ajv_verdicts.js SCHEMA_DIR CORPUS.ndjson
// prints one line per corpus line: `valid`, `invalid <first error>`, or
// `no-schema` when no schema matches the payload's type and event.
"use strict";
const fs = require("fs");
const path = require("path");
const Ajv = require("ajv");
const addFormats = require("ajv-formats");

const [schemaDir, corpus] = process.argv.slice(2);
if (!schemaDir || !corpus) {
  console.error("usage: node ajv_verdicts.js SCHEMA_DIR CORPUS.ndjson");
  process.exit(2);
}

const ajv = new Ajv({ strict: false, allErrors: false });
addFormats(ajv);
const byKey = new Map();
for (const file of fs.readdirSync(schemaDir).sort()) {
  if (!file.endsWith(".json")) continue;
  const schema = JSON.parse(fs.readFileSync(path.join(schemaDir, file), "utf8"));
  const props = schema.properties || {};
  const type = props.type && props.type.const;
  const key = type === "track" ? `track:${props.event && props.event.const}` : type;
  if (byKey.has(key)) {
    console.error(`two schemas for ${key}`);
    process.exit(2);
  }
  byKey.set(key, ajv.compile(schema));
}

const out = [];
for (const line of fs.readFileSync(corpus, "utf8").split("\n")) {
  if (line.length === 0) continue;
  const p = JSON.parse(line);
  const v = byKey.get(p.type === "track" ? `track:${p.event}` : p.type);
  if (!v) {
    out.push("no-schema");
  } else if (v(p)) {
    out.push("valid");
  } else {
    const e = v.errors[0];
    out.push(`invalid ${e.instancePath || "/"} ${e.message}`);
  }
}
process.stdout.write(out.join("\n") + "\n");
