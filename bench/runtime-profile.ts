/**
 * A driver to profile LocalRuntime's per-node cost: runs the runtime benchmark's two graph shapes,
 * each run paired with the hand-written loop, and prints CPU time (min and median) and the median
 * of the per-pair ratios. For a profile:
 *
 *   npx esbuild bench/runtime-profile.ts --bundle --platform=node --format=esm --keep-names --outfile=/tmp/profile.mjs
 *   SHAPES=fan CONCURRENCY=32 node --cpu-prof --cpu-prof-dir=/tmp/prof /tmp/profile.mjs
 *   npx tsx bench/support/profile-summary.ts /tmp/prof/*.cpuprofile
 *
 * Environment: SHAPES (chain,fan), CONCURRENCY (default ∞), VALIDATE (0 turns validation off), RUNS.
 */
import { z } from "zod";
import { defineNode } from "../src/workflow/node.js";
import { NodeRegistry } from "../src/workflow/registry.js";
import { WorkflowBuilder } from "../src/workflow/builder.js";
import { LocalRuntime } from "../src/workflow/runtime.js";

const N = 10_000;
const step = async (a: number, b = 0, c = 0, d = 0): Promise<number> => a + b + c + d + 1;
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
type Shape = number[][];

const chain = (n: number): Shape => Array.from({ length: n }, (_, i) => (i === 0 ? [] : [i - 1]));

/** As in runtime.bench.ts: one source, a wide layer, then a 4-ary reduction tree. */
function fan(n: number): Shape {
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

function build(shape: Shape) {
  const builder = WorkflowBuilder.untyped(registry);
  shape.forEach((_, i) => builder.addNode("Step", `n${i}`, {}));
  shape.forEach((producers, i) => producers.forEach((p, k) => builder.connect(`n${p}`, "value", `n${i}`, ports[k] ?? "a")));
  return builder.build();
}

async function hand(shape: Shape): Promise<number> {
  const values = new Array<number>(shape.length);
  for (let i = 0; i < shape.length; i++) {
    const p = shape[i] ?? [];
    values[i] = await step(values[p[0] ?? -1] ?? 0, values[p[1] ?? -1], values[p[2] ?? -1], values[p[3] ?? -1]);
  }
  return values[shape.length - 1] ?? 0;
}

async function cpuMs(fn: () => Promise<unknown>): Promise<number> {
  const start = process.cpuUsage();
  await fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

const sorted = (xs: readonly number[]): number[] => [...xs].sort((a, b) => a - b);
const median = (xs: readonly number[]): number => sorted(xs)[Math.floor(xs.length / 2)] ?? Number.NaN;

const shapes = process.env["SHAPES"] ?? "chain,fan";
const concurrency = Number(process.env["CONCURRENCY"] ?? Number.POSITIVE_INFINITY);
const validateIO = process.env["VALIDATE"] !== "0";
const runs = Number(process.env["RUNS"] ?? 60);
const runtime = new LocalRuntime({ concurrency, validateIO });

for (const [name, shape] of [["chain", chain(N)], ["fan", fan(N)]] as const) {
  if (!shapes.includes(name)) continue;
  const workflow = build(shape);
  const expected = await hand(shape);
  const runtimeMs: number[] = [];
  const handMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    handMs.push(await cpuMs(() => hand(shape)));
    let value = Number.NaN;
    runtimeMs.push(
      await cpuMs(async () => {
        const last = (await runtime.execute(workflow)).results[`n${N - 1}`];
        value = last?.status === "completed" ? (last.output as { value: number }).value : Number.NaN;
      }),
    );
    if (value !== expected) throw new Error(`${name}: runtime computed ${value}, expected ${expected}`);
  }
  // The first half warms the JIT up.
  const half = Math.floor(runs / 2);
  const rt = runtimeMs.slice(half);
  const hd = handMs.slice(half);
  const ratios = rt.map((ms, i) => ms / (hd[i] ?? Number.NaN));
  console.log(
    `${name}, concurrency ${concurrency}, validation ${validateIO ? "on" : "off"}: runtime CPU ms min ${(sorted(rt)[0] ?? 0).toFixed(2)} median ${median(rt).toFixed(2)}; ` +
      `hand loop min ${(sorted(hd)[0] ?? 0).toFixed(2)} median ${median(hd).toFixed(2)}; median of per-pair ratios ${median(ratios).toFixed(2)}×`,
  );
}
