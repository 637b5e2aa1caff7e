import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ValidationError } from "../../src/core/errors.js";
import { WorkflowBuilder } from "../../src/workflow/builder.js";
import { defineNode } from "../../src/workflow/node.js";
import { NodeRegistry } from "../../src/workflow/registry.js";
import { runNode, runOperation } from "../../src/workflow/run-node.js";
import { LocalRuntime } from "../../src/workflow/runtime.js";

const Counter = defineNode({
  type: "Counter",
  description: "Counts words or characters.",
  inputs: z.object({ text: z.string() }),
  operations: {
    words: { config: z.object({}), outputs: z.object({ words: z.number() }), run: async (_ctx, _config, { text }) => ({ words: text.split(/\s+/).length }) },
    chars: {
      config: z.object({ trim: z.boolean().default(false) }),
      outputs: z.object({ chars: z.number() }),
      run: async (_ctx, { trim }, { text }) => ({ chars: (trim ? text.trim() : text).length }),
    },
    broken: {
      config: z.object({}),
      outputs: z.object({ chars: z.number() }),
      // A node bug the runtime must catch: returns another operation's port.
      run: async () => ({ chars: Number.NaN, words: 1 }) as unknown as { chars: number },
    },
  },
});

const issuesOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationError) return error.issues;
    throw error;
  }
  throw new Error("expected a ValidationError");
};

describe("nodes with operations", () => {
  it("builds the config union: each operation's fields and defaults, the operation named", () => {
    expect(Counter.config.parse({ operation: "chars" })).toEqual({ operation: "chars", trim: false });
    expect(Counter.config.safeParse({ operation: "lines" }).success).toBe(false);
    expect(Object.keys(Counter.operations ?? {})).toEqual(["words", "chars", "broken"]);
    expect(Object.keys(Counter.outputsFor({ operation: "chars", trim: false }).shape)).toEqual(["chars"]);
  });

  it("runs the chosen operation in a workflow and checks its outputs by that operation", async () => {
    const registry = new NodeRegistry().register(Counter);
    const workflow = new WorkflowBuilder(registry)
      .addNode("Counter", "w", { operation: "words" })
      .addNode("Counter", "c", { operation: "chars", trim: true })
      .input("text", "w", "text")
      .input("text", "c", "text")
      .build();
    const run = await new LocalRuntime({ registry }).execute(workflow, { inputs: { text: " a b c " } });
    expect(run.results.w).toMatchObject({ status: "completed", output: { words: 5 } });
    expect(run.results.c).toMatchObject({ status: "completed", output: { chars: 5 } });
  });

  it("refuses a connection from a port the chosen operation does not have, naming the ones it has", () => {
    const registry = new NodeRegistry().register(Counter);
    const json = {
      format: "edgeflow.workflow/v1",
      nodes: [
        { id: "w", type: "Counter", config: { operation: "words" } },
        { id: "c", type: "Counter", config: { operation: "chars" } },
      ],
      connections: [{ from: "w", output: "chars", to: "c", input: "text" }],
      inputs: [{ name: "text", to: "w", input: "text" }],
    };
    const issues = issuesOf(() => WorkflowBuilder.fromJSON(json, registry));
    expect(issues).toContainEqual(expect.objectContaining({ code: "unknown_output", path: "connections[0].output" }));
    expect(issues.find((i) => i.code === "unknown_output")?.message).toContain("outputs: words");
  });

  it("fails a node whose output does not match its operation's ports", async () => {
    await expect(runOperation(Counter, "broken", {}, { text: "x" })).rejects.toBeInstanceOf(ValidationError);
  });

  it("validates the declaration: names, schemas, a reserved `operation` field, at least one operation", () => {
    const base = { type: "Bad", description: "bad", inputs: z.object({}) };
    const run = async () => ({});
    const declare = (operations: unknown) => () => defineNode({ ...base, operations } as never);
    expect(issuesOf(declare({}))[0]?.path).toBe("operations");
    expect(issuesOf(declare({ "not-a-name": { config: z.object({}), outputs: z.object({}), run } }))[0]?.path).toBe("operations.not-a-name");
    expect(issuesOf(declare({ x: { config: z.object({ operation: z.string() }), outputs: z.object({}), run } }))[0]?.message).toMatch(/must not declare `operation`/);
    expect(issuesOf(declare({ x: { config: z.string(), outputs: z.object({}), run } }))[0]?.path).toBe("operations.x.config");
    expect(issuesOf(declare({ x: { config: z.object({}), outputs: z.object({}) } }))[0]?.path).toBe("operations.x.run");
  });

  it("names a schema from another copy of zod as such", () => {
    const foreign = { _zod: { def: {} } };
    const issues = issuesOf(() => defineNode({ type: "F", description: "f", config: z.object({}), inputs: foreign, outputs: z.object({}), run: async () => ({}) } as never));
    expect(issues[0]?.message).toMatch(/another copy or version of zod/);
  });

  it("runs a single-operation node by hand with runNode, validating its config", async () => {
    const Double = defineNode({
      type: "Double",
      description: "Doubles.",
      config: z.object({ by: z.number().default(2) }),
      inputs: z.object({ value: z.number() }),
      outputs: z.object({ value: z.number() }),
      run: async (_ctx, { by }, { value }) => ({ value: value * by }),
    });
    expect(await runNode(Double, {}, { value: 21 })).toEqual({ value: 42 });
    await expect(runNode(Double, { by: "x" } as never, { value: 1 })).rejects.toBeInstanceOf(ValidationError);
    await expect(runOperation(Double as never, "x" as never, {} as never)).rejects.toMatchObject({ code: "validation" });
  });
});
