// Links and embedding, end to end: Back and Forward move between runs' settings; `?embed=`
// shows one chart alone, which trains inside a cross-origin iframe of another site; Copy embed
// code gives that iframe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ARTIFACTS, colouredPixels, readout, useSite } from './browser.mjs';
import { serve } from './serve.mjs';

const site = useSite();

const idle = '[data-testid="run-state"][data-value="idle"]';

test('Back and Forward move between the settings of runs', async () => {
  const context = await site.browser.newContext();
  const page = await context.newPage();
  await page.goto(site.server.url + '?seed=4');
  await page.waitForSelector(idle, { timeout: 60_000 });

  // Choosing a method starts a fresh run, and a new history entry.
  await page.selectOption('[data-testid="method"]', 'simclr');
  await page.waitForURL(/method=simclr/);
  await page.waitForSelector(idle, { timeout: 60_000 });

  await page.goBack();
  await page.waitForURL((url) => !url.search.includes('method=simclr'));
  assert.match(page.url(), /seed=4/);
  await page.waitForSelector(idle, { timeout: 60_000 });
  assert.equal(await page.inputValue('[data-testid="method"]'), 'vicreg');

  await page.goForward();
  await page.waitForURL(/method=simclr/);
  await page.waitForSelector(idle, { timeout: 60_000 });
  assert.equal(await page.inputValue('[data-testid="method"]'), 'simclr');

  // A live change (the learning rate) rewrites the entry in place: Back leaves the page.
  const before = await page.evaluate(() => history.length);
  await page.fill('#slider-learning-rate', '-2.5');
  await page.waitForURL(/lr=0\.00316/);
  assert.equal(await page.evaluate(() => history.length), before);
  await context.close();
});

test('?embed=ncc shows the NCC chart alone, and it trains inside a cross-origin iframe', async () => {
  const context = await site.browser.newContext();
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], {
    origin: site.server.url,
  });
  const page = await context.newPage();
  await page.goto(site.server.url + '?seed=3');
  await page.waitForSelector(idle, { timeout: 60_000 });
  await page.selectOption('[data-testid="export-chart"]', 'chart-ncc');
  await page.click('[data-testid="copy-embed"]');
  await page.waitForFunction(() =>
    document.querySelector('[data-testid="export-message"]').textContent.startsWith('Copied'),
  );
  const code = await page.evaluate(() => navigator.clipboard.readText());
  const src = code.match(/<iframe src="([^"]+)"/)[1];
  assert.match(src, /seed=3/);
  assert.match(src, /embed=ncc/);

  // Another origin (another port) embeds it, as a blog would.
  const hostDir = await mkdtemp(join(tmpdir(), 'embed-host-'));
  await writeFile(
    join(hostDir, 'index.html'),
    `<!doctype html><html><body><h1>A blog post</h1>${code}</body></html>`,
  );
  const host = await serve(hostDir);
  try {
    const blog = await context.newPage();
    await blog.setViewportSize({ width: 800, height: 900 });
    await blog.goto(host.url);
    const frame = blog.frameLocator('iframe');
    await frame.locator(idle).waitFor({ timeout: 60_000 });
    assert.equal(await frame.locator('canvas').count(), 1, 'one chart, alone');
    assert.equal(await frame.locator('[data-testid="chart-ncc"]').count(), 1);
    const open = await frame.locator('[data-testid="open-explorer"]').getAttribute('href');
    assert.match(open, /seed=3/);
    assert.doesNotMatch(open, /embed=/);

    await frame.locator('[data-testid="play"]').click();
    const inner = blog.frames().find((f) => f.url().includes('embed=ncc'));
    await inner.waitForFunction(
      () => Number(document.querySelector('[data-testid="step-count"]').dataset.value) >= 50,
      null,
      { timeout: 60_000 },
    );
    assert.ok((await colouredPixels(inner, 'chart-ncc')) > 300, 'the chart is drawn');
    await blog.screenshot({ path: join(ARTIFACTS, 'embed-in-blog.png') });
  } finally {
    await host.close();
  }
  await context.close();
});

test('an embed link naming no chart shows the whole page with a notice', async () => {
  const context = await site.browser.newContext();
  const page = await context.newPage();
  await page.goto(site.server.url + '?embed=nothing');
  await page.waitForSelector(idle, { timeout: 60_000 });
  assert.match(await page.textContent('[data-testid="link-notices"]'), /embed must name a chart/);
  assert.ok((await page.locator('canvas').count()) > 3);
  assert.equal(Number(await readout(page, 'step-count')), 0);
  await context.close();
});
