/**
 * edgeflow: an embeddable edge-orchestration SDK. Everything public is exported from here, except
 * the parts that load heavy Node modules, which have their own entry points so that a process that
 * only builds and runs in-memory workflows never pays for them:
 *
 * - `edgeflow/tcp`: `TcpTransport` (`node:net`, `node:tls`, `node:crypto`)
 * - `edgeflow/file-storage`: `FileStorage` (`node:fs`, `node:zlib`)
 * - `edgeflow/prometheus`: `prometheusExposition` (prom-client, OpenTelemetry API)
 * - `edgeflow/arima`: `ArimaForecaster` (`worker_threads`, the `arima` WebAssembly build)
 * - `edgeflow/migration/redis`: the Redis workload adapter (ioredis)
 * - `edgeflow/etcd`: lease store, key-value and decision log on an etcd cluster (etcd3, gRPC)
 * - `edgeflow/testing`: the linearizability checker and its models
 *
 * Nothing imported from here, even indirectly, may import those modules at load time: an engine
 * that needs one loads it with `await import()` where it is used (see `MonitoringEngine.prometheus`).
 *
 * @module edgeflow
 */
export * from "./core/index.js";
export * from "./transport/index.js";
export * from "./storage/index.js";
export * from "./consensus/index.js";
export * from "./workflow/index.js";
export * from "./infra/index.js";
export * from "./lifecycle/index.js";
export * from "./placement/index.js";
export * from "./monitoring/index.js";
export * from "./ordering/index.js";
export * from "./membership/index.js";
export * from "./forecast/index.js";
export * from "./warming/index.js";
export * from "./cost/index.js";
export * from "./migration/index.js";
export * from "./resources/index.js";
export * from "./scaling/index.js";
export * from "./state/index.js";
export * from "../nodes/index.js";
