// A quick look at the TF.js peer alone (not a CI test): serves www/ with this folder at peer/,
// runs the VICReg step on each TF.js backend a few times, alternating, in one headless Chromium,
// then a longer run on the fastest backend to see the loss fall, and prints Markdown tables.
//
//   cd tests/bench && npm ci && node tfjs.check.mjs     (tests/e2e's npm packages installed too)
//   TFJS_REPS=5 TFJS_STEPS=100 TFJS_BACKENDS=wasm,webgl node tfjs.check.mjs
//
// Chromium gets launch()'s flags plus TFJS_CHROMIUM_ARGS (space-separated), if set.
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

import { serve } from '../e2e/serve.mjs';
import { launch } from '../e2e/browser.mjs';
import { benchTfjs } from './tfjs.mjs';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const backends = (process.env.TFJS_BACKENDS ?? 'cpu,wasm,webgl').split(',');
const reps = Number(process.env.TFJS_REPS ?? 3);
const warmup = Number(process.env.TFJS_WARMUP ?? 20);
const steps = Number(process.env.TFJS_STEPS ?? 50);
const longSteps = Number(process.env.TFJS_LONG_STEPS ?? 300);
const chromiumArgs = (process.env.TFJS_CHROMIUM_ARGS ?? '').split(' ').filter(Boolean);

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const fixed = (x, digits = 2) => (x == null ? '' : x.toFixed(digits));
const load = () => loadavg()[0].toFixed(1);

const started = Date.now();
const loadBefore = load();
const server = await serve(here('../../www'), { '/peer/': here('.') });
const browser = await launch(chromiumArgs);
const page = await browser.newPage();
await page.goto(`${server.url}peer/blank.html`);

// Alternating: every backend once per round, so a slow spell of the machine hits them all.
const runs = Object.fromEntries(backends.map((b) => [b, []]));
for (let rep = 0; rep < reps; rep++) {
  for (const backend of backends) {
    const run = await benchTfjs(page, server.url, { backend, warmup, steps, seed: rep });
    runs[backend].push(run);
    const said = run.kind === 'result' ? `${fixed(run.medianMs)} ms/step` : run.error;
    console.error(`round ${rep + 1} ${backend}: ${run.kind}: ${said}`);
  }
}

// The loss over a longer run, on the backend with the fastest median step.
const results = (backend) => runs[backend].filter((r) => r.kind === 'result');
const medians = Object.fromEntries(
  backends
    .filter((b) => results(b).length)
    .map((b) => [b, median(results(b).flatMap((r) => r.msPerStep))]),
);
const fastest = Object.keys(medians).sort((a, b) => medians[a] - medians[b])[0];
const long = fastest
  && (await benchTfjs(page, server.url, { backend: fastest, warmup: 0, steps: longSteps }));

await browser.close();
await server.close();

console.log(`TF.js, batch 256, ${warmup} warm-up + ${steps} timed steps a run, ${reps} runs a`);
console.log(`backend (seeds 0..${reps - 1}), alternating. Load average ${loadBefore} before,`);
console.log(`${load()} after; ${((Date.now() - started) / 1000).toFixed(0)} s in all.\n`);
console.log('| backend | median ms/step | per-run medians | first loss | last loss | tensors |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const backend of backends) {
  const ok = results(backend);
  if (!ok.length) {
    const [run] = runs[backend];
    console.log(`| ${backend} | ${run.kind}: ${run.error} | | | | |`);
    continue;
  }
  const cells = [
    fixed(medians[backend]),
    ok.map((r) => fixed(r.medianMs)).join(', '),
    ok.map((r) => fixed(r.firstLoss)).join(', '),
    ok.map((r) => fixed(r.lastLoss)).join(', '),
    ok.map((r) => `${r.numTensors.first}→${r.numTensors.last}`).join(', '),
  ];
  console.log(`| ${backend} | ${cells.join(' | ')} |`);
}

if (long?.kind === 'result') {
  console.log(`\nA longer run: ${longSteps} steps from the start, seed 0.\n`);
  console.log('| backend | steps | first loss | last loss | median ms/step |');
  console.log('| --- | --- | --- | --- | --- |');
  const cells = [fastest, longSteps, fixed(long.firstLoss), fixed(long.lastLoss)];
  console.log(`| ${cells.join(' | ')} | ${fixed(long.medianMs)} |`);
} else if (long) {
  console.log(`\nThe longer run on ${fastest}: ${long.kind}: ${long.error}`);
}

console.log('\nFlags seen:\n');
for (const backend of backends) {
  const [run] = results(backend);
  if (run) console.log(`- ${backend}: ${JSON.stringify(run.flags)}; ${run.trainSize} train images`);
}
