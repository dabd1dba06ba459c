// Performance benchmark (not a CI test): the targets of issue 8, measured on the built page in
// headless Chromium, printed as Markdown tables (progress goes to stderr).
//
//   cd tests/e2e && node perf.bench.mjs                     (needs a built dist/; ~10 minutes)
//   DIST=/tmp/perf-dist PERF_STEPS=3000 PERF_PARTS=loads,memory node perf.bench.mjs
//
// Settings (environment): DIST, the site to measure (../../dist by default); PERF_PARTS, which
// of loads, training, memory to run (all three); PERF_STEPS, the length of the memory run
// (10000); PERF_LOADS, the cold loads the load figures are the median of (5);
// PERF_TRAIN_SECONDS, the long-task window while training (20); PERF_MOVES, the slider moves
// (20); PERF_PROFILE_SECONDS, the CPU profile and the trace of the main thread while training
// that name what its tasks do (5; 0 skips them, and the trace of a load); PERF_JSON, a file for
// every raw figure. The profile names wasm functions only if the wasm keeps its name section,
// which wasm-opt strips: for names, point DIST at a copy of dist/ whose _bg.wasm files are
// wasm-bindgen's output before wasm-opt (target/wasm-bindgen/release/), integrity attributes
// removed from its index.html; its timings are then not the release build's.
//
// What is measured, and how:
// - Loads: each cold load gets a fresh browser context (an empty cache); the warm load reloads
//   the last one. An init script, installed before the page's own scripts, records the paint and
//   LCP entries and the moment the page becomes interactive (Play enabled and the run idle), seen
//   by a MutationObserver inside the page, all on the page's own clock (performance.now(), from
//   navigation start). The helper server sends no caching headers, so the site is served through
//   a front that adds `cache-control: max-age=600`, as GitHub Pages does; without it a "warm"
//   load would fetch everything again.
// - Bytes: every request of the first load, the worker's included (Playwright reports a
//   dedicated worker's requests on its page), compressed here with gzip -9 and brotli 11. Files
//   that are gzip already (the data) count as served.
// - Long tasks: PerformanceObserver 'longtask' and 'long-animation-frame' (whose script
//   attribution names the callback behind each long frame), buffered, from the init script.
// - Slider latency: real key presses (trusted events) on the invariance slider while training;
//   inside the page, from the input event's timeStamp to the first animation frame after its
//   <output> changed; the Event Timing API's duration (input to next paint) beside it.
// - Memory: the default run for PERF_STEPS steps, sampled every 1,000: the worker's WebAssembly
//   memory (the `memory` readout), the page's WebAssembly memory, and the page's JavaScript heap
//   after a forced garbage collection (Chrome DevTools Protocol), so the slope is not GC noise.
//   This page has no init script: its observers keep every entry and would grow the heap.
import http from 'node:http';
import { cpus, loadavg } from 'node:os';
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { basename, dirname, join } from 'node:path';
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';

import { serve } from './serve.mjs';
import { launch, readout } from './browser.mjs';
import { median, slope } from './stats.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const dist = process.env.DIST ?? join(here, '..', '..', 'dist');
const env = (name, fallback) => Number(process.env[name] ?? fallback);
const STEPS = env('PERF_STEPS', 10_000);
const LOADS = env('PERF_LOADS', 5);
const TRAIN_SECONDS = env('PERF_TRAIN_SECONDS', 20);
const MOVES = env('PERF_MOVES', 20);
const PROFILE_SECONDS = env('PERF_PROFILE_SECONDS', 5);
const VIEWPORT = { width: 1280, height: 800 };

const TARGET = {
  paintMs: 1000,
  interactiveMs: 2000,
  compressedBytes: 1_500_000,
  longTaskMs: 50,
  sliderMs: 100,
};

const IDLE = '[data-testid="run-state"][data-value="idle"]';
const log = (...args) => console.error('perf:', ...args);

// ---------------------------------------------------------------------------------------------
// Small statistics.

const sum = (xs) => xs.reduce((a, b) => a + b, 0);
const max = (xs) => (xs.length ? Math.max(...xs) : 0);

const ms = (v) => (Number.isFinite(v) ? `${Math.round(v)} ms` : 'n/a');
const kb = (bytes) => `${(bytes / 1000).toFixed(1)} kB`;
const mb = (bytes) => `${(bytes / 1e6).toFixed(3)} MB`;
const met = (ok) => (ok ? 'yes' : '**no**');

// ---------------------------------------------------------------------------------------------
// The server: the helper's static server, behind a front that adds the caching header a static
// host sends and counts the requests that reach it (a warm load's cache hits do not).

