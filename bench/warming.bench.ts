/**
 * Policy replay on real traces: cold starts and instance-seconds per warming / keep-alive policy.
 *
 * Traces: the Azure LLM inference trace (real per-request arrivals; service time modelled from its
 * token counts as 100 ms + 0.1 ms per context token + 30 ms per generated token), and NAB demand series
 * (nyc_taxi, elb_request_count) turned into arrivals: a seeded Poisson process whose rate in each
 * bucket is proportional to the series, scaled to a sparse serverless-like mean (6 and 12 requests an
 * hour), 1-second requests.
 *
 * The hybrid warmer's two settings (keep-alive percentile of the idle-time histogram, interval level of the pool forecast) are chosen on the first half of every
 * trace (one setting for all traces: the fewest cold starts relative to 10-minute keep-alive among the
 * settings that cost no more than it on every trace); the table reports the second halves.
 *
 *   npx tsx bench/warming.bench.ts
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { Random } from "../src/core/random.js";
import {
  fixedKeepAlivePolicy,
  hybridWarmingPolicy,
  idleHistogramPolicy,
  knativeScaleToZeroPolicy,
  noKeepAlivePolicy,
  replayTrace,
  type Arrival,
  type CapacityPolicy,
  type ReplayOptionsInput,
  type ReplayReport,
} from "../src/warming/index.js";
import { table } from "./support/timing.js";

const datasets = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "shared", "datasets");

interface TraceSpec {
  readonly name: string;
  readonly validation: Arrival[];
  readonly test: Arrival[];
  readonly options: ReplayOptionsInput;
}

function azure(): TraceSpec {
  const rows = readFileSync(join(datasets, "azure-llm-trace", "AzureLLMInferenceTrace_code.csv"), "utf8").trim().split("\n").slice(1);
  const parse = (ts: string): number => Date.parse(`${ts.replace(" ", "T").slice(0, 23)}Z`);
  const first = parse(rows[0]?.split(",")[0] ?? "");
  const arrivals = rows.map((line) => {
    const [ts, context, generated] = line.split(",");
    return { at: parse(ts ?? "") - first, serviceMs: 100 + 0.1 * Number(context) + 30 * Number(generated) };
  });
  const half = (arrivals[arrivals.length - 1]?.at ?? 0) / 2;
  return {
    name: "azure-llm (1 h)",
    validation: arrivals.filter((a) => a.at < half),
    test: arrivals.filter((a) => a.at >= half),
    options: { coldStartMs: 5000, concurrencyPerInstance: 1, tickMs: 1000 },
  };
}

/** Poisson arrivals whose rate per bucket follows `values`, scaled to `perHour` on average. */
function fromSeries(values: readonly number[], bucketMs: number, perHour: number, random: Random): Arrival[] {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const scale = (perHour * bucketMs) / 3_600_000 / mean;
  const out: Arrival[] = [];
  values.forEach((v, i) => {
    const rate = (Math.max(0, v) * scale) / bucketMs;
    if (rate <= 0) return;
    for (let t = i * bucketMs + random.exponential(rate); t < (i + 1) * bucketMs; t += random.exponential(rate)) out.push({ at: Math.round(t), serviceMs: 1000 });
  });
  return out;
}

function nab(name: string, file: string, bucketMinutes: number, buckets: number, perHour: number): TraceSpec {
  const values = readFileSync(join(datasets, "nab", "data", file), "utf8").trim().split("\n").slice(1).map((l) => Number(l.split(",")[1]));
  const window = values.slice(values.length - buckets);
  const arrivals = fromSeries(window, bucketMinutes * 60_000, perHour, new Random(name));
  const half = (buckets / 2) * bucketMinutes * 60_000;
  const days = (buckets * bucketMinutes) / 1440;
  return {
    name: `${name} (${days} d, ${perHour}/h)`,
    validation: arrivals.filter((a) => a.at < half),
    test: arrivals.filter((a) => a.at >= half),
    options: { coldStartMs: 2000, concurrencyPerInstance: 1, tickMs: 10_000 },
  };
}

