/**
 * The control-plane client workload, shared by both sides of `bench/control-plane.bench.ts` so etcd
 * and the embedded Raft run exactly the same loop: `clients` concurrent callers share `ops`
 * operations, and every call's latency is recorded.
 */
import { performance } from "node:perf_hooks";
import { quantileSorted } from "simple-statistics";

/** Concurrent writers (and readers, and lease holders) of the workload. */
export const CLIENTS = 64;
/** The 100-byte value every write carries. */
export const VALUE = "x".repeat(100);
/** Writes and reads cycle over this many keys. */
export const KEYS = 1_000;

/** Throughput and latency of one workload row. */
export interface Measurement {
  readonly opsPerSec: number;
  readonly p50: number;
  readonly p99: number;
  /**
   * CPU time (user + system) this process spent per completed call. For an etcd client that is the
   * client's cost alone; for the embedded Raft, whose workload runs in the leader, it includes leading.
   * Less sensitive than throughput to other load on the machine.
   */
  readonly cpuMicrosPerOp: number;
  /** Calls that succeeded. */
  readonly completed: number;
  /** Calls that threw (they count towards neither throughput nor latency). */
  readonly failed: number;
  /** The first failure's message, to say why. */
  readonly firstError?: string;
}

/**
 * Runs `op(0 .. ops-1)` from `clients` concurrent callers and measures completed calls. No call starts
 * after `budgetMs`, so a pathological row ends in bounded time (its shortfall shows in `completed`).
 */
export async function measure(ops: number, op: (i: number) => Promise<unknown>, budgetMs: number, clients = CLIENTS): Promise<Measurement> {
  const latencies: number[] = [];
  let failed = 0;
  let firstError: string | undefined;
  let next = 0;
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  const deadline = start + budgetMs;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      for (let i = next++; i < ops && performance.now() < deadline; i = next++) {
        const t = performance.now();
        try {
          await op(i);
          latencies.push(performance.now() - t);
        } catch (error) {
          failed++;
          firstError ??= error instanceof Error ? error.message : String(error);
        }
      }
    }),
  );
  const elapsed = performance.now() - start;
  const cpu = process.cpuUsage(cpuBefore);
  latencies.sort((a, b) => a - b);
  const at = (q: number): number => (latencies.length === 0 ? Number.NaN : quantileSorted(latencies, q));
  return { opsPerSec: (latencies.length / elapsed) * 1000, p50: at(0.5), p99: at(0.99), cpuMicrosPerOp: (cpu.user + cpu.system) / Math.max(1, latencies.length), completed: latencies.length, failed, ...(firstError === undefined ? {} : { firstError }) };
}

/** The median row of repeated measurements, by throughput (rounds alternate between contenders to spread noise). */
export function median(rows: readonly Measurement[]): Measurement {
  const sorted = [...rows].sort((a, b) => a.opsPerSec - b.opsPerSec);
  const middle = sorted[Math.floor(sorted.length / 2)];
  if (middle === undefined) throw new Error("median of no measurements");
  return middle;
}
