/**
 * FileStorage throughput beside the machine's raw fsync rate, measured in the same run.
 *
 *   npx tsx bench/storage.bench.ts            (about 15 s)
 *   BENCH_SECONDS=5 npx tsx bench/storage.bench.ts
 *
 * Group commit is the only way a durable store can acknowledge more writes per second than the disk
 * can fsync: the "writes ÷ raw fsyncs" column shows how far it gets.
 */
import { mkdtemp, open, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FileStorage } from "../src/file-storage.js";

const seconds = Number(process.env["BENCH_SECONDS"] ?? "2.5");
const payload = "x".repeat(100);

async function rawFsyncRate(dir: string): Promise<number> {
  const handle = await open(join(dir, "raw.bin"), "w");
  const chunk = Buffer.alloc(128, 1);
  let count = 0;
  const end = performance.now() + seconds * 1000;
  const start = performance.now();
  while (performance.now() < end) {
    await handle.write(chunk, 0, chunk.length, count * chunk.length);
    await handle.datasync();
    count++;
  }
  const rate = count / ((performance.now() - start) / 1000);
  await handle.close();
  return rate;
}

interface Run {
  readonly writesPerSecond: number;
  readonly syncsPerSecond: number;
  readonly writesPerSync: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

async function storageRun(dir: string, writers: number): Promise<Run> {
  const storage = await FileStorage.open(join(dir, `wal-${writers}`));
  let index = 0;
  const latencies: number[] = [];
  const end = performance.now() + seconds * 1000;
  const start = performance.now();
  const syncsBefore = storage.stats().syncs;
  const writer = async (): Promise<void> => {
    while (performance.now() < end) {
      index++;
      const began = performance.now();
      await storage.save({ entries: [{ term: 1, index, type: "normal", data: payload }] });
      latencies.push(performance.now() - began);
    }
  };
  await Promise.all(Array.from({ length: writers }, writer));
  const elapsed = (performance.now() - start) / 1000;
  const syncs = storage.stats().syncs - syncsBefore;
  await storage.close();
  latencies.sort((a, b) => a - b);
  const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { writesPerSecond: latencies.length / elapsed, syncsPerSecond: syncs / elapsed, writesPerSync: latencies.length / Math.max(1, syncs), p50Ms: at(0.5), p99Ms: at(0.99) };
}

const dir = await mkdtemp(join(tmpdir(), "edgeflow-bench-storage-"));
try {
  // The disk is shared: the baseline is taken before and after, and the mean used.
  const rawBefore = await rawFsyncRate(dir);
  const runs: Array<[number, Run]> = [];
  for (const writers of [1, 16, 64, 256]) runs.push([writers, await storageRun(dir, writers)]);
  const rawAfter = await rawFsyncRate(dir);
  const raw = (rawBefore + rawAfter) / 2;
  console.log(`raw fdatasync rate (baseline): ${raw.toFixed(0)}/s (before ${rawBefore.toFixed(0)}, after ${rawAfter.toFixed(0)}) in ${tmpdir()}`);
  console.log("writers  writes/s  syncs/s  writes/sync  p50 ms  p99 ms  writes ÷ raw fsyncs");
  for (const [writers, run] of runs) {
    console.log(
      `${String(writers).padStart(7)}  ${run.writesPerSecond.toFixed(0).padStart(8)}  ${run.syncsPerSecond.toFixed(0).padStart(7)}  ${run.writesPerSync.toFixed(1).padStart(11)}  ${run.p50Ms.toFixed(2).padStart(6)}  ${run.p99Ms.toFixed(2).padStart(6)}  ${(run.writesPerSecond / raw).toFixed(2).padStart(19)}`,
    );
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
