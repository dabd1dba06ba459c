// Times the information lab in headless Chromium: each estimator per estimate at N = 10,000,
// d = 2 (one draw, no critics), and the staircase at its defaults (5 levels of 1,000 steps).
// A benchmark, not a test: `cd tests/e2e && node lab.bench.mjs`.
import { launch, DIST, readout } from './browser.mjs';
import { serve } from './serve.mjs';

const server = await serve(DIST);
const browser = await launch();
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
await page.goto(`${server.url}?view=lab`);
const idle = (timeout = 600_000) =>
  page.waitForSelector('[data-testid="lab-state"][data-value="idle"]', { timeout });
await idle();

// Sliders commit on change: set each and let the request restart.
async function slide(label, value) {
  await page.$eval(`#lab-${label}`, (el, v) => {
    el.value = v;
    el.dispatchEvent(new Event('change', { bubbles: true }));
  }, String(value));
}
await slide('critic-steps', 0);
await slide('draws', 1);
await slide('dimension-d', 2);
await slide('samples-n', 10000);
await idle();
const rows = [];
for (const key of ['ksg', 'ksg2', 'binning', 'kde']) {
  rows.push([key, Number(await readout(page, `mi-millis-${key}`)).toFixed(0)]);
}
console.log('| estimator (N = 10,000, d = 2) | ms per estimate |');
console.log('| --- | --- |');
for (const [k, ms] of rows) console.log(`| ${k} | ${ms} |`);

const started = Date.now();
await page.click('[data-testid="staircase-run"]');
await page.waitForSelector('[data-testid="lab-state"][data-value="staircase"]');
await idle();
console.log(`staircase, 5 x 1,000 steps, batch 64, separable critics: ${((Date.now() - started) / 1000).toFixed(1)} s wall`);
console.log(await page.textContent('[data-testid="staircase-summary"]'));
await browser.close();
await server.close();
