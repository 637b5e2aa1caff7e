/**
 * The hybrid histogram keep-alive policy of *Serverless in the Wild* (Shahrad et al., USENIX ATC
 * 2020, §4.2), per application:
 *
 * - idle times (gaps between uses) go into a range-limited histogram of 1-minute bins over 4 hours;
 * - when the histogram is **representative** — at least `minSamples` idle times, at most
 *   `maxOutOfRange` of them beyond its range, and a coefficient of variation (stddev / mean) of the bin
 *   counts of at least `cvThreshold` (2 in the paper: a low CV means idle times are spread evenly, so no
 *   window predicts them) — the application is unloaded after each use, **pre-warmed** at the 5th
 *   percentile of idle time (less a 10% margin) and **kept alive** until the 99th percentile (plus a
 *   10% margin);
 * - otherwise, with at least `minForecastSamples` idle times, the next idle time is **forecast** from
 *   the recent ones (the paper uses ARIMA; any {@link SyncForecaster} here) and the application is
 *   warm from 85% to 115% of it;
 * - with fewer samples, the **fixed** fallback keeps it alive for the histogram's whole range.
 *
 * @module
 */
import { z } from "zod";
import { parseWith } from "../core/validation.js";
import { HoltWintersForecaster } from "../forecast/holt-winters.js";
import { NaiveForecaster } from "../forecast/seasonal-naive.js";
import type { SyncForecaster } from "../forecast/types.js";

/** Settings of {@link idleTimePolicy}. */
export interface IdleTimePolicyOptions {
  /** Histogram bin width, ms (default 60 000: one minute). */
  readonly binMs?: number;
  /** Histogram range, ms (default 4 hours). */
  readonly rangeMs?: number;
  /** Pre-warm percentile (default 5). */
  readonly headPercentile?: number;
  /** Keep-alive percentile (default 99). */
  readonly tailPercentile?: number;
  /** Pre-warm is moved earlier and keep-alive later by this fraction (default 0.1). */
  readonly margin?: number;
  /** Fewest idle times for a histogram decision (default 10). */
  readonly minSamples?: number;
  /** Smallest coefficient of variation of the bin counts for a representative histogram (default 2). */
  readonly cvThreshold?: number;
  /** Largest share of idle times beyond the range for a representative histogram (default 0.5). */
  readonly maxOutOfRange?: number;
  /** Fewest idle times for the forecast fallback (default 3). */
  readonly minForecastSamples?: number;
  /** Recent idle times the forecast is fitted on (default 50). */
  readonly forecastWindow?: number;
}

/** Schema of {@link IdleTimePolicyOptions}. */
export const idleTimePolicyOptionsSchema = z.object({
  binMs: z.number().positive().optional(),
  rangeMs: z.number().positive().optional(),
  headPercentile: z.number().min(0).max(100).optional(),
  tailPercentile: z.number().min(0).max(100).optional(),
  margin: z.number().min(0).max(1).optional(),
  minSamples: z.number().int().min(1).optional(),
  cvThreshold: z.number().min(0).optional(),
  maxOutOfRange: z.number().min(0).max(1).optional(),
  minForecastSamples: z.number().int().min(1).optional(),
  forecastWindow: z.number().int().min(2).optional(),
});

/** Which branch of the policy decided. */
export type IdleTimeMode = "histogram" | "forecast" | "fixed";

/**
 * When to hold an application warm after it goes idle: unloaded until `prewarmMs` after its last use,
 * then warm until `keepAliveMs` after it. `prewarmMs` 0 means keep it loaded right away.
 */
export interface IdleTimeWindow {
  readonly mode: IdleTimeMode;
  readonly prewarmMs: number;
  readonly keepAliveMs: number;
  /** Idle times the decision was based on. */
  readonly samples: number;
  /** Coefficient of variation of the histogram's bin counts (NaN without samples). */
  readonly cv: number;
  /** Share of idle times beyond the histogram's range. */
  readonly outOfRange: number;
  /** Why this branch, in a sentence. */
  readonly reason: string;
}

/** Resolved settings. */
type Settings = Required<IdleTimePolicyOptions>;

function settingsOf(options: IdleTimePolicyOptions): Settings {
  const o = parseWith(idleTimePolicyOptionsSchema, options, "options");
  return {
    binMs: o.binMs ?? 60_000,
    rangeMs: o.rangeMs ?? 4 * 3_600_000,
    headPercentile: o.headPercentile ?? 5,
    tailPercentile: o.tailPercentile ?? 99,
    margin: o.margin ?? 0.1,
    minSamples: o.minSamples ?? 10,
    cvThreshold: o.cvThreshold ?? 2,
    maxOutOfRange: o.maxOutOfRange ?? 0.5,
    minForecastSamples: o.minForecastSamples ?? 3,
    forecastWindow: o.forecastWindow ?? 50,
  };
}

