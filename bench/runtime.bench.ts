/**
 * LocalRuntime overhead on 10,000 trivial nodes, against a hand-written async loop over the same
 * functions and against the DAG runners Node developers already use (async.auto, p-graph), all in
 * this process. Each runtime sample is taken right after a hand-loop sample, so both see the same
 * load on a shared machine; the ratio is of their medians. Run: `npx tsx bench/runtime.bench.ts`.
 */
import asyncLib from "async";
import { PGraph } from "p-graph";
import { z } from "zod";
import { performance } from "node:perf_hooks";
import { defineNode } from "../src/workflow/node.js";
import { NodeRegistry } from "../src/workflow/registry.js";
import { WorkflowBuilder } from "../src/workflow/builder.js";
import { LocalRuntime } from "../src/workflow/runtime.js";
import { table, time } from "./support/timing.js";

const N = Number(process.env["BENCH_NODES"] ?? 10_000);
const RUNS = 9;
const WARMUP = 8;

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

/** A shape: for each node, the indices of its producers (at most 4), in a topological order. */
type Shape = number[][];

function chain(n: number): Shape {
  return Array.from({ length: n }, (_, i) => (i === 0 ? [] : [i - 1]));
}

/** One source, a wide layer, then a 4-ary reduction tree down to one sink: n nodes in all. */
function fanOutFanIn(n: number): Shape {
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

function buildWorkflow(shape: Shape) {
  const builder = WorkflowBuilder.untyped(registry);
  shape.forEach((_, i) => builder.addNode("Step", `n${i}`, {}));
  shape.forEach((producers, i) => producers.forEach((p, k) => builder.connect(`n${p}`, "value", `n${i}`, ports[k] ?? "a")));
  return builder.build();
}

async function handLoop(shape: Shape): Promise<number> {
  const values = new Array<number>(shape.length);
  for (let i = 0; i < shape.length; i++) {
    const p = shape[i] ?? [];
    values[i] = await step(values[p[0] ?? -1] ?? 0, values[p[1] ?? -1], values[p[2] ?? -1], values[p[3] ?? -1]);
  }
  return values[shape.length - 1] ?? 0;
}

async function asyncAuto(shape: Shape): Promise<number> {
  const tasks: Record<string, unknown> = {};
  shape.forEach((producers, i) => {
    const deps = producers.map((p) => `n${p}`);
    const fn = async (results: Record<string, number>) => {
      const args = producers.map((p) => results[`n${p}`] ?? 0);
      return step(args[0] ?? 0, args[1], args[2], args[3]);
    };
    tasks[`n${i}`] = deps.length === 0 ? async () => step(0) : [...deps, fn];
  });
  const results = (await asyncLib.auto(tasks as Parameters<typeof asyncLib.auto>[0])) as Record<string, number>;
  return results[`n${shape.length - 1}`] ?? 0;
}

async function pGraph(shape: Shape): Promise<number> {
  const values = new Array<number>(shape.length);
  const nodes: Record<string, { run: () => Promise<void> }> = {};
  const deps: Array<[string, string]> = [];
  shape.forEach((producers, i) => {
    nodes[`n${i}`] = {
      run: async () => {
        values[i] = await step(values[producers[0] ?? -1] ?? 0, values[producers[1] ?? -1], values[producers[2] ?? -1], values[producers[3] ?? -1]);
      },
    };
    for (const p of producers) deps.push([`n${p}`, `n${i}`]);
  });
  await new PGraph(nodes, deps).run();
  return values[shape.length - 1] ?? 0;
}

/** Medians of `runs` alternating samples of `baseline` and `candidate`, after `warmup` of each. */
async function timePaired(baseline: () => Promise<void>, candidate: () => Promise<void>, runs: number, warmup: number): Promise<{ baselineMs: number; candidateMs: number }> {
  for (let i = 0; i < warmup; i++) {
    await baseline();
    await candidate();
  }
  const base: number[] = [];
  const cand: number[] = [];
  for (let i = 0; i < runs; i++) {
    let start = performance.now();
    await baseline();
    base.push(performance.now() - start);
    start = performance.now();
    await candidate();
    cand.push(performance.now() - start);
  }
  const median = (xs: number[]): number => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
  return { baselineMs: median(base), candidateMs: median(cand) };
}

async function main(): Promise<void> {
  const rows: Array<Record<string, string | number>> = [];
  const nodes = N.toLocaleString("en-US");
  for (const [name, shape] of [["chain", chain(N)], ["fan-out/fan-in", fanOutFanIn(N)]] as const) {
    const buildStart = performance.now();
    const workflow = buildWorkflow(shape);
    const buildMs = performance.now() - buildStart;
    const build = await time(() => buildWorkflow(shape), 5, 1);
    const expected = await handLoop(shape);
    const validated = new LocalRuntime({ concurrency: Number.POSITIVE_INFINITY });
    const unvalidated = new LocalRuntime({ concurrency: Number.POSITIVE_INFINITY, validateIO: false });
    const check = async (got: Promise<number>): Promise<void> => {
      const value = await got;
      if (value !== expected) throw new Error(`${name}: runner computed ${value}, expected ${expected}`);
    };
    const runtimeValue = async (runtime: LocalRuntime): Promise<number> => {
      const run = await runtime.execute(workflow);
      const last = run.results[`n${shape.length - 1}`];
      return last?.status === "completed" ? (last.output as { value: number }).value : Number.NaN;
    };
    const hand = (): Promise<void> => check(handLoop(shape));
    const work = (runner: string): string => `${runner}, ${nodes}-node ${name}`;
    const row = (runner: string, ms: number, handMs: number): void => {
      rows.push({ work: work(runner), "ms/run": ms, "µs/node": (ms * 1000) / N, "× hand loop": ms / handMs });
    };
    // Steady state: every runner gets the same generous warm-up so the JIT has settled.
    const handAlone = await time(hand, RUNS, WARMUP);
    console.error(`  ${name} / hand loop: ${handAlone.medianMs.toFixed(2)} ms`);
    row("hand-written async loop", handAlone.medianMs, handAlone.medianMs);
    const paired: Array<[string, () => Promise<void>]> = [
      ["LocalRuntime", () => check(runtimeValue(validated))],
      ["LocalRuntime (validation off)", () => check(runtimeValue(unvalidated))],
      ["p-graph", () => check(pGraph(shape))],
    ];
    for (const [runner, fn] of paired) {
      const t = await timePaired(hand, fn, RUNS * 3, WARMUP);
      console.error(`  ${name} / ${runner}: ${t.candidateMs.toFixed(2)} ms (hand loop beside it: ${t.baselineMs.toFixed(2)} ms)`);
      row(runner, t.candidateMs, t.baselineMs);
    }
    // async.auto rescans its task list on every completion (quadratic): one timed run is plenty.
    const auto = await time(() => check(asyncAuto(shape)), 1, 0);
    console.error(`  ${name} / async.auto: ${auto.medianMs.toFixed(1)} ms`);
    row("async.auto", auto.medianMs, handAlone.medianMs);
    console.log(`${name}: ${N} nodes validated and built in ${build.medianMs.toFixed(1)} ms (median of 5; first build ${buildMs.toFixed(1)} ms)`);
  }
  console.log(table(rows));
}

await main();
