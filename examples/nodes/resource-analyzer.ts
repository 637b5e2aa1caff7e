/**
 * `ResourceAnalyzer`: half an hour of CPU utilisation on one edge climbing from 60 % to 95 %. The
 * analysis finds the capacity bottleneck and the trend, scores the fleet's health and recommends what
 * to do, each with its evidence.
 *
 *     npx tsx examples/nodes/resource-analyzer.ts
 */
import { LocalRuntime, ManualClock, ServiceRegistry, WorkflowBuilder, createNodeRegistry } from "../../src/index.js";

const start = Date.UTC(2026, 0, 1);
const clock = new ManualClock(start);
const registry = createNodeRegistry();
const runtime = new LocalRuntime({ registry, infrastructure: new ServiceRegistry(), clock });

// Utilisation as a fraction of capacity, one sample a minute.
const samples = Array.from({ length: 30 }, (_, i) => ({ edgeId: "edge-par-1", resource: "cpu", value: 0.6 + i * 0.012, timestamp: start + (i + 1) * 60_000 }));
const record = new WorkflowBuilder(registry, { name: "record" })
  .addNode("ResourceAnalyzer", "record", { operation: "record_metric", edgeId: "edge-par-1", resource: "cpu", value: 0.6, timestamp: start })
  .input("samples", "record", "metrics")
  .build();
const recorded = (await runtime.execute(record, { inputs: { samples } })).results.record;
if (recorded.status === "completed") console.log(`recorded ${recorded.output.recorded} CPU samples for edge-par-1`);
clock.advanceTo(start + 31 * 60_000);

const analyse = new WorkflowBuilder(registry, { name: "analyse" })
  .addNode("ResourceAnalyzer", "analyze", { operation: "analyze" })
  .addNode("ResourceAnalyzer", "trends", { operation: "trends", horizonMs: 3_600_000 })
  .addNode("ResourceAnalyzer", "recommendations", { operation: "recommendations" })
  .build();
const { analyze, trends, recommendations } = (await runtime.execute(analyse)).results;
if (analyze.status === "completed") {
  const { health, bottlenecks } = analyze.output.analysis;
  console.log(`health ${health.score.toFixed(0)}/100 (${health.status})${health.deductions.map((d) => `; −${d.points} for ${d.reason}`).join("")}`);
  for (const b of bottlenecks) console.log(`bottleneck (${b.severity}): ${b.description}`);
}
if (trends.status === "completed") {
  for (const t of trends.output.trends) {
    console.log(`trend ${t.edgeId}/${t.resource}: ${t.direction}, ${(t.slopePerHour * 100).toFixed(1)} points of utilisation per hour; ${(t.current * 100).toFixed(0)} % now, ${(t.projected * 100).toFixed(0)} % projected in 1 h`);
  }
}
if (recommendations.status === "completed") {
  for (const r of recommendations.output.recommendations) console.log(`recommendation (${r.priority}): ${r.action} — ${r.message}`);
}
