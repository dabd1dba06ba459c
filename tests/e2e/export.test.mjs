// Save and share, end to end: the metrics as CSV and the run as JSON are downloaded, the JSON
// opens again as the same run without training, a broken file is refused with a message and
// the run on screen is kept, a chart saves as a PNG and an SVG, and Copy link copies the address.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { ARTIFACTS, readout, stepTo, useSite } from './browser.mjs';

const site = useSite();

const idle = '[data-testid="run-state"][data-value="idle"]';

// Clicks `testid` and returns the download's file name and text.
async function download(page, testid) {
  const [file] = await Promise.all([
    page.waitForEvent('download'),
    page.click(`[data-testid="${testid}"]`),
  ]);
  const path = join(ARTIFACTS, file.suggestedFilename());
  await file.saveAs(path);
  return { name: file.suggestedFilename(), path, bytes: await readFile(path) };
}

test('a run saved as JSON opens again as the same run, and its CSV has a row per step', async () => {
  const context = await site.browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(site.server.url + '?seed=5&batch=64');
  await page.waitForSelector(idle, { timeout: 60_000 });
  await stepTo(page, 50);
  const loss = await readout(page, 'loss');
  const ncc = await readout(page, 'ncc-test');

  const csv = await download(page, 'export-csv');
  assert.equal(csv.name, 'ssl-explorer-digits-vicreg-seed5-step50.csv');
  const rows = csv.bytes.toString().trim().split('\n');
  assert.match(rows[0], /^step,loss,invariance,variance,covariance,ncc_train,ncc_test,/);
  // Steps 0 (the untrained evaluation) to 50, each once.
  assert.deepEqual(
    rows.slice(1).map((r) => Number(r.split(',')[0])),
    Array.from({ length: 51 }, (_, i) => i),
  );
  const last = rows.at(-1).split(',');
  assert.equal(Number(last[1]), Number(loss), 'the last row holds the loss on screen');
  assert.equal(Number(last[6]), Number(ncc), 'and the test NCC on screen (step 50 is evaluated)');

  const json = await download(page, 'export-json');
  const run = JSON.parse(json.bytes.toString());
  assert.equal(run.format, 'ssl-explorer-run');
  assert.equal(run.settings.seed, 5);
  assert.equal(run.steps.length, 50);

  // A fresh page opens the file: the same numbers, nothing training.
  const other = await context.newPage();
  await other.goto(site.server.url);
  await other.waitForSelector(idle, { timeout: 60_000 });
  await other.setInputFiles('[data-testid="import-json"]', json.path);
  await other.waitForSelector('[data-testid="run-state"][data-value="imported"]');
  assert.equal(await readout(other, 'step-count'), '50');
  assert.equal(await readout(other, 'loss'), loss);
  assert.equal(await readout(other, 'ncc-test'), ncc);
  assert.match(other.url(), /seed=5/, 'the link holds the imported run\'s settings');
  assert.equal(await other.isDisabled('[data-testid="play"]'), true);
  assert.match(await other.textContent('[data-testid="export-message"]'), /Showing/);

  // A broken file: a message, and the imported run stays on screen.
  const broken = join(ARTIFACTS, 'broken-run.json');
  await writeFile(broken, JSON.stringify({ ...run, settings: { ...run.settings, lr: 'x', learning_rate: 50 } }));
  await other.setInputFiles('[data-testid="import-json"]', broken);
  await other.waitForFunction(() =>
    document.querySelector('[data-testid="export-message"]').textContent.includes('not opened'),
  );
  assert.match(await other.textContent('[data-testid="export-message"]'), /learning_rate = 50/);
  assert.equal(await readout(other, 'step-count'), '50');
  assert.equal(await readout(other, 'loss'), loss);
  await context.close();
});

test('a chart saves as a PNG and as an SVG, and Copy link copies the address', async () => {
  const context = await site.browser.newContext({ acceptDownloads: true });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], {
    origin: site.server.url,
  });
  const page = await context.newPage();
  await page.goto(site.server.url + '?seed=9');
  await page.waitForSelector(idle, { timeout: 60_000 });
  await stepTo(page, 30);

  await page.selectOption('[data-testid="export-chart"]', 'chart-ncc');
  const png = await download(page, 'export-png');
  assert.equal(png.name, 'ssl-explorer-digits-vicreg-seed9-step30-ncc.png');
  assert.deepEqual([...png.bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.ok(png.bytes.length > 5_000, `a drawn chart, not a blank one (${png.bytes.length} bytes)`);

  const svg = await download(page, 'export-svg');
  assert.equal(svg.name, 'ssl-explorer-digits-vicreg-seed9-step30-ncc.svg');
  const text = svg.bytes.toString();
  assert.match(text, /^<svg[^>]*width="640"[^>]*height="360"/);
  assert.match(text, /training step/, 'the axis titles are text in the SVG');
  assert.ok((text.match(/<polyline/g) ?? []).length >= 2, 'the series are vector lines');

  await page.click('[data-testid="copy-link"]');
  await page.waitForFunction(() =>
    document.querySelector('[data-testid="export-message"]').textContent.startsWith('Copied'),
  );
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(copied, page.url());
  assert.match(copied, /seed=9/);
  await context.close();
});
