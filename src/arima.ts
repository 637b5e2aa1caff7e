/**
 * `edgeflow/arima`: ARIMA and SARIMA forecasting through the `arima` package, run in a
 * `worker_threads` worker that is replaced after a crash. A separate entry point so that processes
 * which never fit ARIMA never load the worker or the WebAssembly build.
 *
 * @module edgeflow/arima
 */
export * from "./forecast/arima.js";
