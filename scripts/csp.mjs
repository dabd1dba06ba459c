// Trunk post-build hook: writes the page's Content-Security-Policy into the built index.html.
//
// The policy is a <meta> tag, so it travels with the page to any static host. It allows scripts,
// workers, styles, images and fetches from the page's own origin only, WebAssembly compilation
// ('wasm-unsafe-eval'), and the inline scripts Trunk writes to start the app, by their SHA-256
// (their text names hashed file names, so the hashes change with every build; that is why this
// runs after the build rather than living in index.html).
//
// One exception to "no inline styles": plotters measures text by putting a <span> with a style
// attribute on the page (plotters 0.3.7, src/style/font/web.rs). Blocked, it measures every label
// at the wrong size. Instead of allowing any style attribute, the policy allows exactly the
// attribute values plotters writes for our chart font (src/app/charts/mod.rs, FONT) at whole
// sizes 8 to 32 px, by hash ('unsafe-hashes'); the e2e tests fail on any other.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const file = join(process.env.TRUNK_STAGING_DIR ?? 'dist', 'index.html');
const html = readFileSync(file, 'utf8');

const hashes = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map(
  ([, body]) => `'sha256-${createHash('sha256').update(body, 'utf8').digest('base64')}'`,
);

const FONT = 'sans-serif';
const measuring = [];
for (let size = 8; size <= 32; size++) {
  const style = `display: inline-block; font-family:${FONT}; font-style:normal; font-size: ${size}px; position: fixed; top: 100%`;
  measuring.push(`'sha256-${createHash('sha256').update(style, 'utf8').digest('base64')}'`);
}

const policy = [
  "default-src 'none'",
  `script-src 'self' 'wasm-unsafe-eval' ${hashes.join(' ')}`.trim(),
  "worker-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data: blob:",
  "style-src 'self'",
  `style-src-attr 'unsafe-hashes' ${measuring.join(' ')}`,
  "font-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "object-src 'none'",
].join('; ');

const meta = `<meta http-equiv="Content-Security-Policy" content="${policy}">`;
if (html.includes('http-equiv="Content-Security-Policy"')) {
  throw new Error(`${file} already has a Content-Security-Policy`);
}
// Right after the charset, before any script, so it governs all of them.
const out = html.replace(/(<meta charset="utf-8">)/, `$1\n  ${meta}`);
if (out === html) throw new Error(`${file}: no <meta charset="utf-8"> to put the policy after`);
writeFileSync(file, out);
console.log(`csp.mjs: policy written with ${hashes.length} inline script hash(es)`);
