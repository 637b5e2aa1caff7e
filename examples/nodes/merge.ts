/**
 * `Merge`: joins branches of a workflow. `object` keys the inputs by port, `array` lists them in port
 * order, `deep` merges objects with later ports winning; a Merge also waits for all its inputs, so it
 * is how one step is made to follow several others.
 *
 *     npx tsx examples/nodes/merge.ts
 */
import { LocalRuntime, WorkflowBuilder, createNodeRegistry } from "../../src/index.js";

const registry = createNodeRegistry();
const workflow = new WorkflowBuilder(registry, { name: "merge" })
  .addNode("Merge", "config", { mode: "deep" })
  .addNode("Merge", "both", { mode: "array" })
  .addNode("Merge", "keyed", { mode: "object" })
  .input("defaults", "config", "a")
  .input("override", "config", "b")
  .input("defaults", "both", "a")
  .input("override", "both", "b")
  .connect("config", "value", "keyed", "a")
  .connect("both", "value", "keyed", "b")
  .build();
const { config, both, keyed } = (
  await new LocalRuntime({ registry }).execute(workflow, {
    inputs: { defaults: { replicas: 2, limits: { cpu: 1, memoryMb: 512 } }, override: { limits: { cpu: 2 } } },
  })
).results;
if (config.status === "completed") console.log(`deep: ${JSON.stringify(config.output.value)}`);
if (both.status === "completed") console.log(`array: ${JSON.stringify(both.output.value)}`);
if (keyed.status === "completed") console.log(`object: ${Object.keys(keyed.output.value as object).join(", ")}`);
