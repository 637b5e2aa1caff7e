/**
 * The source of the ARIMA worker thread, run with `new Worker(source, { eval: true })` so it works the
 * same from TypeScript sources, tests and the compiled package. The worker loads `arima` (its path is
 * resolved by the host and passed as `workerData.arimaPath`), fits one model per message, predicts,
 * and always calls `destroy()`. After any failure the host replaces the worker, because a crashed
 * WebAssembly instance of `arima` 0.2.8 fails every later call.
 *
 * Message in: `{ id, series, options, horizon }`. Message out: `{ id, ok: true, mean, variance }` or
 * `{ id, ok: false, error }`.
 *
 * @module
 */

/** JavaScript (CommonJS) run inside the worker. */
export const ARIMA_WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const ARIMA = require(workerData.arimaPath);
parentPort.on("message", (job) => {
  let model;
  try {
    model = new ARIMA(Object.assign({}, job.options, { verbose: false }));
    model.train(job.series);
    const out = model.predict(job.horizon);
    parentPort.postMessage({ id: job.id, ok: true, mean: Array.from(out[0]), variance: Array.from(out[1]) });
  } catch (error) {
    parentPort.postMessage({ id: job.id, ok: false, error: String((error && error.message) || error) });
  } finally {
    try { if (model) model.destroy(); } catch (ignored) { /* a broken instance cannot be destroyed; the host replaces the worker */ }
  }
});
`;
