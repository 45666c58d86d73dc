// QA the storefront page with the real analytics.js in headless Chromium,
// against `eventsc serve` (see README.md):
//
//   eventsc serve ../ecommerce --analytics-js node_modules/@segment/analytics-next/dist/umd --static site &
//   node qa.mjs
//
// Clicks every button of site/index.html, waits until the collector has every
// payload, then reads the live dashboard and prints what it shows as JSON
// (the verdict, each event's counts, the violations and consent defects).
// Environment: COLLECTOR (default http://127.0.0.1:8787), CHROMIUM (default
// /usr/bin/chromium: playwright-core drives an installed browser and never
// downloads one).
import { chromium } from 'playwright-core';

const collector = process.env.COLLECTOR ?? 'http://127.0.0.1:8787';
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';

async function records() {
  const qa = await (await fetch(`${collector}/qa.json`)).json();
  return qa.totals.records;
}

async function until(what, check, ms = 20000) {
  const end = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const browser = await chromium.launch({
  executablePath,
  // Flags that keep Chromium off the network it cannot reach here.
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage();
  page.on('console', (m) => { if (m.type() === 'error') console.error(`page: ${m.text()}`); });
  const before = await records();
  await page.goto(`${collector}/app/`);
  // analytics.js is ready once it has loaded its settings from the collector.
  await page.waitForFunction(() => window.analytics && window.analytics.initialized === true);
  const buttons = await page.locator('button').all();
  for (const b of buttons) await b.click();
  // The page view plus one payload per button.
  const expected = before + 1 + buttons.length;
  await until(`${expected} payloads at the collector`, async () => (await records()) >= expected);

  const dash = await browser.newPage();
  await dash.goto(`${collector}/`);
  await dash.waitForFunction((n) => document.getElementById('received').textContent === String(n), expected);
  await dash.waitForFunction((n) => Number(document.body.dataset.after || 0) > 0 || n === 0, expected);
  const shown = await dash.evaluate(() => ({
    verdict: document.getElementById('verdict').textContent,
    received: Number(document.getElementById('received').textContent),
    coverage: document.getElementById('coverage').textContent,
    defects: Number(document.getElementById('defects').textContent),
    consent: Number(document.getElementById('consent-count').textContent),
    events: [...document.querySelectorAll('#events tbody tr')].map((tr) => ({
      name: tr.dataset.event,
      version: tr.dataset.version ? Number(tr.dataset.version) : null,
      shown: tr.querySelector('.name').textContent,
      seen: Number(tr.querySelector('.seen').textContent),
      valid: Number(tr.querySelector('.valid').textContent),
      defective: Number(tr.querySelector('.defective').textContent),
      warned: Number(tr.querySelector('.warned').textContent),
    })),
    feed: [...document.querySelectorAll('#feed > li')].map((li) => ({
      line: Number(li.dataset.line),
      event: li.dataset.event,
      version: li.dataset.version ? Number(li.dataset.version) : null,
      violations: li.querySelectorAll('.violation').length,
    })),
    consentDefects: [...document.querySelectorAll('#consent > li')].map((li) => li.dataset.event),
  }));
  console.log(JSON.stringify(shown, null, 2));
} finally {
  await browser.close();
}
