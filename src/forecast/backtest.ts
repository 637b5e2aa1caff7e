/**
 * Rolling-origin backtests (Tashman 2000): the model is fitted on the history up to each origin and
 * scored on the `horizon` steps after it; origins step back from the end of the series by `step`.
 *
 * @module
 */
import { z } from "zod";
import { ValidationError } from "../core/errors.js";
import { parseWith } from "../core/validation.js";
import { accuracy, type AccuracyReport } from "./metrics.js";
import { seriesSchema, type Forecaster, type Series } from "./types.js";

/** Makes a fresh, unfitted forecaster. */
export type ForecasterFactory = () => Forecaster;

/** Settings of {@link backtest}. */
export interface BacktestOptions {
  /** Steps forecast from each origin. */
  readonly horizon: number;
  /** Season length for the model and the MASE scale (default 1). */
  readonly period?: number;
  /** How many origins (default 4). */
  readonly origins?: number;
  /** Steps between origins (default `horizon`, so test windows do not overlap). */
  readonly step?: number;
  /** Fit on at most this many points before each origin (default 4000). */
  readonly maxPoints?: number;
  /** Interval coverage for the interval metrics (default 0.8). */
  readonly level?: number;
  /** Cancels the backtest between fits. */
  readonly signal?: AbortSignal;
}

/** Schema of {@link BacktestOptions}. */
export const backtestOptionsSchema = z.object({
  horizon: z.number().int().min(1),
  period: z.number().int().min(1).optional(),
  origins: z.number().int().min(1).max(1000).optional(),
  step: z.number().int().min(1).optional(),
  maxPoints: z.number().int().min(2).optional(),
  level: z.number().gt(0).lt(1).optional(),
  signal: z.instanceof(AbortSignal).optional(),
});

/** Scores of one origin. */
export interface OriginScore extends AccuracyReport {
  /** Index of the first forecast step in the series. */
  readonly origin: number;
  /** Set when the model's own forecast was replaced. */
  readonly fallback?: string;
}

/** Result of a backtest: per-origin scores and their means. */
export interface BacktestResult {
  readonly model: string;
  readonly origins: readonly OriginScore[];
  readonly mean: AccuracyReport;
}

/** Origin indices of a rolling-origin backtest over a series of length `n`, oldest first. */
export function backtestOrigins(n: number, horizon: number, origins: number, step: number, minHistory: number): number[] {
  const out: number[] = [];
  for (let k = 0; k < origins; k++) {
    const origin = n - horizon - k * step;
    if (origin < minHistory) break;
    out.push(origin);
  }
  return out.reverse();
}

function meanReport(scores: readonly AccuracyReport[]): AccuracyReport {
  const keys = ["mae", "rmse", "mase", "smape", "wape", "pinball", "coverage"] as const;
  const out: Record<(typeof keys)[number], number> = { mae: 0, rmse: 0, mase: 0, smape: 0, wape: 0, pinball: 0, coverage: 0 };
  for (const key of keys) {
    const finite = scores.map((s) => s[key]).filter(Number.isFinite);
    out[key] = finite.length === 0 ? Number.NaN : finite.reduce((a, b) => a + b, 0) / finite.length;
  }
  return out;
}

/**
 * Rolling-origin backtest of one model.
 *
 * @example
 * ```ts
 * const result = await backtest(() => new HoltWintersForecaster(), series, { horizon: 48, period: 48 });
 * result.mean.mase; // < 1 beats seasonal-naive
 * ```
 */
export async function backtest(factory: ForecasterFactory, series: Series, options: BacktestOptions): Promise<BacktestResult> {
  const values = parseWith(seriesSchema, series, "series");
  const o = parseWith(backtestOptionsSchema, options, "options");
  const period = o.period ?? 1;
  const maxPoints = o.maxPoints ?? 4000;
  const origins = backtestOrigins(values.length, o.horizon, o.origins ?? 4, o.step ?? o.horizon, Math.max(2, period + 1));
  if (origins.length === 0) {
    throw ValidationError.of("series", `series of ${values.length} values is too short for a backtest with horizon ${o.horizon} and period ${period}`, "too_short");
  }
  const scores: OriginScore[] = [];
  let model = "";
  for (const origin of origins) {
    o.signal?.throwIfAborted();
    const history = values.slice(Math.max(0, origin - maxPoints), origin);
    const forecaster = factory();
    model = forecaster.name;
    const report = await forecaster.fit(history, o.signal === undefined ? { period, maxHorizon: o.horizon } : { period, maxHorizon: o.horizon, signal: o.signal });
    const forecast = forecaster.predict(o.horizon, { level: o.level ?? 0.8 });
    const actual = values.slice(origin, origin + o.horizon);
    const fallback = forecast.fallback?.reason ?? report.fallback?.reason;
    const score = accuracy(actual, forecast, history, period);
    scores.push(fallback === undefined ? { origin, ...score } : { origin, ...score, fallback });
    await disposeIfClosable(forecaster);
  }
  return { model, origins: scores, mean: meanReport(scores) };
}

/** Closes forecasters that hold resources (workers), so backtests do not leak them. */
export async function disposeIfClosable(forecaster: Forecaster): Promise<void> {
  const closable = forecaster as Forecaster & { close?: () => Promise<void> };
  if (typeof closable.close === "function") await closable.close();
}
