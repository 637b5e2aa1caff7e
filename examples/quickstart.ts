/**
 * Quickstart: define a node, build a typed workflow, run it, and watch its events.
 *
 *     npx tsx examples/quickstart.ts
 */
import { z } from "zod";
import { LocalRuntime, WorkflowBuilder, createNodeRegistry, defineNode } from "../src/index.js";

// 1. A node type: zod schemas for config, inputs and outputs, and an async run.
const Greet = defineNode({
  type: "Greet",
  description: "Greets a site by name.",
  config: z.object({ greeting: z.string().default("hello") }),
  inputs: z.object({ site: z.string() }),
  outputs: z.object({ message: z.string() }),
  run: async (ctx, config, { site }) => {
    ctx.progress(1, `greeted ${site}`);
    return { message: `${config.greeting}, ${site}` };
  },
});

// 2. A registry with the built-in nodes plus ours; the builder is type-checked against it.
const registry = createNodeRegistry().register(Greet);

const workflow = new WorkflowBuilder(registry, { name: "quickstart" })
  .addNode("Greet", "west", { greeting: "hi" })
  .addNode("Greet", "east", {})
  .addNode("Transform", "shout", { fn: (value) => String(value).toUpperCase() })
  .addNode("Merge", "both", { mode: "array" })
  .input("westSite", "west", "site")
  .input("eastSite", "east", "site")
  .connect("west", "message", "shout", "value")
  .connect("shout", "value", "both", "a")
  .connect("east", "message", "both", "b")
  .build();

// 3. Run it. Independent branches run concurrently; events report progress.
const runtime = new LocalRuntime({ registry });
runtime.events.on("node:complete", (e) => console.log(`  ✓ ${e.nodeId} (${e.durationMs} ms)`));

const run = await runtime.execute(workflow, { inputs: { westSite: "edge-west-1", eastSite: "edge-east-1" } });
console.log(`run ${run.runId}: ${run.status}`);
const both = run.results.both;
if (both.status === "completed") console.log("result:", both.output.value);

console.log("\nThe graph, in Mermaid:\n" + workflow.toMermaid());