async function frontServer(origin) {
  const hits = [];
  const server = http.createServer((req, res) => {
    hits.push(req.url);
    const upstream = http.request(new URL(req.url, origin), { method: req.method }, (up) => {
      res.writeHead(up.statusCode, { ...up.headers, 'cache-control': 'max-age=600' });
      up.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    upstream.end();
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    hits,
    close: () => new Promise((ok) => server.close(ok)),
  };
}

// ---------------------------------------------------------------------------------------------
// The init script: runs in the page before any of its own scripts.

function instrument() {
  const perf = {
    paints: {},
    lcp: null,
    lcpElement: null,
    longtasks: [],
    loafs: [],
    events: [],
    interactive: null,
    interactiveFrame: null,
    appStarted: null,
    unsupported: [],
  };
  window.__perf = perf;
  const observe = (options, each) => {
    try {
      new PerformanceObserver((list) => list.getEntries().forEach(each)).observe({
        buffered: true,
        ...options,
      });
    } catch {
      perf.unsupported.push(options.type);
    }
  };
  observe({ type: 'paint' }, (e) => (perf.paints[e.name] = e.startTime));
  observe({ type: 'largest-contentful-paint' }, (e) => {
    perf.lcp = e.renderTime || e.startTime;
    perf.lcpElement = e.element ? `${e.element.tagName.toLowerCase()} ${e.size}px²` : String(e.id);
  });
  observe({ type: 'longtask' }, (e) =>
    perf.longtasks.push({ start: e.startTime, duration: e.duration }),
  );
  observe({ type: 'long-animation-frame' }, (e) =>
    perf.loafs.push({
      start: e.startTime,
      duration: e.duration,
      blocking: e.blockingDuration,
      renderStart: e.renderStart,
      styleAndLayoutStart: e.styleAndLayoutStart,
      scripts: e.scripts.map((s) => ({
        invoker: s.invoker,
        invokerType: s.invokerType,
        source: `${s.sourceFunctionName || '?'} ${(s.sourceURL || '').split('/').pop()}`,
        duration: s.duration,
        forcedLayout: s.forcedStyleAndLayoutDuration,
      })),
    }),
  );
  observe({ type: 'event', durationThreshold: 16 }, (e) =>
    perf.events.push({ name: e.name, start: e.startTime, duration: e.duration }),
  );
  addEventListener('TrunkApplicationStarted', (e) => {
    perf.appStarted = performance.now();
    window.pageWasm = e.detail?.wasm;
  });

  // Interactive: Play enabled and the run idle, noticed at the microtask after the mutation.
  const check = () => {
    if (perf.interactive !== null) return;
    const play = document.querySelector('[data-testid="play"]');
    const idle = document.querySelector('[data-testid="run-state"][data-value="idle"]');
    if (play && !play.disabled && idle) {
      perf.interactive = performance.now();
      observer.disconnect();
      requestAnimationFrame(() => (perf.interactiveFrame = performance.now()));
    }
  };
  const observer = new MutationObserver(check);
  observer.observe(document, { subtree: true, childList: true, attributes: true });
}

// ---------------------------------------------------------------------------------------------
// Loads.

async function newContext(browser) {
  const context = await browser.newContext({ viewport: VIEWPORT });
  await context.addInitScript(instrument);
  return context;
}

// Opens `url` in `page` and waits until it is interactive; returns the page's figures and every
// request the load made (page and worker), with its timing relative to navigation start.
async function measureLoad(page, url, front) {
  const requests = [];
  const onRequest = (r) => requests.push(r);
  page.on('request', onRequest);
  const hitsBefore = front.hits.length;
  await page.goto(url);
  await page.waitForFunction(() => window.__perf?.interactive !== null, null, {
    timeout: 120_000,
  });
  // LCP and the frame after interactive settle within a few frames.
  await page.waitForTimeout(500);
  page.off('request', onRequest);
  const perf = await page.evaluate(() => ({
    ...window.__perf,
    timeOrigin: performance.timeOrigin,
    nav: performance.getEntriesByType('navigation')[0]?.toJSON(),
  }));
  const fetched = [];
  for (const r of requests) {
    const response = await r.response().catch(() => null);
    const timing = r.timing();
    fetched.push({
      path: new URL(r.url()).pathname,
      type: r.resourceType(),
      status: response?.status() ?? null,
      start: timing.startTime - perf.timeOrigin,
      end: timing.responseEnd >= 0 ? timing.startTime + timing.responseEnd - perf.timeOrigin : NaN,
    });
  }
  return { perf, fetched, serverHits: front.hits.slice(hitsBefore) };
}

// The figures of one load, read from its page figures.
function loadFigures({ perf }) {
  const loadTasks = perf.longtasks.filter((t) => t.start <= perf.interactive);
  return {
    fcp: perf.paints['first-contentful-paint'] ?? NaN,
    fp: perf.paints['first-paint'] ?? NaN,
    lcp: perf.lcp ?? NaN,
    lcpElement: perf.lcpElement,
    interactive: perf.interactive,
    interactiveFrame: perf.interactiveFrame,
    appStarted: perf.appStarted,
    domContentLoaded: perf.nav?.domContentLoadedEventEnd,
    loadEvent: perf.nav?.loadEventEnd,
    longTasks: loadTasks.length,
    longTaskMax: max(loadTasks.map((t) => t.duration)),
    longTaskTotal: sum(loadTasks.map((t) => t.duration)),
  };
}

// ---------------------------------------------------------------------------------------------
// Bytes.

async function sizes(fetched) {
  const paths = [...new Set(fetched.filter((f) => f.status === 200).map((f) => f.path))];
  const rows = [];
  for (const path of paths) {
    const file = join(dist, path.endsWith('/') ? `${path}index.html` : path);
    const body = await readFile(file);
    const gzip = gzipSync(body, { level: 9 }).length;
    const brotli = brotliCompressSync(body, {
      params: {
        [zlibConstants.BROTLI_PARAM_QUALITY]: 11,
        [zlibConstants.BROTLI_PARAM_SIZE_HINT]: body.length,
      },
    }).length;
    // Data files are gzip already and served as they are.
    const precompressed = path.endsWith('.gz');
    const requesters = new Set(fetched.filter((f) => f.path === path).map((f) => f.type));
    rows.push({
      path,
      by: [...requesters].join(','),
      raw: body.length,
      gzip: precompressed ? body.length : gzip,
      brotli: precompressed ? body.length : brotli,
      precompressed,
    });
  }
  return rows.sort((a, b) => b.gzip - a.gzip);
}

// ---------------------------------------------------------------------------------------------
// Training: long tasks, slider latency, and (for the diagnosis) a CPU profile and a trace.

async function findSlider(page) {
  return page.evaluate(() => {
    const sliders = [...document.querySelectorAll('input[type=range]')];
    const labelled = (s) => document.querySelector(`label[for="${CSS.escape(s.id)}"]`)?.textContent;
    const slider = sliders.find((s) => /invariance/i.test(labelled(s) ?? '')) ?? sliders[0];
    return slider ? { id: slider.id, label: labelled(slider), value: slider.value } : null;
  });
}

// Instruments the slider with id `id`: each input event's timeStamp, the moment its <output>
// changed, and the first animation frame after that.
async function instrumentSlider(page, id) {
  await page.evaluate((id) => {
    const slider = document.getElementById(id);
    const output = slider.parentElement.querySelector('output');
    const moves = (window.__moves = []);
    let current = null;
    addEventListener(
      'input',
      (e) => {
        if (e.target !== slider) return;
        current = {
          timeStamp: e.timeStamp,
          handled: performance.now(),
          before: output.textContent,
          changed: null,
          frame: null,
        };
        moves.push(current);
      },
      { capture: true },
    );
    new MutationObserver(() => {
      const move = current;
      if (!move || move.changed !== null || output.textContent === move.before) return;
      move.changed = performance.now();
      move.after = output.textContent;
      requestAnimationFrame(() => (move.frame = performance.now()));
    }).observe(output, { subtree: true, childList: true, characterData: true });
  }, id);
}

async function moveSlider(page, id, moves) {
  await page.focus(`[id="${id}"]`);
  for (let i = 0; i < moves; i++) {
    await page.keyboard.press(i % 2 === 0 ? 'ArrowRight' : 'ArrowLeft');
    const done = (n) => window.__moves.length >= n && window.__moves[n - 1].frame !== null;
    await page.waitForFunction(done, i + 1, { timeout: 10_000 });
    await page.waitForTimeout(200 + Math.round(Math.random() * 200));
  }
  return page.evaluate(() => window.__moves);
}

// The functions of a profile worth listing on their own (when the wasm has a name section).
const APP_CRATES =
  /^(<[^>]*)?(ssl_explorer|ssl_core|plotters|plotters_canvas|serde_wasm_bindgen)::/;

// A sampled CPU profile of the page's main thread: self and inclusive time per function.
async function cpuProfile(page, seconds) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  await page.waitForTimeout(seconds * 1000);
  const { profile } = await cdp.send('Profiler.stop');
  await cdp.detach();

  const parent = new Map();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  // Rust symbols (from a wasm name section, when there is one) lose their hash and crate ids.
  const clean = (name) => name.replace(/::h[0-9a-f]{16}$/, '').replace(/\[[0-9a-f]{16}\]/g, '');
  const key = (n) => {
    const f = n.callFrame;
    const file = f.url ? basename(new URL(f.url, 'http://x/').pathname) : '';
    return `${clean(f.functionName) || '(anonymous)'}${file ? ` (${file})` : ''}`;
  };
  const ancestors = (id) => {
    const keys = new Set();
    for (let n = id; n !== undefined; n = parent.get(n)) keys.add(key(byId.get(n)));
    return keys;
  };
  const self = new Map();
  const inclusive = new Map();
  const add = (m, k, dt) => m.set(k, (m.get(k) ?? 0) + dt);
  let busy = 0;
  // Stretches of samples without idle between them stand in for tasks: those over 50 ms are
  // the long tasks, and what is on the stack during them is what makes them long.
  const stretches = [];
  let stretch = null;
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const node = byId.get(id);
    add(self, key(node), dt);
    const idle = node.callFrame.functionName === '(idle)';
    if (!idle && !['(program)', '(garbage collector)'].includes(node.callFrame.functionName)) {
      busy += dt;
    }
    for (const k of ancestors(id)) add(inclusive, k, dt);
    if (idle) {
      if (stretch) stretches.push(stretch);
      stretch = null;
    } else {
      stretch ??= { ms: 0, samples: [] };
      stretch.ms += dt;
      stretch.samples.push([id, dt]);
    }
  });
  if (stretch) stretches.push(stretch);
  const long = stretches.filter((s) => s.ms >= TARGET.longTaskMs);
  const inLong = new Map();
  for (const s of long) {
    for (const [id, dt] of s.samples) for (const k of ancestors(id)) add(inLong, k, dt);
  }
  const top = (m, n) =>
    [...m.entries()]
      .filter(([k]) => !/^\((root|idle|program)\)/.test(k))
      .sort((a, b) => b[1] - a[1])
      .slice(0, n);
  return {
    seconds,
    busyMs: busy,
    self: top(self, 25),
    inclusive: top(inclusive, 25),
    longStretches: long.map((s) => Math.round(s.ms)),
    longMs: sum(long.map((s) => s.ms)),
    inLong: top(inLong, 30),
    // With a wasm name section: the app's own functions and the crates it draws and decodes
    // with, which the overall lists crowd out.
    app: [...inclusive.entries()]
      .filter(([k]) => APP_CRATES.test(k))
      .sort((a, b) => b[1] - a[1])
      .slice(0, 30),
  };
}

