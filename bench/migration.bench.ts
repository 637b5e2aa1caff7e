/**
 * Live migration benchmarks.
 *
 * 1. Simulated live migration of a 4 GiB workload over 1 Gbit/s (64 KiB pages, 64 MiB stop-and-copy
 *    threshold, at most 30 rounds) with dirty rates from 0 to 120 % of bandwidth: rounds, total time,
 *    downtime and bytes sent ÷ workload size, from the page simulation (sequential writes, the
 *    model's assumption, and uniform random writes, where re-dirtied pages count once) beside the
 *    pre-copy model's prediction computed in the same run.
 * 2. In-process throughput of the in-memory adapter path (read → frame → zlib → SHA-256 → verify →
 *    inflate → SHA-256 → apply, driven by the executor) in MB/s beside a bare `zlib` + `crypto` loop
 *    over the same chunks.
 *
 * Run: `npx tsx bench/migration.bench.ts` (about 20 s). `BENCH_QUICK=1` for a smoke run.
 */
import { createHash } from "node:crypto";
import { deflateRawSync, inflateRawSync } from "node:zlib";
import { ManualClock, settle } from "../src/core/clock.js";
import { Random } from "../src/core/random.js";
import { MigrationExecutor } from "../src/migration/executor.js";
import { InMemoryWorkloadAdapter } from "../src/migration/memory-adapter.js";
import { MigrationPlanner } from "../src/migration/planner.js";
import { predictPreCopy } from "../src/migration/precopy.js";
import { simulatePreCopy } from "../src/migration/simulation.js";
import { table, time } from "./support/timing.js";

const quick = process.env["BENCH_QUICK"] === "1";
const GiB = 2 ** 30;
const MiB = 2 ** 20;

// ---- 1. pre-copy: simulation beside the model ----
const params = { sizeBytes: 4 * GiB, bandwidthBytesPerSec: 125e6, stopCopyThresholdBytes: 64 * MiB, maxRounds: 30 };
const rows: Array<Record<string, string | number>> = [];
for (const pct of [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120]) {
  const p = { ...params, dirtyRateBytesPerSec: (pct / 100) * params.bandwidthBytesPerSec };
  const model = predictPreCopy(p);
  const seq = simulatePreCopy({ ...p, pageBytes: 64 * 1024, pattern: "sequential" });
  const uni = simulatePreCopy({ ...p, pageBytes: 64 * 1024, pattern: "uniform", seed: 1 });
  rows.push({
    "dirty %": pct,
    "model rounds": model.rounds,
    "sim rounds": seq.rounds,
    "rand rounds": uni.rounds,
    "model total s": model.totalMs / 1000,
    "sim total s": seq.totalMs / 1000,
    "rand total s": uni.totalMs / 1000,
    "model down ms": model.downtimeMs,
    "sim down ms": seq.downtimeMs,
    "rand down ms": uni.downtimeMs,
    "model sent/size": model.bytesSent / p.sizeBytes,
    "sim sent/size": seq.bytesSent / p.sizeBytes,
    "rand sent/size": uni.bytesSent / p.sizeBytes,
    converges: model.converged ? "yes" : "no",
  });
}
console.log("4 GiB over 1 Gbit/s, 64 MiB stop-copy threshold, max 30 rounds (model = Clark et al.; sim = sequential writes; rand = uniform random writes)");
console.log(table(rows));

// ---- 2. adapter path throughput ----
const KEYS = quick ? 256 : 1024;
const VALUE = 64 * 1024;
const random = new Random(42);
/** Half-compressible values: runs of a small alphabet, like typical cached JSON. */
function value(): Uint8Array {
  const out = new Uint8Array(VALUE);
  for (let i = 0; i < VALUE; i++) out[i] = 97 + (random.int(0, 15) === 0 ? random.int(0, 25) : i % 7);
  return out;
}
const data = new Map<string, Uint8Array>();
for (let i = 0; i < KEYS; i++) data.set(`k${i}`, value());
const totalBytes = KEYS * VALUE;
const batchKeys = 16;

async function migrateOnce(compression: boolean): Promise<void> {
  const clock = new ManualClock(0);
  const adapter = new InMemoryWorkloadAdapter({ clock, edges: ["a", "b"] });
  adapter.seed("w", "a", data);
  const planner = new MigrationPlanner({ clock, adapter });
  const plan = await planner.plan({ source: "a", target: "b", strategy: "live", workloads: [{ id: "w", sizeBytes: totalBytes }], options: { bandwidthBytesPerSec: 1e15, burstBytes: 1e12, batchKeys, compression } });
  const executor = new MigrationExecutor({ adapter, clock });
  const done = executor.execute(plan);
  let finished = false;
  void done.then(() => (finished = true));
  while (!finished) {
    await settle();
    const next = clock.nextDue();
    if (next !== undefined && !finished) clock.advanceTo(next);
  }
  const state = await done;
  if (state.phase !== "completed") throw new Error(`migration ended ${state.phase}`);
  await executor.close();
}

function bareLoop(compression: boolean): void {
  const values = [...data.values()];
  for (let i = 0; i < values.length; i += batchKeys) {
    const frame = Buffer.concat(values.slice(i, i + batchKeys));
    const sum = createHash("sha256").update(frame).digest("hex");
    const wire = compression ? deflateRawSync(frame, { level: 1 }) : frame;
    const back = compression ? inflateRawSync(wire) : wire;
    if (createHash("sha256").update(back).digest("hex") !== sum) throw new Error("mismatch");
  }
}

const runs = quick ? 3 : 5;
const out: Array<Record<string, string | number>> = [];
for (const compression of [true, false]) {
  const path = await time(() => migrateOnce(compression), runs, 1);
  const bare = await time(() => bareLoop(compression), runs, 1);
  const mbps = (ms: number): number => totalBytes / 1e6 / (ms / 1000);
  out.push({
    compression: compression ? "zlib level 1" : "off",
    "adapter path MB/s": mbps(path.medianMs),
    "bare zlib+sha256 MB/s": mbps(bare.medianMs),
    "path / bare": mbps(path.medianMs) / mbps(bare.medianMs),
  });
}
console.log(`\nIn-memory adapter path, ${totalBytes / MiB} MiB in ${VALUE / 1024} KiB values, ${batchKeys} per chunk (median of ${runs})`);
console.log(table(out));