/** Bin counts of the in-range idle times and how many fell beyond the range. */
function histogram(idleTimes: readonly number[], s: Settings): { bins: number[]; outOfRange: number } {
  const bins = new Array<number>(Math.max(1, Math.ceil(s.rangeMs / s.binMs))).fill(0);
  let outOfRange = 0;
  for (const t of idleTimes) {
    if (t >= s.rangeMs) outOfRange++;
    else {
      const b = Math.floor(Math.max(0, t) / s.binMs);
      bins[b] = (bins[b] ?? 0) + 1;
    }
  }
  return { bins, outOfRange };
}

function coefficientOfVariation(bins: readonly number[]): number {
  const n = bins.length;
  const mean = bins.reduce((a, b) => a + b, 0) / n;
  if (mean === 0) return Number.NaN;
  const variance = bins.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
  return Math.sqrt(variance) / mean;
}

/** Lower edge of the bin holding the p-th percentile (head) or upper edge (tail) of the in-range counts. */
function percentileEdge(bins: readonly number[], p: number, binMs: number, edge: "lower" | "upper"): number {
  const total = bins.reduce((a, b) => a + b, 0);
  const wanted = (p / 100) * total;
  let cumulative = 0;
  for (let b = 0; b < bins.length; b++) {
    cumulative += bins[b] ?? 0;
    if (cumulative >= wanted && cumulative > 0) return (edge === "lower" ? b : b + 1) * binMs;
  }
  return bins.length * binMs;
}

/**
 * Decides the pre-warm and keep-alive windows for one application from its idle times (ms).
 *
 * @example
 * ```ts
 * // An application used every 10 minutes, like clockwork:
 * idleTimePolicy(Array(20).fill(600_000));
 * // { mode: "histogram", prewarmMs: 540_000, keepAliveMs: 726_000, ... }
 * ```
 */
export function idleTimePolicy(idleTimes: readonly number[], options: IdleTimePolicyOptions = {}, forecaster?: SyncForecaster): IdleTimeWindow {
  const s = settingsOf(options);
  const valid = idleTimes.filter((t) => Number.isFinite(t) && t >= 0);
  const { bins, outOfRange } = histogram(valid, s);
  const n = valid.length;
  const cv = n === 0 ? Number.NaN : coefficientOfVariation(bins);
  const oobShare = n === 0 ? 0 : outOfRange / n;
  const base = { samples: n, cv, outOfRange: oobShare };
  if (n >= s.minSamples && oobShare <= s.maxOutOfRange && cv >= s.cvThreshold) {
    const head = percentileEdge(bins, s.headPercentile, s.binMs, "lower");
    const tail = percentileEdge(bins, s.tailPercentile, s.binMs, "upper");
    return {
      mode: "histogram",
      prewarmMs: head * (1 - s.margin),
      keepAliveMs: Math.max(head, tail * (1 + s.margin)),
      ...base,
      reason: `histogram of ${n} idle times is representative (CV ${cv.toFixed(2)} >= ${s.cvThreshold}); pre-warm at p${s.headPercentile}, keep alive to p${s.tailPercentile}`,
    };
  }
  const why =
    n < s.minSamples
      ? `only ${n} idle times (< ${s.minSamples})`
      : oobShare > s.maxOutOfRange
        ? `${(100 * oobShare).toFixed(0)}% of idle times exceed the ${s.rangeMs / 60_000}-minute range`
        : `bin counts are spread evenly (CV ${cv.toFixed(2)} < ${s.cvThreshold})`;
  if (n >= s.minForecastSamples) {
    const recent = valid.slice(Math.max(0, n - s.forecastWindow));
    const model = forecaster ?? (recent.length >= 4 ? new HoltWintersForecaster({ damped: true, criterion: "mse" }) : new NaiveForecaster());
    model.fitSync(recent, { maxHorizon: 1 });
    const predicted = Math.max(0, model.predict(1).mean[0] ?? 0);
    return {
      mode: "forecast",
      prewarmMs: 0.85 * predicted,
      keepAliveMs: 1.15 * predicted,
      ...base,
      reason: `histogram not representative (${why}); next idle time forecast at ${(predicted / 1000).toFixed(0)} s by ${model.name}`,
    };
  }
  return { mode: "fixed", prewarmMs: 0, keepAliveMs: s.rangeMs, ...base, reason: `histogram not representative (${why}); keep alive for the whole ${s.rangeMs / 60_000}-minute range` };
}
