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
