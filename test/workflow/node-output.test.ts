import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ManualClock } from "../../src/core/clock.js";
import { ValidationError } from "../../src/core/errors.js";
import { WorkflowBuilder } from "../../src/workflow/builder.js";
import { defineNode } from "../../src/workflow/node.js";
import { isolatedOutput, OutputShape, outputShapeOf, parsesToFlatObject } from "../../src/workflow/node-output.js";
import { NodeRegistry } from "../../src/workflow/registry.js";
import { LocalRuntime } from "../../src/workflow/runtime.js";
import { testRegistry } from "./fixtures.js";

describe("output shapes", () => {
  it("an object of primitive ports is flat; anything that could hold or hand back an object is not", () => {
    expect(parsesToFlatObject(z.object({ a: z.number(), b: z.string().optional(), c: z.enum(["x"]), d: z.literal(1).nullable(), e: z.boolean().default(false) }))).toBe(true);
    expect(parsesToFlatObject(z.object({ a: z.number() }).strict())).toBe(true);
    expect(parsesToFlatObject(z.object({ a: z.object({}) }))).toBe(false);
    expect(parsesToFlatObject(z.object({ a: z.unknown() }))).toBe(false);
    expect(parsesToFlatObject(z.object({ a: z.array(z.number()) }))).toBe(false);
    expect(parsesToFlatObject(z.looseObject({ a: z.number() }))).toBe(false);
    expect(parsesToFlatObject(z.object({ a: z.number() }).catchall(z.unknown()))).toBe(false);
    expect(parsesToFlatObject(z.object({ a: z.number().catch(0) }))).toBe(false);
    expect(parsesToFlatObject(z.object({ a: z.number().overwrite((n) => n) }))).toBe(false);
    expect(parsesToFlatObject(z.object({ a: z.number().transform((n) => ({ n })) }))).toBe(false);
    expect(outputShapeOf(z.object({ a: z.number() }).refine(() => true))).toBe(OutputShape.General);
    expect(outputShapeOf(z.object({ a: z.object({}) }))).toBe(OutputShape.Fresh);
  });

  it("a wrong output is a ValidationError naming the port, as before", () => {
    const error = (() => {
      try {
        isolatedOutput(z.object({ value: z.number() }), OutputShape.Flat, { value: "x" }, true);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues[0]?.path).toBe("output.value");
  });

  it("a flat output is frozen before a listener or the results show it", async () => {
    const runtime = new LocalRuntime({ clock: new ManualClock() });
    const seen: boolean[] = [];
    runtime.events.on("node:complete", (event) => seen.push(Object.isFrozen(event.output)));
    const workflow = new WorkflowBuilder(testRegistry()).addNode("Sum", "a", { weight: 1 }).addNode("Sum", "b", { weight: 1 }).connect("a", "value", "b", "p0").build();
    const run = await runtime.execute(workflow);
    expect(seen).toEqual([true, true]);
    const b = run.results.b;
    expect(b.status === "completed" && Object.isFrozen(b.output)).toBe(true);
    expect(() => {
      if (b.status === "completed") (b.output as { value: number }).value = 0;
    }).toThrow(TypeError);
  });

  it("unvalidated, a flat output is copied away from the node and frozen before anyone sees it whole", async () => {
    const kept: Array<Record<string, unknown>> = [];
    const Keeper = defineNode({
      type: "Keeper",
      description: "keeps the object it returns and changes it afterwards",
      config: z.object({}),
      inputs: z.object({ value: z.number().optional() }),
      outputs: z.object({ value: z.number() }),
      run: async (_ctx, _config, inputs) => {
        const output: Record<string, unknown> = { value: (inputs.value ?? 0) + 1 };
        kept.push(output);
        await Promise.resolve();
        return output as { value: number };
      },
    });
    const Mutator = defineNode({
      type: "Mutator",
      description: "changes what the node before it kept",
      config: z.object({}),
      inputs: z.object({ value: z.number().optional() }),
      outputs: z.object({ value: z.number() }),
      run: async (_ctx, _config, inputs) => {
        for (const output of kept) output["value"] = -100;
        return { value: (inputs.value ?? 0) + 1 };
      },
    });
    const registry = new NodeRegistry().register(Keeper).register(Mutator);
    const workflow = new WorkflowBuilder(registry).addNode("Keeper", "a", {}).addNode("Mutator", "b", {}).connect("a", "value", "b", "value").build();
    const runtime = new LocalRuntime({ clock: new ManualClock(), validateIO: false });
    const seen: boolean[] = [];
    runtime.events.on("node:complete", (event) => seen.push(Object.isFrozen(event.output)));
    const run = await runtime.execute(workflow);
    expect(seen).toEqual([true, true]);
    const a = run.results.a;
    expect(a.status === "completed" ? a.output : undefined).toEqual({ value: 1 });
    expect(a.status === "completed" && Object.isFrozen(a.output)).toBe(true);
    expect(run.results.b.status === "completed" ? run.results.b.output : undefined).toEqual({ value: 2 });
    expect(Object.isFrozen(kept[0])).toBe(false);
  });

  it("unvalidated, a flat schema's output holding more than primitives is still copied deep", () => {
    const nested = { value: 1, extra: { list: [1] } };
    const copy = isolatedOutput(z.object({ value: z.number() }), OutputShape.Flat, nested, false) as typeof nested;
    expect(copy).toEqual(nested);
    expect(copy.extra).not.toBe(nested.extra);
    expect(Object.isFrozen(copy.extra.list)).toBe(true);
    expect(Object.isFrozen(nested.extra.list)).toBe(false);
    const hidden = Symbol("hidden");
    const withSymbol = { value: 1, [hidden]: { shared: true } };
    const symbolCopy = isolatedOutput(z.object({ value: z.number() }), OutputShape.Flat, withSymbol, false) as Record<symbol, unknown>;
    expect(symbolCopy[hidden]).toBeUndefined();
    class Port { constructor(readonly value: number) {} }
    const instance = new Port(3);
    expect(isolatedOutput(z.object({ value: z.number() }), OutputShape.Flat, instance, false)).toBe(instance);
  });

  it("consumers of one shared nested output cannot change it for each other or for the results, validated or not", async () => {
    const Producer = defineNode({
      type: "Producer",
      description: "shares a list",
      config: z.object({}),
      inputs: z.object({}),
      outputs: z.object({ list: z.array(z.number()) }),
      run: async () => ({ list: [1, 2] }),
    });
    const Mutator = defineNode({
      type: "Mutator",
      description: "tries to change its input",
      config: z.object({}),
      inputs: z.object({ list: z.array(z.number()) }),
      outputs: z.object({ before: z.number() }),
      run: async (_ctx, _config, inputs) => {
        const before = inputs.list.length;
        try {
          inputs.list.push(99);
        } catch {
          // refused: the list is frozen
        }
        return { before };
      },
    });
    const registry = new NodeRegistry().register(Producer).register(Mutator);
    const workflow = new WorkflowBuilder(registry)
      .addNode("Producer", "p", {})
      .addNode("Mutator", "m1", {})
      .addNode("Mutator", "m2", {})
      .connect("p", "list", "m1", "list")
      .connect("p", "list", "m2", "list")
      .build();
    for (const validateIO of [true, false]) {
      const run = await new LocalRuntime({ clock: new ManualClock(), validateIO }).execute(workflow);
      for (const id of ["m1", "m2"] as const) {
        const result = run.results[id];
        expect(result.status === "completed" ? result.output : undefined).toEqual({ before: 2 });
      }
      const p = run.results.p;
      expect(p.status === "completed" ? p.output.list : undefined).toEqual([1, 2]);
    }
  });
});
