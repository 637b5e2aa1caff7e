import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { ServiceRegistry } from "../../src/core/services.js";
import { EDGE_LIFECYCLE } from "../../src/lifecycle/lifecycle.js";
import { WARMER } from "../../src/warming/index.js";
import { WorkflowBuilder } from "../../src/workflow/builder.js";
import { NodeRegistry } from "../../src/workflow/registry.js";
import { runOperation } from "../../src/workflow/run-node.js";
import { LocalRuntime } from "../../src/workflow/runtime.js";
import { EdgeWarming } from "../../nodes/edge-warming.js";
import { testNodeContext } from "../support/node-context.js";

const MIN = 60_000;
const usage = Array.from({ length: 60 }, (_, i) => ({ edge: "edge-1", workloadType: "api", timestamp: i * MIN, resources: { cpu: 1 } }));

describe("EdgeWarming node", () => {
  it("records, predicts and warms in a workflow, with typed outputs per operation", async () => {
    const clock = new ManualClock(0);
    const infrastructure = new ServiceRegistry();
    const registry = new NodeRegistry().register(EdgeWarming);
    await runOperation(EdgeWarming, "record_usage", { usage }, {}, testNodeContext({ clock, infrastructure }));
    clock.advanceTo(60 * MIN);
    const workflow = new WorkflowBuilder(registry)
      .addNode("EdgeWarming", "predict", { operation: "predict", horizonMs: 10 * MIN })
      .addNode("EdgeWarming", "warm", { operation: "warm" })
      .connect("predict", "decisions", "warm", "decisions")
      .build();
    const run = await new LocalRuntime({ registry, clock, infrastructure }).execute(workflow);
    const predicted = run.results.predict;
    const warmed = run.results.warm;
    if (predicted?.status !== "completed" || warmed?.status !== "completed") throw new Error("both nodes should complete");
    expect(predicted.output.decisions.map((d) => d.edge)).toEqual(["edge-1"]);
    expect(warmed.output.outcomes).toEqual([{ edge: "edge-1", outcome: "warmed", state: "active" }]);
    expect(infrastructure.tryGet(EDGE_LIFECYCLE)?.get("edge-1").state).toBe("active");
  });

  it("evaluates, reports metrics, and starts and stops the loop on the injected clock", async () => {
    const clock = new ManualClock(0);
    const ctx = testNodeContext({ clock, infrastructure: new ServiceRegistry() });
    expect(await runOperation(EdgeWarming, "record_usage", { usage: usage.slice(0, 30) }, { usage: usage.slice(30) }, ctx)).toEqual({ recorded: 60 });
    clock.advanceTo(60 * MIN);
    const { decisions } = await runOperation(EdgeWarming, "predict", { horizonMs: 10 * MIN }, {}, ctx);
    expect(decisions).toHaveLength(1);
    clock.advance(10 * MIN);
    const { evaluation } = await runOperation(EdgeWarming, "evaluate", {}, {}, ctx);
    expect(evaluation.overall).toMatchObject({ truePositives: 0, falsePositives: 1 });
    expect(await runOperation(EdgeWarming, "start_auto", { intervalMs: MIN, warm: false }, {}, ctx)).toEqual({ running: true });
    await clock.advanceAsync(5 * MIN);
    expect(await runOperation(EdgeWarming, "stop_auto", {}, {}, ctx)).toEqual({ running: false });
    await clock.advanceAsync(5 * MIN);
    const { metrics } = await runOperation(EdgeWarming, "metrics", {}, {}, ctx);
    expect(metrics).toMatchObject({ records: 60, predictions: 6, autoRunning: false });
    expect(ctx.infrastructure.tryGet(WARMER)).toBeDefined();
  });

  it("refuses bad configs and bad usage with the field named", async () => {
    expect(EdgeWarming.config.safeParse({ operation: "start_auto", intervalMs: 0 }).success).toBe(false);
    expect(EdgeWarming.config.safeParse({ operation: "warm_all" }).success).toBe(false);
    await expect(runOperation(EdgeWarming, "record_usage", { usage: [{ edge: "", workloadType: "api", timestamp: 0 }] }, {}, testNodeContext())).rejects.toThrow(/usage\[0\]\.edge/);
  });
});
