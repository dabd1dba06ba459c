// Speed benchmark (not a CI test): training steps per second of each method and data set in the
// worker, in headless Chromium, as a Markdown table.
//
//   cd tests/e2e && node speed.bench.mjs                 (needs a built dist/)
//   SPEED_METHODS=vicreg,simclr SPEED_DATASETS=digits SPEED_SECONDS=20 node speed.bench.mjs
//
// Each run starts from its link, trains for a warm-up of 3 s, then the step counter is read
// SPEED_SECONDS apart (10 by default): the rate is steps done over wall time, evaluations and
// the page's drawing included, which is what a visitor sees.
import { serve } from './serve.mjs';
import { launch, readout } from './browser.mjs';

const methods = (process.env.SPEED_METHODS ?? 'vicreg,simclr,barlow,rotation,jigsaw').split(',');
const datasets = (process.env.SPEED_DATASETS ?? 'digits,mnist').split(',');
const seconds = Number(process.env.SPEED_SECONDS ?? 10);

const server = await serve(process.env.DIST ?? new URL('../../dist', import.meta.url).pathname);
const browser = await launch();
const rows = [];
for (const dataset of datasets) {
  for (const method of methods) {
    const page = await browser.newPage();
    await page.goto(`${server.url}?dataset=${dataset}&method=${method}`);
    const idle = '[data-testid="run-state"][data-value="idle"]';
    await page.waitForSelector(idle, { timeout: 120_000 });
    if (!(await page.url()).includes(`method=${method}`)) {
      console.error(`${method}: not offered by this build, skipped`);
      await page.close();
      continue;
    }
    await page.click('[data-testid="play"]');
    await page.waitForTimeout(3000);
    const t0 = Date.now();
    const s0 = Number(await readout(page, 'step-count'));
    await page.waitForTimeout(seconds * 1000);
    const s1 = Number(await readout(page, 'step-count'));
    const rate = (s1 - s0) / ((Date.now() - t0) / 1000);
    rows.push({ dataset, method, rate });
    console.error(`${dataset} ${method}: ${rate.toFixed(1)} steps/s`);
    await page.close();
  }
}
await browser.close();
await server.close();
console.log('| data set | method | steps/s in the worker |\n| --- | --- | --- |');
for (const r of rows) console.log(`| ${r.dataset} | ${r.method} | ${r.rate.toFixed(1)} |`);
