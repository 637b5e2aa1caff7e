/**
 * `Transform`: applies a function written in code to a value flowing through the workflow; here it
 * turns raw latency samples (ms) into a p95 verdict.
 *
 *     npx tsx examples/nodes/transform.ts
 */
import { LocalRuntime, WorkflowBuilder, createNodeRegistry } from "../../src/index.js";

const p95 = (value: unknown): number => {
  const sorted = (value as number[]).slice().sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)] ?? 0;
};
const registry = createNodeRegistry();
const workflow = new WorkflowBuilder(registry, { name: "latency-verdict" })
  .addNode("Transform", "p95", { fn: p95 })
  .addNode("Transform", "verdict", { fn: (ms) => `p95 latency ${String(ms)} ms: ${Number(ms) <= 200 ? "within" : "over"} the 200 ms objective` })
  .input("samples", "p95", "value")
  .connect("p95", "value", "verdict", "value")
  .build();
const samples = [42, 38, 51, 47, 230, 44, 39, 61, 55, 48, 40, 36, 52, 49, 45, 43, 41, 58, 62, 250];
const { verdict } = (await new LocalRuntime({ registry }).execute(workflow, { inputs: { samples } })).results;
if (verdict.status === "completed") console.log(verdict.output.value);
