// The TensorFlow.js peer of our VICReg training step, for the speed benchmark: the same data,
// augmentation, network, loss, optimizer and batch as `ssl_core::train::Trainer::step` with the
// default settings, written with TF.js so that the two can be timed in the same browser.
//
// A classic Web Worker, as our own trainer runs in one. It is sent one message,
//
//   { backend: 'cpu' | 'wasm' | 'webgl', warmup, steps, seed, dataUrl? }
//
// (`dataUrl` is the site's `data/` folder, by default `../data/` from this script), and answers
// with exactly one of the following; `available` is true exactly when there are numbers:
//
//   { kind: 'result', backend, available: true, msPerStep, medianMs, firstLoss, lastLoss,
//     numTensors, trainSize, flags }
//   { kind: 'unavailable', backend, available: false, error }   the backend would not start
//   { kind: 'failed', backend, available: false, error, stack } anything else that threw
//
// What differs from the Rust step, and why: the random draws (a mulberry32 generator here,
// ChaCha8 there), so the split, the initial weights, the batches and the views are other draws
// of the same distributions; and the linear layers use TF.js's fused matmul-bias(-ReLU) kernel,
// as `tf.layers.dense` does (while gradients are recorded, TF.js itself unfuses the ReLU ones).
'use strict';

importScripts(
  'node_modules/@tensorflow/tfjs/dist/tf.min.js',
  'node_modules/@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.min.js',
);

// The folder of the three .wasm builds; the backend picks the SIMD one where the browser has
// SIMD, and the threaded one only where SharedArrayBuffer exists (cross-origin isolation).
tf.wasm.setWasmPaths(
  new URL('node_modules/@tensorflow/tfjs-backend-wasm/dist/', self.location.href).href,
);

// The settings of the benchmarked run: `Settings::default()` and `ModelConfig`'s defaults.
const BATCH = 256;
const AUGMENT_STRENGTH = 0.6;
const LEARNING_RATE = 0.01;
const WEIGHTS = { invariance: 25, variance: 25, covariance: 1 };
const TEST_FRACTION = 0.2;
const ENCODER_WIDTHS = [64, 128, 128, 64];
const PROJECTOR_WIDTHS = [64, 128, 128];
// burn's defaults: `AdamConfig` (betas 0.9 and 0.999, epsilon 1e-5) and `BatchNormConfig`.
const ADAM = { beta1: 0.9, beta2: 0.999, epsilon: 1e-5 };
const BATCH_NORM = { epsilon: 1e-5, momentum: 0.1 };
// The epsilon under the square root of VICReg's variance term (`loss::VARIANCE_EPSILON`).
const VARIANCE_EPSILON = 1e-4;

self.onmessage = async ({ data: request }) => {
  const { backend } = request;
  try {
    self.postMessage(await run(request));
  } catch (e) {
    const error = String(e?.message ?? e);
    self.postMessage({ kind: 'failed', backend, available: false, error, stack: e?.stack });
  }
};

async function run({ backend, warmup = 20, steps = 50, seed = 0, dataUrl }) {
  const failure = await startBackend(backend);
  if (failure) return { kind: 'unavailable', backend, available: false, error: failure };
  tf.enableProdMode();

  const data = await loadDigits(dataUrl ?? new URL('../data/', self.location.href).href);
  const split = stratifiedTrain(data.labels, 10, new Random(seed, 1));
  const train = subset(data, split);
  const standardizer = fitStandardizer(train);
  const model = initModel(new Random(seed, 2));
  const optimizer = tf.train.adam(LEARNING_RATE, ADAM.beta1, ADAM.beta2, ADAM.epsilon);
  const trainer = { train, standardizer, model, optimizer, batches: new Batches(train.count) };
  const rng = new Random(seed, 3);

  // Warm-up: kernels compiled (WebGL shaders), Adam's moments allocated, the JIT settled.
  let firstLoss = null;
  for (let i = 0; i < warmup; i++) {
    const loss = await step(trainer, rng);
    firstLoss ??= loss;
  }

  // Timed steps, each from drawing the batch to the loss read back, as our step does.
  const msPerStep = [];
  const numTensors = [];
  let lastLoss = null;
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    lastLoss = await step(trainer, rng);
    msPerStep.push(performance.now() - t0);
    firstLoss ??= lastLoss;
    numTensors.push(tf.memory().numTensors);
  }

  const flags = await backendFlags(backend);
  tf.disposeVariables();
  optimizer.dispose();
  return {
    kind: 'result',
    backend,
    available: true,
    msPerStep,
    medianMs: median(msPerStep),
    firstLoss,
    lastLoss,
    // Live tensors after the first and the last timed step: equal when nothing leaks.
    numTensors: { first: numTensors[0] ?? null, last: numTensors.at(-1) ?? null },
    trainSize: train.count,
    flags,
  };
}

