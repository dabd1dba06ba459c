// The methods of issue 3 in the page: choosing one starts a fresh run of it, shows its own loss
// terms and sliders, and trains.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';

import { ARTIFACTS, colouredPixels, readout, useSite } from './browser.mjs';

const site = useSite();

const idle = '[data-testid="run-state"][data-value="idle"]';

for (const [method, slider, ceiling] of [
  ['simclr', '#slider-temperature-τ', Math.log(2 * 256 - 1)],
  ['barlow', '#slider-off-diagonal-λ', Infinity],
]) {
  test(`choosing ${method} starts a fresh run of it, with its own slider, and it trains`, async () => {
    const page = await site.browser.newPage();
    await page.goto(site.server.url);
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

test('MNIST is fetched only when chosen, with a progress bar, and trains with another method', async () => {
  const page = await site.browser.newPage();
  const requests = [];
  page.on('request', (r) => requests.push(new URL(r.url()).pathname));
  await page.addInitScript(() => {
    window.progressSeen = [];
    new MutationObserver(() => {
      const bar = document.querySelector('[data-testid="data-progress"]');
      if (bar) window.progressSeen.push(Number(bar.value));
    }).observe(document, { subtree: true, childList: true, attributes: true });
  });
  await page.goto(site.server.url);
  await page.waitForSelector(idle, { timeout: 60_000 });
  assert.ok(!requests.some((p) => p.includes('/data/mnist/')), 'MNIST fetched before it was chosen');

  await page.selectOption('[data-testid="dataset"]', 'mnist');
  await page.waitForFunction(() => location.search.includes('dataset=mnist'));
  await page.waitForSelector(idle, { timeout: 60_000 });
  assert.equal(requests.filter((p) => p.includes('/data/mnist/')).length, 4);
  const seen = await page.evaluate(() => window.progressSeen);
  assert.ok(seen.length > 0, 'the progress bar was shown');
  assert.ok(seen.every((v) => v >= 0 && v <= 1), `progress values ${seen}`);
  assert.equal(await page.$('[data-testid="data-progress"]'), null, 'and hidden once loaded');

  await page.selectOption('[data-testid="method"]', 'barlow');
  await page.waitForSelector(idle, { timeout: 60_000 });
  await page.$eval('[data-testid="step"]', (b) => {
    for (let i = 0; i < 25; i++) b.click();
  });
  await page.waitForSelector('[data-testid="step-count"][data-value="25"]', { timeout: 120_000 });
  const ncc = Number(await readout(page, 'ncc-test'));
  assert.ok(ncc > 0.1 && ncc <= 1, `MNIST test NCC ${ncc}`);
  await page.screenshot({ path: join(ARTIFACTS, 'mnist-barlow.png'), fullPage: true });
  await page.close();
});

test('the analyses are measured live: CDNV, probe, kNN, layers and random targets', async () => {
  const page = await site.browser.newPage();
  await page.goto(site.server.url);
  await page.waitForSelector(idle, { timeout: 60_000 });
  await page.$eval('[data-testid="step"]', (b) => {
    for (let i = 0; i < 200; i++) b.click();
  });
  await page.waitForSelector('[data-testid="step-count"][data-value="200"]', { timeout: 120_000 });
  for (const id of ['linear-probe', 'knn', 'ncc-test-fine']) {
    const v = Number(await readout(page, id));
    assert.ok(v > 0.5 && v <= 1, `${id} = ${v}`);
  }
  const cdnv = Number(await readout(page, 'cdnv'));
  assert.ok(cdnv > 0 && Number.isFinite(cdnv), `cdnv = ${cdnv}`);
  assert.equal(await readout(page, 'ncc-test-coarse'), '', 'the digits have no coarse level');
  for (const chart of ['chart-probes', 'chart-cdnv', 'chart-layers', 'chart-random-targets']) {
    assert.ok((await colouredPixels(page, chart)) > 300, `${chart} looks blank`);
  }
  await page.close();
});

test('a synthetic link starts at once, keeps its nuisance and measures both levels', async () => {
  const page = await site.browser.newPage();
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  const requests = [];
  page.on('request', (r) => requests.push(new URL(r.url()).pathname));
  await page.goto(`${site.server.url}?dataset=synthetic&nuisance=4`);
  // Generated in the worker: no fetch, so no progress bar to wait for.
  await page.waitForSelector(idle, { timeout: 60_000 });
  assert.ok(!requests.some((p) => p.includes('/data/')), `data fetched: ${requests}`);
  assert.ok(await page.isVisible('#slider-nuisance'), 'the nuisance slider is shown');
  assert.ok(await page.isVisible('[data-testid="synthetic-explainer"]'), 'and its explainer');

  await page.click('[data-testid="play"]');
  await page.waitForFunction(
    () => Number(document.querySelector('[data-testid="step-count"]')?.dataset.value) > 100,
    null,
    { timeout: 120_000 },
  );
  await page.click('[data-testid="play"]'); // Pause.
  const coarse = Number(await readout(page, 'ncc-test-coarse'));
  assert.ok(coarse > 0.2 && coarse <= 1, `coarse NCC ${coarse}`);
  const fine = Number(await readout(page, 'ncc-test'));
  assert.ok(fine > 0 && fine <= 1, `fine NCC ${fine}`);
  assert.ok((await colouredPixels(page, 'chart-embedding')) > 300, 'the embedding chart draws');
  const search = await page.evaluate(() => location.search);
  assert.ok(search.includes('dataset=synthetic') && search.includes('nuisance=4'), search);
  await page.screenshot({ path: join(ARTIFACTS, 'synthetic.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

// A pretext method from a link: one cross-entropy term, a note instead of the weight sliders,
// and with Play its loss falls from step 1 to past step 100 (on the digits, seed 42, rotation's
// falls from about ln 4 = 1.39 and jigsaw's from about ln 24 = 3.18, both to well under half).
for (const method of ['rotation', 'jigsaw']) {
  test(`a link to ${method} trains it with Play and its cross-entropy falls`, async () => {
    const page = await site.browser.newPage();
    const errors = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${site.server.url}?method=${method}`);
    await page.waitForSelector(idle, { timeout: 60_000 });
    assert.equal(await page.inputValue('[data-testid="method"]'), method);
    assert.ok(await page.isVisible('[data-testid="pretext-note"]'), 'the one-loss note is shown');
    assert.equal(await page.isVisible('#slider-invariance-λ'), false, 'VICReg sliders hidden');

    await page.click('[data-testid="step"]');
    await page.waitForSelector('[data-testid="step-count"][data-value="1"]', { timeout: 60_000 });
    const first = Number(await readout(page, 'loss'));
    assert.ok(Number.isFinite(first) && first > 0, `${method} step-1 loss ${first}`);

    await page.click('[data-testid="play"]');
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="step-count"]').dataset.value) > 130,
      null,
      { timeout: 180_000 },
    );
    await page.click('[data-testid="play"]'); // Pause, so the readouts hold still.
    await page.waitForSelector('[data-testid="run-state"][data-value="paused"]');
    const now = Number(await readout(page, 'loss'));
    assert.ok(Number.isFinite(now) && now < 0.8 * first, `${method} loss ${first} -> ${now}`);
    const ncc = await readout(page, 'ncc-test');
    assert.ok(ncc !== null && ncc !== '', 'the test NCC readout has a value');
    assert.ok(Number(ncc) > 0 && Number(ncc) <= 1, `test NCC ${ncc}`);
    assert.ok((await colouredPixels(page, 'chart-loss')) > 300, 'the loss chart draws');
    if (method === 'rotation') {
      await page.screenshot({ path: join(ARTIFACTS, 'pretext-rotation.png'), fullPage: true });
    }
    assert.deepEqual(errors, []);
    await page.close();
  });
}
