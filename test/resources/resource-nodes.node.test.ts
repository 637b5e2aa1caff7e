import { describe, expect, it } from "vitest";
import { resourceAnalyzerInputs, resourceAnalyzerOperations } from "../../nodes/resource-analyzer.js";
import { resourcePoolInputs, resourcePoolOperations } from "../../nodes/resource-pool.js";
import { resourceScalerInputs, resourceScalerOperations } from "../../nodes/resource-scaler.js";
import { ManualClock } from "../../src/core/clock.js";
import { ServiceRegistry } from "../../src/core/services.js";
import { testNodeContext } from "../support/node-context.js";

/** Parses config and inputs as the runtime would, runs the operation, and checks its outputs. */
async function call<C, O>(
  op: { config: { parse(v: unknown): C }; outputs: { parse(v: unknown): O }; run: (ctx: ReturnType<typeof testNodeContext>, cfg: C, inputs: never) => Promise<unknown> },
  inputsSchema: { parse(v: unknown): unknown },
  ctx: ReturnType<typeof testNodeContext>,
  config: unknown,
  inputs: unknown = {},
): Promise<O> {
  const out = await op.run(ctx, op.config.parse(config), inputsSchema.parse(inputs) as never);
  return op.outputs.parse(out);
}

describe("ResourcePool node operations", () => {
  it("allocate (creating the pool), utilization, preempt and release, with typed outputs", async () => {
    const ctx = testNodeContext({ infrastructure: new ServiceRegistry() });
    const define = { strategy: "priority", edges: [{ edgeId: "e1", capacity: { cpu: 4 } }] };
    const first = await call(resourcePoolOperations.allocate, resourcePoolInputs, ctx, { define, requester: "batch", resources: { cpu: 3 }, priority: 0 });
    expect(first.allocation.edgeId).toBe("e1");
    const second = await call(resourcePoolOperations.allocate, resourcePoolInputs, ctx, { requester: "api", priority: 5 }, { resources: { cpu: 2 } });
    expect(second.preempted.map((a) => a.id)).toEqual([first.allocation.id]);
    await expect(call(resourcePoolOperations.allocate, resourcePoolInputs, ctx, { requester: "x", resources: { cpu: 9 } })).rejects.toMatchObject({ code: "resources.insufficient_capacity" });
    const usage = await call(resourcePoolOperations.utilization, resourcePoolInputs, ctx, {});
    expect(usage.utilization.allocated["cpu"]).toBe(2);
    const evicted = await call(resourcePoolOperations.preempt, resourcePoolInputs, ctx, { belowPriority: 10 });
    expect(evicted.preempted).toHaveLength(1);
    await expect(call(resourcePoolOperations.release, resourcePoolInputs, ctx, {}, { allocationId: second.allocation.id })).rejects.toMatchObject({ code: "not_found" });
    expect(() => resourcePoolOperations.preempt.config.parse({})).toThrow(/ids or belowPriority/);
  });
});

describe("ResourceAnalyzer node operations", () => {
  it("record_metric, analyze, trends and recommendations", async () => {
    const clock = new ManualClock(0);
    const ctx = testNodeContext({ clock, infrastructure: new ServiceRegistry() });
    const metrics = Array.from({ length: 30 }, (_v, i) => ({ edgeId: "e1", resource: "cpu", value: 0.6 + i * 0.012, timestamp: (i + 1) * 60_000 }));
    const recorded = await call(resourceAnalyzerOperations.record_metric, resourceAnalyzerInputs, ctx, { edgeId: "e1", resource: "cpu", timestamp: 0 }, { value: 0.6, metrics });
    expect(recorded.recorded).toBe(31);
    clock.advanceTo(31 * 60_000);
    const { analysis } = await call(resourceAnalyzerOperations.analyze, resourceAnalyzerInputs, ctx, {});
    expect(analysis.bottlenecks.some((b) => b.type === "capacity")).toBe(true);
    const { trends } = await call(resourceAnalyzerOperations.trends, resourceAnalyzerInputs, ctx, { horizonMs: 3_600_000 });
    expect(trends[0]?.direction).toBe("increasing");
    const { recommendations } = await call(resourceAnalyzerOperations.recommendations, resourceAnalyzerInputs, ctx, {});
    expect(recommendations.some((r) => r.action === "scale_up")).toBe(true);
  });
});

describe("ResourceScaler node operations", () => {
  it("record_usage, predict_scaling, forecast, evaluate_decision, start_scaler and stop_scaler", async () => {
    const clock = new ManualClock(0);
    const ctx = testNodeContext({ clock, infrastructure: new ServiceRegistry() });
    for (let i = 0; i < 900; i++) {
      await call(resourceScalerOperations.record_usage, resourceScalerInputs, ctx, { service: "api", instances: 2 }, { demand: 1 + (i % 60) / 30 });
      clock.advance(1_000);
    }
    const { decision } = await call(resourceScalerOperations.predict_scaling, resourceScalerInputs, ctx, { service: "api", strategy: "hybrid" });
    expect(decision.strategy).toBe("hybrid");
    const { forecast } = await call(resourceScalerOperations.forecast, resourceScalerInputs, ctx, { service: "api", horizon: "immediate" });
    expect(forecast.mean).toHaveLength(5);
    const { evaluation } = await call(resourceScalerOperations.evaluate_decision, resourceScalerInputs, ctx, {}, { decisionId: decision.id, actualDemand: 2 });
    expect(evaluation.decisionId).toBe(decision.id);
    expect(await call(resourceScalerOperations.start_scaler, resourceScalerInputs, ctx, { intervalMs: 5_000 })).toEqual({ running: true, intervalMs: 5_000 });
    expect(await call(resourceScalerOperations.stop_scaler, resourceScalerInputs, ctx, {})).toEqual({ running: false });
  });
});
