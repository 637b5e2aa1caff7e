import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { isolatedCopy } from "../../src/core/isolated-copy.js";
import { WorkflowBuilder } from "../../src/workflow/builder.js";
import { defineNode } from "../../src/workflow/node.js";
import { NodeRegistry } from "../../src/workflow/registry.js";
import { LocalRuntime } from "../../src/workflow/runtime.js";

function deepChain(depth: number): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  let cursor = root;
  for (let i = 0; i < depth; i++) {
    const next: Record<string, unknown> = {};
    cursor["next"] = next;
    cursor = next;
  }
  return root;
}

describe("output isolation", () => {
  it("never freezes an object the node returned (and may still own), however deep, and consumers get a frozen copy", async () => {
    const owned = { list: [1, 2], nested: { deep: deepChain(20_000) } };
    const Producer = defineNode({
      type: "Producer",
      description: "returns an object it keeps",
      config: z.object({}),
      inputs: z.object({}),
      outputs: z.object({ value: z.unknown() }),
      run: async () => ({ value: owned }),
    });
    const registry = new NodeRegistry().register(Producer);
    const workflow = new WorkflowBuilder(registry).addNode("Producer", "p", {}).build();
    const run = await new LocalRuntime({ registry }).execute(workflow);
    expect(run.status).toBe("completed");
    expect(Object.isFrozen(owned)).toBe(false);
    expect(Object.isFrozen(owned.list)).toBe(false);
    owned.list.push(3); // the node's own object is still its own
    const output = run.results.p.status === "completed" ? run.results.p.output.value : undefined;
    expect(Object.isFrozen(output)).toBe(true);
    expect((output as { list: number[] }).list).toEqual([1, 2]);
  });

  it("does not freeze a config object the caller passed to the builder", () => {
    const Echo = defineNode({
      type: "Echo",
      description: "echo",
      config: z.object({ tags: z.array(z.string()) }),
      inputs: z.object({}),
      outputs: z.object({}),
      run: async () => ({}),
    });
    const config = { tags: ["a"] };
    new WorkflowBuilder(new NodeRegistry().register(Echo)).addNode("Echo", "e", config).build();
    expect(Object.isFrozen(config.tags)).toBe(false);
  });

  it("property: the copy equals the original, is deeply frozen, shares nothing mutable and keeps `__proto__` keys as data", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const copy = isolatedCopy(value);
        expect(copy).toEqual(value);
        const stack: unknown[] = [copy];
        while (stack.length > 0) {
          const item = stack.pop();
          if (typeof item === "object" && item !== null) {
            expect(Object.isFrozen(item)).toBe(true);
            stack.push(...Object.values(item));
          }
        }
        if (typeof value === "object" && value !== null) expect(Object.isFrozen(value)).toBe(false);
      }),
    );
    const withProto = JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
    const copy = isolatedCopy(withProto);
    expect(Object.keys(copy)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
  });

  it("keeps shared and cyclic references shared and cyclic", () => {
    const shared = { n: 1 };
    const cyclic: Record<string, unknown> = { a: shared, b: shared };
    cyclic["self"] = cyclic;
    const copy = isolatedCopy(cyclic);
    expect(copy["a"]).toBe(copy["b"]);
    expect(copy["self"]).toBe(copy);
    expect(copy["a"]).not.toBe(shared);
  });
});
