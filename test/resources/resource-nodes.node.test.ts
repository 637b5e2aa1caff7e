import { describe, expect, it } from "vitest";
import { ResourceAnalyzerNode } from "../../nodes/resource-analyzer.js";
import { ResourcePoolNode } from "../../nodes/resource-pool.js";
import { ResourceScalerNode } from "../../nodes/resource-scaler.js";
import { ManualClock } from "../../src/core/clock.js";
import { ServiceRegistry } from "../../src/core/services.js";
import { WorkflowBuilder } from "../../src/workflow/builder.js";
import { NodeRegistry } from "../../src/workflow/registry.js";
import { runOperation } from "../../src/workflow/run-node.js";
import { LocalRuntime } from "../../src/workflow/runtime.js";
import { testNodeContext } from "../support/node-context.js";

describe("ResourcePool node", () => {
  it("allocate (creating the pool), utilization, preempt and release", async () => {
    const ctx = testNodeContext({ infrastructure: new ServiceRegistry() });
    const define = { strategy: "priority" as const, edges: [{ edgeId: "e1", capacity: { cpu: 4 } }] };
    const first = await runOperation(ResourcePoolNode, "allocate", { define, requester: "batch", resources: { cpu: 3 }, priority: 0 }, {}, ctx);
    expect(first.allocation.edgeId).toBe("e1");
    const second = await runOperation(ResourcePoolNode, "allocate", { requester: "api", priority: 5 }, { resources: { cpu: 2 } }, ctx);
    expect(second.preempted.map((a) => a.id)).toEqual([first.allocation.id]);
    await expect(runOperation(ResourcePoolNode, "allocate", { requester: "x", resources: { cpu: 9 } }, {}, ctx)).rejects.toMatchObject({ code: "resources.insufficient_capacity" });
    const usage = await runOperation(ResourcePoolNode, "utilization", {}, {}, ctx);
    expect(usage.utilization.allocated["cpu"]).toBe(2);
    const evicted = await runOperation(ResourcePoolNode, "preempt", { belowPriority: 10 }, {}, ctx);
    expect(evicted.preempted).toHaveLength(1);
    await expect(runOperation(ResourcePoolNode, "release", {}, { allocationId: second.allocation.id }, ctx)).rejects.toMatchObject({ code: "not_found" });
    await expect(runOperation(ResourcePoolNode, "preempt", {}, {}, ctx)).rejects.toThrow(/ids or belowPriority/);
  });

  it("runs in workflows on shared infrastructure, with typed results", async () => {
    const registry = new NodeRegistry().register(ResourcePoolNode);
    const grab = new WorkflowBuilder(registry)
      .addNode("ResourcePool", "grab", { operation: "allocate", define: { edges: [{ edgeId: "e1", capacity: { cpu: 2 } }] }, requester: "api", resources: { cpu: 1 } })
      .build();
    const look = new WorkflowBuilder(registry).addNode("ResourcePool", "usage", { operation: "utilization" }).build();
    const runtime = new LocalRuntime({ clock: new ManualClock(0), infrastructure: new ServiceRegistry() });
    const first = await runtime.execute(grab);
    const grabbed = first.results.grab;
    expect(grabbed.status).toBe("completed");
    if (grabbed.status === "completed") expect(grabbed.output.allocation.resources["cpu"]).toBe(1);
    const second = await runtime.execute(look);
    const usage = second.results.usage;
    expect(usage.status).toBe("completed");
    if (usage.status === "completed") expect(usage.output.utilization.allocated["cpu"]).toBe(1);
  });
});

describe("ResourceAnalyzer node", () => {
  it("record_metric, analyze, trends and recommendations", async () => {
    const clock = new ManualClock(0);
    const ctx = testNodeContext({ clock, infrastructure: new ServiceRegistry() });
    const metrics = Array.from({ length: 30 }, (_v, i) => ({ edgeId: "e1", resource: "cpu", value: 0.6 + i * 0.012, timestamp: (i + 1) * 60_000 }));
    const recorded = await runOperation(ResourceAnalyzerNode, "record_metric", { edgeId: "e1", resource: "cpu", timestamp: 0 }, { value: 0.6, metrics }, ctx);
    expect(recorded.recorded).toBe(31);
    clock.advanceTo(31 * 60_000);
    const { analysis } = await runOperation(ResourceAnalyzerNode, "analyze", {}, {}, ctx);
    expect(analysis.bottlenecks.some((b) => b.type === "capacity")).toBe(true);
    const { trends } = await runOperation(ResourceAnalyzerNode, "trends", { horizonMs: 3_600_000 }, {}, ctx);
    expect(trends[0]?.direction).toBe("increasing");
    const { recommendations } = await runOperation(ResourceAnalyzerNode, "recommendations", {}, {}, ctx);
    expect(recommendations.some((r) => r.action === "scale_up")).toBe(true);
  });
});

describe("ResourceScaler node", () => {
  it("record_usage, predict_scaling, forecast, evaluate_decision, start_scaler and stop_scaler", async () => {
    const clock = new ManualClock(0);
    const ctx = testNodeContext({ clock, infrastructure: new ServiceRegistry() });
    for (let i = 0; i < 900; i++) {
      await runOperation(ResourceScalerNode, "record_usage", { service: "api", instances: 2 }, { demand: 1 + (i % 60) / 30 }, ctx);
      clock.advance(1_000);
    }
    const { decision } = await runOperation(ResourceScalerNode, "predict_scaling", { service: "api", strategy: "hybrid" }, {}, ctx);
    expect(decision.strategy).toBe("hybrid");
    const { forecast } = await runOperation(ResourceScalerNode, "forecast", { service: "api", horizon: "immediate" }, {}, ctx);
    expect(forecast.mean).toHaveLength(5);
    const { evaluation } = await runOperation(ResourceScalerNode, "evaluate_decision", {}, { decisionId: decision.id, actualDemand: 2 }, ctx);
    expect(evaluation.decisionId).toBe(decision.id);
    expect(await runOperation(ResourceScalerNode, "start_scaler", { intervalMs: 5_000 }, {}, ctx)).toEqual({ running: true, intervalMs: 5_000 });
    expect(await runOperation(ResourceScalerNode, "stop_scaler", {}, {}, ctx)).toEqual({ running: false });
  });
});
