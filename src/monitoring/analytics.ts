/**
 * Analytics over a series' samples: least-squares trend with significance, moving averages, CUSUM
 * change points and streaming anomaly scores, bundled per series for `get_analytics`.
 *
 * @module
 */
import { z } from "zod";
import { ValidationError } from "../core/errors.js";
import { parseWith } from "../core/validation.js";
import { requireSeriesArrays } from "./validate.js";
import { RobustLikelihoodDetector, type AnomalyDetector } from "./anomaly.js";
import { exponentialMovingAverage, linearTrend, simpleMovingAverage, type Trend } from "./stats.js";
import type { SeriesKey } from "./types.js";

/** A shift in a series' level found by CUSUM. */
export interface ChangePoint {
  /** Index where the shift most likely began (the last time the CUSUM sum was zero). */
  readonly index: number;
  readonly timestamp: number;
  /** Index at which the CUSUM crossed its decision threshold. */
  readonly detectedIndex: number;
  readonly direction: "up" | "down";
  readonly meanBefore: number;
  readonly meanAfter: number;
}

/** Options of {@link detectChangePoints}: `k` and `h` in baseline standard deviations. */
export const changePointOptionsSchema = z.object({
  warmup: z.number().int().min(2).default(30),
  k: z.number().min(0).default(0.5),
  h: z.number().positive().default(6),
});
export type ChangePointOptions = z.input<typeof changePointOptionsSchema>;

function meanStd(values: ArrayLike<number>, from: number, to: number): { mean: number; std: number } {
  let sum = 0;
  let n = 0;
  for (let i = from; i < to; i++, n++) sum += values[i] as number;
  const mean = sum / n;
  let ss = 0;
  for (let i = from; i < to; i++) ss += ((values[i] as number) - mean) ** 2;
  const std = Math.sqrt(ss / Math.max(1, n - 1));
  // A flat baseline would make any wiggle a change: floor the scale.
  return { mean, std: Math.max(std, 1e-6 * Math.abs(mean), 1e-12) };
}

/**
 * The most likely start of a shift in `(start, end]`: the split maximising the between-segment
 * contrast |mean₂ − mean₁|·√(n₁n₂/n). CUSUM's own estimate (last zero of the sum) drifts early when
 * the baseline mean was estimated a little off.
 */
function refineSplit(values: ArrayLike<number>, start: number, end: number, fallback: number): number {
  const n = end - start + 1;
  if (n < 3) return fallback;
  let total = 0;
  for (let i = start; i <= end; i++) total += values[i] as number;
  let left = 0;
  let best = fallback;
  let bestContrast = -1;
  for (let tau = start + 1; tau <= end; tau++) {
    left += values[tau - 1] as number;
    const n1 = tau - start;
    const n2 = n - n1;
    const contrast = Math.abs((total - left) / n2 - left / n1) * Math.sqrt((n1 * n2) / n);
    if (contrast > bestContrast) {
      bestContrast = contrast;
      best = tau;
    }
  }
  return best;
}

/**
 * Two-sided CUSUM (Page, 1954) against a baseline estimated from `warmup` samples, re-estimated after
 * each detected change.
 */
