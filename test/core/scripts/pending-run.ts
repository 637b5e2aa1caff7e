// A plain script, as a user would write it: nothing but a pending run keeps the process alive.
// Usage: node --import tsx pending-run.ts backoff|timeout|background
import { z } from "zod";
import { SystemClock } from "../../../src/core/clock.js";
import { defineNode } from "../../../src/workflow/node.js";
import { NodeRegistry } from "../../../src/workflow/registry.js";
import { WorkflowBuilder } from "../../../src/workflow/builder.js";
import { LocalRuntime } from "../../../src/workflow/runtime.js";

const FailsOnce = defineNode({
  type: "FailsOnce",
  description: "Fails its first attempt, then outputs the attempt number.",
  config: z.object({}),
  inputs: z.object({}),
  outputs: z.object({ attempt: z.number() }),
  run: async (ctx) => {
    if (ctx.attempt === 1) throw new Error("first attempt fails");
    return { attempt: ctx.attempt };
  },
});

const Hangs = defineNode({
  type: "Hangs",
  description: "Never settles on its own: only the node timeout ends it.",
  config: z.object({}),
  inputs: z.object({}),
  outputs: z.object({ attempt: z.number() }),
  run: () => new Promise<{ attempt: number }>(() => undefined),
});

const registry = new NodeRegistry().register(FailsOnce).register(Hangs);
const mode = process.argv[2];
const workflow =
  mode === "timeout"
    ? new WorkflowBuilder(registry).addNode("Hangs", "hang", {}, { timeoutMs: 50 }).build()
    : new WorkflowBuilder(registry).addNode("FailsOnce", "flaky", {}, { retry: { attempts: 2, backoffMs: 50 } }).build();

if (mode === "background") {
  // Housekeeping must not hold the process: an hour-long background timer, and the script still ends.
  new SystemClock().setTimer(3_600_000, () => console.log("background timer fired"), { background: true });
}
const runtime = new LocalRuntime();
const run = await runtime.execute(workflow, { errorPolicy: "continue" });
const result = Object.values(run.results)[0];
console.log(JSON.stringify({ status: run.status, node: result?.status, attempts: result !== undefined && "attempts" in result ? result.attempts : undefined }));
