// The walking skeleton, end to end: the built dist/ served statically, opened in headless
// Chromium, trained with Play past step 200; NCC must rise, the charts must draw, and the console
// must stay free of errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';

import { ARTIFACTS, colouredPixels, readout, useSite } from './browser.mjs';

const site = useSite();

test('Play trains VICReg on the digits and test NCC rises above its step-0 value', async () => {
  const page = await site.browser.newPage({ viewport: { width: 1280, height: 1000 } });
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));

  await page.goto(site.server.url);
  await page.waitForSelector('[data-testid="run-state"][data-value="idle"]', { timeout: 60_000 });
  assert.equal(await readout(page, 'backend'), 'cpu');
  const nccAtStart = Number(await readout(page, 'ncc-test'));
  assert.ok(nccAtStart > 0 && nccAtStart < 1, `step-0 NCC ${nccAtStart}`);
  assert.equal(await page.getAttribute('[data-testid="play"]', 'aria-label'), 'Play');

  await page.click('[data-testid="play"]');
  await page.waitForSelector('[data-testid="run-state"][data-value="running"]');
  assert.equal(await page.getAttribute('[data-testid="play"]', 'aria-label'), 'Pause');

  // Past step 200 and past the first evaluation after it (evaluations come every 25 steps).
  await page.waitForFunction(
    () => Number(document.querySelector('[data-testid="step-count"]').dataset.value) > 230,
    null,
    { timeout: 180_000 },
  );
  const rate = Number(await readout(page, 'steps-per-second'));
  await page.click('[data-testid="play"]'); // Pause, so the readouts hold still.
  await page.waitForSelector('[data-testid="run-state"][data-value="paused"]');

  await page.screenshot({ path: join(ARTIFACTS, 'skeleton.png'), fullPage: true });
  const nccNow = Number(await readout(page, 'ncc-test'));
  const steps = Number(await readout(page, 'step-count'));
  console.log(`steps ${steps}, test NCC ${nccAtStart} -> ${nccNow}, ${rate} steps/s`);
  assert.ok(nccNow > nccAtStart, `test NCC ${nccNow} did not rise above ${nccAtStart}`);
  assert.ok(rate > 0, 'steps per second');

  for (const chart of ['chart-loss', 'chart-ncc', 'chart-embedding']) {
    const coloured = await colouredPixels(page, chart);
    assert.ok(coloured > 300, `${chart} looks blank (${coloured} coloured pixels)`);
  }
  assert.deepEqual(errors, []);
});

test('Reset starts a fresh run at step 0 and Step advances it by one', async () => {
  const page = await site.browser.newPage();
  await page.goto(site.server.url);
  await page.waitForSelector('[data-testid="run-state"][data-value="idle"]', { timeout: 60_000 });
  await page.click('[data-testid="step"]');
  await page.waitForSelector('[data-testid="step-count"][data-value="1"]');
  await page.waitForSelector('[data-testid="run-state"][data-value="paused"]');
  await page.click('[data-testid="reset"]');
  await page.waitForSelector('[data-testid="run-state"][data-value="idle"]');
  assert.equal(await readout(page, 'step-count'), '0');
});

test('a seed that is negative is refused with a message and the seed is kept', async () => {
  const page = await site.browser.newPage();
  await page.goto(site.server.url);
  await page.waitForSelector('[data-testid="run-state"][data-value="idle"]', { timeout: 60_000 });
  await page.fill('[data-testid="seed"]', '7');
  await page.dispatchEvent('[data-testid="seed"]', 'change');
  await page.fill('[data-testid="seed"]', '-5');
  await page.dispatchEvent('[data-testid="seed"]', 'change');
  const alert = await page.textContent('[role="alert"]');
  assert.match(alert, /"-5" is not a seed/);
  assert.match(alert, /The seed stays 7\./);
  assert.equal(await page.getAttribute('[data-testid="seed"]', 'aria-invalid'), 'true');
});