// A devtools timeline trace of whatever `during` does (training for a while, or a load).
async function trace(browser, page, during) {
  await browser.startTracing(page, {
    categories: [
      'toplevel',
      'devtools.timeline',
      'disabled-by-default-devtools.timeline',
      'v8',
      'v8.execute',
      'v8.wasm',
      'blink.user_timing',
    ],
  });
  await during();
  return JSON.parse((await browser.stopTracing()).toString()).traceEvents;
}

// The tasks of the busiest thread named `threadName` in a trace: how many, how busy, and for
// each task of at least `heavyMs`, what started it and where its time went (exclusive time per
// trace event name). Times are from the page's navigation start when the trace has one.
function tasksOf(traceEvents, threadName, heavyMs) {
  const names = new Map();
  for (const e of traceEvents) {
    if (e.ph === 'M' && e.name === 'thread_name') names.set(`${e.pid}:${e.tid}`, e.args.name);
  }
  const busy = new Map();
  for (const e of traceEvents) {
    const t = `${e.pid}:${e.tid}`;
    if (e.ph === 'X' && e.name === 'RunTask' && names.get(t) === threadName) {
      busy.set(t, (busy.get(t) ?? 0) + e.dur);
    }
  }
  const thread = [...busy.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  const events = traceEvents
    .filter((e) => e.ph === 'X' && `${e.pid}:${e.tid}` === thread && e.dur !== undefined)
    .sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  const origin = traceEvents.find((e) => e.name === 'navigationStart')?.ts;

  const describe = (e) => {
    const d = e.args?.data ?? {};
    if (e.name === 'EventDispatch') return `event ${d.type}`;
    if (e.name === 'TimerFire') return 'timer';
    if (e.name === 'FireAnimationFrame') return 'animation frame';
    if (e.name === 'ParseHTML') return 'parse HTML';
    if (e.name === 'EvaluateScript' || e.name === 'v8.evaluateModule') {
      return `evaluate ${(d.url || '').split('/').pop() || 'script'}`;
    }
    if (e.name === 'FunctionCall') {
      return `call ${d.functionName || '?'} ${(d.url || '').split('/').pop()}`.trim();
    }
    return null;
  };
  const tasks = events.filter((e) => e.name === 'RunTask');
  const heavy = [];
  for (const task of tasks.filter((t) => t.dur >= heavyMs * 1000)) {
    const end = task.ts + task.dur;
    // The task first: its own time is what no traced event inside it accounts for.
    const within = (e) => e !== task && e.ts >= task.ts && e.ts + e.dur <= end;
    const inside = [task, ...events.filter(within)];
    const stack = [];
    const childTime = new Map();
    for (const e of inside) {
      while (stack.length && stack.at(-1).ts + stack.at(-1).dur <= e.ts) stack.pop();
      if (stack.length) childTime.set(stack.at(-1), (childTime.get(stack.at(-1)) ?? 0) + e.dur);
      stack.push(e);
    }
    const exclusive = new Map();
    for (const e of inside) {
      const own = (e.dur - (childTime.get(e) ?? 0)) / 1000;
      exclusive.set(e.name, (exclusive.get(e.name) ?? 0) + own);
    }
    // The first JS entry point inside the task names it; failing that, its longest event.
    const longest = inside.filter((e) => !/RunTask|ThreadControllerImpl/.test(e.name))
      .sort((a, b) => b.dur - a.dur)[0];
    heavy.push({
      start: origin === undefined ? null : (task.ts - origin) / 1000,
      ms: task.dur / 1000,
      entry: inside.map(describe).find(Boolean) ?? longest?.name ?? 'other',
      exclusive: [...exclusive.entries()].sort((a, b) => b[1] - a[1]),
    });
  }
  const byEntry = new Map();
  const exclusive = new Map();
  for (const h of heavy) {
    const slot = byEntry.get(h.entry) ?? { count: 0, ms: 0, maxMs: 0, long: 0 };
    slot.count += 1;
    slot.ms += h.ms;
    slot.maxMs = Math.max(slot.maxMs, h.ms);
    slot.long += h.ms >= TARGET.longTaskMs ? 1 : 0;
    byEntry.set(h.entry, slot);
    for (const [k, v] of h.exclusive) exclusive.set(k, (exclusive.get(k) ?? 0) + v);
  }
  return {
    thread: threadName,
    found: thread !== undefined,
    heavyMs,
    tasks: tasks.length,
    busyMs: sum(tasks.map((t) => t.dur / 1000)),
    longTasks: tasks.filter((t) => t.dur >= TARGET.longTaskMs * 1000).length,
    heavy,
    entries: [...byEntry.entries()].sort((a, b) => b[1].ms - a[1].ms),
    exclusive: [...exclusive.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15),
  };
}

// Long animation frames' scripts, summed by what invoked them.
function loafScripts(loafs) {
  const by = new Map();
  for (const f of loafs) {
    for (const s of f.scripts) {
      const k = `${s.invokerType}: ${s.invoker}`;
      const slot = by.get(k) ?? { count: 0, ms: 0, maxMs: 0, forcedLayoutMs: 0 };
      slot.count += 1;
      slot.ms += s.duration;
      slot.maxMs = Math.max(slot.maxMs, s.duration);
      slot.forcedLayoutMs += s.forcedLayout ?? 0;
      by.set(k, slot);
    }
  }
  return [...by.entries()].sort((a, b) => b[1].ms - a[1].ms);
}

// ---------------------------------------------------------------------------------------------
// Memory over the default run.

async function memoryRun(browser, url) {
  // Without the init script: its observers keep every entry, and would grow the heap measured.
  const context = await browser.newContext({ viewport: VIEWPORT });
  await context.addInitScript(() =>
    addEventListener('TrunkApplicationStarted', (e) => (window.pageWasm = e.detail?.wasm)),
  );
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  await cdp.send('HeapProfiler.enable');
  await page.goto(url);
  await page.waitForSelector(IDLE, { timeout: 120_000 });
  await page.click('[data-testid="play"]');

  const sample = async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    const { metrics } = await cdp.send('Performance.getMetrics');
    const metric = (name) => metrics.find((m) => m.name === name)?.value ?? NaN;
    return {
      steps: Number(await readout(page, 'step-count')),
      workerWasmMb: Number(await readout(page, 'memory')),
      pageWasmMb: await page.evaluate(() =>
        window.pageWasm ? window.pageWasm.memory.buffer.byteLength / 2 ** 20 : NaN,
      ),
      pageHeapMb: metric('JSHeapUsedSize') / 2 ** 20,
      domNodes: metric('Nodes'),
      listeners: metric('JSEventListeners'),
      state: await readout(page, 'run-state'),
    };
  };

  const samples = [];
  const started = Date.now();
  // A generous deadline: ten steps a second is a seventh of the measured speed.
  const deadline = started + Math.max(120_000, (STEPS / 10) * 1000);
  for (let next = 1000; next <= STEPS; next += 1000) {
    while (Number(await readout(page, 'step-count')) < next) {
      if (Date.now() > deadline) throw new Error(`memory run: step ${next} not reached in time`);
      const state = await readout(page, 'run-state');
      if (state !== 'running') throw new Error(`memory run: the run is ${state} before ${next}`);
      await page.waitForTimeout(100);
    }
    const s = await sample();
    s.seconds = (Date.now() - started) / 1000;
    samples.push(s);
    log(`memory at step ${s.steps}: ${JSON.stringify(s)}`);
  }
  await context.close();
  return samples;
}

