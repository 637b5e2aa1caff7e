import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ManualClock, SystemClock, sleep } from "../../src/core/clock.js";
import { ClosedError } from "../../src/core/errors.js";
import { ServiceRegistry, serviceKey } from "../../src/core/services.js";
import { MonitoringEngine } from "../../src/monitoring/engine.js";
import { WorkflowBuilder } from "../../src/workflow/builder.js";
import { WorkflowCancelledError } from "../../src/workflow/errors.js";
import { defineNode } from "../../src/workflow/node.js";
import { NodeRegistry } from "../../src/workflow/registry.js";
import { LocalRuntime } from "../../src/workflow/runtime.js";

describe("SystemClock.close", () => {
  it("cancels every pending timer, refuses new ones, and is idempotent", async () => {
    const clock = new SystemClock();
    const fired: string[] = [];
    clock.setTimer(3_600_000, () => fired.push("kept alive"));
    clock.setTimer(3_600_000, () => fired.push("background"), { background: true });
    expect(clock.pendingTimers()).toBe(2);
    await clock.close();
    await clock[Symbol.asyncDispose]();
    expect(clock.pendingTimers()).toBe(0);
    expect(() => clock.setTimer(1, () => undefined)).toThrow(ClosedError);
    expect(fired).toEqual([]);
  });
});

class Resource {
  closed = 0;
  constructor(
    private readonly log: string[],
    readonly name: string,
    private readonly fail = false,
  ) {}
  async close(): Promise<void> {
    this.closed++;
    this.log.push(this.name);
    if (this.fail) throw new Error(`${this.name} broke`);
  }
}

describe("ServiceRegistry.close", () => {
  it("closes services newest first, each once, despite failures, and reports them together", async () => {
    const log: string[] = [];
    const registry = new ServiceRegistry();
    const a = registry.register(serviceKey<Resource>("a"), new Resource(log, "a"));
    registry.register(serviceKey<Resource>("b"), new Resource(log, "b", true));
    registry.register(serviceKey<{ [Symbol.asyncDispose](): Promise<void> }>("c"), { [Symbol.asyncDispose]: async () => void log.push("c") });
    registry.register(serviceKey<number>("plain"), 42);
    registry.register(serviceKey<ServiceRegistry>("self"), registry);
    const first = registry.close();
    expect(registry.close()).toBe(first);
    const error = await first.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(AggregateError);
    expect((error as AggregateError).errors.map((e: Error) => e.message)).toEqual(['closing service "b" failed: b broke']);
    expect(log).toEqual(["c", "b", "a"]);
    expect(a.closed).toBe(1);
    expect(() => registry.register(serviceKey<number>("late"), 1)).toThrow(ClosedError);
    expect(registry.get(serviceKey<number>("plain"))).toBe(42);
  });
});

const SHARED = serviceKey<Resource>("test.shared");
const Waits = defineNode({
  type: "Waits",
  description: "Waits on the clock for a long time, using a shared service.",
  config: z.object({}),
  inputs: z.object({}),
  outputs: z.object({ done: z.boolean() }),
  run: async (ctx) => {
    ctx.infrastructure.getOrCreate(SHARED, () => new Resource([], "shared"));
    await sleep(ctx.clock, 60_000, ctx.signal);
    return { done: true };
  },
});

describe("LocalRuntime.close", () => {
  const workflow = new WorkflowBuilder(new NodeRegistry().register(Waits)).addNode("Waits", "w", {}).build();

  it("cancels pending runs, closes the infrastructure it created, then refuses to run", async () => {
    const runtime = new LocalRuntime({ clock: new ManualClock() });
    const pending = runtime.execute(workflow);
    await Promise.resolve();
    const shared = runtime.infrastructure.get(SHARED);
    await runtime.close();
    const error = await pending.then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowCancelledError);
    expect((error as WorkflowCancelledError).result.results["w"]).toEqual({ status: "cancelled", reason: "runtime closed" });
    expect(shared.closed).toBe(1);
    await runtime[Symbol.asyncDispose]();
    expect(shared.closed).toBe(1);
    expect(() => runtime.execute(workflow)).toThrow(ClosedError);
  });

  it("leaves an infrastructure it was given open: the caller owns it", async () => {
    const infrastructure = new ServiceRegistry();
    const runtime = new LocalRuntime({ clock: new ManualClock(), infrastructure });
    const pending = runtime.execute(workflow).catch((e: unknown) => e);
    await Promise.resolve();
    await runtime.close();
    expect(await pending).toBeInstanceOf(WorkflowCancelledError);
    expect(infrastructure.get(SHARED).closed).toBe(0);
  });
});

describe("MonitoringEngine.close", () => {
  it("stops the periodic monitor, its only timer", async () => {
    const clock = new ManualClock();
    const engine = new MonitoringEngine({ clock });
    engine.startMonitor(1_000);
    expect(clock.pendingTimers()).toBe(1);
    await engine.close();
    await engine[Symbol.asyncDispose]();
    expect(engine.monitorRunning).toBe(false);
    expect(clock.pendingTimers()).toBe(0);
  });
});
