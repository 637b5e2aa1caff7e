import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ManualClock } from "../../src/core/clock.js";
import { ValidationError, type NodeExecutionError } from "../../src/core/errors.js";
import { WorkflowBuilder } from "../../src/workflow/builder.js";
import { defineNode } from "../../src/workflow/node.js";
import { NodeRegistry } from "../../src/workflow/registry.js";
import { LocalRuntime } from "../../src/workflow/runtime.js";
import { testRegistry } from "./fixtures.js";

const SHARED = { value: 7 };

/** Its output schema hands back an object the test keeps: the runtime must copy it, not freeze it. */
const Overwritten = defineNode({
  type: "Overwritten",
  description: "Outputs through a schema that replaces the parsed object.",
  config: z.object({}),
  inputs: z.object({}),
  outputs: z.object({ value: z.number() }).overwrite(() => SHARED),
  run: async () => ({ value: 1 }),
});

/** Throws before returning a promise, or returns a plain object instead of a promise. */
const Synchronous = defineNode({
  type: "Synchronous",
  description: "Runs without a promise.",
  config: z.object({ fail: z.boolean().default(false) }),
  inputs: z.object({ value: z.number().optional() }),
  outputs: z.object({ value: z.number() }),
  run: ((_ctx: unknown, config: { fail: boolean }, inputs: { value?: number }) => {
    if (config.fail) throw new Error("thrown before any promise");
    return { value: (inputs.value ?? 0) + 1 };
  }) as never,
});

describe("LocalRuntime hot path", () => {
  it("reuses a completion's clock reading as the next node's start only while no listener ran in between", async () => {
    const clock = new ManualClock(100);
    const workflow = new WorkflowBuilder(testRegistry()).addNode("Sum", "a", { weight: 1 }).addNode("Sum", "b", { weight: 1 }).connect("a", "value", "b", "p0").build();
    const quiet = await new LocalRuntime({ clock }).execute(workflow);
    const [a, b] = [quiet.results.a, quiet.results.b];
    expect(a.status === "completed" && b.status === "completed" && b.startedAt === a.finishedAt).toBe(true);

    const runtime = new LocalRuntime({ clock });
    runtime.events.on("node:complete", () => clock.advance(5));
    const observed = await runtime.execute(workflow);
    const [a2, b2] = [observed.results.a, observed.results.b];
    expect(a2.status === "completed" && b2.status === "completed" ? b2.startedAt - a2.finishedAt : undefined).toBe(5);
  });

  it("copies an output whose schema may hand back an object someone else holds, instead of freezing it", async () => {
    const registry = new NodeRegistry().register(Overwritten);
    const run = await new LocalRuntime({ clock: new ManualClock() }).execute(new WorkflowBuilder(registry).addNode("Overwritten", "o", {}).build());
    const result = run.results.o;
    expect(result.status === "completed" ? result.output : undefined).toEqual({ value: 7 });
    expect(result.status === "completed" && Object.isFrozen(result.output)).toBe(true);
    expect(Object.isFrozen(SHARED)).toBe(false);
  });

  it("treats a synchronous throw as the node failing, and a non-promise return as its output", async () => {
    const registry = new NodeRegistry().register(Synchronous);
    const workflow = new WorkflowBuilder(registry)
      .addNode("Synchronous", "ok", {})
      .addNode("Synchronous", "next", {})
      .addNode("Synchronous", "bad", { fail: true })
      .connect("ok", "value", "next", "value")
      .build();
    const run = await new LocalRuntime({ clock: new ManualClock(), errorPolicy: "continue" }).execute(workflow);
    const next = run.results.next;
    expect(next.status === "completed" ? next.output : undefined).toEqual({ value: 2 });
    const bad = run.results.bad;
    expect(bad.status === "failed" ? bad.error.message : undefined).toContain("thrown before any promise");
  });

  it("fails thousands of nodes on invalid inputs within one scheduling pass, without deep recursion", async () => {
    const builder = WorkflowBuilder.untyped(testRegistry());
    const width = 5_000;
    for (let i = 0; i < width; i++) builder.addNode("Sum", `n${i}`, { weight: 1 }).input("x", `n${i}`, "p0");
    const workflow = builder.build();
    const runtime = new LocalRuntime({ clock: new ManualClock(), errorPolicy: "continue" });
    let errors = 0;
    runtime.events.on("node:error", () => errors++);
    const run = await runtime.execute(workflow, { inputs: { x: "not a number" } });
    expect(run.status).toBe("failed");
    expect(errors).toBe(width);
    const first = run.results["n0"];
    const cause = first?.status === "failed" ? (first.error as NodeExecutionError).cause : undefined;
    expect(cause).toBeInstanceOf(ValidationError);
    expect((cause as ValidationError).issues[0]?.path).toBe("inputs.p0");
  });

  it("a listener stopping the run while a node's input error is reported leaves no node half-settled", async () => {
    const builder = WorkflowBuilder.untyped(testRegistry());
    for (let i = 0; i < 3; i++) builder.addNode("Sum", `n${i}`, { weight: 1 }).input("x", `n${i}`, "p0");
    const runtime = new LocalRuntime({ clock: new ManualClock(), errorPolicy: "continue" });
    const controller = new AbortController();
    runtime.events.on("node:error", () => controller.abort());
    const skipped: string[] = [];
    runtime.events.on("node:skip", (event) => skipped.push(event.nodeId));
    const error = (await runtime.execute(builder.build(), { inputs: { x: "bad" }, signal: controller.signal }).catch((e: unknown) => e)) as { result: { status: string; results: Record<string, { status: string }> } };
    expect(error.result.status).toBe("cancelled");
    expect(Object.values(error.result.results).map((r) => r.status)).toEqual(["cancelled", "cancelled", "cancelled"]);
    expect(skipped).toEqual([]);
  });
});
