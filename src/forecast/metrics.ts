/**
 * Forecast accuracy metrics. All take the actual values and the forecast of the same steps; arrays of
 * different lengths are compared over the shorter one.
 *
 * MASE follows Hyndman & Koehler (2006): the mean absolute error divided by the in-sample mean absolute
 * error of the seasonal-naive forecast, so seasonal-naive itself scores about 1.
 *
 * @module
 */
import { ValidationError } from "../core/errors.js";

function pairs(actual: readonly number[], forecast: readonly number[]): number {
  const n = Math.min(actual.length, forecast.length);
  if (n === 0) throw ValidationError.of("actual", "metrics need at least one actual value and one forecast", "empty");
  return n;
}

/** Mean absolute error. */
export function mae(actual: readonly number[], forecast: readonly number[]): number {
  const n = pairs(actual, forecast);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += Math.abs((actual[i] ?? 0) - (forecast[i] ?? 0));
  return sum / n;
}

/** Root mean squared error. */
export function rmse(actual: readonly number[], forecast: readonly number[]): number {
  const n = pairs(actual, forecast);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += ((actual[i] ?? 0) - (forecast[i] ?? 0)) ** 2;
  return Math.sqrt(sum / n);
}

/** In-sample mean absolute error of the seasonal-naive forecast (lag `period`); the MASE scale. */
export function seasonalNaiveScale(history: readonly number[], period = 1): number {
  const m = Math.max(1, Math.min(period, history.length - 1));
  let sum = 0;
  let n = 0;
  for (let t = m; t < history.length; t++) {
    sum += Math.abs((history[t] ?? 0) - (history[t - m] ?? 0));
    n++;
  }
  return n === 0 ? Number.NaN : sum / n;
}

/**
 * Mean absolute scaled error: MAE over the in-sample seasonal-naive MAE of `history`. `NaN` when the
 * history is constant at lag `period` (the scale is zero).
 */
export function mase(actual: readonly number[], forecast: readonly number[], history: readonly number[], period = 1): number {
  const scale = seasonalNaiveScale(history, period);
  return scale > 0 ? mae(actual, forecast) / scale : Number.NaN;
}

/** Symmetric mean absolute percentage error, in percent (0–200); steps where both are 0 count as 0. */
export function smape(actual: readonly number[], forecast: readonly number[]): number {
  const n = pairs(actual, forecast);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const a = actual[i] ?? 0;
    const f = forecast[i] ?? 0;
    const denominator = Math.abs(a) + Math.abs(f);
    if (denominator > 0) sum += (2 * Math.abs(a - f)) / denominator;
  }
  return (100 * sum) / n;
}

/** Weighted absolute percentage error: Σ|a − f| / Σ|a|, as a fraction; `NaN` when all actuals are 0. */
export function wape(actual: readonly number[], forecast: readonly number[]): number {
  const n = pairs(actual, forecast);
  let error = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    error += Math.abs((actual[i] ?? 0) - (forecast[i] ?? 0));
    total += Math.abs(actual[i] ?? 0);
  }
  return total > 0 ? error / total : Number.NaN;
}

/** Mean pinball (quantile) loss of `quantile` forecasts at level `tau` in (0, 1). */
export function pinball(actual: readonly number[], quantile: readonly number[], tau: number): number {
  if (!(tau > 0 && tau < 1)) throw ValidationError.of("tau", `tau must be in (0, 1), got ${tau}`);
  const n = pairs(actual, quantile);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const diff = (actual[i] ?? 0) - (quantile[i] ?? 0);
    sum += diff >= 0 ? tau * diff : (tau - 1) * diff;
  }
  return sum / n;
}

/** Share of actual values inside `[lower, upper]`, in [0, 1]. */
export function intervalCoverage(actual: readonly number[], lower: readonly number[], upper: readonly number[]): number {
  const n = Math.min(pairs(actual, lower), upper.length);
  let inside = 0;
  for (let i = 0; i < n; i++) {
    const a = actual[i] ?? 0;
    if (a >= (lower[i] ?? 0) && a <= (upper[i] ?? 0)) inside++;
  }
  return inside / n;
}

/** Every metric of one forecast against its actuals. */
export interface AccuracyReport {
  readonly mae: number;
  readonly rmse: number;
  readonly mase: number;
  readonly smape: number;
  readonly wape: number;
  /** Mean pinball loss of the lower and upper bounds at their quantiles. */
  readonly pinball: number;
  readonly coverage: number;
}

/** All metrics at once; `level` is the interval coverage the bounds were built for. */
export function accuracy(
  actual: readonly number[],
  forecast: { readonly mean: readonly number[]; readonly lower: readonly number[]; readonly upper: readonly number[]; readonly level: number },
  history: readonly number[],
  period = 1,
): AccuracyReport {
  const tail = (1 - forecast.level) / 2;
  return {
    mae: mae(actual, forecast.mean),
    rmse: rmse(actual, forecast.mean),
    mase: mase(actual, forecast.mean, history, period),
    smape: smape(actual, forecast.mean),
    wape: wape(actual, forecast.mean),
    pinball: (pinball(actual, forecast.lower, tail) + pinball(actual, forecast.upper, 1 - tail)) / 2,
    coverage: intervalCoverage(actual, forecast.lower, forecast.upper),
  };
}
