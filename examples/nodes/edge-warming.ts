/**
 * `EdgeWarming`: records a week of hourly usage with a daily peak at 09:00 on edge-fra-1, then, at
 * 08:30 on the eighth day, predicts which edges will be needed in the next hour and warms them before
 * the peak instead of taking cold starts.
 *
 *     npx tsx examples/nodes/edge-warming.ts
 */
import { EdgeInfrastructure, LocalRuntime, ManualClock, WorkflowBuilder, createNodeRegistry } from "../../src/index.js";
import { sampleFleet } from "./support.js";

const HOUR = 3_600_000;
const start = Date.UTC(2026, 0, 5);
const clock = new ManualClock(start);
const infrastructure = new EdgeInfrastructure({ clock });
for (const edge of sampleFleet) infrastructure.registerEdge({ ...edge, lifecycleState: edge.id === "edge-fra-1" ? "terminated" : edge.lifecycleState });
const registry = createNodeRegistry();
const runtime = new LocalRuntime({ registry, infrastructure, clock });

// Seven days: edge-fra-1 serves a burst of checkouts from 09:00 to 11:00 every day and nothing else.
const usage = [];
for (let day = 0; day < 7; day++) {
  for (const hour of [9, 10]) {
    for (let request = 0; request < 20; request++) {
      usage.push({ edge: "edge-fra-1", workloadType: "checkout", timestamp: start + day * 24 * HOUR + hour * HOUR + request * 60_000, resources: { cpu: 2 } });
    }
  }
}
const record = new WorkflowBuilder(registry, { name: "record" }).addNode("EdgeWarming", "record", { operation: "record_usage", usage }).build();
const recorded = (await runtime.execute(record)).results.record;
if (recorded.status === "completed") console.log(`recorded ${recorded.output.recorded} requests over 7 days`);

clock.advanceTo(start + 7 * 24 * HOUR + 8.5 * HOUR); // day 8, 08:30
const warm = new WorkflowBuilder(registry, { name: "warm-before-peak" })
  .addNode("EdgeWarming", "predict", { operation: "predict", horizonMs: HOUR })
  .addNode("EdgeWarming", "warm", { operation: "warm" })
  .connect("predict", "decisions", "warm", "decisions")
  .build();
const { predict, warm: warmed } = (await runtime.execute(warm)).results;
if (predict.status === "completed") {
  for (const d of predict.output.decisions) {
    console.log(`predicted: ${d.edge} needed by ${new Date(d.at).toISOString().slice(11, 16)} UTC, confidence ${(d.confidence * 100).toFixed(0)} % (${d.strategy}: ${d.reasons.join("; ")})`);
  }
}
if (warmed.status === "completed") {
  for (const o of warmed.output.outcomes) console.log(`warming ${o.edge}: ${o.outcome}, lifecycle now ${o.state}`);
}