// Switches TF.js to `backend`; returns why it could not, or null. TF.js reports a failed
// initialisation with `console.warn` and a `false`, so the warnings are kept for the reason.
async function startBackend(backend) {
  const warnings = [];
  const warn = console.warn;
  console.warn = (...args) => {
    warnings.push(args.map(String).join(' '));
    warn.apply(console, args);
  };
  try {
    const ok = await tf.setBackend(backend);
    await tf.ready();
    if (!ok || tf.getBackend() !== backend) {
      const reason = warnings.join('; ') || `tf.getBackend() is ${tf.getBackend()}`;
      return `setBackend('${backend}') failed: ${reason}`;
    }
    return null;
  } catch (e) {
    return `setBackend('${backend}') threw: ${e?.message ?? e}`;
  } finally {
    console.warn = warn;
  }
}

// What the backend ran with: the wasm build (as the backend chooses it from the two flags) and
// its thread count, or the WebGL version and renderer.
async function backendFlags(backend) {
  const env = tf.env();
  const flags = {
    tfjs: tf.version.tfjs,
    prod: env.getBool('PROD'),
    crossOriginIsolated: self.crossOriginIsolated === true,
    sharedArrayBuffer: typeof SharedArrayBuffer !== 'undefined',
  };
  if (backend === 'wasm') {
    const simd = await env.getAsync('WASM_HAS_SIMD_SUPPORT');
    const threads = await env.getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
    flags.wasmSimd = simd;
    flags.wasmMultithread = threads;
    flags.wasmBinary = simd && threads ? 'threaded-simd' : simd ? 'simd' : 'plain';
    flags.wasmThreads = tf.wasm.getThreadsCount();
  }
  if (backend === 'webgl') {
    flags.webglVersion = env.getNumber('WEBGL_VERSION');
    flags.webglFloat32 = env.getBool('WEBGL_RENDER_FLOAT32_ENABLED');
    flags.webglPack = env.getBool('WEBGL_PACK');
    flags.webglRenderer = webglRenderer();
  }
  return flags;
}

function webglRenderer() {
  try {
    const gl = tf.backend().gpgpu.gl;
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    return gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER);
  } catch (e) {
    return `unknown (${e?.message ?? e})`;
  }
}

// ---- Data: the digits, scaled and split as `data.rs` and `split.rs` do. ----

// The 8x8 digits: `pixels` `[count * 64]` in [0, 1] (raw values over 16), `labels` `[count]`.
async function loadDigits(dataUrl) {
  const [x, y] = await Promise.all(
    ['digits/digits_x.u8.gz', 'digits/digits_y.u8.gz'].map((f) => fetchGunzipped(dataUrl + f)),
  );
  if (x.length !== y.length * 64) throw new Error(`digits: ${x.length} pixels, ${y.length} labels`);
  return { pixels: Float32Array.from(x, (p) => p / 16), labels: y, count: y.length, dim: 64 };
}

