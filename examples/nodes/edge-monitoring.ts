/**
 * `EdgeMonitoring`: records ten minutes of latency from two edges, one of which degrades, sets an
 * alert rule, and reads health (published to the registry, where placement sees it), alerts and the
 * Prometheus exposition.
 *
 *     npx tsx examples/nodes/edge-monitoring.ts
 */
import { EdgeInfrastructure, LocalRuntime, ManualClock, WorkflowBuilder, createNodeRegistry } from "../../src/index.js";
import { sampleFleet } from "./support.js";

const clock = new ManualClock(Date.UTC(2026, 0, 1));
const infrastructure = new EdgeInfrastructure({ clock });
for (const edge of sampleFleet) infrastructure.registerEdge(edge);
const registry = createNodeRegistry();
const runtime = new LocalRuntime({ registry, infrastructure, clock });

const rule = new WorkflowBuilder(registry, { name: "alert-rule" })
  .addNode("EdgeMonitoring", "rule", {
    operation: "set_threshold",
    // Latency in ms; an alert fires after the value stays over a threshold for one minute.
    rule: { metric: "latency", direction: "above", thresholds: { warning: 300, critical: 1_000 }, forMs: 60_000 },
  })
  // Evaluates the rules every 30 s of (virtual) clock time.
  .addNode("EdgeMonitoring", "monitor", { operation: "start_monitor", intervalMs: 30_000 })
  .build();
await runtime.execute(rule);

// One latency sample per edge per minute; edge-par-1 goes from ~40 ms to ~1.2 s in minute 6.
const record = new WorkflowBuilder(registry, { name: "record" })
  .addNode("EdgeMonitoring", "par", { operation: "record_metric", edgeId: "edge-par-1", metric: "latency" })
  .addNode("EdgeMonitoring", "nyc", { operation: "record_metric", edgeId: "edge-nyc-1", metric: "latency" })
  .input("par", "par", "value")
  .input("nyc", "nyc", "value")
  .build();
for (let minute = 0; minute < 10; minute++) {
  await clock.advanceAsync(60_000);
  await runtime.execute(record, { inputs: { par: minute >= 6 ? 1_200 + minute : 40 + minute, nyc: 35 + (minute % 3) } });
}

const report = new WorkflowBuilder(registry, { name: "report" })
  .addNode("EdgeMonitoring", "health", { operation: "get_health", publish: true })
  .addNode("EdgeMonitoring", "alerts", { operation: "get_alerts" })
  .addNode("EdgeMonitoring", "prometheus", { operation: "get_summary", format: "prometheus" })
  .build();
const { health, alerts, prometheus } = (await runtime.execute(report)).results;
if (health.status === "completed") {
  for (const edge of health.output.health) console.log(`health ${edge.edgeId}: ${edge.status}${edge.reasons.length > 0 ? ` (${edge.reasons.map((r) => r.message).join("; ")})` : ""}`);
}
console.log(`registry now lists edge-par-1 as ${infrastructure.getEdge("edge-par-1").health}`);
if (alerts.status === "completed") {
  for (const alert of alerts.output.alerts) {
    const since = (clock.now() - alert.activeSince) / 60_000;
    console.log(`alert ${alert.state} (${alert.severity}) on ${alert.edgeId}: ${alert.metric} ${alert.value} ms ${alert.direction} ${alert.threshold} ms for ${since.toFixed(1)} min`);
  }
}
if (prometheus.status === "completed") {
  const lines = (prometheus.output.text ?? "").split("\n").filter((line) => line.startsWith("edgeflow_") && line.includes("edge-par-1"));
  console.log(`prometheus exposition: ${lines.length} series for edge-par-1, e.g. ${lines[0] ?? "(none)"}`);
}
const stop = new WorkflowBuilder(registry).addNode("EdgeMonitoring", "stop", { operation: "stop_monitor" }).build();
await runtime.execute(stop);
