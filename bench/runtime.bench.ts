/**
 * LocalRuntime overhead on 10,000 trivial nodes, against a hand-written async loop over the same
 * functions and against the DAG runners Node developers already use (async.auto, p-graph), all in
 * this process. Each runtime sample is taken right after a hand-loop sample, so both see the same
 * load on a shared machine; ratios are per pair, reported as min and median, with CPU time beside
 * wall time. Run: `npx tsx bench/runtime.bench.ts` (`BENCH_ASYNC_AUTO=1` adds async.auto, minutes a run).
 */
import asyncLib from "async";
import { PGraph } from "p-graph";
import { loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { LocalRuntime } from "../src/workflow/runtime.js";
import { buildWorkflow, chain, fanOutFanIn, handLoop, step, type Shape } from "./support/runtime-shapes.js";
import { table, time } from "./support/timing.js";

const N = Number(process.env["BENCH_NODES"] ?? 10_000);
const RUNS = 21;
const WARMUP = 8;

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

interface Sample {
  readonly wallMs: number;
  readonly cpuMs: number;
}

/** Wall and CPU time (user + system, of this process) of one call. */
async function sample(fn: () => Promise<void>): Promise<Sample> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  await fn();
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { wallMs, cpuMs: (used.user + used.system) / 1000 };
}

/**
 * `runs` pairs of samples, each pair a baseline run right before a candidate run, after `warmup`
 * pairs: the ratio of each pair compares two runs that saw the same load from other processes.
 */
async function paired(baseline: () => Promise<void>, candidate: () => Promise<void>, runs: number, warmup: number): Promise<Array<{ base: Sample; cand: Sample }>> {
  for (let i = 0; i < warmup; i++) {
    await baseline();
    await candidate();
  }
  const pairs: Array<{ base: Sample; cand: Sample }> = [];
  for (let i = 0; i < runs; i++) pairs.push({ base: await sample(baseline), cand: await sample(candidate) });
  return pairs;
}

const sorted = (xs: readonly number[]): number[] => [...xs].sort((a, b) => a - b);
const minOf = (xs: readonly number[]): number => sorted(xs)[0] ?? Number.NaN;
const medianOf = (xs: readonly number[]): number => sorted(xs)[Math.floor(xs.length / 2)] ?? Number.NaN;

async function main(): Promise<void> {
  const rows: Array<Record<string, string | number>> = [];
  const nodes = N.toLocaleString("en-US");
  const autoToo = process.env["BENCH_ASYNC_AUTO"] === "1";
  for (const [name, shape] of [["chain", chain(N)], ["fan-out/fan-in", fanOutFanIn(N)]] as const) {
    const buildStart = performance.now();
    const workflow = buildWorkflow(shape);
    const buildMs = performance.now() - buildStart;
    const build = await time(() => buildWorkflow(shape), 5, 1);
    const expected = await handLoop(shape);
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
    const runtimeRow = (validateIO: boolean, concurrency: number): [string, () => Promise<void>, number] => {
      const runtime = new LocalRuntime({ concurrency, validateIO });
      const label = `LocalRuntime, validation ${validateIO ? "on" : "off"}, concurrency ${concurrency === Number.POSITIVE_INFINITY ? "∞" : concurrency}`;
      return [label, () => check(runtimeValue(runtime)), RUNS];
    };
    const candidates: Array<[string, () => Promise<void>, number]> = [
      runtimeRow(true, Number.POSITIVE_INFINITY),
      runtimeRow(false, Number.POSITIVE_INFINITY),
      runtimeRow(true, 32),
      runtimeRow(false, 32),
      // Around a second a run: a few pairs say enough.
      ["p-graph", () => check(pGraph(shape)), 3],
    ];
    for (const [runner, fn, runs] of candidates) {
      const pairs = await paired(hand, fn, runs, runs === RUNS ? WARMUP : 1);
      const perNode = pairs.map((p) => (p.cand.wallMs * 1000) / N);
      const wallRatio = pairs.map((p) => p.cand.wallMs / p.base.wallMs);
      const cpuRatio = pairs.map((p) => p.cand.cpuMs / p.base.cpuMs);
      console.error(`  ${name} / ${runner}: median ${medianOf(pairs.map((p) => p.cand.wallMs)).toFixed(2)} ms (hand loop beside it: ${medianOf(pairs.map((p) => p.base.wallMs)).toFixed(2)} ms)`);
      rows.push({
        work: `${nodes}-node ${name}: ${runner}`,
        "µs/node min": minOf(perNode),
        "µs/node med": medianOf(perNode),
        "× hand min": minOf(wallRatio),
        "× hand med": medianOf(wallRatio),
        "CPU ms/run med": medianOf(pairs.map((p) => p.cand.cpuMs)),
        "hand CPU ms med": medianOf(pairs.map((p) => p.base.cpuMs)),
        "CPU × hand med": medianOf(cpuRatio),
        pairs: runs,
      });
    }
    if (autoToo) {
      // async.auto rescans its task list on every completion (quadratic): one run takes minutes.
      const [pair] = await paired(hand, () => check(asyncAuto(shape)), 1, 0);
      if (pair !== undefined) {
        rows.push({
          work: `${nodes}-node ${name}: async.auto`,
          "µs/node min": (pair.cand.wallMs * 1000) / N,
          "µs/node med": (pair.cand.wallMs * 1000) / N,
          "× hand min": pair.cand.wallMs / pair.base.wallMs,
          "× hand med": pair.cand.wallMs / pair.base.wallMs,
          "CPU ms/run med": pair.cand.cpuMs,
          "hand CPU ms med": pair.base.cpuMs,
          "CPU × hand med": pair.cand.cpuMs / pair.base.cpuMs,
          pairs: 1,
        });
      }
    }
    console.log(`${name}: ${N} nodes validated and built in ${build.medianMs.toFixed(1)} ms (median of 5; first build ${buildMs.toFixed(1)} ms)`);
  }
  console.log(table(rows));
  console.log(`Each row: pairs of (hand-written async loop, runner) runs in alternation; "× hand" is each pair's wall-time ratio, min and median over the pairs; CPU is this process's user + system time per run, so load from other processes shows as wall time above CPU time.${autoToo ? "" : " async.auto (minutes per run) only with BENCH_ASYNC_AUTO=1."}`);
  console.log(`Load average while measuring: ${loadavg().map((x) => x.toFixed(1)).join(", ")}`);
}

await main();
