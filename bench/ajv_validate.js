#!/usr/bin/env node
// The ajv side of bench/validate.sh: validates NDJSON Segment payloads against
// the schemas of `eventsc build --target jsonschema` (schemas/*.json, one per
// event plus identify/group), one thread, JSON.parse per line.
//
// usage: node bench/ajv_validate.js SCHEMA_DIR PAYLOADS.ndjson
// prints one JSON object: compile and validation times (CPU and wall), counts,
// payloads per CPU second, and the process's peak RSS.
//
// ajv and ajv-formats come from tests/validate/node_modules (pinned there;
// scripts/setup.sh installs them).
"use strict";
const fs = require("fs");
const path = require("path");

const modules = path.join(__dirname, "..", "tests", "validate", "node_modules");
if (!fs.existsSync(path.join(modules, "ajv"))) {
  console.error(`${modules}/ajv is missing: run scripts/setup.sh`);
  process.exit(2);
}
const Ajv = require(path.join(modules, "ajv"));
const addFormats = require(path.join(modules, "ajv-formats"));

const [schemaDir, payloads] = process.argv.slice(2);
if (!schemaDir || !payloads) {
  console.error("usage: node bench/ajv_validate.js SCHEMA_DIR PAYLOADS.ndjson");
  process.exit(2);
}

const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

// Compile every schema; index them by what a payload says it is.
const t0 = Date.now();
const c0 = cpu();
const ajv = new Ajv({ strict: false });
addFormats(ajv);
const byKey = new Map();
for (const file of fs.readdirSync(schemaDir).sort()) {
  if (!file.endsWith(".json")) continue;
  const schema = JSON.parse(fs.readFileSync(path.join(schemaDir, file), "utf8"));
  const props = schema.properties || {};
  const type = props.type && props.type.const;
  const key = type === "track" ? `track:${props.event && props.event.const}` : type;
  byKey.set(key, ajv.compile(schema));
}
const compileCpu = cpu() - c0;
const compileWall = (Date.now() - t0) / 1000;

// Stream the payloads.
const t1 = Date.now();
const c1 = cpu();
let n = 0;
let valid = 0;
let unknown = 0;
let malformed = 0;
const check = (line) => {
  if (line.length === 0) return;
  n++;
  let p;
  try {
    p = JSON.parse(line);
  } catch (e) {
    malformed++;
    return;
  }
  const v = byKey.get(p.type === "track" ? `track:${p.event}` : p.type);
  if (!v) {
    unknown++;
    return;
  }
  if (v(p)) valid++;
};
const { StringDecoder } = require("string_decoder");
const decoder = new StringDecoder("utf8");
const fd = fs.openSync(payloads, "r");
const buf = Buffer.allocUnsafe(1 << 20);
let rest = "";
for (;;) {
  const k = fs.readSync(fd, buf, 0, buf.length, null);
  if (k === 0) break;
  const text = rest + decoder.write(buf.subarray(0, k));
  const lines = text.split("\n");
  rest = lines.pop();
  for (const line of lines) check(line);
}
check(rest);
fs.closeSync(fd);
const validateCpu = cpu() - c1;
const validateWall = (Date.now() - t1) / 1000;

console.log(
  JSON.stringify({
    schemas: byKey.size,
    compile_cpu_s: +compileCpu.toFixed(2),
    compile_wall_s: +compileWall.toFixed(2),
    payloads: n,
    valid,
    unknown,
    malformed,
    validate_cpu_s: +validateCpu.toFixed(2),
    validate_wall_s: +validateWall.toFixed(2),
    per_cpu_s: Math.round(n / validateCpu),
    max_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
  })
);
