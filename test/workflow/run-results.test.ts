import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { WorkflowBuilder } from "../../src/workflow/builder.js";
import { LocalRuntime } from "../../src/workflow/runtime.js";
import { testRegistry } from "./fixtures.js";

async function twoNodeRun() {
  const workflow = new WorkflowBuilder(testRegistry()).addNode("Sum", "a", { weight: 1 }).addNode("Sum", "b", { weight: 2 }).connect("a", "value", "b", "p0").build();
  return new LocalRuntime({ clock: new ManualClock(10) }).execute(workflow);
}

describe("a run's results", () => {
  it("behave as a plain object of every node, in node order", async () => {
    const { results } = await twoNodeRun();
    expect(Object.keys(results)).toEqual(["a", "b"]);
    expect("a" in results && !("c" in results)).toBe(true);
    expect(Object.hasOwn(results, "b")).toBe(true);
    expect(results).toEqual({
      a: { status: "completed", output: { value: 1 }, attempts: 1, startedAt: 10, finishedAt: 10 },
      b: { status: "completed", output: { value: 3 }, attempts: 1, startedAt: 10, finishedAt: 10 },
    });
    expect({ ...results }).toEqual(results);
    expect(JSON.parse(JSON.stringify(results))).toEqual({ ...results });
    const inEntries: string[] = [];
    for (const id in results) inEntries.push(id);
    expect(inEntries).toEqual(["a", "b"]);
  });

  it("give the same entry object on every read", async () => {
    const { results } = await twoNodeRun();
    expect(results.a).toBe(results.a);
    expect(Object.values(results)[1]).toBe(results.b);
  });

  it("cannot be changed by the caller", async () => {
    const { results } = await twoNodeRun();
    const writable = results as Record<string, unknown>;
    expect(() => {
      writable["a"] = "replaced";
    }).toThrow(TypeError);
    expect(() => {
      writable["z"] = "added";
    }).toThrow(TypeError);
    expect(() => delete writable["a"]).toThrow(TypeError);
    expect(results.a.status).toBe("completed");
    expect(Object.keys(results)).toEqual(["a", "b"]);
  });

  it("print their entries", async () => {
    const { results } = await twoNodeRun();
    const printed = inspect(results, { depth: 4 });
    expect(printed).toContain("a: {");
    expect(printed).toContain("value: 3");
  });
});

describe("a run stopped part-way", () => {
  it("cancelled mid-chain: the results show the completed prefix and the cancelled rest", async () => {
    const builder = WorkflowBuilder.untyped(testRegistry());
    const length = 50;
    for (let i = 0; i < length; i++) {
      builder.addNode("Sum", `n${i}`, { weight: 1 });
      if (i > 0) builder.connect(`n${i - 1}`, "value", `n${i}`, "p0");
    }
    const runtime = new LocalRuntime({ clock: new ManualClock() });
    const controller = new AbortController();
    runtime.events.on("node:complete", (event) => {
      if (event.nodeId === "n9") controller.abort();
    });
    const error = (await runtime.execute(builder.build(), { signal: controller.signal }).catch((e: unknown) => e)) as { result: { status: string; results: Record<string, { status: string }> } };
    expect(error.result.status).toBe("cancelled");
    const statuses = Object.values(error.result.results).map((r) => r.status);
    expect(statuses.slice(0, 10).every((s) => s === "completed")).toBe(true);
    expect(statuses.slice(10).every((s) => s === "cancelled")).toBe(true);
    expect(statuses).toHaveLength(length);
  });

  it("an async node rejecting fails the run, its dependents skipped, under the continue policy", async () => {
    const workflow = new WorkflowBuilder(testRegistry())
      .addNode("Flaky", "bad", { failTimes: 1 })
      .addNode("Sum", "after", { weight: 1 })
      .addNode("Sum", "other", { weight: 1 })
      .connect("bad", "value", "after", "p0")
      .build();
    const run = await new LocalRuntime({ clock: new ManualClock(), errorPolicy: "continue" }).execute(workflow);
    expect(run.status).toBe("failed");
    expect(run.results.bad.status).toBe("failed");
    expect(run.results.after.status).toBe("skipped");
    expect(run.results.other.status).toBe("completed");
  });
});