// The bytes of a gzip file; bytes without the gzip magic are taken as already decompressed,
// as `data::gunzip` does, for a host that sends them with `Content-Encoding: gzip`.
async function fetchGunzipped(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

// The train indices of `data::stratified_split`: each class shuffled, its first
// round(count * 0.2) held out for testing, the rest kept, in index order.
function stratifiedTrain(labels, classes, rng) {
  const train = [];
  for (let c = 0; c < classes; c++) {
    const members = [];
    labels.forEach((l, i) => l === c && members.push(i));
    rng.shuffle(members);
    const held = Math.round(members.length * TEST_FRACTION);
    train.push(...members.slice(Math.min(Math.max(held, 1), members.length - 1)));
  }
  return train.sort((a, b) => a - b);
}

function subset(data, indices) {
  const pixels = new Float32Array(indices.length * data.dim);
  indices.forEach((i, row) => {
    pixels.set(data.pixels.subarray(i * data.dim, (i + 1) * data.dim), row * data.dim);
  });
  return { pixels, count: indices.length, dim: data.dim };
}

// `data::Standardizer::fit`: per-pixel means and one standard deviation pooled over every pixel
// of every train image, in double precision.
function fitStandardizer({ pixels, count, dim }) {
  const mean = new Float64Array(dim);
  for (let i = 0; i < count * dim; i++) mean[i % dim] += pixels[i] / count;
  let squares = 0;
  for (let i = 0; i < count * dim; i++) squares += (pixels[i] - mean[i % dim]) ** 2;
  const std = Math.sqrt(squares / (count * dim));
  return { mean: Float32Array.from(mean), inverseStd: std > 0 ? 1 / std : 1 };
}

// `split::Batches`: a permutation read in order, reshuffled (first thing, too) whenever the
// next batch would run past its end, so an epoch's last incomplete batch is skipped.
class Batches {
  constructor(count) {
    this.order = Array.from({ length: count }, (_, i) => i);
    this.cursor = Infinity;
  }

  next(batch, rng) {
    if (this.cursor + batch > this.order.length) {
      rng.shuffle(this.order);
      this.cursor = 0;
    }
    this.cursor += batch;
    return this.order.slice(this.cursor - batch, this.cursor);
  }
}

// ---- Augmentation: `augment::Augmenter::view`, on the CPU, per step. ----

// One view of the 8x8 `image` into `out` (both `[64]`): shifted by up to
// ceil(strength * 8 / 8) = 1 pixel with black fill, dimmed by a factor in [1 - 0.4 s, 1], a 2x2
// square erased with probability s / 2, Gaussian noise of std 0.15 s added, clipped to [0, 1].
function view(image, rng, out, strength = AUGMENT_STRENGTH, h = 8, w = 8) {
  const m = Math.ceil((strength * w) / 8);
  const dx = rng.int(-m, m);
  const dy = rng.int(-m, m);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const [sx, sy] = [x - dx, y - dy];
      const inside = sx >= 0 && sx < w && sy >= 0 && sy < h;
      out[y * w + x] = inside ? image[sy * w + sx] : 0;
    }
  }

  const gain = 1 - 0.4 * strength * rng.float();

  if (rng.float() < 0.5 * strength) {
    const side = Math.max(Math.floor(w / 4), 1);
    const x0 = rng.int(0, w - side);
    const y0 = rng.int(0, h - side);
    for (let y = y0; y < y0 + side; y++) out.fill(0, y * w + x0, y * w + x0 + side);
  }

  const noise = 0.15 * strength;
  for (let i = 0; i < h * w; i++) {
    out[i] = Math.min(Math.max(out[i] * gain + noise * rng.normal(), 0), 1);
  }
}

// Two standardized views of each train image at `indices`: `[n * 64]` each, row by row, the two
// views of a sample drawn one after the other as `Augmenter::views` does.
function views({ train, standardizer }, indices, rng) {
  const d = train.dim;
  const a = new Float32Array(indices.length * d);
  const b = new Float32Array(indices.length * d);
  indices.forEach((i, row) => {
    const image = train.pixels.subarray(i * d, (i + 1) * d);
    view(image, rng, a.subarray(row * d, (row + 1) * d));
    view(image, rng, b.subarray(row * d, (row + 1) * d));
  });
  for (const v of [a, b]) {
    for (let i = 0; i < v.length; i++) {
      v[i] = (v[i] - standardizer.mean[i % d]) * standardizer.inverseStd;
    }
  }
  return [a, b];
}

// ---- Model: `model::ModelConfig::init` and `SslModel::forward`. ----

// Linear layers `[fan_in, fan_out]` with weights uniform in +-sqrt(6 / fan_in) and zero biases;
// the projector's hidden layer has a batch norm (gamma 1, beta 0, running mean 0 and var 1).
function initModel(rng) {
  const linear = ([fanIn, fanOut]) => {
    const bound = Math.sqrt(6 / fanIn);
    const weights = Float32Array.from({ length: fanIn * fanOut }, () => rng.uniform(-bound, bound));
    return {
      weight: tf.variable(tf.tensor2d(weights, [fanIn, fanOut])),
      bias: tf.variable(tf.zeros([fanOut])),
    };
  };
  const layers = (widths) => widths.slice(1).map((w, i) => linear([widths[i], w]));
  const encoder = layers(ENCODER_WIDTHS);
  const projector = layers(PROJECTOR_WIDTHS);
  const width = PROJECTOR_WIDTHS[1];
  const norm = {
    gamma: tf.variable(tf.ones([width])),
    beta: tf.variable(tf.zeros([width])),
    runningMean: tf.variable(tf.zeros([width]), false),
    runningVar: tf.variable(tf.ones([width]), false),
  };
  const trainable = [...encoder, ...projector].flatMap((l) => [l.weight, l.bias]);
  trainable.push(norm.gamma, norm.beta);
  return { encoder, projector, norm, trainable };
}

