/**
 * LocalRuntime against another version of itself: the runtime benchmark's chain and fan-out/fan-in
 * shapes run by checkout A (given on the command line) and checkout B (this one, or a second path)
 * in the same process, in alternation, each round in a new order, and the CPU-time ratio B / A taken
 * per round. Beside it a control A′ / A, where A′ is a copy of A's sources loaded as modules of their
 * own, so the control pays for separate JIT state as B does: it shows what noise alone makes of two
 * identical runtimes.
 *
 * One process is not enough: measured, two identical runtimes in one process keep a steady gap of up
 * to a fifth on the chain, mostly in favour of whichever was loaded first, and otherwise as the JIT
 * happened to compile each. So the rounds run in several processes, each loading, building and first
 * running the three runtimes in a different order; a row gives the median of the processes' median
 * ratios and their range.
 *
 *   git worktree add --detach /tmp/runtime-base main
 *   npx tsx bench/runtime-ab.ts /tmp/runtime-base [B-checkout]
 *
 * Environment: PROCESSES (default 12), ROUNDS per process (default 61), WARMUP rounds (default 15),
 * BENCH_NODES (default 10,000), VALIDATE (0 turns validation off). A checkout needs `package.json`,
 * `tsconfig.json`, `src/`, `bench/support/` and `node_modules`.
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type * as RuntimeExports from "../src/workflow/runtime.js";
import type * as ShapesExports from "./support/runtime-shapes.js";
import { chain, fanOutFanIn, handLoop, type Shape } from "./support/runtime-shapes.js";
import { table } from "./support/timing.js";

// Typed as this checkout's modules: the A/B only compares versions that keep these entry points.
type RuntimeModule = typeof RuntimeExports;
type ShapesModule = typeof ShapesExports;

interface Checkout {
  readonly label: string;
  readonly runtime: RuntimeModule;
  readonly shapes: ShapesModule;
}

/** What one process measured for one shape and concurrency: CPU ms per round of A, B and A′. */
interface ProcessRow {
  readonly shape: string;
  readonly ms: readonly [readonly number[], readonly number[], readonly number[]];
}

const script = fileURLToPath(import.meta.url);
const here = resolve(dirname(script), "..");
const N = Number(process.env["BENCH_NODES"] ?? 10_000);
const PROCESSES = Number(process.env["PROCESSES"] ?? 12);
const ROUNDS = Number(process.env["ROUNDS"] ?? 61);
const WARMUP = Number(process.env["WARMUP"] ?? 15);
const validateIO = process.env["VALIDATE"] !== "0";
const LABELS = ["A", "B", "A′"] as const;

/** Every order of three: over six rounds (or processes) each runtime takes each place twice. */
const ORDERS = [
  [0, 1, 2],
  [1, 2, 0],
  [2, 0, 1],
  [0, 2, 1],
  [2, 1, 0],
  [1, 0, 2],
] as const;
const orderOf = (i: number): readonly number[] => ORDERS[i % ORDERS.length] ?? ORDERS[0];

const sorted = (xs: readonly number[]): number[] => [...xs].sort((a, b) => a - b);
function median(xs: readonly number[]): number {
  const s = sorted(xs);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? Number.NaN) : ((s[mid - 1] ?? Number.NaN) + (s[mid] ?? Number.NaN)) / 2;
}
const range = (xs: readonly number[]): string => `${(sorted(xs)[0] ?? Number.NaN).toFixed(3)}–${(sorted(xs)[xs.length - 1] ?? Number.NaN).toFixed(3)}`;
const ratios = (num: readonly number[], den: readonly number[]): number[] => num.map((x, i) => x / (den[i] ?? Number.NaN));

async function load(label: string, dir: string): Promise<Checkout> {
  const url = (path: string): string => pathToFileURL(join(dir, path)).href;
  const runtime = (await import(url("src/workflow/runtime.ts"))) as RuntimeModule;
  const shapes = (await import(url("bench/support/runtime-shapes.ts"))) as ShapesModule;
  return { label, runtime, shapes };
}

/** A copy of `dir`'s sources in a fresh folder: the same code, as modules not yet loaded. */
function copyOf(dir: string): string {
  const copy = mkdtempSync(join(tmpdir(), "runtime-ab-"));
  // The package and compiler settings too: without them the sources load as another module format.
  for (const file of ["package.json", "tsconfig.json"]) cpSync(join(dir, file), join(copy, file));
  cpSync(join(dir, "src"), join(copy, "src"), { recursive: true });
  cpSync(join(dir, "bench", "support"), join(copy, "bench", "support"), { recursive: true });
  symlinkSync(realpathSync(join(dir, "node_modules")), join(copy, "node_modules"));
  return copy;
}

