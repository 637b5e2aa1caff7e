import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ManualClock } from "../../src/core/clock.js";
import { ValidationError, type NodeExecutionError } from "../../src/core/errors.js";
import { WorkflowBuilder } from "../../src/workflow/builder.js";
import { defineNode } from "../../src/workflow/node.js";
import { NodeRegistry } from "../../src/workflow/registry.js";
import { LocalRuntime } from "../../src/workflow/runtime.js";

/** Outputs whatever its config says on port `out`, unchecked. */
const Emit = defineNode({
  type: "Emit",
  description: "Outputs its configured value.",
  config: z.object({ value: z.unknown() }),
  inputs: z.object({}),
  outputs: z.object({ out: z.unknown() }),
  run: async (_ctx, config) => ({ out: config.value }),
});

const probePorts = z.object({ a: z.number().optional(), b: z.string().nullable().optional(), c: z.number().default(7), d: z.number().optional() });

/** Outputs the inputs it was given, as their keys in order and their values. */
const Probe = defineNode({
  type: "Probe",
  description: "Reports its inputs.",
  config: z.object({}),
  inputs: probePorts,
  outputs: z.object({ keys: z.array(z.string()), values: z.array(z.unknown()) }),
  run: async (_ctx, _config, inputs) => ({ keys: Object.keys(inputs), values: Object.values(inputs) }),
});

const registry = new NodeRegistry().register(Emit).register(Probe);

async function probe(feeds: Record<string, unknown>): Promise<{ keys: string[]; values: unknown[] } | NodeExecutionError> {
  const builder = WorkflowBuilder.untyped(registry).addNode("Probe", "probe", {});
  for (const [port, value] of Object.entries(feeds)) builder.addNode("Emit", `to-${port}`, { value }).connect(`to-${port}`, "out", "probe", port);
  const run = await new LocalRuntime({ clock: new ManualClock(), errorPolicy: "continue" }).execute(builder.build());
  const result = run.results["probe"];
  if (result?.status === "completed") return result.output as { keys: string[]; values: unknown[] };
  if (result?.status === "failed") return result.error;
  throw new Error(`probe ended ${result?.status ?? "missing"}`);
}

describe("LocalRuntime node inputs", () => {
  it("hands a node its fed ports parsed, in the schema's order, and no key for an unfed optional port", async () => {
    expect(await probe({ d: 4, a: 1, c: 2 })).toEqual({ keys: ["a", "c", "d"], values: [1, 2, 4] });
    expect(await probe({ b: null, c: 3 })).toEqual({ keys: ["b", "c"], values: [null, 3] });
    expect(await probe({ c: 3, b: undefined })).toEqual({ keys: ["b", "c"], values: [undefined, 3] });
  });

  it("fills an unfed port's default as the schema's parse does", async () => {
    expect(await probe({ a: 1 })).toEqual({ keys: ["a", "c"], values: [1, 7] });
    expect(await probe({})).toEqual({ keys: ["c"], values: [7] });
  });

  it("fails a node fed a wrong value with the schema's own issues, naming the port", async () => {
    const error = await probe({ a: "one", c: 2 });
    expect(error).toBeInstanceOf(Error);
    const cause = (error as NodeExecutionError).cause;
    expect(cause).toBeInstanceOf(ValidationError);
    const expected = probePorts.safeParse({ a: "one", c: 2 });
    expect((cause as ValidationError).issues.map((issue) => issue.path)).toEqual(["inputs.a"]);
    expect((cause as ValidationError).issues[0]?.message).toBe(expected.error?.issues[0]?.message);
  });
});
