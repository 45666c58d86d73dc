// Sends a generated client's calls through the real @segment/analytics-node to a
// capture server on an ephemeral local port, and writes what arrived as NDJSON.
//
//   node send.js DIR OUT.ndjson [DENIED_PURPOSE]
//
// DIR holds the compiled client (typescript/tracking.js) and calls.js, whose
// run() makes the calls (and whose bad(), when present, makes calls that break
// the plan's constraints). Prints {"violations": [...], "bad": [...]} on stdout:
// what onViolation reported for run() and for bad().
"use strict";
const fs = require("fs");
const http = require("http");
const path = require("path");
const { Analytics } = require("@segment/analytics-node");

const [dir, out, denied] = process.argv.slice(2);
const received = [];
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    for (const m of JSON.parse(Buffer.concat(chunks).toString("utf8")).batch) {
      received.push(m);
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end("{}");
  });
});

server.listen(0, "127.0.0.1", async () => {
  const analytics = new Analytics({
    writeKey: "eventsc-test",
    host: `http://127.0.0.1:${server.address().port}`,
    maxRetries: 0,
  });
  const errors = [];
  analytics.on("error", (e) => errors.push(String(e && (e.reason || e.message || e.code || e))));
  const client = require(path.resolve(dir, "typescript/tracking.js"));
  const calls = require(path.resolve(dir, "calls.js"));
  const result = { violations: [], bad: [] };
  const consent = denied === undefined ? undefined : (purpose) => purpose !== denied;
  client.setAnalytics(analytics, { onViolation: (v) => result.violations.push(v), consent });
  calls.run();
  if (typeof calls.bad === "function") {
    client.setAnalytics(analytics, { onViolation: (v) => result.bad.push(v), consent });
    calls.bad();
  }
  await analytics.closeAndFlush({ timeout: 20000 });
  server.close();
  if (errors.length > 0) {
    process.stderr.write(`analytics-node reported errors: ${errors.join("; ")}\n`);
    process.exit(1);
  }
  fs.writeFileSync(out, received.map((m) => JSON.stringify(m) + "\n").join(""));
  process.stdout.write(JSON.stringify(result));
});