// ---------------------------------------------------------------------------------------------
// The parts of the run.

// Cold loads, each in a fresh context, then one warm reload of the last; the bytes of the first.
async function measureLoads(browser, front) {
  const cold = [];
  let last = null;
  for (let i = 0; i < LOADS; i++) {
    if (last) await last.close();
    last = await newContext(browser);
    const load = await measureLoad(await last.newPage(), front.url, front);
    cold.push(load);
    log(`cold load ${i + 1}: ${JSON.stringify(loadFigures(load))}`);
  }
  const warm = await measureLoad(await last.newPage(), front.url, front);
  await last.close();
  const warmFigures = loadFigures(warm);
  log(`warm load: ${JSON.stringify(warmFigures)}; ${warm.serverHits.length} server requests`);

  const coldFigures = cold.map(loadFigures);
  // The load whose interactive time is the median, for its request waterfall.
  const order = coldFigures.map((f, i) => [f.interactive, i]).sort((a, b) => a[0] - b[0]);
  const typical = order[order.length >> 1][1];
  const files = await sizes(cold[0].fetched);
  return {
    cold: coldFigures,
    warm: warmFigures,
    warmServerHits: warm.serverHits,
    typical: { figures: coldFigures[typical], fetched: cold[typical].fetched },
    files,
    totals: {
      raw: sum(files.map((f) => f.raw)),
      gzip: sum(files.map((f) => f.gzip)),
      brotli: sum(files.map((f) => f.brotli)),
    },
    optionalFetched: optionalData(cold.flatMap((l) => l.fetched.map((f) => f.path))),
  };
}

