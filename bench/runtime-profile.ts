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
import { LocalRuntime } from "../src/workflow/runtime.js";
import { buildWorkflow, chain, fanOutFanIn, handLoop } from "./support/runtime-shapes.js";

const N = 10_000;

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

for (const [name, shape] of [["chain", chain(N)], ["fan", fanOutFanIn(N)]] as const) {
  if (!shapes.includes(name)) continue;
  const workflow = buildWorkflow(shape);
  const expected = await handLoop(shape);
  const runtimeMs: number[] = [];
  const handMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    handMs.push(await cpuMs(() => handLoop(shape)));
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
