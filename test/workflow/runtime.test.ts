import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { CancelledError, NodeExecutionError, TimeoutError, ValidationError } from "../../src/core/errors.js";
import { ServiceRegistry } from "../../src/core/services.js";
import { WorkflowBuilder } from "../../src/workflow/builder.js";
import { WorkflowCancelledError, WorkflowFailedError } from "../../src/workflow/errors.js";
import { LocalRuntime } from "../../src/workflow/runtime.js";
import type { RuntimeEvents } from "../../src/workflow/types.js";
import { createNodeRegistry } from "../../nodes/index.js";
import { EXECUTION_LOG, testRegistry } from "./fixtures.js";
import { z } from "zod";
import { defineNode } from "../../src/workflow/node.js";
import { NodeRegistry } from "../../src/workflow/registry.js";

function recordEvents(runtime: LocalRuntime): string[] {
  const seen: string[] = [];
  const names: Array<keyof RuntimeEvents & string> = ["run:start", "node:start", "node:complete", "node:error", "node:skip", "run:complete"];
  for (const name of names) {
    runtime.events.on(name, (payload) => {
      const p = payload as { nodeId?: string; status?: string; willRetry?: boolean };
      seen.push([name, p.nodeId ?? p.status ?? "", p.willRetry === undefined ? "" : `retry=${p.willRetry}`].filter(Boolean).join(" "));
    });
  }
  return seen;
}

