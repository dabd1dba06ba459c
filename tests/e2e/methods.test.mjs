// The methods of issue 3 in the page: choosing one starts a fresh run of it, shows its own loss
// terms and sliders, and trains.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

import { serve } from './serve.mjs';
import { colouredPixels, launch, readout } from './browser.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const dist = process.env.DIST ?? join(here, '..', '..', 'dist');

let server;
let browser;

before(async () => {
  server = await serve(dist);
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const idle = '[data-testid="run-state"][data-value="idle"]';

for (const [method, slider, ceiling] of [
  ['simclr', '#slider-temperature-τ', Math.log(2 * 256 - 1)],
  ['barlow', '#slider-off-diagonal-λ', Infinity],
]) {
  test(`choosing ${method} starts a fresh run of it, with its own slider, and it trains`, async () => {
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.waitForSelector(idle, { timeout: 60_000 });
    await page.selectOption('[data-testid="method"]', method);
    await page.waitForFunction((m) => location.search.includes(`method=${m}`), method);
    await page.waitForSelector(idle, { timeout: 60_000 });
    assert.ok(await page.isVisible(slider), `${slider} is shown`);
    assert.equal(await page.isVisible('#slider-invariance-λ'), false, 'VICReg sliders hidden');

    await page.$eval('[data-testid="step"]', (b) => {
      for (let i = 0; i < 30; i++) b.click();
    });
    await page.waitForSelector('[data-testid="step-count"][data-value="30"]', { timeout: 60_000 });
    const loss = Number(await readout(page, 'loss'));
    assert.ok(loss > 0 && loss < ceiling, `${method} loss ${loss}`);
    assert.ok((await colouredPixels(page, 'chart-loss')) > 300, 'the loss chart draws');
    await page.close();
  });
}