const GRID = [90, 95, 99].flatMap((tailPercentile) => [0.8, 0.95].map((level) => ({ holdMs: 60_000, level, idleTime: { tailPercentile } })));

function replay(arrivals: Arrival[], policy: CapacityPolicy, options: ReplayOptionsInput, start: number): ReplayReport {
  return replayTrace(arrivals, policy, { ...options, start });
}

async function main(): Promise<void> {
  if (!existsSync(datasets)) {
    console.log(`skipping: ${datasets} not found`);
    return;
  }
  const traces = [azure(), nab("nyc_taxi", "realKnownCause/nyc_taxi.csv", 30, 56 * 48, 6), nab("elb_request_count", "realAWSCloudwatch/elb_request_count_8c0756.csv", 5, 4032, 12)];

  // Validation: choose one hybrid setting for every trace.
  const scored = GRID.map((setting) => {
    let worstCost = 0;
    let coldRatio = 0;
    for (const trace of traces) {
      const start = trace.validation[0]?.at ?? 0;
      const base = replay(trace.validation, fixedKeepAlivePolicy(), trace.options, start);
      const hybrid = replay(trace.validation, hybridWarmingPolicy(setting), trace.options, start);
      worstCost = Math.max(worstCost, hybrid.warmInstanceSeconds / base.warmInstanceSeconds);
      coldRatio += hybrid.coldStarts / Math.max(1, base.coldStarts) / traces.length;
    }
    return { setting, worstCost, coldRatio };
  });
  const affordable = scored.filter((s) => s.worstCost <= 1);
  const pool = affordable.length > 0 ? affordable : scored;
  const chosen = [...pool].sort((a, b) => (affordable.length > 0 ? a.coldRatio - b.coldRatio : a.worstCost - b.worstCost))[0] ?? scored[0];
  if (chosen === undefined) return;
  console.log("validation (first halves): hybrid settings, worst cost ratio and mean cold-start ratio vs keep-alive 10 min");
  console.log(table(scored.map((s) => ({ tail: `p${s.setting.idleTime.tailPercentile}`, level: s.setting.level, worstCost: s.worstCost, coldRatio: s.coldRatio }))));
  console.log(`chosen: hold ${chosen.setting.holdMs / 1000} s, level ${chosen.setting.level}${affordable.length === 0 ? " (no setting was within keep-alive's cost on every trace: cheapest worst case)" : ""}\n`);

  const rows: Record<string, string | number>[] = [];
  for (const trace of traces) {
    const start = trace.test[0]?.at ?? 0;
    const policies: CapacityPolicy[] = [fixedKeepAlivePolicy(), knativeScaleToZeroPolicy(), noKeepAlivePolicy(), idleHistogramPolicy(), hybridWarmingPolicy(chosen.setting)];
    let base: ReplayReport | undefined;
    for (const policy of policies) {
      const began = performance.now();
      const report = replay(trace.test, policy, trace.options, start);
      const ms = performance.now() - began;
      base ??= report;
      rows.push({
        trace: trace.name,
        policy: report.policy,
        requests: report.requests,
        coldStarts: report.coldStarts,
        "cold %": `${(100 * report.coldStartRate).toFixed(2)}%`,
        "cold vs KA10": `${(report.coldStarts / Math.max(1, base.coldStarts)).toFixed(2)}x`,
        instanceSeconds: Math.round(report.warmInstanceSeconds),
        "inst-s vs KA10": `${(report.warmInstanceSeconds / base.warmInstanceSeconds).toFixed(2)}x`,
        wastedSeconds: Math.round(report.wastedInstanceSeconds),
        "replay ms": Math.round(ms),
      });
    }
  }
  console.log("test (second halves): cold starts and instance-seconds per policy, ratios against keep-alive 10 min (KA10)");
  console.log(table(rows));
  console.log("\ntarget: hybrid warmer <= 0.50x the cold starts of KA10 at <= 1.00x its instance-seconds");
}

await main();
