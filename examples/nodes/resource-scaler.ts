/**
 * `ResourceScaler`: fifteen minutes of demand for an API service served by two instances, rising
 * and falling each minute. The scaler decides how many instances to run (hybrid of reactive,
 * Knative-style, and forecast-driven scaling), forecasts demand, and a minute later grades its own
 * decision against the demand that came.
 *
 *     npx tsx examples/nodes/resource-scaler.ts
 */
import { LocalRuntime, ManualClock, ServiceRegistry, WorkflowBuilder, createNodeRegistry } from "../../src/index.js";

const clock = new ManualClock(Date.UTC(2026, 0, 1));
const registry = createNodeRegistry();
const runtime = new LocalRuntime({ registry, infrastructure: new ServiceRegistry(), clock });

// Demand in "instances' worth" of load (1 = what one instance serves), one sample a second.
const record = new WorkflowBuilder(registry, { name: "record" })
  .addNode("ResourceScaler", "record", { operation: "record_usage", service: "api", instances: 2 })
  .input("demand", "record", "demand")
  .build();
for (let second = 0; second < 900; second++) {
  await runtime.execute(record, { inputs: { demand: 1 + (second % 60) / 30 } });
  clock.advance(1_000);
}

const decide = new WorkflowBuilder(registry, { name: "decide" })
  .addNode("ResourceScaler", "decision", { operation: "predict_scaling", service: "api", strategy: "hybrid" })
  .addNode("ResourceScaler", "forecast", { operation: "forecast", service: "api", horizon: "short" })
  .build();
const { decision, forecast } = (await runtime.execute(decide)).results;
if (decision.status !== "completed") throw new Error("no decision");
const d = decision.output.decision;
console.log(`decision: scale ${d.direction} ${d.current} → ${d.target} instances (${d.urgency} urgency, confidence ${(d.confidence * 100).toFixed(0)} %)`);
console.log(`  why: ${d.reason}`);
console.log(`  cost: ${d.costEstimate.hourlyDelta >= 0 ? "+" : ""}${d.costEstimate.hourlyDelta.toFixed(3)} ${d.costEstimate.currency}/hour, risk ${d.risk.level}`);
if (forecast.status === "completed") {
  const f = forecast.output.forecast;
  console.log(`forecast: ${f.mean.length} steps, demand ${Math.min(...f.mean).toFixed(2)}–${Math.max(...f.mean).toFixed(2)}`);
}

await clock.advanceAsync(60_000);
const grade = new WorkflowBuilder(registry, { name: "grade" })
  .addNode("ResourceScaler", "evaluate", { operation: "evaluate_decision", decisionId: d.id, actualDemand: 2.5 })
  .build();
const evaluation = (await runtime.execute(grade)).results.evaluate;
if (evaluation.status === "completed") {
  const e = evaluation.output.evaluation;
  console.log(`a minute later demand was ${e.actualDemand}: ${e.needed} instances needed, ${e.target} planned → ${e.outcome.replace(/_/g, " ")}`);
}
