// Runs the TensorFlow.js peer of our training step (tfjs-worker.js) in a page, for the speed
// benchmark that sets it beside our own.
//
// The page must be open on the same origin as `baseUrl`, which serves this folder at `peer/`
// and the site's data at `data/` (tests/e2e/serve.mjs's `serve(dir, { '/peer/': 'tests/bench' })`).
// Each call starts a fresh worker, so every run loads TF.js and builds its model from scratch,
// and ends it before returning.

// Runs `warmup` untimed then `steps` timed steps of the VICReg step on `backend` ('cpu', 'wasm'
// or 'webgl') and returns the worker's answer, an object whose `kind` says which it is, and
// whose `available` is true exactly when it has numbers:
//
//   'result'       available: true, msPerStep (one per timed step), medianMs, firstLoss (of the
//                  first warm-up step), lastLoss, numTensors { first, last }, trainSize, flags
//   'unavailable'  available: false, error: the backend would not start in this browser
//   'failed'       available: false, error (and stack): something threw, or the worker did not
//                  answer in time
export async function benchTfjs(page, baseUrl, { backend, warmup = 20, steps = 50, seed = 0 }) {
  const request = { backend, warmup, steps, seed, dataUrl: `${baseUrl}data/` };
  // Generous: a minute to load TF.js and the data, and up to a second a step.
  const timeoutMs = 60_000 + 1_000 * (warmup + steps);
  return page.evaluate(
    ({ workerUrl, request, timeoutMs }) =>
      new Promise((resolve) => {
        const worker = new Worker(workerUrl);
        const finish = (answer) => {
          clearTimeout(timer);
          worker.terminate();
          resolve(answer);
        };
        const { backend } = request;
        const fail = (error) => ({ kind: 'failed', backend, available: false, error });
        const timer = setTimeout(() => finish(fail(`no answer in ${timeoutMs} ms`)), timeoutMs);
        worker.onmessage = ({ data }) => finish(data);
        // A script that failed to load or threw outside the message handler.
        worker.onerror = (event) => {
          event.preventDefault();
          finish(fail(event.message || 'the worker failed to start'));
        };
        worker.postMessage(request);
      }),
    { workerUrl: `${baseUrl}peer/tfjs-worker.js`, request, timeoutMs },
  );
}
