// The bench page (?bench) in a real browser: it times the cases it is asked for in the worker
// and reports what they computed. Its times are not checked (a test is no benchmark); its
// values are, against references computed elsewhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { useSite, readout } from './browser.mjs';

const site = useSite();

async function bench(cases) {
  const page = await site.browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${site.server.url}?bench=${cases}`);
  await page.waitForSelector('[data-testid="bench-state"]:not([data-value="running"])', {
    timeout: 120_000,
  });
  return { page, errors };
}

test('the bench page times KSG and a training step and reports what they computed', async () => {
  const { page, errors } = await bench('ksg-2000,step-vicreg');
  assert.equal(await readout(page, 'bench-state'), 'done');
  assert.equal(await readout(page, 'bench-simd'), 'true');
  for (const key of ['ksg-2000', 'step-vicreg']) {
    const median = Number(await readout(page, `bench-${key}`));
    assert.ok(Number.isFinite(median) && median > 0, `${key}: ${median}`);
  }
  // scikit-learn 1.9.1's mutual_info_regression on the same seeded samples (see
  // crates/ssl-core/tests/mi_estimators.rs): the page's wasm draws the same numbers.
  const ksg = Number(await readout(page, 'bench-ksg-2000-value'));
  assert.ok(Math.abs(ksg - 1.001999255249017) < 1e-3, `KSG ${ksg}`);
  // After 120 VICReg steps from the default start the loss is finite and below its first
  // value (about 42.6 on the digits).
  const loss = Number(await readout(page, 'bench-step-vicreg-value'));
  assert.ok(Number.isFinite(loss) && loss < 42, `loss ${loss}`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('an unknown bench case is refused with the list of cases', async () => {
  const { page } = await bench('ksg-2000,fast');
  assert.equal(await readout(page, 'bench-state'), 'failed');
  const text = await page.textContent('[data-testid="bench-state"]');
  assert.match(text, /no bench case is named "fast"; the cases are step-vicreg, .*ksg-10000/);
  await page.close();
});
