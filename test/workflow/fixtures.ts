import { z } from "zod";
import { defineNode } from "../../src/workflow/node.js";
import { NodeRegistry } from "../../src/workflow/registry.js";
import { serviceKey } from "../../src/core/services.js";
import { sleep } from "../../src/core/clock.js";

/** Where test nodes record what ran, in order. */
export const EXECUTION_LOG = serviceKey<string[]>("test.executionLog");

const sumPorts = {
  p0: z.number().optional(),
  p1: z.number().optional(),
  p2: z.number().optional(),
  p3: z.number().optional(),
};
export const sumPortNames = ["p0", "p1", "p2", "p3"] as const;

/** Outputs `weight + sum of connected inputs`, and logs its id. */
export const Sum = defineNode({
  type: "Sum",
  description: "Adds its weight to the sum of its inputs.",
  config: z.object({ weight: z.number() }).strict(),
  inputs: z.object(sumPorts),
  outputs: z.object({ value: z.number() }),
  run: async (ctx, config, inputs) => {
    ctx.infrastructure.getOrCreate(EXECUTION_LOG, () => []).push(ctx.nodeId);
    let total = config.weight;
    for (const port of sumPortNames) total += inputs[port] ?? 0;
    return { value: total };
  },
});

/** Waits `delayMs` on the clock (honouring the signal), then fails `failTimes` times before succeeding. */
export const Flaky = defineNode({
  type: "Flaky",
  description: "Sleeps, then fails a configured number of attempts.",
  config: z.object({ delayMs: z.number().min(0).default(0), failTimes: z.number().int().min(0).default(0), ignoreSignal: z.boolean().default(false) }),
  inputs: z.object({ value: z.number().optional() }),
  outputs: z.object({ value: z.number() }),
  run: async (ctx, config, inputs) => {
    if (config.delayMs > 0) {
      if (config.ignoreSignal) await sleep(ctx.clock, config.delayMs);
      else await sleep(ctx.clock, config.delayMs, ctx.signal);
    }
    if (ctx.attempt <= config.failTimes) throw new Error(`planned failure on attempt ${ctx.attempt}`);
    return { value: (inputs.value ?? 0) + 1 };
  },
});

/** Returns whatever its config says, to test output validation. */
export const BadOutput = defineNode({
  type: "BadOutput",
  description: "Returns a configured (possibly invalid) output.",
  config: z.object({ output: z.unknown() }),
  inputs: z.object({}),
  outputs: z.object({ count: z.number(), label: z.string() }),
  run: async (_ctx, config) => config.output as { count: number; label: string },
});

/** Produces a string, to test port type checks. */
export const Text = defineNode({
  type: "Text",
  description: "Outputs a configured string.",
  config: z.object({ text: z.string() }),
  inputs: z.object({}),
  outputs: z.object({ text: z.string() }),
  run: async (_ctx, config) => ({ text: config.text }),
});

export function testRegistry() {
  return new NodeRegistry().register(Sum).register(Flaky).register(BadOutput).register(Text);
}
