/**
 * Shared plumbing of the forecasters: input validation, interval bounds, and the checks every forecast
 * passes before it is handed out.
 *
 * @module
 */
import { probit } from "simple-statistics";
import { ValidationError } from "../core/errors.js";
import { parseWith } from "../core/validation.js";
import { DEFAULT_LEVEL, fitOptionsSchema, horizonSchema, predictOptionsSchema, seriesSchema, type FitOptions, type Forecast, type ForecastFallback, type PredictOptions, type Series } from "./types.js";

/** Validated fit input. */
export interface CheckedFit {
  readonly series: readonly number[];
  readonly period: number;
  readonly maxHorizon: number;
}

/** Validates `fit` arguments; throws a {@link ValidationError} naming the field. */
export function checkFit(series: Series, options: FitOptions = {}): CheckedFit {
  const values = parseWith(seriesSchema, series, "series");
  const parsed = parseWith(fitOptionsSchema, options, "options");
  const period = parsed.period ?? 1;
  return { series: values, period, maxHorizon: parsed.maxHorizon ?? Math.max(24, 2 * period) };
}

/** Validates `predict` arguments and returns the horizon and interval level. */
export function checkPredict(horizon: number, options: PredictOptions = {}): { horizon: number; level: number } {
  const h = parseWith(horizonSchema, horizon, "horizon");
  const parsed = parseWith(predictOptionsSchema, options, "options");
  return { horizon: h, level: parsed.level ?? DEFAULT_LEVEL };
}

/** The two-sided normal quantile for an interval of coverage `level`. */
export function intervalZ(level: number): number {
  return probit(0.5 + level / 2);
}

/** Standard deviation of finite residuals around zero mean error (RMSE); 0 when there are none. */
export function residualScale(residuals: readonly number[]): number {
  let sum = 0;
  let n = 0;
  for (const r of residuals) {
    if (Number.isFinite(r)) {
      sum += r * r;
      n++;
    }
  }
  return n === 0 ? 0 : Math.sqrt(sum / n);
}

/**
 * Builds a forecast from point forecasts and per-step standard deviations, enforcing the invariants
 * (finite, `lower <= mean <= upper`).
 */
export function buildForecast(model: string, mean: readonly number[], sd: readonly number[], level: number, fallback?: ForecastFallback): Forecast {
  const z = intervalZ(level);
  const m: number[] = [];
  const lower: number[] = [];
  const upper: number[] = [];
  for (let i = 0; i < mean.length; i++) {
    const value = mean[i] ?? Number.NaN;
    const spread = Math.abs(z * (sd[i] ?? 0));
    const width = Number.isFinite(spread) ? spread : 0;
    m.push(value);
    lower.push(value - width);
    upper.push(value + width);
  }
  return fallback === undefined ? { mean: m, lower, upper, level, model } : { mean: m, lower, upper, level, model, fallback };
}

/** Why a forecast is not plausible for `history`, or `undefined` when it is. */
export function implausibility(mean: readonly number[], history: readonly number[], rangeMultiple = 10): string | undefined {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of history) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const span = Math.max(hi - lo, Math.abs(hi), Math.abs(lo), 1e-9);
  const floor = lo - rangeMultiple * span;
  const ceiling = hi + rangeMultiple * span;
  for (let i = 0; i < mean.length; i++) {
    const v = mean[i] ?? Number.NaN;
    if (!Number.isFinite(v)) return `forecast step ${i + 1} is not finite (${String(v)})`;
    if (v < floor || v > ceiling) return `forecast step ${i + 1} (${v.toPrecision(4)}) is outside ${rangeMultiple}x the history's range [${lo}, ${hi}]`;
  }
  return undefined;
}

/** Throws when `fitted` is undefined; narrows it otherwise. */
export function requireFitted<T>(fitted: T | undefined, onMissing: () => Error): T {
  if (fitted === undefined) throw onMissing();
  return fitted;
}

/** A validation error for a series too short for the requested model. */
export function tooShort(model: string, needed: number, got: number): ValidationError {
  return ValidationError.of("series", `${model} needs at least ${needed} values, got ${got}`, "too_short");
}
