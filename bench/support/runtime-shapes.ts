/**
 * The graphs the runtime benchmarks run: 10,000 trivial nodes as a chain or as a fan-out/fan-in, the
 * `Step` node type they are built from, and the hand-written async loop over the same functions that
 * is their baseline.
 */
import { z } from "zod";
import { defineNode } from "../../src/workflow/node.js";
import { NodeRegistry } from "../../src/workflow/registry.js";
import { WorkflowBuilder } from "../../src/workflow/builder.js";

/** The work of one node: what the hand loop awaits once per node. */
export const step = async (a: number, b = 0, c = 0, d = 0): Promise<number> => a + b + c + d + 1;

const Step = defineNode({
  type: "Step",
  description: "Adds its inputs and one.",
  config: z.object({}),
  inputs: z.object({ a: z.number().optional(), b: z.number().optional(), c: z.number().optional(), d: z.number().optional() }),
  outputs: z.object({ value: z.number() }),
  run: async (_ctx, _config, i) => ({ value: await step(i.a ?? 0, i.b, i.c, i.d) }),
});
const registry = new NodeRegistry().register(Step);
const ports = ["a", "b", "c", "d"] as const;

/** A shape: for each node, the indices of its producers (at most 4), in a topological order. */
export type Shape = number[][];

export function chain(n: number): Shape {
  return Array.from({ length: n }, (_, i) => (i === 0 ? [] : [i - 1]));
}

/** One source, a wide layer, then a 4-ary reduction tree down to one sink: n nodes in all. */
export function fanOutFanIn(n: number): Shape {
  // width + reduction nodes (about width / 3) + source = n
  const width = Math.floor(((n - 1) * 3) / 4);
  const shape: Shape = [[]];
  let layer: number[] = [];
  for (let i = 0; i < width; i++) {
    shape.push([0]);
    layer.push(shape.length - 1);
  }
  while (layer.length > 1 && shape.length < n) {
    const next: number[] = [];
    for (let i = 0; i < layer.length; i += 4) {
      shape.push(layer.slice(i, i + 4));
      next.push(shape.length - 1);
    }
    layer = next;
  }
  while (shape.length < n) shape.push([shape.length - 1]);
  return shape;
}

/** The workflow of `shape`: node `n<i>` of type `Step`, fed by its producers' `value` ports. */
export function buildWorkflow(shape: Shape) {
  const builder = WorkflowBuilder.untyped(registry);
  shape.forEach((_, i) => builder.addNode("Step", `n${i}`, {}));
  shape.forEach((producers, i) => producers.forEach((p, k) => builder.connect(`n${p}`, "value", `n${i}`, ports[k] ?? "a")));
  return builder.build();
}

/** The baseline: the same steps in a hand-written loop, one `await` per node; returns the sink's value. */
export async function handLoop(shape: Shape): Promise<number> {
  const values = new Array<number>(shape.length);
  for (let i = 0; i < shape.length; i++) {
    const p = shape[i] ?? [];
    values[i] = await step(values[p[0] ?? -1] ?? 0, values[p[1] ?? -1], values[p[2] ?? -1], values[p[3] ?? -1]);
  }
  return values[shape.length - 1] ?? 0;
}
