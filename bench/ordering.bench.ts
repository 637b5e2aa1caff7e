/**
 * HLC and ordering throughput.
 *
 * 1. `HybridLogicalClock.now()` and `update()` beside a bare `Date.now()` loop (target: `now()` at
 *    most 2x the cost of `Date.now()`), and beside the HLC packages on npm doing the same
 *    operations: `@consento/hlc` (CockroachDB-style, bigint nanoseconds) and
 *    `@tpp/hybrid-logical-clock` (string timestamps). Both are measured as they are meant to be used.
 * 2. Events/s through `receive` -> ordered delivery with 10 % re-sent duplicates, random causal
 *    dependencies and keyed writes from 4 origins (target: >= 500,000/s).
 *
 * Run: `npx tsx bench/ordering.bench.ts` (about 20 s). `BENCH_QUICK=1` for a smoke run.
 */
import { createRequire } from "node:module";
import { SystemClock } from "../src/core/clock.js";
import { Random } from "../src/core/random.js";
import { encodeHlc } from "../src/ordering/hlc-codec.js";
import { HybridLogicalClock } from "../src/ordering/hlc.js";
import { GlobalOrderingService } from "../src/ordering/service.js";
import type { HlcTimestamp, OrderingEvent } from "../src/ordering/types.js";

const require = createRequire(import.meta.url);
interface ConsentoTimestamp {
  readonly wallTime: bigint;
  readonly logical: number;
}
interface ConsentoClock {
  now(): ConsentoTimestamp;
  update(other: ConsentoTimestamp): void;
}
const ConsentoHLC = require("@consento/hlc") as { new (options?: { maxOffset?: bigint }): ConsentoClock; Timestamp: new (wallTime: bigint, logical: number) => ConsentoTimestamp };
const tpp = require("@tpp/hybrid-logical-clock") as { nxt(): string; recv(remote: string): string };

const quick = process.env["BENCH_QUICK"] === "1";
const OPS = quick ? 200_000 : 2_000_000;
const ROUNDS = quick ? 3 : 7;

let sink = 0;

/** CPU time of this process in ms: unlike wall time, it does not count time other processes had the cores. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * Median ops per CPU-second of `ROUNDS` runs of `loop(OPS)`, after a warm-up run. CPU time rather
 * than wall time, so the figures hold on a machine shared with other work.
 */
function opsPerSecond(loop: (n: number) => void, ops = OPS): number {
  loop(ops);
  const rates: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const start = cpuMs();
    loop(ops);
    rates.push(ops / ((cpuMs() - start) / 1000));
  }
  rates.sort((a, b) => a - b);
  return rates[Math.floor(rates.length / 2)] ?? Number.NaN;
}

const fmt = (n: number): string => Math.round(n).toLocaleString("en-US");

function clockBench(): void {
  const system = new SystemClock();
  const ours = new HybridLogicalClock({ nodeId: "bench-a", clock: system, maxOffsetMs: 60_000 });
  const consento = new ConsentoHLC({ maxOffset: 60_000_000_000n });
  // Remote timestamps slightly behind now, as received messages usually are.
  const base = Date.now();
  const remotes: HlcTimestamp[] = Array.from({ length: 1024 }, (_, i) => ({ wall: base - 5 + (i % 7), logical: i % 13, nodeId: "bench-b" }));
  const consentoRemotes = remotes.map((r) => new ConsentoHLC.Timestamp(BigInt(r.wall) * 1_000_000n, r.logical));
  const tppRemotes = remotes.map((r) => `${r.wall}:${r.logical}:bench-b`);

  const rows: [string, number][] = [];
  const measure = (name: string, loop: (n: number) => void): number => {
    const rate = opsPerSecond(loop);
    rows.push([name, rate]);
    return rate;
  };
  const dateNow = measure("Date.now() (baseline)", (n) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += Date.now();
    sink += s;
  });
  const now = measure("edgeflow HybridLogicalClock.now()", (n) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += ours.now().logical;
    sink += s;
  });
  const update = measure("edgeflow HybridLogicalClock.update()", (n) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += ours.update(remotes[i & 1023] as HlcTimestamp).logical;
    sink += s;
  });
  const nowString = measure("edgeflow now() + encodeHlc()", (n) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += encodeHlc(ours.now()).length;
    sink += s;
  });
  const consentoNow = measure("@consento/hlc now()", (n) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += consento.now().logical;
    sink += s;
  });
  const consentoUpdate = measure("@consento/hlc update()", (n) => {
    for (let i = 0; i < n; i++) consento.update(consentoRemotes[i & 1023] as ConsentoTimestamp);
  });
  const tppNow = measure("@tpp/hybrid-logical-clock nxt() (string)", (n) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += tpp.nxt().length;
    sink += s;
  });
  const tppRecv = measure("@tpp/hybrid-logical-clock recv() (string)", (n) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += tpp.recv(tppRemotes[i & 1023] as string).length;
    sink += s;
  });

  console.log("\nHLC operations per CPU-second (median of %d rounds of %s ops)", ROUNDS, fmt(OPS));
  const width = Math.max(...rows.map(([name]) => name.length));
  for (const [name, rate] of rows) console.log(`  ${name.padEnd(width)}  ${fmt(rate).padStart(13)} ops/s   ${(1e9 / rate).toFixed(1).padStart(7)} ns/op`);
  console.log(`\n  now() cost / Date.now() cost:               ${(dateNow / now).toFixed(2)}x   (target <= 2x)`);
  console.log("  speed ratios, edgeflow / package (> 1 means edgeflow is faster):");
  console.log(`    now() / @consento/hlc now():              ${(now / consentoNow).toFixed(2)}`);
  console.log(`    update() / @consento/hlc update():        ${(update / consentoUpdate).toFixed(2)}`);
  console.log(`    now()+encodeHlc() / @tpp nxt():           ${(nowString / tppNow).toFixed(2)}   (both produce a string)`);
  console.log(`    update() / @tpp recv():                   ${(update / tppRecv).toFixed(2)}`);
}

