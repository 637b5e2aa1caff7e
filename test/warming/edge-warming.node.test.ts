import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { ServiceRegistry } from "../../src/core/services.js";
import { EDGE_LIFECYCLE } from "../../src/lifecycle/lifecycle.js";
import { WARMER } from "../../src/warming/index.js";
import { edgeWarmingOperations as ops } from "../../nodes/edge-warming.js";
import { testNodeContext } from "../support/node-context.js";

const MIN = 60_000;

describe("EdgeWarming operations", () => {
  it("records usage, predicts, warms through the shared lifecycle engine, evaluates and reports metrics", async () => {
    const clock = new ManualClock(0);
    const infrastructure = new ServiceRegistry();
    const ctx = testNodeContext({ clock, infrastructure });
    const usage = Array.from({ length: 60 }, (_, i) => ({ edge: "edge-1", workloadType: "api", timestamp: i * MIN, resources: { cpu: 1 } }));
    expect(await ops.record_usage.run(ctx, { usage: usage.slice(0, 30) }, { usage: usage.slice(30) })).toEqual({ recorded: 60 });
    clock.advanceTo(60 * MIN);
    const { decisions } = await ops.predict.run(ctx, ops.predict.config.parse({ horizonMs: 10 * MIN }));
    expect(decisions.map((d) => d.edge)).toEqual(["edge-1"]);
    expect(ops.predict.outputs.parse({ decisions })).toEqual({ decisions });
    const warmed = await ops.warm.run(ctx, ops.warm.config.parse({}), { decisions });
    expect(warmed.outcomes).toEqual([{ edge: "edge-1", outcome: "warmed", state: "active" }]);
    expect(infrastructure.tryGet(EDGE_LIFECYCLE)?.get("edge-1").state).toBe("active");
    clock.advance(10 * MIN);
    const { evaluation } = await ops.evaluate.run(ctx);
    expect(evaluation.rounds).toBe(1);
    expect(ops.evaluate.outputs.parse({ evaluation }).evaluation.overall.falsePositives).toBe(1);
    const { metrics } = await ops.metrics.run(ctx);
    expect(ops.metrics.outputs.parse({ metrics }).metrics).toMatchObject({ records: 60, predictions: 1, warmed: 1 });
    expect(infrastructure.tryGet(WARMER)).toBeDefined();
  });

  it("starts and stops the automatic loop on the injected clock", async () => {
    const clock = new ManualClock(0);
    const ctx = testNodeContext({ clock });
    await ops.record_usage.run(ctx, { usage: [{ edge: "e", workloadType: "api", timestamp: 0 }] }, {});
    expect(await ops.start_auto.run(ctx, ops.start_auto.config.parse({ intervalMs: MIN, warm: false }))).toEqual({ running: true });
    await clock.advanceAsync(5 * MIN);
    expect((await ops.metrics.run(ctx)).metrics.predictions).toBe(5);
    expect(await ops.stop_auto.run(ctx)).toEqual({ running: false });
    await clock.advanceAsync(5 * MIN);
    expect((await ops.metrics.run(ctx)).metrics.predictions).toBe(5);
  });

  it("refuses bad configs and bad usage with the field named", async () => {
    const ctx = testNodeContext();
    expect(ops.start_auto.config.safeParse({ intervalMs: 0 }).success).toBe(false);
    await expect(ops.record_usage.run(ctx, { usage: [{ edge: "", workloadType: "api", timestamp: 0 }] }, {})).rejects.toThrow(/usage\[0\]\.edge/);
  });
});