describe("LocalRuntime", () => {
  it("runs a diamond, passing outputs along, and returns typed results", async () => {
    const workflow = new WorkflowBuilder(testRegistry())
      .addNode("Sum", "top", { weight: 1 })
      .addNode("Sum", "left", { weight: 10 })
      .addNode("Sum", "right", { weight: 100 })
      .addNode("Sum", "bottom", { weight: 0 })
      .input("start", "top", "p0")
      .connect("top", "value", "left", "p0")
      .connect("top", "value", "right", "p0")
      .connect("left", "value", "bottom", "p0")
      .connect("right", "value", "bottom", "p1")
      .build();
    const runtime = new LocalRuntime({ clock: new ManualClock() });
    const run = await runtime.execute(workflow, { inputs: { start: 5 } });
    expect(run.status).toBe("completed");
    const bottom = run.results.bottom;
    expect(bottom.status === "completed" ? bottom.output.value : undefined).toBe(16 + 106);
    expect(run.runId).toMatch(/^run-[0-9a-f]{8}$/);
  });

  it("rejects missing and unknown workflow inputs before running anything", async () => {
    const workflow = new WorkflowBuilder(testRegistry()).addNode("Sum", "a", { weight: 1 }).input("x", "a", "p0").build();
    const runtime = new LocalRuntime({ clock: new ManualClock() });
    await expect(() => runtime.execute(workflow, { inputs: { y: 1 } })).toThrow(ValidationError);
    expect(runtime.infrastructure.tryGet(EXECUTION_LOG)).toBeUndefined();
  });

  it("never runs more than `concurrency` nodes at once", async () => {
    const clock = new ManualClock();
    const builder = new WorkflowBuilder(testRegistry());
    for (let i = 0; i < 10; i++) builder.addNode("Flaky", `n${i}` as string, { delayMs: 10 });
    const runtime = new LocalRuntime({ clock, concurrency: 3 });
    let running = 0;
    let peak = 0;
    runtime.events.on("node:start", () => (peak = Math.max(peak, ++running)));
    runtime.events.on("node:complete", () => running--);
    const pending = runtime.execute(builder.build());
    await clock.runAll();
    const run = await pending;
    expect(run.status).toBe("completed");
    expect(peak).toBe(3);
    expect(clock.now()).toBe(40); // ceil(10 / 3) waves of 10 ms
  });

  it("times out an attempt on the clock and retries with backoff", async () => {
    const clock = new ManualClock();
    const workflow = new WorkflowBuilder(testRegistry())
      .addNode("Flaky", "slow", { delayMs: 100, failTimes: 0 }, { timeoutMs: 50, retry: { attempts: 2, backoffMs: 20 } })
      .build();
    const runtime = new LocalRuntime({ clock });
    const events = recordEvents(runtime);
    const pending = runtime.execute(workflow).catch((e: unknown) => e);
    await clock.runAll();
    const error = (await pending) as WorkflowFailedError;
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const cause = error.cause as NodeExecutionError;
    expect(cause).toBeInstanceOf(NodeExecutionError);
    expect(cause.nodeId).toBe("slow");
    expect(cause.attempts).toBe(2);
    expect(cause.cause).toBeInstanceOf(TimeoutError);
    // 50 ms timeout, 20 ms backoff, 50 ms timeout.
    expect(clock.now()).toBeGreaterThanOrEqual(120);
    expect(events).toEqual(["run:start", "node:start slow", "node:error slow retry=true", "node:start slow", "node:error slow retry=false", "run:complete failed"]);
  });

  it("retries until success and reports the attempt count", async () => {
    const clock = new ManualClock();
    const workflow = new WorkflowBuilder(testRegistry())
      .addNode("Flaky", "f", { failTimes: 2 }, { retry: { attempts: 3, backoffMs: 100, backoffCoefficient: 2 } })
      .build();
    const pending = new LocalRuntime({ clock }).execute(workflow);
    await clock.runAll();
    const run = await pending;
    expect(run.results.f).toMatchObject({ status: "completed", attempts: 3, output: { value: 1 } });
    expect(clock.now()).toBe(300); // 100 + 200 backoff
  });

  it("does not retry errors listed as non-retryable, nor validation errors", async () => {
    const clock = new ManualClock();
    const registry = testRegistry();
    const workflow = new WorkflowBuilder(registry)
      .addNode("BadOutput", "bad", { output: { count: "three", label: "x" } }, { retry: { attempts: 5 } })
      .build();
    const error = (await new LocalRuntime({ clock }).execute(workflow).catch((e: unknown) => e)) as WorkflowFailedError;
    const cause = error.cause as NodeExecutionError;
    expect(cause.attempts).toBe(1);
    expect(cause.message).toContain("output.count");
    expect((cause.cause as ValidationError).issues[0]?.path).toBe("output.count");

    const named = new WorkflowBuilder(registry)
      .addNode("Flaky", "f", { failTimes: 3 }, { retry: { attempts: 5, nonRetryableErrorTypes: ["Error"] } })
      .build();
    const second = (await new LocalRuntime({ clock }).execute(named).catch((e: unknown) => e)) as WorkflowFailedError;
    expect((second.cause as NodeExecutionError).attempts).toBe(1);
  });

  it("under `continue`, skips the dependents of a failed node and runs the rest", async () => {
    const clock = new ManualClock();
    const workflow = new WorkflowBuilder(testRegistry())
      .addNode("Flaky", "bad", { failTimes: 1 })
      .addNode("Flaky", "child", {})
      .addNode("Flaky", "grandchild", {})
      .addNode("Flaky", "independent", {})
      .connect("bad", "value", "child", "value")
      .connect("child", "value", "grandchild", "value")
      .build();
    const runtime = new LocalRuntime({ clock, errorPolicy: "continue" });
    const events = recordEvents(runtime);
    const run = await runtime.execute(workflow);
    expect(run.status).toBe("failed");
    expect(run.results.bad.status).toBe("failed");
    expect(run.results.child).toEqual({ status: "skipped", reason: 'dependency "bad" did not complete' });
    expect(run.results.grandchild.status).toBe("skipped");
    expect(run.results.independent.status).toBe("completed");
    expect(events.filter((e) => e.startsWith("node:skip"))).toEqual(["node:skip child", "node:skip grandchild"]);
    expect(run.error).toBeInstanceOf(NodeExecutionError);
  });

  it("fail-fast stops the run: running nodes are cancelled through their signal, the rest skipped", async () => {
    const clock = new ManualClock();
    const workflow = new WorkflowBuilder(testRegistry())
      .addNode("Flaky", "slow", { delayMs: 1000 })
      .addNode("Flaky", "bad", { delayMs: 10, failTimes: 1 })
      .addNode("Flaky", "after", {})
      .connect("slow", "value", "after", "value")
      .build();
    const pending = new LocalRuntime({ clock }).execute(workflow).catch((e: unknown) => e);
    await clock.advanceAsync(10);
    const error = (await pending) as WorkflowFailedError;
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect(error.result.results["slow"]?.status).toBe("cancelled");
    expect(error.result.results["after"]?.status).toBe("skipped");
    expect(clock.pendingTimers()).toBe(0); // the slow node's sleep was cancelled by its signal
  });

  it("cancels through AbortSignal, aborting running nodes' ctx.signal", async () => {
    const clock = new ManualClock();
    const workflow = new WorkflowBuilder(testRegistry())
      .addNode("Flaky", "a", { delayMs: 100 })
      .addNode("Flaky", "b", { delayMs: 100 })
      .connect("a", "value", "b", "value")
      .build();
    const controller = new AbortController();
    const runtime = new LocalRuntime({ clock });
    const pending = runtime.execute(workflow, { signal: controller.signal }).catch((e: unknown) => e);
    await clock.advanceAsync(50);
    controller.abort();
    const error = (await pending) as WorkflowCancelledError;
    expect(error).toBeInstanceOf(WorkflowCancelledError);
    expect(error).toBeInstanceOf(CancelledError);
    expect(error.result.status).toBe("cancelled");
    expect(error.result.results["a"]?.status).toBe("cancelled");
    expect(error.result.results["b"]?.status).toBe("cancelled");
    expect(clock.pendingTimers()).toBe(0);
  });

  it("an already-aborted signal runs nothing", async () => {
    const workflow = new WorkflowBuilder(testRegistry()).addNode("Sum", "a", { weight: 1 }).build();
    const infrastructure = new ServiceRegistry();
    const runtime = new LocalRuntime({ clock: new ManualClock(), infrastructure });
    await expect(runtime.execute(workflow, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(WorkflowCancelledError);
    expect(infrastructure.tryGet(EXECUTION_LOG)).toBeUndefined();
  });

  it("a node that ignores its signal cannot hold the run past its timeout", async () => {
    const clock = new ManualClock();
    const workflow = new WorkflowBuilder(testRegistry()).addNode("Flaky", "stubborn", { delayMs: 1000, ignoreSignal: true }, { timeoutMs: 10 }).build();
    const pending = new LocalRuntime({ clock }).execute(workflow).catch((e: unknown) => e);
    await clock.advanceAsync(10);
    const error = (await pending) as WorkflowFailedError;
    expect(((error.cause as NodeExecutionError).cause as TimeoutError).timeoutMs).toBe(10);
  });

  it("reports progress events and refuses progress outside [0, 1]", async () => {
    const Progressing = defineNode({
      type: "Progressing",
      description: "Reports progress.",
      config: z.object({ bad: z.boolean() }),
      inputs: z.object({}),
      outputs: z.object({ done: z.boolean() }),
      run: async (ctx, config) => {
        ctx.progress(0.5, "half");
        if (config.bad) ctx.progress(1.5);
        return { done: true };
      },
    });
    const registry = new NodeRegistry().register(Progressing);
    const runtime = new LocalRuntime({ clock: new ManualClock(), errorPolicy: "continue" });
    const progress: Array<[string, number, string | undefined]> = [];
    runtime.events.on("node:progress", (e) => progress.push([e.nodeId, e.fraction, e.message]));
    const run = await runtime.execute(
      new WorkflowBuilder(registry).addNode("Progressing", "ok", { bad: false }).addNode("Progressing", "bad", { bad: true }).build(),
    );
    expect(progress).toEqual([["ok", 0.5, "half"], ["bad", 0.5, "half"]]);
    expect(run.results.ok.status).toBe("completed");
    expect(run.results.bad.status === "failed" ? run.results.bad.error.cause : undefined).toBeInstanceOf(ValidationError);
  });

  it("refuses workflows whose node types its registry does not hold", async () => {
    const workflow = new WorkflowBuilder(testRegistry()).addNode("Sum", "a", { weight: 1 }).build();
    const runtime = new LocalRuntime({ clock: new ManualClock(), registry: createNodeRegistry() });
    expect(() => runtime.execute(workflow)).toThrow(/not registered with this runtime/);
  });

  it("fails a node returning a non-object even with validation off, instead of crashing the run", async () => {
    const workflow = new WorkflowBuilder(testRegistry())
      .addNode("BadOutput", "bad", { output: 42 })
      .addNode("Sum", "after", { weight: 1 })
      .build();
    const runtime = new LocalRuntime({ clock: new ManualClock(), validateIO: false, errorPolicy: "continue" });
    const run = await runtime.execute(workflow);
    expect(run.status).toBe("failed");
    expect(run.results.bad.status === "failed" ? run.results.bad.error.message : "").toContain("must return an object");
    expect(run.results.after.status).toBe("completed");
  });

  it("hands every consumer a deep-frozen output, so one consumer cannot change what another sees", async () => {
    const registry = createNodeRegistry();
    const seen: unknown[] = [];
    const workflow = new WorkflowBuilder(registry)
      .addNode("Transform", "source", { fn: () => ({ edges: ["a", "b"] }) })
      .addNode("Transform", "vandal", { fn: (value) => (value as { edges: string[] }).edges.push("c") })
      .addNode("Transform", "reader", { fn: (value) => seen.push(JSON.stringify(value)) })
      .input("go", "source", "value")
      .connect("source", "value", "vandal", "value")
      .connect("source", "value", "reader", "value")
      .build();
    const run = await new LocalRuntime({ clock: new ManualClock(), errorPolicy: "continue" }).execute(workflow, { inputs: { go: 1 } });
    expect(run.results.vandal.status).toBe("failed");
    expect(run.results.vandal.status === "failed" ? run.results.vandal.error.message : "").toMatch(/not extensible|read.only|frozen/i);
    expect(seen).toEqual(['{"edges":["a","b"]}']);
    expect(run.results.source.status === "completed" && Object.isFrozen(run.results.source.output)).toBe(true);
  });

  it("validates its own options", () => {
    expect(() => new LocalRuntime({ concurrency: 0 })).toThrow(ValidationError);
    expect(() => new LocalRuntime({ errorPolicy: "ignore" as "continue" })).toThrow(/options.errorPolicy/);
  });
});

describe("built-in nodes", () => {
  it("Transform and Merge combine values", async () => {
    const registry = createNodeRegistry();
    const workflow = new WorkflowBuilder(registry)
      .addNode("Transform", "double", { fn: (x) => (x as number) * 2 })
      .addNode("Transform", "square", { fn: (x) => (x as number) ** 2 })
      .addNode("Merge", "both", { mode: "object" })
      .input("x", "double", "value")
      .input("x", "square", "value")
      .connect("double", "value", "both", "a")
      .connect("square", "value", "both", "b")
      .build();
    const run = await new LocalRuntime({ clock: new ManualClock() }).execute(workflow, { inputs: { x: 3 } });
    expect(run.results.both).toMatchObject({ status: "completed", output: { value: { a: 6, b: 9 } } });
  });

  it("Merge deep-merges objects with later ports winning, and fails clearly on non-objects", async () => {
    const registry = createNodeRegistry();
    const build = (b: unknown) =>
      new WorkflowBuilder(registry)
        .addNode("Transform", "one", { fn: () => ({ a: { x: 1, y: 1 }, keep: true }) })
        .addNode("Transform", "two", { fn: () => b })
        .addNode("Merge", "m", { mode: "deep" })
        .input("go", "one", "value")
        .input("go", "two", "value")
        .connect("one", "value", "m", "a")
        .connect("two", "value", "m", "b")
        .build();
    const runtime = new LocalRuntime({ clock: new ManualClock() });
    const run = await runtime.execute(build({ a: { y: 2 } }), { inputs: { go: 0 } });
    expect(run.results.m).toMatchObject({ output: { value: { a: { x: 1, y: 2 }, keep: true } } });
    const failed = (await runtime.execute(build([1]), { inputs: { go: 0 } }).catch((e: unknown) => e)) as WorkflowFailedError;
    expect((failed.cause as Error).message).toContain('input "b" must be an object');
  });
});
