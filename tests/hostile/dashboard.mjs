// Reads `eventsc serve`'s live dashboard in headless Chromium, as a person
// would see it, and prints what it shows as JSON: the rows' names as shown,
// the feed's headings, whether any text from the payloads became markup (an
// element the dashboard does not make, an attribute handler that ran).
//
// usage: node dashboard.mjs URL RECEIVED
// Environment: MODULES, a node_modules folder holding playwright-core;
// CHROMIUM (default /usr/bin/chromium).
import { createRequire } from 'node:module';

const require = createRequire(`${process.env.MODULES}/`);
const { chromium } = require('playwright-core');
const [url, received] = process.argv.slice(2);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage();
  const dialogs = [];
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });
  await page.goto(url);
  await page.waitForFunction((n) => document.getElementById('received').textContent === n, received);
  await page.waitForFunction(() => Number(document.body.dataset.after || 0) > 0);
  // Give handlers of injected markup (onerror, onload) time to run.
  await page.waitForTimeout(300);
  const shown = await page.evaluate(() => ({
    rows: [...document.querySelectorAll('#events tbody tr .name')].map((td) => td.textContent),
    feed: [...document.querySelectorAll('#feed > li > b')].map((b) => b.textContent),
    // Elements the dashboard never makes itself.
    foreign: [...document.querySelectorAll('img, iframe, svg, object, embed, a, form, b b, i, script:not(:first-of-type)')]
      .map((e) => e.outerHTML.slice(0, 80)),
    scripts: document.scripts.length,
    pwned: window.__pwned ?? null,
  }));
  shown.dialogs = dialogs;
  console.log(JSON.stringify(shown));
} finally {
  await browser.close();
}
