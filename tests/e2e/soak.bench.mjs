// Soak benchmark (not a CI test): trains the default run in headless Chromium for a long time and
// samples memory every minute, then fits a line to see whether anything grows per step.
//
//   cd tests/e2e && SOAK_MINUTES=30 node soak.bench.mjs      (needs a built dist/)
//
// Samples: the worker's WebAssembly memory (the `memory` readout, bytes from the worker itself),
// the page's WebAssembly memory (which holds the run's history, growing by design by one step
// report per step), and the page's JavaScript heap (Chrome DevTools Protocol).
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

import { serve } from './serve.mjs';
import { launch, readout } from './browser.mjs';
import { slope } from './stats.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const dist = process.env.DIST ?? join(here, '..', '..', 'dist');
const minutes = Number(process.env.SOAK_MINUTES ?? 30);
const query = process.env.SOAK_QUERY ?? '';

const server = await serve(dist);
const browser = await launch();
const page = await browser.newPage();
const cdp = await page.context().newCDPSession(page);
await cdp.send('Performance.enable');
// Trunk announces the page's wasm exports; its memory holds the run's history.
await page.addInitScript(() =>
  addEventListener('TrunkApplicationStarted', (e) => (window.pageWasm = e.detail.wasm)),
);
await page.goto(server.url + query);
await page.waitForSelector('[data-testid="run-state"][data-value="idle"]', { timeout: 60_000 });
await page.click('[data-testid="play"]');

async function sample(minute) {
  const { metrics } = await cdp.send('Performance.getMetrics');
  const heap = metrics.find((m) => m.name === 'JSHeapUsedSize').value;
  return {
    minute,
    steps: Number(await readout(page, 'step-count')),
    worker_wasm_mb: Number(await readout(page, 'memory')),
    page_heap_mb: heap / 2 ** 20,
    page_wasm_mb: await page.evaluate(() => window.pageWasm.memory.buffer.byteLength / 2 ** 20),
    state: await readout(page, 'run-state'),
  };
}

const samples = [];
for (let minute = 0; minute <= minutes; minute++) {
  if (minute > 0) await page.waitForTimeout(60_000);
  const s = await sample(minute);
  samples.push(s);
  console.log(JSON.stringify(s));
}
await browser.close();
await server.close();

// The first minute holds start-up allocation; the slope is over the rest.
const steady = samples.slice(1);
const steps = steady.map((s) => s.steps / 1000);
console.log('\nminutes  steps  worker wasm MB  page wasm MB  page heap MB');
for (const s of samples) {
  console.log(
    `${String(s.minute).padStart(7)} ${String(s.steps).padStart(6)} ${s.worker_wasm_mb.toFixed(1).padStart(15)} ${s.page_wasm_mb.toFixed(1).padStart(13)} ${s.page_heap_mb.toFixed(2).padStart(13)}`,
  );
}
console.log(
  `\nslope after minute 1: worker wasm ${slope(steps, steady.map((s) => s.worker_wasm_mb)).toFixed(4)} MB per 1000 steps, ` +
    `page wasm ${slope(steps, steady.map((s) => s.page_wasm_mb)).toFixed(4)} MB, ` +
    `page heap ${slope(steps, steady.map((s) => s.page_heap_mb)).toFixed(4)} MB per 1000 steps ` +
    `(${samples.at(-1).steps} steps in ${minutes} min)`,
);