async function cpuMs(fn: () => Promise<void>): Promise<number> {
  const start = process.cpuUsage();
  await fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

/** One run of `shape` by `checkout`'s runtime, checking the sink's value. */
function runner(checkout: Checkout, shape: Shape, concurrency: number, expected: number, name: string): () => Promise<void> {
  const runtime = new checkout.runtime.LocalRuntime({ concurrency, validateIO });
  const workflow = checkout.shapes.buildWorkflow(shape);
  const sink = `n${shape.length - 1}`;
  return async () => {
    const last = (await runtime.execute(workflow)).results[sink];
    const value = last?.status === "completed" ? (last.output as { value: number }).value : Number.NaN;
    if (value !== expected) throw new Error(`${name}, ${checkout.label}: computed ${value}, expected ${expected}`);
  };
}

/** One process's share: the three runtimes loaded, built and first run in order `first`. */
async function child(first: number, dirs: readonly string[]): Promise<ProcessRow[]> {
  const order = orderOf(first);
  const checkouts: Checkout[] = [];
  for (const k of order) checkouts[k] = await load(LABELS[k] ?? "", dirs[k] ?? "");
  const rows: ProcessRow[] = [];
  for (const [name, shape] of [["chain", chain(N)], ["fan-out/fan-in", fanOutFanIn(N)]] as const) {
    const expected = await handLoop(shape);
    for (const concurrency of [Number.POSITIVE_INFINITY, 32]) {
      const runs: Array<() => Promise<void>> = [];
      for (const k of order) runs[k] = runner(checkouts[k] as Checkout, shape, concurrency, expected, name);
      const ms: [number[], number[], number[]] = [[], [], []];
      for (let round = 0; round < WARMUP + ROUNDS; round++) {
        for (const k of orderOf(first + round)) {
          const used = await cpuMs(runs[k] ?? (() => Promise.reject(new Error(`no runner ${k}`))));
          if (round >= WARMUP) ms[k]?.push(used);
        }
      }
      rows.push({ shape: `${N.toLocaleString("en-US")}-node ${name}, concurrency ${concurrency === Number.POSITIVE_INFINITY ? "∞" : concurrency}`, ms });
    }
  }
  return rows;
}

function report(perProcess: readonly ProcessRow[][], dirs: readonly string[]): void {
  const rows = (perProcess[0] ?? []).map(({ shape }, r) => {
    const mine = perProcess.map((rowsOf) => rowsOf[r]?.ms ?? [[], [], []]);
    const bOverA = mine.map(([a, b]) => median(ratios(b, a)));
    const controlOverA = mine.map(([a, , control]) => median(ratios(control, a)));
    return {
      shape,
      "A CPU ms med": median(mine.flatMap(([a]) => a)),
      "B CPU ms med": median(mine.flatMap(([, b]) => b)),
      "B/A med": median(bOverA).toFixed(3),
      "B/A all rounds": median(mine.flatMap(([a, b]) => ratios(b, a))).toFixed(3),
      "B/A range": range(bOverA),
      "A′/A med (control)": median(controlOverA).toFixed(3),
      "A′/A all rounds": median(mine.flatMap(([a, , control]) => ratios(control, a))).toFixed(3),
      "A′/A range": range(controlOverA),
    };
  });
  console.log(`A: ${dirs[0]}\nB: ${dirs[1]}\nA′: a copy of A's sources, loaded separately (control)\nvalidation ${validateIO ? "on" : "off"}`);
  console.log(table(rows));
  console.log(
    `Per round, the CPU time (user + system) of one run of each runtime, in a rotating order; per process, the median of ${ROUNDS} rounds' ratios ` +
      `(after ${WARMUP} rounds of warm-up); per row, the median and range of ${perProcess.length} processes' medians, and the median of all their rounds' ratios.`,
  );
  console.log(`Load average while measuring: ${loadavg().map((x) => x.toFixed(1)).join(", ")}`);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === "--child") {
    process.stdout.write(JSON.stringify(await child(Number(args[1]), args.slice(2))));
    return;
  }
  const [baseArg, candidateArg] = args;
  if (baseArg === undefined) throw new Error("usage: npx tsx bench/runtime-ab.ts <A checkout> [<B checkout>, default this one]");
  const base = resolve(baseArg);
  const control = copyOf(base);
  const dirs = [base, resolve(candidateArg ?? here), control];
  try {
    const perProcess: ProcessRow[][] = [];
    for (let p = 0; p < PROCESSES; p++) {
      // One process at a time: on a shared machine, two would measure each other.
      const out = execFileSync(process.execPath, [...process.execArgv, script, "--child", String(p), ...dirs], { encoding: "utf8", maxBuffer: 64 << 20, stdio: ["ignore", "pipe", "inherit"] });
      const rows = JSON.parse(out) as ProcessRow[];
      perProcess.push(rows);
      const summary = rows.map(({ ms: [a, b, c] }) => `${median(ratios(b, a)).toFixed(3)}/${median(ratios(c, a)).toFixed(3)}`).join("  ");
      console.error(`  process ${p + 1} (order ${orderOf(p).map((k) => LABELS[k]).join(" ")}): B/A and A′/A per row ${summary}`);
    }
    report(perProcess, dirs);
  } finally {
    rmSync(control, { recursive: true, force: true });
  }
}

await main();
