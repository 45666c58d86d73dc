// Load generator for bench/serve.sh: posts payloads to `eventsc serve` as
// fast as it answers, and polls the dashboard's data meanwhile.
//
//   node bench/serve_load.mjs URL PAYLOADS.ndjson [SECONDS] [BATCH] [CONCURRENCY]
//
// BATCH 1 posts each payload alone to /v1/t (as analytics.js does), more
// posts {"batch": [...]} to /v1/batch (as the server libraries do). Prints
// one JSON line: payloads acknowledged per second, and the latency of
// GET /qa.json and GET / while the load runs.
import http from 'node:http';
import fs from 'node:fs';

const [url, file, seconds = '10', batch = '100', concurrency = '4'] = process.argv.slice(2);
const base = new URL(url);
const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim());
const size = Number(batch);
const bodies = [];
for (let i = 0; i < lines.length; i += size) {
  const chunk = lines.slice(i, i + size);
  bodies.push({
    path: size === 1 ? '/v1/t' : '/v1/batch',
    body: Buffer.from(size === 1 ? chunk[0] : `{"batch":[${chunk.join(',')}]}`),
    count: chunk.length,
  });
}
// One keep-alive connection per worker, opened one after the other before
// the load starts: tiny_http hands each new connection to a pool thread, and
// a burst of more new connections than idle threads can leave one unanswered
// until another closes (see README).
const agents = [...Array(Number(concurrency))].map(() => new http.Agent({ keepAlive: true, maxSockets: 1 }));

function post(agent, { path, body }) {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: base.hostname, port: base.port, path, method: 'POST', agent,
      headers: { 'Content-Type': 'application/json', 'Content-Length': body.length },
    }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode)); });
    req.on('error', reject);
    req.end(body);
  });
}

// The dashboard's polls open a connection each (Connection: close), one at
// a time; `agent` keeps one open instead.
function get(path, agent) {
  const t = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const opts = agent ? { agent } : { agent: false, headers: { Connection: 'close' } };
    http.get({ host: base.hostname, port: base.port, path, ...opts }, (res) => {
      res.resume();
      res.on('end', () => resolve(Number(process.hrtime.bigint() - t) / 1e6));
    }).on('error', reject);
  });
}

let end = Date.now() + Number(seconds) * 1000;
let sent = 0;
let failed = 0;
let next = 0;
async function worker(agent) {
  while (Date.now() < end) {
    const b = bodies[next++ % bodies.length];
    const status = await post(agent, b);
    if (status === 200) sent += b.count; else failed += b.count;
  }
}
const polls = { qa: [], page: [] };
async function poller() {
  while (Date.now() < end) {
    polls.qa.push(await get('/qa.json'));
    polls.page.push(await get('/'));
    await new Promise((r) => setTimeout(r, 250));
  }
}
for (const agent of agents) await get('/v1/projects/bench/settings', agent);
end = Date.now() + Number(seconds) * 1000;
const start = Date.now();
await Promise.all(agents.map(worker).concat([poller()]));
const secs = (Date.now() - start) / 1000;
const stat = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0;
  return { n: s.length, median_ms: +q(0.5).toFixed(1), p90_ms: +q(0.9).toFixed(1), max_ms: +(s[s.length - 1] ?? 0).toFixed(1) };
};
console.log(JSON.stringify({
  batch: size, concurrency: Number(concurrency), seconds: +secs.toFixed(2),
  payloads: sent, failed, per_second: Math.round(sent / secs),
  qa_json: stat(polls.qa), dashboard: stat(polls.page),
}));
for (const agent of agents) agent.destroy();
