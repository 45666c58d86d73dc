#!/usr/bin/env node
// The independent side of tests/validate_ajv.rs: ajv 8 (draft-07) with
// ajv-formats validates each payload of an NDJSON corpus against the schema
// `eventsc build --target jsonschema` wrote for it (schemas/*.json: track
// schemas are found by their `event` const and the version in their file name
// (picked by `context.protocols.event_version`, the oldest without one, as
// Segment does), identify and group by `type`, page and screen schemas by
// `type` and `name` const (the rule for every page without one, used when
// no rule names the page)).
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
// Track schemas by event name, each version's (`<stem>.vN.json`; the stem
// alone is version 1), oldest first.
const tracks = new Map();
for (const file of fs.readdirSync(schemaDir).sort()) {
  if (!file.endsWith(".json")) continue;
  const schema = JSON.parse(fs.readFileSync(path.join(schemaDir, file), "utf8"));
  const props = schema.properties || {};
  const type = props.type && props.type.const;
  if (type === "track") {
    const event = props.event && props.event.const;
    const m = /\.v(\d+)\.json$/.exec(file);
    const version = m ? Number(m[1]) : 1;
    const list = tracks.get(event) || [];
    if (list.some((s) => s.version === version)) {
      console.error(`two schemas for ${event} version ${version}`);
      process.exit(2);
    }
    list.push({ version, validate: ajv.compile(schema) });
    list.sort((a, b) => a.version - b.version);
    tracks.set(event, list);
    continue;
  }
  // page and screen: `page:<name>` for a named rule, `page` for every page.
  const name = props.name && props.name.const;
  const key = typeof name === "string" ? `${type}:${name}` : type;
  if (byKey.has(key)) {
    console.error(`two schemas for ${key}`);
    process.exit(2);
  }
  byKey.set(key, ajv.compile(schema));
}

// The schema a payload answers to, or a verdict without one.
function pick(p) {
  if (p.type === "track") {
    const list = tracks.get(p.event);
    if (!list) return { verdict: "no-schema" };
    const cx = p.context;
    const pr = cx && typeof cx === "object" && !Array.isArray(cx) ? cx.protocols : undefined;
    const ev = pr && typeof pr === "object" && !Array.isArray(pr) ? pr.event_version : undefined;
    // Segment: without a version, the oldest.
    if (ev === undefined) return { validate: list[0].validate };
    const one = Number.isInteger(ev) ? list.find((s) => s.version === ev) : undefined;
    return one ? { validate: one.validate } : { verdict: "invalid unknown event_version" };
  }
  if (p.type === "page" || p.type === "screen") {
    const v = (typeof p.name === "string" && byKey.get(`${p.type}:${p.name}`)) || byKey.get(p.type);
    // No rule for it: nothing to check.
    return v ? { validate: v } : { verdict: "valid" };
  }
  const v = byKey.get(p.type);
  return v ? { validate: v } : { verdict: "no-schema" };
}

const out = [];
for (const line of fs.readFileSync(corpus, "utf8").split("\n")) {
  if (line.length === 0) continue;
  const p = JSON.parse(line);
  const { validate: v, verdict } = pick(p);
  if (!v) {
    out.push(verdict);
  } else if (v(p)) {
    out.push("valid");
  } else {
    const e = v.errors[0];
    out.push(`invalid ${e.instancePath || "/"} ${e.message}`);
  }
}
process.stdout.write(out.join("\n") + "\n");