// `x` `[n, 64]` to the projection `[n, 128]`: encoder 64-128-128-64 with ReLUs between (none on
// the embedding), a ReLU, then projector 64-128, batch norm, ReLU, 128-128. The batch norm's
// batch mean and (biased) variance are pushed onto `stats`, kept, for the running averages.
function forward(model, x, stats) {
  const dense = (x, { weight, bias }, activation = 'linear') =>
    tf.fused.matMul({ a: x, b: weight, bias, activation });
  const [e1, e2, e3] = model.encoder;
  const embedding = dense(dense(dense(x, e1, 'relu'), e2, 'relu'), e3); // [n, 64]

  const [p1, p2] = model.projector;
  const hidden = dense(tf.relu(embedding), p1); // [n, 128]
  const { mean, variance } = tf.moments(hidden, 0); // [128] each
  stats.push(tf.keep(mean), tf.keep(variance));
  const { gamma, beta } = model.norm;
  const scale = variance.add(BATCH_NORM.epsilon).sqrt();
  const normalised = hidden.sub(mean).div(scale).mul(gamma).add(beta);
  return dense(tf.relu(normalised), p2); // [n, 128]
}

// ---- Loss: `loss::vicreg_terms`, weighted. ----

// `v(Z)` and `c(Z)` of one view `z` `[n, d]`: the mean hinge on the unbiased standard deviations,
// and the sum of squared off-diagonal unbiased covariances over d.
function varianceAndCovariance(z) {
  const [n, d] = z.shape;
  const centred = z.sub(z.mean(0)); // [n, d]
  const variance = centred.square().sum(0).div(n - 1); // [d]
  const hinge = tf.relu(tf.scalar(1).sub(variance.add(VARIANCE_EPSILON).sqrt())).mean();
  const cov = tf.matMul(centred, centred, true, false).div(n - 1); // [d, d]
  const offDiagonal = cov.square().sum().sub(variance.square().sum());
  return [hinge, offDiagonal.div(d)];
}

// The weighted VICReg loss of two batches of projections `[n, d]`, a scalar.
function vicreg(zA, zB) {
  const invariance = zA.sub(zB).square().mean();
  const [varA, covA] = varianceAndCovariance(zA);
  const [varB, covB] = varianceAndCovariance(zB);
  return invariance
    .mul(WEIGHTS.invariance)
    .add(varA.add(varB).div(2).mul(WEIGHTS.variance))
    .add(covA.add(covB).mul(WEIGHTS.covariance));
}

// ---- One training step. ----

// Draws a batch and its two views, takes one Adam step on the VICReg loss, updates the batch
// norm's running averages (burn does, once per forward pass) and returns the loss, read back.
async function step({ train, standardizer, model, optimizer, batches }, rng) {
  const indices = batches.next(BATCH, rng);
  const [a, b] = views({ train, standardizer }, indices, rng);

  const stats = [];
  const loss = tf.tidy(() => {
    const shape = [indices.length, train.dim];
    const [viewA, viewB] = [tf.tensor2d(a, shape), tf.tensor2d(b, shape)];
    const loss = optimizer.minimize(
      () => vicreg(forward(model, viewA, stats), forward(model, viewB, stats)),
      true,
      model.trainable,
    );

    // The running averages, as burn's `BatchNorm::forward_train` keeps them, view by view.
    const { runningMean, runningVar } = model.norm;
    const m = BATCH_NORM.momentum;
    for (let i = 0; i < stats.length; i += 2) {
      runningMean.assign(runningMean.mul(1 - m).add(stats[i].mul(m)));
      runningVar.assign(runningVar.mul(1 - m).add(stats[i + 1].mul(m)));
    }
    return loss;
  });
  tf.dispose(stats);

  const [value] = await loss.data();
  loss.dispose();
  if (!Number.isFinite(value)) throw new Error(`the loss is ${value}`);
  return value;
}

// ---- Small helpers. ----

// A seeded generator: mulberry32 on a seed mixed with a per-part constant (as `split::sub_seed`
// gives each part of a run its own stream), Box-Muller for normal draws.
class Random {
  constructor(seed, part) {
    this.state = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(part, 0x85ebca6b)) >>> 0;
  }

  // Uniform in [0, 1).
  float() {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  uniform(lo, hi) {
    return lo + (hi - lo) * this.float();
  }

  // Uniform integer in [lo, hi], both included.
  int(lo, hi) {
    return lo + Math.floor(this.float() * (hi - lo + 1));
  }

  // Standard normal; one of each Box-Muller pair is kept for the next call.
  normal() {
    if (this.spare !== undefined) {
      const z = this.spare;
      this.spare = undefined;
      return z;
    }
    const r = Math.sqrt(-2 * Math.log(1 - this.float()));
    const theta = 2 * Math.PI * this.float();
    this.spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  // Fisher-Yates, in place.
  shuffle(items) {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
