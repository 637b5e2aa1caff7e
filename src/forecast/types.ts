/**
 * Types of the forecasting engine: a series is an array of equally spaced observations; a
 * {@link Forecaster} is fitted on one and predicts the next `horizon` values with a prediction
 * interval.
 *
 * @module
 */
import { z } from "zod";

/** Equally spaced observations, oldest first. Every value is finite. */
export type Series = readonly number[];

/** Names of the built-in forecasting models. */
export type ForecastModelName =
  | "naive"
  | "seasonal_naive"
  | "linear_trend"
  | "holt_winters"
  | "holt_winters_damped"
  | "arima"
  | "auto"
  | (string & {});

/** Options of {@link Forecaster.fit}. */
export interface FitOptions {
  /**
   * Season length in steps (e.g. 48 for half-hourly data with a daily cycle). `1` or absent means no
   * seasonality; models that need one fall back to their non-seasonal form.
   */
  readonly period?: number;
  /**
   * Largest horizon {@link Forecaster.predict} will be asked for. Models that compute their forecast
   * at fit time (ARIMA in a worker) use it; the others ignore it. Default `2 * period`, at least 24.
   */
  readonly maxHorizon?: number;
  /** Cancels a long fit; the forecaster is left as it was before the call. */
  readonly signal?: AbortSignal;
}

/** Options of {@link Forecaster.predict}. */
export interface PredictOptions {
  /** Coverage of the prediction interval, in (0, 1). Default 0.95. */
  readonly level?: number;
}

/** Why a model's own forecast was replaced by a simpler one. */
export interface ForecastFallback {
  /** The model that was asked for. */
  readonly from: string;
  /** The model that produced the forecast instead. */
  readonly to: string;
  /** What went wrong, in a sentence (crash, timeout, non-finite or implausible values, ...). */
  readonly reason: string;
}

/**
 * A forecast of the next `mean.length` steps. Invariants: every number is finite and
 * `lower[i] <= mean[i] <= upper[i]`.
 */
export interface Forecast {
  readonly mean: readonly number[];
  readonly lower: readonly number[];
  readonly upper: readonly number[];
  /** Interval coverage the bounds were computed for. */
  readonly level: number;
  /** The model that produced these numbers (after any fallback). */
  readonly model: string;
  /** Set when the requested model's forecast was rejected and replaced. */
  readonly fallback?: ForecastFallback;
}

/** What a fit did. */
export interface FitReport {
  /** The model now fitted (after any fallback). */
  readonly model: string;
  /** Points the model was fitted on (long series are windowed to their most recent part). */
  readonly points: number;
  /** Set when the requested model could not be fitted and a simpler one took over. */
  readonly fallback?: ForecastFallback;
  /** For automatic model choice: every candidate's backtest score (mean MASE), best first. */
  readonly candidates?: readonly CandidateScore[];
}

/** One candidate's score in an automatic model choice. */
export interface CandidateScore {
  readonly model: string;
  /** Mean MASE over the backtest origins (lower is better); `Infinity` when it failed. */
  readonly score: number;
}

/**
 * A forecasting model. Call {@link Forecaster.fit} (and await it) before {@link Forecaster.predict};
 * fitting again replaces the previous fit. A failed or cancelled fit leaves the previous fit in place.
 *
 * @example
 * ```ts
 * const model = new SeasonalNaiveForecaster();
 * await model.fit(history, { period: 48 });
 * const { mean, lower, upper } = model.predict(12, { level: 0.9 });
 * ```
 */
export interface Forecaster {
  /** The model's name, e.g. `"seasonal_naive"`. */
  readonly name: ForecastModelName;
  /** Fits the model on `series`. */
  fit(series: Series, options?: FitOptions): Promise<FitReport>;
  /** Forecasts the next `horizon` steps after the fitted series. Throws if nothing is fitted yet. */
  predict(horizon: number, options?: PredictOptions): Forecast;
}

/** A forecaster that fits synchronously (everything but the worker-backed ARIMA). */
export interface SyncForecaster extends Forecaster {
  /** Same as {@link Forecaster.fit}, without the promise. */
  fitSync(series: Series, options?: Omit<FitOptions, "signal">): FitReport;
}

/** Schema of a series: at least one finite number. */
export const seriesSchema = z.array(z.number().finite()).min(1, "series must hold at least one value");

/** Schema of {@link FitOptions} (the signal is checked separately). */
export const fitOptionsSchema = z.object({
  period: z.number().int().min(1).max(100_000).optional(),
  maxHorizon: z.number().int().min(1).max(100_000).optional(),
  signal: z.instanceof(AbortSignal).optional(),
});

/** Schema of {@link PredictOptions}. */
export const predictOptionsSchema = z.object({
  level: z.number().gt(0).lt(1).optional(),
});

/** Schema of a horizon: a positive integer number of steps. */
export const horizonSchema = z.number().int().min(1).max(100_000);

/** Schema of {@link Forecast}, for node outputs and wire formats. */
export const forecastSchema = z.object({
  mean: z.array(z.number()),
  lower: z.array(z.number()),
  upper: z.array(z.number()),
  level: z.number(),
  model: z.string(),
  fallback: z.object({ from: z.string(), to: z.string(), reason: z.string() }).optional(),
});

/** Default interval coverage. */
export const DEFAULT_LEVEL = 0.95;
