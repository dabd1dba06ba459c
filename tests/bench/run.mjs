// The benchmark table of issue 8 (a benchmark, not a test): the explorer's bench page in
// headless Chromium against TensorFlow.js in the same browser, the same Rust natively, and
// scikit-learn's KSG on the same samples. `scripts/bench.sh` runs everything this needs first:
//
//   node tests/bench/run.mjs          (needs dist/, and target/bench/{native,sklearn}.json)
//
// The training step is timed in rounds that alternate the explorer and each TF.js backend, each
// in a fresh page, so that a slow spell of the machine hits them all alike; a round's figure is
// the median over its timed steps, and the table gives the median over rounds. The other cases
// run once, on the bench page with every case.
//
// Environment: BENCH_ROUNDS (default 5), BENCH_OUT (default target/bench), DIST.
import { readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';

import { serve } from '../e2e/serve.mjs';
import { launch } from '../e2e/browser.mjs';
import { median } from '../e2e/stats.mjs';
import { benchTfjs } from './tfjs.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const out = resolve(root, process.env.BENCH_OUT ?? 'target/bench');
const dist = resolve(root, process.env.DIST ?? 'dist');
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const backends = ['cpu', 'wasm', 'webgl'];

const readJson = async (name) =>
  existsSync(join(out, name)) ? JSON.parse(await readFile(join(out, name), 'utf8')) : [];
const log = (line) => console.error(line);

/// Opens the bench page on `cases` and returns its results by case key.
async function explorer(browser, url, cases) {
  const page = await browser.newPage();
  try {
    await page.goto(`${url}?bench=${cases}`);
    await page.waitForSelector('[data-testid="bench-state"]:not([data-value="running"])', {
      timeout: 600_000,
    });
    const state = await page.getAttribute('[data-testid="bench-state"]', 'data-value');
    if (state !== 'done') {
      throw new Error(await page.textContent('[data-testid="bench-state"]'));
    }
    const simd = await page.getAttribute('[data-testid="bench-simd"]', 'data-value');
    const cells = await page.$$eval('td[data-testid^="bench-"]', (tds) =>
      tds.map((td) => [td.dataset.testid, Number(td.dataset.value)]),
    );
    const results = {};
    for (const [testid, value] of cells) {
      const key = testid.replace(/^bench-/, '');
      if (key.endsWith('-value')) results[key.replace(/-value$/, '')].value = value;
      else results[key] = { median_ms: value };
    }
    return { results, simd: simd === 'true' };
  } finally {
    await page.close();
  }
}

/// One TF.js measurement of `backend` in a fresh same-origin page.
async function tfjs(browser, url, backend, round) {
  const page = await browser.newPage();
  try {
    await page.goto(`${url}peer/blank.html`);
    return await benchTfjs(page, url, { backend, seed: round });
  } catch (e) {
    return { backend, available: false, error: String(e) };
  } finally {
    await page.close();
  }
}

const native = Object.fromEntries((await readJson('native.json')).map((r) => [r.key, r]));
const sklearn = Object.fromEntries((await readJson('sklearn.json')).map((r) => [r.key, r]));
if (Object.keys(native).length === 0) log(`no ${join(out, 'native.json')}: no native column`);
if (Object.keys(sklearn).length === 0) log(`no ${join(out, 'sklearn.json')}: no scikit-learn column`);

const server = await serve(dist, { '/peer/': here });
const browser = await launch();
const version = browser.version();

const steps = { explorer: [], ...Object.fromEntries(backends.map((b) => [b, []])) };
const unavailable = {};
let simd = null;
for (let round = 0; round < rounds; round++) {
  const ours = await explorer(browser, server.url, 'step-vicreg');
  simd = ours.simd;
  steps.explorer.push(ours.results['step-vicreg'].median_ms);
  log(`round ${round + 1}: explorer ${ours.results['step-vicreg'].median_ms.toFixed(2)} ms`);
  for (const backend of backends) {
    const result = await tfjs(browser, server.url, backend, round);
    if (result.available) {
      steps[backend].push(result.medianMs);
      log(`round ${round + 1}: TF.js ${backend} ${result.medianMs.toFixed(2)} ms`);
    } else {
      unavailable[backend] = result.error;
      log(`round ${round + 1}: TF.js ${backend} unavailable: ${result.error}`);
    }
  }
}
log('every case on the bench page, once');
const all = (await explorer(browser, server.url, '')).results;
await browser.close();
await server.close();

// The table.
const fmt = (ms) => (!Number.isFinite(ms) ? '-' : ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) ? `${(a / b).toFixed(2)}x` : '-');
const stepMs = median(steps.explorer.filter(Number.isFinite));
const tf = Object.fromEntries(backends.map((b) => [b, median(steps[b].filter(Number.isFinite))]));
const best = backends.filter((b) => Number.isFinite(tf[b])).sort((a, b) => tf[a] - tf[b])[0];
const lines = [];
lines.push(`Headless Chromium ${version}, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}); ` +
  `explorer wasm ${simd ? 'with' : 'without'} SIMD128; ${rounds} alternating rounds; medians in ms.`);
lines.push('');
lines.push('| VICReg step (digits, batch 256) | ms per step | steps/s | explorer speed-up |');
lines.push('| --- | --- | --- | --- |');
lines.push(`| explorer, worker | ${fmt(stepMs)} | ${(1000 / stepMs).toFixed(0)} | 1x |`);
for (const b of backends) {
  const note = Number.isFinite(tf[b]) ? '' : ` (unavailable: ${unavailable[b] ?? 'no result'})`;
  lines.push(`| TF.js ${b}, worker${b === best ? ' (best)' : ''}${note} | ${fmt(tf[b])} | ` +
    `${Number.isFinite(tf[b]) ? (1000 / tf[b]).toFixed(0) : '-'} | ${ratio(tf[b], stepMs)} |`);
}
if (native['step-vicreg']) {
  lines.push(`| explorer natively (same Rust, one thread) | ${fmt(native['step-vicreg'].median_ms)} | ` +
    `${(1000 / native['step-vicreg'].median_ms).toFixed(0)} | browser/native ${ratio(stepMs, native['step-vicreg'].median_ms)} |`);
}
lines.push('');
lines.push('| case | what | browser (ms) | native (ms) | browser/native | scikit-learn (ms) | browser/scikit-learn | value: browser, native, scikit-learn |');
lines.push('| --- | --- | --- | --- | --- | --- | --- | --- |');
for (const [key, r] of Object.entries(all)) {
  const n = native[key];
  const s = sklearn[key];
  const values = [r.value, n?.value, s?.value].map((v) => (v === undefined ? '-' : v.toFixed(4))).join(', ');
  lines.push(`| ${key} | ${n?.describe ?? ''} | ${fmt(r.median_ms)} | ${fmt(n?.median_ms)} | ` +
    `${ratio(r.median_ms, n?.median_ms)} | ${fmt(s?.median_ms)} | ${ratio(r.median_ms, s?.median_ms)} | ${values} |`);
}
const table = lines.join('\n');
console.log(table);
await writeFile(join(out, 'table.md'), `${table}\n`);
await writeFile(join(out, 'browser.json'), JSON.stringify({ version, simd, steps, tf, all }, null, 2));
log(`written to ${join(out, 'table.md')}`);
