// Reliability and privacy, end to end: a diverging link, a deliberate worker panic, two loads of
// one link, the requests the page makes, its Content-Security-Policy, and a tampered link.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { readout, stepTo, useSite } from './browser.mjs';

const site = useSite();

const idle = '[data-testid="run-state"][data-value="idle"]';

// Opens `query` in a fresh context and waits until the first run is built.
async function open(query, { onConsole } = {}) {
  const context = await site.browser.newContext();
  const page = await context.newPage();
  if (onConsole) page.on('console', onConsole);
  await page.goto(site.server.url + query);
  await page.waitForSelector(idle, { timeout: 60_000 });
  return { context, page };
}

test('a link with lr=10 diverges, names the learning rate, keeps the history and offers a way on', async () => {
  const { context, page } = await open('?lr=10');
  await page.click('[data-testid="play"]');
  await page.waitForSelector('[data-testid="run-state"][data-value="diverged"]', {
    timeout: 60_000,
  });
  const message = await page.textContent('[data-testid="divergence"]');
  assert.match(message, /learning rate 10\b/);
  const steps = Number(await readout(page, 'step-count'));
  assert.ok(steps >= 1, `the steps before the divergence are kept (${steps})`);
  assert.ok(Number.isFinite(Number(await readout(page, 'loss'))), 'the last loss shown is finite');

  // Back to the last checkpoint: paused there, ready to train on.
  await page.click('[data-testid="rewind"]');
  await page.waitForSelector('[data-testid="run-state"][data-value="paused"]');
  assert.ok(Number(await readout(page, 'step-count')) < steps + 1);
  assert.equal(await page.$('[data-testid="divergence"]'), null);

  // A fresh run at a safe rate (a tenth, at most the default), also written into the link.
  await page.click('[data-testid="play"]');
  await page.waitForSelector('[data-testid="run-state"][data-value="diverged"]', {
    timeout: 60_000,
  });
  await page.click('[data-testid="reset-lower-lr"]');
  await page.waitForSelector(idle);
  assert.equal(await readout(page, 'step-count'), '0');
  assert.match(page.url(), /[?&]lr=0\.01(&|$)/);
  await context.close();
});

test('a worker panic shows the restart action, keeps the charts, and restart works', async () => {
  const panics = [];
  const { context, page } = await open('?debug-panic-at=30', {
    onConsole: (m) => m.text().includes('deliberate panic') && panics.push(m.text()),
  });
  assert.doesNotMatch(page.url(), /debug-panic-at/, 'the fault is not carried by the link');
  await page.click('[data-testid="play"]');
  await page.waitForSelector('[data-testid="restart-worker"]', { timeout: 60_000 });
  assert.equal(await readout(page, 'run-state'), 'failed');
  assert.equal(await readout(page, 'step-count'), '29', 'the steps before the panic are kept');
  assert.match(await page.textContent('[data-testid="crash"]'), /deliberate panic before step 30/);
  await page.waitForTimeout(500); // Let any repeated report reach the console.
  assert.equal(panics.length, 1, `the panic reached the console ${panics.length} times`);

  await page.click('[data-testid="restart-worker"]');
  await page.waitForSelector(idle, { timeout: 60_000 });
  assert.equal(await page.$('[data-testid="crash"]'), null);
  await stepTo(page, 3);
  await context.close();
});

test('two loads of the same link give identical numbers after 100 steps', async () => {
  const link = '?seed=7&lr=0.005&batch=128';
  const numbers = [];
  for (let load = 0; load < 2; load++) {
    const { context, page } = await open(link);
    await stepTo(page, 100);
    numbers.push({
      loss: await readout(page, 'loss'),
      nccTrain: await readout(page, 'ncc-train'),
      nccTest: await readout(page, 'ncc-test'),
    });
    await context.close();
  }
  console.log('after 100 steps:', JSON.stringify(numbers[0]));
  assert.ok(numbers[0].loss !== '' && numbers[0].nccTest !== '');
  assert.deepEqual(numbers[1], numbers[0]);
});

test('no request leaves the origin, and the CSP is in force', async () => {
  const context = await site.browser.newContext();
  const requests = [];
  context.on('request', (r) => requests.push(r.url()));
  const page = await context.newPage();
  await page.addInitScript(() => {
    window.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      window.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  await page.goto(site.server.url);
  await page.waitForSelector(idle, { timeout: 60_000 });
  await stepTo(page, 30);

  const policy = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
  assert.match(policy, /default-src 'none'/);
  assert.match(policy, /script-src 'self' 'wasm-unsafe-eval' 'sha256-/);
  assert.deepEqual(await page.evaluate(() => window.cspViolations), []);

  // The policy is not decoration: a fetch to another host is refused and reported.
  const refused = await page.evaluate(() =>
    fetch('https://example.com/').then(
      () => false,
      () => true,
    ),
  );
  assert.ok(refused, 'an off-origin fetch went through');
  assert.match((await page.evaluate(() => window.cspViolations)).join(), /connect-src/);

  const origin = new URL(site.server.url).origin;
  const offOrigin = requests.filter((url) => !url.startsWith(origin));
  // The refused probe never becomes a request: the policy stops it first.
  assert.deepEqual(offOrigin, [], 'a request left the origin');
  assert.ok(
    requests.some((url) => url.includes('/data/digits/')),
    'the worker fetched its data (so worker requests are recorded)',
  );
  await context.close();
});

// The largest run the controls allow must fit a 4 GB laptop's browser with room to spare: the
// worker's whole WebAssembly memory stays under this.
const WORKER_MEMORY_BUDGET_MB = 256;

test('the largest batch fits the memory budget, and a larger one is refused', async () => {
  const { context, page } = await open('?batch=1024');
  await stepTo(page, 10);
  const mb = Number(await readout(page, 'memory'));
  console.log(`worker memory at batch 1024 after 10 steps: ${mb} MB`);
  assert.ok(mb > 0 && mb < WORKER_MEMORY_BUDGET_MB, `${mb} MB`);
  await context.close();

  const refused = await open('?batch=2048');
  const notice = await refused.page.textContent('[data-testid="link-notices"]');
  assert.match(notice, /batch = 2048 is above 1024; using the default 256/);
  await refused.context.close();
});

test('a tampered link shows a notice per bad value and runs on the defaults', async () => {
  const hostile = '?lr=abc&batch=99999999&seed=%3Cscript%3Ealert(1)%3C%2Fscript%3E&colour=red';
  const { context, page } = await open(hostile);
  const items = await page.$$eval('[data-testid="link-notices"] li', (li) =>
    li.map((e) => e.textContent),
  );
  assert.equal(items.length, 4, items.join('\n'));
  assert.ok(items.some((t) => t.includes('<script>alert(1)</script>')), 'quoted as text');
  assert.equal(await page.$$eval('body script', (s) => s.length), 0, 'nothing inserted as HTML');
  assert.equal(await page.inputValue('[data-testid="seed"]'), '42');
  assert.equal(await page.inputValue('#slider-learning-rate'), '-2');
  assert.match(page.url(), /\?dataset=digits&method=vicreg&seed=42&lr=0\.01&batch=256&/, 'the link now holds the defaults');
  await context.close();
});
