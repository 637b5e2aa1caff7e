/**
 * Naive and seasonal-naive forecasts: repeat the last value, or the value one season ago. They are
 * the baselines every other model is scored against (MASE divides by the seasonal-naive error), and
 * the fallback when a richer model fails.
 *
 * Intervals follow Hyndman & Athanasopoulos, *Forecasting: Principles and Practice* (3rd ed., §5.5):
 * with residual standard deviation σ, the h-step sd is σ√h for naive and σ√(k+1) for seasonal-naive,
 * where k = ⌊(h−1)/m⌋ is the number of whole seasons in the horizon.
 *
 * @module
 */
import { NotFittedError } from "./errors.js";
import { buildForecast, checkFit, checkPredict, requireFitted, residualScale } from "./support.js";
import type { FitOptions, FitReport, Forecast, PredictOptions, Series, SyncForecaster } from "./types.js";

interface SeasonalFit {
  /** The last `period` values (or fewer when the series is shorter than a season). */
  readonly lastSeason: readonly number[];
  readonly period: number;
  readonly sigma: number;
}

function fitSeasonal(series: readonly number[], period: number): SeasonalFit {
  const m = Math.min(period, series.length);
  const residuals: number[] = [];
  for (let t = m; t < series.length; t++) residuals.push((series[t] ?? 0) - (series[t - m] ?? 0));
  return { lastSeason: series.slice(series.length - m), period: m, sigma: residualScale(residuals) };
}

function predictSeasonal(fit: SeasonalFit, horizon: number, seasonal: boolean): { mean: number[]; sd: number[] } {
  const mean: number[] = [];
  const sd: number[] = [];
  const m = fit.period;
  for (let h = 1; h <= horizon; h++) {
    mean.push(fit.lastSeason[(h - 1) % m] ?? 0);
    const steps = seasonal ? Math.floor((h - 1) / m) + 1 : h;
    sd.push(fit.sigma * Math.sqrt(steps));
  }
  return { mean, sd };
}

/**
 * Seasonal-naive: the forecast for step h is the value one season before it. With `period` 1 (or
 * absent) it is the naive forecast.
 *
 * @example
 * ```ts
 * const model = new SeasonalNaiveForecaster();
 * model.fitSync([1, 5, 2, 6, 3, 7], { period: 2 });
 * model.predict(2).mean; // [3, 7]
 * ```
 */
export class SeasonalNaiveForecaster implements SyncForecaster {
  readonly name = "seasonal_naive";
  private fitted: SeasonalFit | undefined;

  async fit(series: Series, options: FitOptions = {}): Promise<FitReport> {
    return this.fitSync(series, options);
  }

  fitSync(series: Series, options: Omit<FitOptions, "signal"> = {}): FitReport {
    const input = checkFit(series, options);
    this.fitted = fitSeasonal(input.series, input.period);
    return { model: this.name, points: input.series.length };
  }

  predict(horizon: number, options: PredictOptions = {}): Forecast {
    const { horizon: h, level } = checkPredict(horizon, options);
    const fit = requireFitted(this.fitted, () => new NotFittedError(this.name));
    const { mean, sd } = predictSeasonal(fit, h, true);
    return buildForecast(this.name, mean, sd, level);
  }
}

/**
 * Naive: every future step equals the last observed value; the interval widens as σ√h.
 *
 * @example
 * ```ts
 * const model = new NaiveForecaster();
 * model.fitSync([3, 4, 5]);
 * model.predict(2).mean; // [5, 5]
 * ```
 */
export class NaiveForecaster implements SyncForecaster {
  readonly name = "naive";
  private fitted: SeasonalFit | undefined;

  async fit(series: Series, options: FitOptions = {}): Promise<FitReport> {
    return this.fitSync(series, options);
  }

  fitSync(series: Series, options: Omit<FitOptions, "signal"> = {}): FitReport {
    const input = checkFit(series, options);
    this.fitted = fitSeasonal(input.series, 1);
    return { model: this.name, points: input.series.length };
  }

  predict(horizon: number, options: PredictOptions = {}): Forecast {
    const { horizon: h, level } = checkPredict(horizon, options);
    const fit = requireFitted(this.fitted, () => new NotFittedError(this.name));
    const { mean, sd } = predictSeasonal(fit, h, false);
    return buildForecast(this.name, mean, sd, level);
  }
}

/** The seasonal-naive forecast of `series`, as a one-shot function (used for fallbacks). */
export function seasonalNaiveForecast(series: readonly number[], period: number, horizon: number, level: number): Forecast {
  const fit = fitSeasonal(series, Math.max(1, period));
  const { mean, sd } = predictSeasonal(fit, horizon, true);
  return buildForecast("seasonal_naive", mean, sd, level);
}
