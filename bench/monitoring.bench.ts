/**
 * Metric store ingest: samples/s for 10,000 series with range queries running, beside a bare array
 * push in the same run, and memory per million samples.
 *
 *   npx tsx bench/monitoring.bench.ts            (SAMPLES=4000000 for a longer run)
 */
import { ManualClock } from "../src/core/clock.js";
import { MetricStore } from "../src/monitoring/store.js";

const SERIES = 10_000;
const SAMPLES = Number(process.env["SAMPLES"] ?? 2_000_000);
// One range query (100 series, last 10 minutes, count/mean/min/max/stddev and p50/p95/p99 each) per
// 20,000 samples: about 50 queries a second at 1M samples/s, a busy dashboard's load.
const QUERY_EVERY = Number(process.env["QUERY_EVERY"] ?? 20_000);
// The clock keeps up with the samples (the store refuses samples too far ahead of it), 10 s at a time.
const CLOCK_EVERY = 10_000;

function bareArrayPush(): number {
  const ts: number[][] = Array.from({ length: SERIES }, () => []);
  const vs: number[][] = Array.from({ length: SERIES }, () => []);
  const start = performance.now();
  for (let i = 0; i < SAMPLES; i++) {
    const s = i % SERIES;
    (ts[s] as number[]).push(i);
    (vs[s] as number[]).push(i & 1023);
  }
  const seconds = (performance.now() - start) / 1000;
  if ((ts[0]?.length ?? 0) === 0) throw new Error("unreachable");
  return SAMPLES / seconds;
}

interface Run {
  rate: number;
  queries: number;
  queriesPerSecond: number;
}

function newStore(): { clock: ManualClock; store: MetricStore; handles: number[] } {
  const clock = new ManualClock(0);
  const store = new MetricStore({ clock, config: { maxSamplesPerSeries: 1_000, maxSeries: SERIES } });
  const handles = Array.from({ length: SERIES }, (_, i) => store.seriesId(`edge-${i % 100}`, "latency", { route: `/r${Math.floor(i / 100)}` }));
  return { clock, store, handles };
}

/** Ingests SAMPLES samples starting at time `t0` (1 ms of clock per sample: each series reports every 10 s). */
function ingest({ clock, store, handles }: ReturnType<typeof newStore>, t0: number, withQueries: boolean): Run {
  let queries = 0;
  const start = performance.now();
  for (let i = 0; i < SAMPLES; i++) {
    const t = t0 + i;
    if (i % CLOCK_EVERY === 0) clock.advanceTo(t);
    store.appendTo(handles[i % SERIES] as number, i & 1023, t);
    if (withQueries && i % QUERY_EVERY === 0) {
      clock.advanceTo(t);
      store.query({ edgeId: `edge-${(i / QUERY_EVERY) % 100}`, metric: "latency", from: t - 600_000 });
      queries++;
    }
  }
  const seconds = (performance.now() - start) / 1000;
  return { rate: SAMPLES / seconds, queries, queriesPerSecond: queries / seconds };
}

function memoryPerMillion(): { storeBytes: number; heapBytes: number } {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage();
  const clock = new ManualClock(0);
  const store = new MetricStore({ clock, config: { maxSamplesPerSeries: 1_000, maxSeries: SERIES } });
  const handles = Array.from({ length: SERIES }, (_, i) => store.seriesId(`edge-${i % 100}`, "latency", { route: `/r${Math.floor(i / 100)}` }));
  for (let i = 0; i < 1_000_000; i++) {
    if (i % CLOCK_EVERY === 0) clock.advanceTo(i);
    store.appendTo(handles[i % SERIES] as number, i & 1023, i);
  }
  gc?.();
  const after = process.memoryUsage();
  const heapBytes = after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers);
  return { storeBytes: store.footprint().bytes, heapBytes };
}

const fmt = (n: number): string => Math.round(n).toLocaleString("en-US");

console.log(`monitoring bench: ${SERIES.toLocaleString()} series, ${SAMPLES.toLocaleString()} samples per run (Node ${process.version})`);
ingest(newStore(), 0, true); // JIT warm-up
const bare = bareArrayPush();
const fresh = newStore();
const cold = ingest(fresh, 0, true);
// Steady state: the same store once its rings have grown, as in a long-running service.
const steadyQuiet = ingest(fresh, SAMPLES, false);
const steady = ingest(fresh, 2 * SAMPLES, true);
const row = (label: string, r: Run, note = ""): void =>
  console.log(`${label.padEnd(40)}${fmt(r.rate).padStart(12)} samples/s   ${(r.rate / bare).toFixed(2)}x baseline${note}`);
console.log(`${"bare array push (baseline)".padEnd(40)}${fmt(bare).padStart(12)} samples/s`);
row("store, fresh (rings growing), queries", cold, ` (${cold.queries} queries, ${cold.queriesPerSecond.toFixed(0)}/s)`);
row("store, steady state, no queries", steadyQuiet);
row("store, steady state, queries running", steady, ` (${steady.queries} range queries of 100 series each, ${steady.queriesPerSecond.toFixed(0)}/s)`);
console.log(`target >= 1,000,000 samples/s with queries (steady state): ${steady.rate >= 1_000_000 ? "met" : "NOT met"}`);
const mem = memoryPerMillion();
console.log(`memory per million samples:     ${(mem.storeBytes / 1e6).toFixed(1)} MB in typed arrays (raw + roll-ups), ${(mem.heapBytes / 1e6).toFixed(1)} MB heap+buffers delta${(globalThis as { gc?: unknown }).gc === undefined ? " (run with NODE_OPTIONS=--expose-gc for a cleaner figure)" : ""}`);
