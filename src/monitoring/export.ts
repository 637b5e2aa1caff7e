/**
 * Prometheus text exposition of current values, through prom-client on a private {@link Registry}
 * (never the process-wide default one, so two engines in one process do not collide).
 *
 * Families: `edgeflow_<metric>_<unit>{edge, ...labels}` with each series' latest value,
 * `edgeflow_edge_health{edge, status}` (1 for the current status), and
 * `edgeflow_alerts{edge, metric, severity, state}` counting pending and firing alerts.
 * The `edge` label carries the `edgeId`: the short name is what scrapers and dashboards conventionally use.
 *
 * @module
 */
import { Gauge, Registry } from "prom-client";
import { ValidationError } from "../core/errors.js";
import { prometheusFamilyName } from "./metric-types.js";
import type { Alert, EdgeHealth, MetricTypeDefinition, SeriesKey } from "./types.js";

/** What the exposition is built from. */
export interface ExpositionInput {
  readonly latest: ReadonlyArray<{ key: SeriesKey; value: number }>;
  readonly typeOf: (metric: string) => MetricTypeDefinition;
  readonly health: readonly EdgeHealth[];
  readonly alerts: readonly Alert[];
}


/** Renders the Prometheus text format (version 0.0.4). */
export async function prometheusExposition(input: ExpositionInput): Promise<string> {
  if (typeof input !== "object" || input === null || !Array.isArray(input.latest) || !Array.isArray(input.health) || !Array.isArray(input.alerts) || typeof input.typeOf !== "function") {
    throw ValidationError.of("input", "must be { latest: [], typeOf: (metric) => type, health: [], alerts: [] }", "invalid_type");
  }
  const registry = new Registry();
  const byMetric = new Map<string, Array<{ key: SeriesKey; value: number }>>();
  for (const entry of input.latest) {
    const list = byMetric.get(entry.key.metric) ?? [];
    list.push(entry);
    byMetric.set(entry.key.metric, list);
  }
  for (const [metric, entries] of [...byMetric].sort(([a], [b]) => a.localeCompare(b))) {
    const type = input.typeOf(metric);
    const labelNames = [...new Set(entries.flatMap((e) => Object.keys(e.key.labels)))].sort();
    const gauge = new Gauge({ name: prometheusFamilyName(type), help: `${type.description} (${type.unit}), latest sample`, labelNames: ["edge", ...labelNames], registers: [registry] });
    for (const { key, value } of entries) {
      const labels: Record<string, string> = { edge: key.edgeId };
      for (const name of labelNames) labels[name] = key.labels[name] ?? "";
      gauge.set(labels, value);
    }
  }
  const health = new Gauge({ name: "edgeflow_edge_health", help: "1 for the edge's current health status", labelNames: ["edge", "status"], registers: [registry] });
  for (const h of input.health) health.set({ edge: h.edgeId, status: h.status }, 1);
  const alerts = new Gauge({ name: "edgeflow_alerts", help: "pending and firing alerts", labelNames: ["edge", "metric", "severity", "state"], registers: [registry] });
  for (const a of input.alerts) alerts.inc({ edge: a.edgeId, metric: a.metric, severity: a.severity, state: a.state });
  return registry.metrics();
}