export function detectChangePoints(timestamps: ArrayLike<number>, values: ArrayLike<number>, options: ChangePointOptions = {}): ChangePoint[] {
  requireSeriesArrays(timestamps, values);
  const { warmup, k, h } = parseWith(changePointOptionsSchema, options, "options");
  const out: ChangePoint[] = [];
  let start = 0;
  while (start + warmup < values.length) {
    // Self-starting: each sample is standardised by the mean and deviation of the segment so far,
    // so a baseline estimated a little off from the first samples does not drift into false alarms.
    let { mean, std } = meanStd(values, start, start + warmup);
    let count = warmup;
    let m2 = std * std * (warmup - 1);
    const meanBefore = (): number => mean;
    let up = 0;
    let down = 0;
    let upStart = start + warmup;
    let downStart = start + warmup;
    let found = false;
    for (let i = start + warmup; i < values.length; i++) {
      const x = values[i] as number;
      const z = (x - mean) / std;
      up = Math.max(0, up + z - k);
      down = Math.max(0, down - z - k);
      if (up === 0) upStart = i + 1;
      if (down === 0) downStart = i + 1;
      if (up > h || down > h) {
        const direction = up > h ? "up" : "down";
        const index = refineSplit(values, start, i, Math.min(direction === "up" ? upStart : downStart, i));
        const before = meanStd(values, start, index).mean;
        const after = meanStd(values, index, Math.min(values.length, Math.max(index + warmup, i + 1)));
        out.push({ index, timestamp: timestamps[index] as number, detectedIndex: i, direction, meanBefore: Number.isFinite(before) ? before : meanBefore(), meanAfter: after.mean });
        start = index > start + 1 ? Math.max(index, i + 1 - warmup) : i + 1;
        found = true;
        break;
      }
      count++;
      const delta = x - mean;
      mean += delta / count;
      m2 += delta * (x - mean);
      std = Math.max(Math.sqrt(m2 / (count - 1)), 1e-6 * Math.abs(mean), 1e-12);
    }
    if (!found) break;
  }
  return out;
}

/** Options of {@link analyseSeries}. */
export const analyticsOptionsSchema = z.object({
  /** Significance level of the trend test. */
  alpha: z.number().gt(0).lt(1).default(0.05),
  smaWindow: z.number().int().min(1).default(10),
  emaAlpha: z.number().gt(0).max(1).default(0.2),
  changePoints: changePointOptionsSchema.prefault({}),
  /** Scores at or above this are reported as anomalies. */
  anomalyThreshold: z.number().gt(0).max(1).default(0.5),
});
export type AnalyticsOptions = z.input<typeof analyticsOptionsSchema>;

/** Analytics of one series over a range. */
export interface SeriesAnalytics {
  readonly key: SeriesKey;
  readonly samples: number;
  readonly trend: Trend;
  /** Last values of the moving averages (NaN when empty). */
  readonly sma: number;
  readonly ema: number;
  readonly changePoints: readonly ChangePoint[];
  /** Samples scored at or above the anomaly threshold. */
  readonly anomalies: ReadonlyArray<{ readonly timestamp: number; readonly value: number; readonly score: number }>;
}

/** Trend, moving averages, change points and anomalies of one series' samples. */
export function analyseSeries(
  key: SeriesKey,
  timestamps: ArrayLike<number>,
  values: ArrayLike<number>,
  options: AnalyticsOptions = {},
  detector: AnomalyDetector = new RobustLikelihoodDetector({ warmup: 30, refractory: 0 }),
): SeriesAnalytics {
  requireSeriesArrays(timestamps, values);
  const o = parseWith(analyticsOptionsSchema, options, "options");
  if (typeof detector?.update !== "function") throw ValidationError.of("detector", "detector must implement AnomalyDetector", "invalid_type");
  const sma = simpleMovingAverage(values, o.smaWindow);
  const ema = exponentialMovingAverage(values, o.emaAlpha);
  const anomalies: Array<{ timestamp: number; value: number; score: number }> = [];
  for (let i = 0; i < values.length; i++) {
    const score = detector.update(timestamps[i] as number, values[i] as number);
    if (score >= o.anomalyThreshold) anomalies.push({ timestamp: timestamps[i] as number, value: values[i] as number, score });
  }
  return Object.freeze({
    key,
    samples: values.length,
    trend: linearTrend(timestamps, values, o.alpha),
    sma: sma.at(-1) ?? Number.NaN,
    ema: ema.at(-1) ?? Number.NaN,
    changePoints: detectChangePoints(timestamps, values, o.changePoints),
    anomalies,
  });
}