const optionalData = (paths) => [...new Set(paths.filter((p) => /\/(mnist|fashion)\//.test(p)))];

// Long tasks over TRAIN_SECONDS of training, slider moves, then the diagnosis: a trace of the
// page's own load, a CPU profile and a trace of training.
async function measureTraining(browser, front) {
  const context = await newContext(browser);
  const page = await context.newPage();
  const requests = [];
  page.on('request', (r) => requests.push(new URL(r.url()).pathname));
  const result = {};
  const open = async () => {
    await page.goto(front.url);
    await page.waitForSelector(IDLE, { timeout: 120_000 });
  };
  if (PROFILE_SECONDS > 0) {
    const events = await trace(browser, page, open);
    result.loadTrace = {
      main: tasksOf(events, 'CrRendererMain', TARGET.longTaskMs),
      worker: tasksOf(events, 'DedicatedWorker thread', 20),
    };
  } else {
    await open();
  }
  await page.waitForTimeout(1000); // the step-0 analyses land after idle

  const t0 = await page.evaluate(() => performance.now());
  await page.click('[data-testid="play"]');
  const s0 = Number(await readout(page, 'step-count'));
  await page.waitForTimeout(TRAIN_SECONDS * 1000);
  const t1 = await page.evaluate(() => performance.now());
  const s1 = Number(await readout(page, 'step-count'));
  const during = await page.evaluate(
    ([t0, t1]) => ({
      longtasks: window.__perf.longtasks.filter((t) => t.start >= t0 && t.start < t1),
      loafs: window.__perf.loafs.filter((f) => f.start >= t0 && f.start < t1),
    }),
    [t0, t1],
  );
  result.training = {
    seconds: (t1 - t0) / 1000,
    steps: s1 - s0,
    stepsPerSecond: (s1 - s0) / ((t1 - t0) / 1000),
    longTasks: during.longtasks.length,
    longTaskMax: max(during.longtasks.map((t) => t.duration)),
    longTaskTotal: sum(during.longtasks.map((t) => t.duration)),
    longTaskDurations: during.longtasks.map((t) => Math.round(t.duration)),
    loafs: during.loafs.length,
    loafMax: max(during.loafs.map((f) => f.duration)),
    loafScripts: loafScripts(during.loafs),
  };
  log(`training: ${JSON.stringify({ ...result.training, loafScripts: undefined })}`);

  const slider = await findSlider(page);
  if (slider) {
    await instrumentSlider(page, slider.id);
    const tm = await page.evaluate(() => performance.now());
    const moves = await moveSlider(page, slider.id, MOVES);
    const events = await page.evaluate(
      (tm) => window.__perf.events.filter((e) => e.start >= tm),
      tm,
    );
    const latencies = moves.map((m) => m.frame - m.timeStamp);
    result.slider = {
      slider,
      moves: moves.length,
      median: median(latencies),
      max: max(latencies),
      queueMedian: median(moves.map((m) => m.handled - m.timeStamp)),
      queueMax: max(moves.map((m) => m.handled - m.timeStamp)),
      changeMedian: median(moves.map((m) => m.changed - m.timeStamp)),
      eventTimingMax: max(events.map((e) => e.duration)),
      eventTimingOver16: events.length,
      latencies: latencies.map((v) => Math.round(v)),
      eventTiming: events.map((e) => `${e.name} ${Math.round(e.duration)}`),
    };
    log(`slider: ${JSON.stringify(result.slider)}`);
  } else {
    log('no slider found');
  }

  if (PROFILE_SECONDS > 0) {
    result.profile = await cpuProfile(page, PROFILE_SECONDS);
    const events = await trace(browser, page, () => page.waitForTimeout(PROFILE_SECONDS * 1000));
    result.trainTrace = tasksOf(events, 'CrRendererMain', 16);
  }
  result.optionalFetched = optionalData(requests);
  await context.close();
  return result;
}

// ---------------------------------------------------------------------------------------------
// The run.

const PARTS = new Set((process.env.PERF_PARTS ?? 'loads,training,memory').split(','));
const origin = await serve(dist);
const front = await frontServer(origin.url);
const browser = await launch();
const results = { dist, browser: browser.version(), viewport: VIEWPORT, cpus: cpus().length };
// Timings mean little on a busy machine: the load average is reported beside them.
const loads = [loadavg()[0]];
const loadTimer = setInterval(() => loads.push(loadavg()[0]), 10_000);
log(`measuring ${dist} in Chromium ${browser.version()}: ${[...PARTS].join(', ')}`);

if (PARTS.has('loads')) results.loads = await measureLoads(browser, front);
if (PARTS.has('training')) results.train = await measureTraining(browser, front);
if (PARTS.has('memory') && STEPS >= 1000) results.memory = await memoryRun(browser, front.url);
clearInterval(loadTimer);
loads.push(loadavg()[0]);
results.loadAverage = loads;
await browser.close();
await front.close();
await origin.close();

if (results.memory) {
  const steady = results.memory.filter((s) => s.steps >= 1000);
  const perThousand = (f) =>
    slope(
      steady.map((s) => s.steps / 1000),
      steady.map(f),
    );
  results.growth = {
    workerWasm: perThousand((s) => s.workerWasmMb),
    pageWasm: perThousand((s) => s.pageWasmMb),
    pageHeap: perThousand((s) => s.pageHeapMb),
    first: steady[0],
    last: steady.at(-1),
  };
}
if (process.env.PERF_JSON) await writeFile(process.env.PERF_JSON, JSON.stringify(results, null, 2));

// ---------------------------------------------------------------------------------------------
// The report.

const out = [];
const row = (...cells) => out.push(`| ${cells.join(' | ')} |`);
const spread = (xs) =>
  `${ms(median(xs))} (${Math.round(Math.min(...xs))}–${Math.round(Math.max(...xs))})`;
const code = (text) => `\`${text}\``;
const { loads: L, train: T, growth: G } = results;

out.push(
  `## Issue 8 targets, measured (Chromium ${results.browser}, ` +
    `${VIEWPORT.width}x${VIEWPORT.height})`,
);
out.push('');
row('figure', 'measured', 'target', 'met');
row('---', '---', '---', '---');
if (L) {
  const pick = (f) => L.cold.map(f);
  const n = L.cold.length;
  const paint = (name, xs, warm) => {
    row(`${name}, cold (median of ${n}, min–max)`, spread(xs), '< 1 s',
      met(median(xs) < TARGET.paintMs));
    row(`${name}, warm cache`, ms(warm), '< 1 s', met(warm < TARGET.paintMs));
  };
  paint('first contentful paint', pick((f) => f.fcp), L.warm.fcp);
  paint('largest contentful paint', pick((f) => f.lcp), L.warm.lcp);
  const interactive = pick((f) => f.interactive);
  row(`interactive (Play enabled, run idle), cold (median of ${n}, min–max)`,
    spread(interactive), '< 2 s', met(median(interactive) < TARGET.interactiveMs));
  row('interactive, warm cache', ms(L.warm.interactive), '< 2 s',
    met(L.warm.interactive < TARGET.interactiveMs));
  for (const [name, bytes] of [['gzip -9', L.totals.gzip], ['brotli 11', L.totals.brotli]]) {
    row(`first load, every file, ${name}`, mb(bytes), '≤ 1.5 MB',
      met(bytes <= TARGET.compressedBytes));
  }
}
if (L || T) {
  const fetched = [...(L?.optionalFetched ?? []), ...(T?.optionalFetched ?? [])];
  const where = [
    L && `${L.cold.length + 1} loads`,
    T && `${Math.round(T.training.seconds)} s of training`,
  ].filter(Boolean);
  row(`MNIST / Fashion files fetched by default (${where.join(', ')})`,
    fetched.length ? fetched.join(', ') : 'none', 'none', met(fetched.length === 0));
}
if (L) {
  const pick = (f) => L.cold.map(f);
  row('long tasks during a cold load, up to interactive (median count; max, median total)',
    `${median(pick((f) => f.longTasks))}; ${ms(max(pick((f) => f.longTaskMax)))}, ` +
      `${ms(median(pick((f) => f.longTaskTotal)))}`,
    '(none set)', '–');
}
if (T) {
  const t = T.training;
  row(`long tasks while training ${Math.round(t.seconds)} s (count; max, total)`,
    `${t.longTasks}; ${ms(t.longTaskMax)}, ${ms(t.longTaskTotal)}`, 'none > 50 ms',
    met(t.longTasks === 0));
  if (T.slider) {
    const sl = T.slider;
    row(`slider input to next frame, ${sl.moves} moves while training (median; max)`,
      `${ms(sl.median)}; ${ms(sl.max)}`, '≤ 100 ms', met(sl.max <= TARGET.sliderMs));
    row('slider, Event Timing input to next paint (max of entries ≥ 16 ms)',
      sl.eventTimingOver16
        ? `${ms(sl.eventTimingMax)} (${sl.eventTimingOver16} entries)`
        : 'all < 16 ms',
      '≤ 100 ms', met(sl.eventTimingMax <= TARGET.sliderMs));
  }
}
if (G) {
  const perK = (v) => `${v >= 0 ? '+' : ''}${v.toFixed(3)} MB / 1,000 steps`;
  const memory = (name, f, slopeMb, target, ok) =>
    row(`${name}, steps ${G.first.steps}–${G.last.steps}`,
      `${perK(slopeMb)} (${f(G.first).toFixed(2)} → ${f(G.last).toFixed(2)} MB)`, target,
      met(ok));
  memory('worker wasm memory', (s) => s.workerWasmMb, G.workerWasm, 'flat',
    G.last.workerWasmMb <= G.first.workerWasmMb);
  memory('page JS heap after GC', (s) => s.pageHeapMb, G.pageHeap, 'flat (< 0.05)',
    Math.abs(G.pageHeap) < 0.05);
  memory('page wasm memory', (s) => s.pageWasmMb, G.pageWasm, 'flat',
    G.last.pageWasmMb <= G.first.pageWasmMb);
}
out.push('');
out.push(
  `Machine: ${results.cpus} CPUs; 1-minute load average during the run ` +
    `${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)} ` +
    `(median ${median(loads).toFixed(1)}); other processes competing for the CPU make every ` +
    'timing here pessimistic.' +
    (T ? ` Training ran at ${T.training.stepsPerSecond.toFixed(1)} steps/s.` : ''),
);
const settings = ['DIST', 'PERF_STEPS', 'PERF_LOADS', 'PERF_TRAIN_SECONDS', 'PERF_MOVES',
  'PERF_PROFILE_SECONDS', 'PERF_PARTS']
  .filter((k) => process.env[k] !== undefined)
  .map((k) => `${k}=${process.env[k]} `)
  .join('');
out.push(`Command: \`cd tests/e2e && ${settings}node perf.bench.mjs\`.`);

if (L) {
  out.push('');
  out.push('## Files fetched on the first load (page and worker)');
  out.push('');
  row('file', 'requested as', 'raw', 'gzip -9', 'brotli 11');
  row('---', '---', '---:', '---:', '---:');
  for (const f of L.files) {
    const name = `${code(f.path)}${f.precompressed ? ' (gzip already)' : ''}`;
    row(name, f.by, kb(f.raw), kb(f.gzip), kb(f.brotli));
  }
  row('**total**', '', kb(L.totals.raw), kb(L.totals.gzip), kb(L.totals.brotli));

  out.push('');
  out.push('## The median cold load, from navigation start');
  out.push('');
  const tf = L.typical.figures;
  row('event', 'ms');
  row('---', '---:');
  const timeline = [
    ['first paint', tf.fp],
    ['first contentful paint', tf.fcp],
    ['largest contentful paint', tf.lcp],
    ['page wasm started (TrunkApplicationStarted, after mount)', tf.appStarted],
    ['DOMContentLoaded end', tf.domContentLoaded],
    ['load event end', tf.loadEvent],
    ['interactive', tf.interactive],
    ['frame after interactive', tf.interactiveFrame],
    ...L.typical.fetched.flatMap((f) => [
      [`${code(f.path)} (${f.type}) requested`, f.start],
      [`${code(f.path)} received`, f.end],
    ]),
  ]
    .filter(([, t]) => typeof t === 'number' && Number.isFinite(t))
    .sort((a, b) => a[1] - b[1]);
  for (const [what, t] of timeline) row(what, Math.round(t));
  out.push('');
  out.push(
    `LCP element: ${tf.lcpElement}. ` +
      `Warm load: ${L.warmServerHits.length} requests reached the server.`,
  );
}

if (results.memory) {
  out.push('');
  out.push('## Memory of the default run, every 1,000 steps');
  out.push('');
  row('step', 'seconds', 'worker wasm MB', 'page wasm MB', 'page JS heap MB (after GC)',
    'DOM nodes');
  row('---:', '---:', '---:', '---:', '---:', '---:');
  for (const s of results.memory) {
    row(s.steps, s.seconds.toFixed(0), s.workerWasmMb.toFixed(1), s.pageWasmMb.toFixed(2),
      s.pageHeapMb.toFixed(2), s.domNodes);
  }
}

// One trace summary: the heavy tasks by entry point, and where their time went.
function traceReport(title, t, listTasks) {
  out.push('');
  if (!t.found) {
    out.push(`${title}: no ${t.thread} thread in the trace.`);
    return;
  }
  const heavy = t.heavy.length
    ? `the ${t.heavy.length} of ${t.heavyMs} ms or more, by what started them:`
    : `none of ${t.heavyMs} ms or more.`;
  out.push(
    `${title}: ${t.tasks} tasks, ${ms(t.busyMs)} busy, ${t.longTasks} over 50 ms; ${heavy}`,
  );
  if (!t.heavy.length) return;
  out.push('');
  row('entry point', 'tasks', 'of which > 50 ms', 'total ms', 'max ms');
  row('---', '---:', '---:', '---:', '---:');
  for (const [k, v] of t.entries) row(k, v.count, v.long, Math.round(v.ms), Math.round(v.maxMs));
  out.push('');
  if (listTasks) {
    row('task start ms', 'ms', 'entry point', 'largest exclusive parts (ms)');
    row('---:', '---:', '---', '---');
    for (const h of t.heavy) {
      const parts = h.exclusive.slice(0, 4).map(([k, v]) => `${k} ${Math.round(v)}`);
      const start = h.start === null ? '?' : Math.round(h.start);
      row(start, Math.round(h.ms), h.entry, parts.join(', '));
    }
  } else {
    // RunTask's own time is what no traced event inside the task accounts for.
    row('trace event (exclusive time in those tasks)', 'ms');
    row('---', '---:');
    for (const [k, v] of t.exclusive) row(k, Math.round(v));
  }
}

// A two-column list of (name, ms), with each one's share of `whole`.
function shares(title, list, whole) {
  out.push('');
  out.push(title);
  out.push('');
  row('function', 'ms', 'share');
  row('---', '---:', '---:');
  for (const [k, v] of list) row(code(k), Math.round(v), `${Math.round((100 * v) / whole)}%`);
}

if (T) {
  const t = T.training;
  out.push('');
  out.push('## Diagnosis data');
  out.push('');
  out.push(
    `Long tasks while training (ms): ${t.longTaskDurations.join(', ') || 'none'}. ` +
      `Long animation frames (over 50 ms, rendering included): ${t.loafs}, ` +
      `the longest ${ms(t.loafMax)}; their scripts by invoker:`,
  );
  out.push('');
  row('invoker', 'scripts', 'total ms', 'max ms', 'forced style and layout ms');
  row('---', '---:', '---:', '---:', '---:');
  for (const [k, v] of t.loafScripts.slice(0, 10)) {
    row(k, v.count, Math.round(v.ms), Math.round(v.maxMs), Math.round(v.forcedLayoutMs));
  }
  if (T.slider) {
    const sl = T.slider;
    out.push('');
    out.push(
      `Slider ${code(sl.slider.label)}: the input event waited ${ms(sl.queueMedian)} median ` +
        `(max ${ms(sl.queueMax)}) for its handler; the output changed ` +
        `${ms(sl.changeMedian)} after the input (median). ` +
        `Latencies: ${sl.latencies.join(', ')} ms. Event Timing entries of 16 ms or more ` +
        `(name, ms): ${sl.eventTiming.join(', ') || 'none'}.`,
    );
  }
  if (T.loadTrace) {
    traceReport('Trace of a cold load up to interactive, page main thread', T.loadTrace.main,
      true);
    traceReport('The same load, the worker thread', T.loadTrace.worker, true);
  }
  if (T.profile) {
    const p = T.profile;
    out.push('');
    out.push(
      `CPU profile of the main thread, ${p.seconds} s of training ` +
        `(${ms(p.busyMs)} in JS and wasm):`,
    );
    out.push('');
    row('function (self time)', 'ms', 'function (inclusive time)', 'ms');
    row('---', '---:', '---', '---:');
    for (let i = 0; i < Math.max(p.self.length, p.inclusive.length); i++) {
      const [a, am] = p.self[i] ?? [];
      const [b, bm] = p.inclusive[i] ?? [];
      row(a ? code(a) : '', a ? Math.round(am) : '', b ? code(b) : '', b ? Math.round(bm) : '');
    }
    if (p.app.length) {
      shares("The app's own functions and its drawing and decoding crates " +
        '(inclusive time, share of the time in JS and wasm):', p.app, p.busyMs);
    }
    if (p.longStretches.length) {
      shares(`Busy stretches of the profile over 50 ms (${p.longStretches.join(', ')} ms): ` +
        'what is on the stack during them (inclusive time):', p.inLong, p.longMs);
    }
  }
  if (T.trainTrace) {
    traceReport(`Trace of ${PROFILE_SECONDS} s of training, page main thread`, T.trainTrace,
      false);
  }
}
console.log(out.join('\n'));
