/**
 * `edgeflow/prometheus`: the Prometheus text exposition, on prom-client. `MonitoringEngine.prometheus()`
 * loads it on first use; import it from here to render your own inputs. Kept out of the root entry
 * point so that prom-client and the OpenTelemetry API it depends on are loaded only when used.
 *
 * @module edgeflow/prometheus
 */
export { prometheusExposition, type ExpositionInput } from "./monitoring/export.js";
