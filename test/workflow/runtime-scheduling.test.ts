import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ManualClock } from "../../src/core/clock.js";
import { ValidationError } from "../../src/core/errors.js";
import { WorkflowBuilder } from "../../src/workflow/builder.js";
import { WorkflowCancelledError, WorkflowFailedError } from "../../src/workflow/errors.js";
import { defineNode } from "../../src/workflow/node.js";
import { NodeRegistry } from "../../src/workflow/registry.js";
import { LocalRuntime } from "../../src/workflow/runtime.js";
import type { RuntimeEvents } from "../../src/workflow/types.js";

/** A switch every `Gated` node waits on, so a test decides when the nodes it started may finish. */
class Gate {
  private opened: Promise<void>;
  open: () => void = () => undefined;
  started = 0;
  inFlight = 0;
  peak = 0;

  constructor() {
    this.opened = new Promise((resolve) => (this.open = resolve));
  }

  async pass(): Promise<void> {
    this.started++;
    this.peak = Math.max(this.peak, ++this.inFlight);
    await this.opened;
    this.inFlight--;
  }
}

let gate = new Gate();

const Gated = defineNode({
  type: "Gated",
  description: "Waits for the test's gate, then passes its input on, plus one.",
  config: z.object({ fail: z.boolean().default(false) }),
  inputs: z.object({ value: z.number().optional() }),
  outputs: z.object({ value: z.number() }),
  run: async (_ctx, config, inputs) => {
    await gate.pass();
    if (config.fail) throw new Error("planned failure");
    return { value: (inputs.value ?? 0) + 1 };
  },
});

/** Finishes without a promise; advances a manual clock by `workMs` to stand for synchronous work. */
const Immediate = defineNode({
  type: "Immediate",
  description: "Returns at once, without a promise.",
  config: z.object({ workMs: z.number().default(0) }),
  inputs: z.object({ value: z.number().optional() }),
  outputs: z.object({ value: z.number() }),
  run: ((ctx: { clock: unknown }, config: { workMs: number }, inputs: { value?: number }) => {
    if (ctx.clock instanceof ManualClock) ctx.clock.advance(config.workMs);
    return { value: (inputs.value ?? 0) + 1 };
  }) as never,
});

const registry = new NodeRegistry().register(Gated).register(Immediate);

/** `width` independent Gated nodes; `failing` lists those configured to fail. */
function wide(width: number, failing: readonly number[] = []) {
  const builder = WorkflowBuilder.untyped(registry);
  for (let i = 0; i < width; i++) builder.addNode("Gated", `n${i}`, { fail: failing.includes(i) });
  return builder.build();
}

