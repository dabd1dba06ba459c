// Launches Debian's Chromium headless through playwright-core (no browser download), and the
// setup every test file shares: the built dist/ served statically, one browser per file.
import { after, before } from 'node:test';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { chromium } from 'playwright-core';

import { serve } from './serve.mjs';

const here = dirname(fileURLToPath(import.meta.url));
export const DIST = process.env.DIST ?? join(here, '..', '..', 'dist');
export const ARTIFACTS = join(here, 'artifacts');

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

export function launch(extraArgs = []) {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...extraArgs,
    ],
  });
}

// The raw value of a readout: its data-value attribute.
export async function readout(page, testid) {
  return page.getAttribute(`[data-testid="${testid}"]`, 'data-value');
}

// Clicks Step `count` times (the steps add up) and waits until they are done.
export async function stepTo(page, count) {
  await page.$eval(
    '[data-testid="step"]',
    (button, n) => {
      for (let i = 0; i < n; i++) button.click();
    },
    count,
  );
  await page.waitForSelector(`[data-testid="step-count"][data-value="${count}"]`, {
    timeout: 120_000,
  });
  await page.waitForSelector('[data-testid="run-state"][data-value="paused"]');
}

// Counts a canvas's coloured pixels (channels differing by more than 40), which text, axes and
// a placeholder message (all grey or black) do not produce; the charts' series do.
export async function colouredPixels(page, testid) {
  return page.$eval(`[data-testid="${testid}"]`, (canvas) => {
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    let n = 0;
    for (let i = 0; i < data.length; i += 4) {
      const [r, g, b] = [data[i], data[i + 1], data[i + 2]];
      if (Math.max(r, g, b) - Math.min(r, g, b) > 40) n++;
    }
    return n;
  });
}

// Serves dist/ and launches Chromium for the tests of one file; the returned object's `server`
// and `browser` are set before the first test runs and closed after the last.
export function useSite() {
  const site = {};
  before(async () => {
    site.server = await serve(DIST);
    site.browser = await launch();
    await mkdir(ARTIFACTS, { recursive: true });
  });
  after(async () => {
    await site.browser?.close();
    await site.server?.close();
  });
  return site;
}