/** 4 origins stamping in turn; each event may depend on recent events of any origin. */
function workload(count: number, seed: number): { origins: string[]; arrivals: OrderingEvent[]; last: Map<string, number>; maxWall: number } {
  const random = new Random(seed);
  const origins = ["edge-a", "edge-b", "edge-c", "edge-d"];
  const seqs = new Map(origins.map((o) => [o, 0]));
  const events: OrderingEvent[] = [];
  const wall0 = 1_700_000_000_000;
  for (let i = 0; i < count; i++) {
    const origin = origins[i % origins.length] as string;
    const seq = (seqs.get(origin) ?? 0) + 1;
    seqs.set(origin, seq);
    const deps: string[] = [];
    // Causal dependencies on recent events (always earlier, so with smaller timestamps).
    if (i > 8 && random.bool(0.5)) deps.push((events[i - random.int(1, Math.min(i, 200))] as OrderingEvent).id);
    if (i > 8 && random.bool(0.2)) deps.push((events[i - random.int(1, Math.min(i, 200))] as OrderingEvent).id);
    events.push({ id: `${origin}:${seq}`, origin, seq, hlc: { wall: wall0 + Math.floor(i / 3), logical: i % 3, nodeId: origin }, deps: [...new Set(deps)], key: random.bool(0.3) ? `key-${random.int(0, 999)}` : undefined, payload: i });
  }
  // 10 % of the arrivals are re-sent copies of an earlier event, arriving a little later.
  const arrivals: OrderingEvent[] = [];
  events.forEach((event, i) => {
    arrivals.push(event);
    if (random.bool(1 / 9)) arrivals.push(events[Math.max(0, i - random.int(0, 500))] ?? event);
  });
  return { origins, arrivals, last: seqs, maxWall: wall0 + count };
}

function orderingBench(window: number): void {
  const count = quick ? 50_000 : 400_000;
  const { origins, arrivals, last, maxWall } = workload(count, 42);
  const duplicates = arrivals.length - count;
  const run = (): { ms: number; delivered: number; dropped: number } => {
    // The physical clock sits at the end of the workload, so no timestamp is "from the future".
    const clock = { now: () => maxWall, setTimer: () => ({ id: 0 }), clearTimer: () => undefined };
    const service = new GlobalOrderingService({ nodeId: "observer", origins, clock, maxBuffered: 1_000_000, dedupWindow: window, logRetention: window });
    const start = cpuMs();
    for (const event of arrivals) service.receive(event);
    for (const origin of origins) service.heartbeat(origin, last.get(origin) ?? 0, { wall: maxWall, logical: 0, nodeId: origin });
    const ms = cpuMs() - start;
    const status = service.status();
    return { ms, delivered: status.delivered, dropped: status.duplicatesDropped };
  };
  run();
  const results = Array.from({ length: quick ? 1 : 5 }, run).sort((a, b) => a.ms - b.ms);
  const median = results[Math.floor(results.length / 2)] ?? results[0];
  if (median === undefined) return;
  const rate = arrivals.length / (median.ms / 1000);
  console.log(`\nOrdering: ${fmt(arrivals.length)} arrivals (${fmt(count)} events + ${fmt(duplicates)} duplicates, ${(100 * duplicates / arrivals.length).toFixed(1)} %), 4 origins, random deps, 30 % keyed`);
  console.log(`  dedup window and log retention: ${fmt(window)} entries${window === 100_000 ? " (the defaults)" : ""}`);
  console.log(`  receive -> ordered delivery: ${fmt(rate)} events per CPU-second (median of ${results.length}; ${median.ms.toFixed(0)} ms CPU)   target >= 500,000/s: ${rate >= 500_000 ? "met" : "NOT met"}`);
  console.log(`  delivered ${fmt(median.delivered)}, duplicates dropped ${fmt(median.dropped)}`);
}

if (process.env["BENCH_SKIP_CLOCK"] !== "1") clockBench();
// The dedup window dominates the cost: it is the one large, constantly churned index.
for (const window of [100_000, 10_000]) orderingBench(window);
if (sink === 42) console.log("");
