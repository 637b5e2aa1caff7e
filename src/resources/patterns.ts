/**
 * Series statistics the resource analyzer reads patterns from: autocorrelation for periodicity and
 * robust z-scores (median and MAD) for spikes.
 *
 * @module
 */
import { median, medianAbsoluteDeviation } from "simple-statistics";

/** Sample autocorrelation of `values` at `lag` (0 when the series is constant). */
export function autocorrelation(values: readonly number[], lag: number): number {
  const n = values.length;
  if (lag <= 0 || lag >= n) return 0;
  let mean = 0;
  for (const v of values) mean += v / n;
  let denominator = 0;
  for (const v of values) denominator += (v - mean) ** 2;
  if (denominator === 0) return 0;
  let numerator = 0;
  for (let i = lag; i < n; i++) numerator += ((values[i] ?? mean) - mean) * ((values[i - lag] ?? mean) - mean);
  return numerator / denominator;
}

/**
 * The strongest period of `values`: the lag (≥ 2, ≤ n/2) whose autocorrelation is a local maximum and
 * highest, if it reaches `minStrength`.
 */
export function dominantPeriod(values: readonly number[], minStrength: number, maxLag = Math.floor(values.length / 2)): { lag: number; strength: number } | undefined {
  const limit = Math.min(maxLag, Math.floor(values.length / 2));
  if (limit < 3) return undefined;
  const acf = [0];
  for (let lag = 1; lag <= limit + 1; lag++) acf.push(autocorrelation(values, lag));
  let best: { lag: number; strength: number } | undefined;
  for (let lag = 2; lag <= limit; lag++) {
    const a = acf[lag] ?? 0;
    if (a >= (acf[lag - 1] ?? 0) && a >= (acf[lag + 1] ?? 0) && a >= minStrength && (best === undefined || a > best.strength)) best = { lag, strength: a };
  }
  return best;
}

/** Indices whose robust z-score (against the median and MAD of the series) exceeds `threshold`. */
export function spikeIndices(values: readonly number[], threshold: number): number[] {
  if (values.length < 8) return [];
  const m = median([...values]);
  const mad = medianAbsoluteDeviation([...values]);
  // 1.4826 makes the MAD a consistent estimate of the standard deviation under normality.
  const scale = mad * 1.4826;
  // A flat series with a few departures: every departure is a spike.
  if (scale === 0) return values.flatMap((v, i) => (v !== m ? [i] : []));
  return values.flatMap((v, i) => (Math.abs(v - m) / scale > threshold ? [i] : []));
}