/** Lets every queued microtask and promise job run, then one macrotask turn. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe("LocalRuntime scheduling", () => {
  it("under unlimited concurrency, starts all 1,000 ready nodes while none of them has finished", async () => {
    gate = new Gate();
    const pending = new LocalRuntime({ clock: new ManualClock(), concurrency: Number.POSITIVE_INFINITY }).execute(wide(1_000));
    await settle();
    expect(gate.started).toBe(1_000);
    expect(gate.inFlight).toBe(1_000);
    gate.open();
    const run = await pending;
    expect(run.status).toBe("completed");
  });

  it("honours a concurrency limit above the slice size, and fills it", async () => {
    gate = new Gate();
    const pending = new LocalRuntime({ clock: new ManualClock(), concurrency: 100 }).execute(wide(1_000));
    await settle();
    expect(gate.started).toBe(100);
    gate.open();
    const run = await pending;
    expect(run.status).toBe("completed");
    expect(gate.peak).toBe(100);
    expect(gate.started).toBe(1_000);
  });

  it("starts a consumer only after every producer completed, and each node's start before its completion", async () => {
    gate = new Gate();
    gate.open();
    const builder = WorkflowBuilder.untyped(registry).addNode("Gated", "source", {});
    for (let i = 0; i < 300; i++) builder.addNode("Gated", `w${i}`, {}).connect("source", "value", `w${i}`, "value");
    for (let i = 0; i < 300; i += 3) builder.addNode("Immediate", `r${i}`, {}).connect(`w${i}`, "value", `r${i}`, "value");
    const runtime = new LocalRuntime({ clock: new ManualClock(), concurrency: Number.POSITIVE_INFINITY });
    const log: string[] = [];
    runtime.events.on("node:start", (e) => log.push(`start ${e.nodeId}`));
    runtime.events.on("node:complete", (e) => log.push(`complete ${e.nodeId}`));
    const run = await runtime.execute(builder.build());
    expect(run.status).toBe("completed");
    const at = (entry: string): number => log.indexOf(entry);
    expect(log).toHaveLength(2 * (1 + 300 + 100));
    for (let i = 0; i < 300; i++) {
      expect(at(`start w${i}`)).toBeGreaterThan(at("complete source"));
      expect(at(`complete w${i}`)).toBeGreaterThan(at(`start w${i}`));
      if (i % 3 === 0) expect(at(`start r${i}`)).toBeGreaterThan(at(`complete w${i}`));
    }
    // Nodes start in the order they became ready.
    const starts = log.filter((entry) => entry.startsWith("start w")).map((entry) => Number(entry.slice(7)));
    expect(starts).toEqual(starts.slice().sort((a, b) => a - b));
  });

  it("fail-fast: a failure in one slice stops the run; nothing starts after it is reported", async () => {
    gate = new Gate();
    const runtime = new LocalRuntime({ clock: new ManualClock(), concurrency: Number.POSITIVE_INFINITY });
    const events: string[] = [];
    runtime.events.on("node:error", () => events.push("error"));
    runtime.events.on("node:start", () => events.push("start"));
    const pending = runtime.execute(wide(500, [100])).catch((e: unknown) => e);
    await settle();
    gate.open();
    const error = (await pending) as WorkflowFailedError;
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect(events.indexOf("error")).toBe(events.lastIndexOf("error"));
    expect(events.slice(events.indexOf("error"))).toEqual(["error"]);
    expect(error.result.results["n100"]?.status).toBe("failed");
    const statuses = Object.values(error.result.results).map((r) => r.status);
    expect(statuses.filter((s) => s === "failed")).toHaveLength(1);
    expect(statuses.every((s) => s === "completed" || s === "failed" || s === "cancelled")).toBe(true);
  });

  it("under `continue`, a failure in one slice leaves the other slices to complete", async () => {
    gate = new Gate();
    gate.open();
    const run = await new LocalRuntime({ clock: new ManualClock(), concurrency: Number.POSITIVE_INFINITY, errorPolicy: "continue" }).execute(wide(500, [70, 300]));
    expect(run.status).toBe("failed");
    const statuses = Object.entries(run.results).map(([id, r]) => [id, r.status]);
    expect(statuses.filter(([, s]) => s === "failed").map(([id]) => id)).toEqual(["n70", "n300"]);
    expect(statuses.filter(([, s]) => s === "completed")).toHaveLength(498);
  });

  it("cancelled between slices, starts nothing more and reports the rest cancelled", async () => {
    gate = new Gate();
    const controller = new AbortController();
    const runtime = new LocalRuntime({ clock: new ManualClock(), concurrency: Number.POSITIVE_INFINITY });
    let starts = 0;
    const onStart = (): void => {
      // Aborted from inside the first slice: the slices after it must never start.
      if (++starts === 10) controller.abort();
    };
    runtime.events.on("node:start", onStart);
    const pending = runtime.execute(wide(1_000), { signal: controller.signal }).catch((e: unknown) => e);
    await settle();
    gate.open();
    const error = (await pending) as WorkflowCancelledError;
    expect(error).toBeInstanceOf(WorkflowCancelledError);
    expect(starts).toBe(10);
    expect(gate.started).toBe(10);
    const statuses = Object.values(error.result.results).map((r) => r.status);
    expect(statuses.every((s) => s === "cancelled")).toBe(true);
  });

  it("runs 10,000 nodes that return without a promise as a chain, without deep recursion", async () => {
    const builder = WorkflowBuilder.untyped(registry).addNode("Immediate", "n0", {});
    for (let i = 1; i < 10_000; i++) builder.addNode("Immediate", `n${i}`, {}).connect(`n${i - 1}`, "value", `n${i}`, "value");
    const run = await new LocalRuntime({ clock: new ManualClock() }).execute(builder.build());
    const last = run.results["n9999"];
    expect(last?.status === "completed" ? last.output : undefined).toEqual({ value: 10_000 });
  });

  it("charges a node that returned without a promise the time it took, not the next node", async () => {
    const clock = new ManualClock(1_000);
    const workflow = WorkflowBuilder.untyped(registry).addNode("Immediate", "slow", { workMs: 40 }).addNode("Immediate", "quick", {}).build();
    const run = await new LocalRuntime({ clock }).execute(workflow);
    const [slow, quick] = [run.results["slow"], run.results["quick"]];
    expect(slow?.status === "completed" ? [slow.startedAt, slow.finishedAt] : undefined).toEqual([1_000, 1_040]);
    expect(quick?.status === "completed" ? [quick.startedAt, quick.finishedAt] : undefined).toEqual([1_040, 1_040]);
  });

  it("gives every node a start no later than when it ran and a finish no earlier than when it returned", async () => {
    const clock = new ManualClock(0);
    const ran = new Map<string, [number, number]>();
    const Timed = defineNode({
      type: "Timed",
      description: "Records when it ran on the clock, which it advances as it works.",
      config: z.object({ workMs: z.number() }),
      inputs: z.object({ value: z.number().optional() }),
      outputs: z.object({ value: z.number() }),
      run: async (ctx, config) => {
        const begin = clock.now();
        clock.advance(config.workMs);
        await Promise.resolve();
        ran.set(ctx.nodeId, [begin, clock.now()]);
        return { value: 1 };
      },
    });
    const builder = WorkflowBuilder.untyped(new NodeRegistry().register(Timed));
    for (let i = 0; i < 150; i++) builder.addNode("Timed", `t${i}`, { workMs: i % 7 });
    const runtime = new LocalRuntime({ clock, concurrency: Number.POSITIVE_INFINITY });
    const durations: Array<RuntimeEvents["node:complete"]> = [];
    runtime.events.on("node:complete", (e) => durations.push(e));
    const run = await runtime.execute(builder.build());
    for (const [id, [begin, end]] of ran) {
      const result = run.results[id];
      expect(result?.status === "completed" && result.startedAt <= begin && result.finishedAt >= end).toBe(true);
    }
    for (const e of durations) {
      const result = run.results[e.nodeId];
      expect(result?.status === "completed" ? result.finishedAt - result.startedAt : undefined).toBe(e.durationMs);
    }
  });

  it("validates through schemas zod cannot compile (a recursive one) exactly as through compiled ones", async () => {
    interface Tree {
      value: number;
      children: Tree[];
    }
    const tree: z.ZodType<Tree> = z.lazy(() => z.object({ value: z.number(), children: z.array(tree) }));
    const Grow = defineNode({
      type: "Grow",
      description: "Wraps its input tree in a new root, or returns a broken one when told to.",
      config: z.object({ broken: z.boolean() }),
      inputs: z.object({ tree: tree.optional() }),
      outputs: z.object({ tree }),
      run: async (_ctx, config, inputs) => ({ tree: config.broken ? ({ value: "x", children: [] } as unknown as Tree) : { value: 1, children: inputs.tree === undefined ? [] : [inputs.tree] } }),
    });
    const workflow = WorkflowBuilder.untyped(new NodeRegistry().register(Grow))
      .addNode("Grow", "a", { broken: false })
      .addNode("Grow", "b", { broken: false })
      .addNode("Grow", "c", { broken: true })
      .connect("a", "tree", "b", "tree")
      .build();
    const run = await new LocalRuntime({ clock: new ManualClock(), errorPolicy: "continue" }).execute(workflow);
    const b = run.results["b"];
    expect(b?.status === "completed" ? b.output : undefined).toEqual({ tree: { value: 1, children: [{ value: 1, children: [] }] } });
    const c = run.results["c"];
    const cause = c?.status === "failed" ? c.error.cause : undefined;
    expect(cause).toBeInstanceOf(ValidationError);
    expect((cause as ValidationError).issues[0]?.path).toBe("output.tree.value");
  });
});
