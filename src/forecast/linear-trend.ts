/**
 * Linear trend forecast: an ordinary least-squares line through the recent history
 * (`simple-statistics` `linearRegression`), plus, when a season length is given, the mean residual of
 * each phase of the season (seasonal dummies). Intervals use the regression prediction variance
 * σ²(1 + 1/n + (x − x̄)²/Sxx).
 *
 * @module
 */
import { linearRegression, linearRegressionLine } from "simple-statistics";
import { z } from "zod";
import { parseWith } from "../core/validation.js";
import { NotFittedError } from "./errors.js";
import { buildForecast, checkFit, checkPredict, requireFitted, residualScale } from "./support.js";
import type { FitOptions, FitReport, Forecast, PredictOptions, Series, SyncForecaster } from "./types.js";

/** Settings of {@link LinearTrendForecaster}. */
export interface LinearTrendOptions {
  /** Fit on at most this many most recent points (default: all). */
  readonly window?: number;
  /** Add per-phase seasonal means when a period is given and at least two seasons are present (default true). */
  readonly seasonal?: boolean;
}

const optionsSchema = z.object({ window: z.number().int().min(2).optional(), seasonal: z.boolean().optional() });

interface TrendFit {
  readonly n: number;
  readonly line: (x: number) => number;
  readonly meanX: number;
  readonly sxx: number;
  readonly sigma: number;
  /** Seasonal offsets by phase; empty when not seasonal. */
  readonly phases: readonly number[];
}

/**
 * Least-squares linear trend with optional seasonal offsets.
 *
 * @example
 * ```ts
 * const model = new LinearTrendForecaster();
 * model.fitSync([1, 2, 3, 4]);
 * model.predict(2).mean; // [5, 6]
 * ```
 */
export class LinearTrendForecaster implements SyncForecaster {
  readonly name = "linear_trend";
  private readonly settings: Required<LinearTrendOptions>;
  private fitted: TrendFit | undefined;

  constructor(options: LinearTrendOptions = {}) {
    const parsed = parseWith(optionsSchema, options, "options");
    this.settings = { window: parsed.window ?? Number.MAX_SAFE_INTEGER, seasonal: parsed.seasonal ?? true };
  }

  async fit(series: Series, options: FitOptions = {}): Promise<FitReport> {
    return this.fitSync(series, options);
  }

  fitSync(series: Series, options: Omit<FitOptions, "signal"> = {}): FitReport {
    const input = checkFit(series, options);
    const values = input.series.slice(Math.max(0, input.series.length - this.settings.window));
    const n = values.length;
    const points = values.map((y, x): [number, number] => [x, y]);
    const line = n === 1 ? () => values[0] ?? 0 : linearRegressionLine(linearRegression(points));
    const residuals = values.map((y, x) => y - line(x));
    const m = input.period;
    const phases: number[] = [];
    if (this.settings.seasonal && m > 1 && n >= 2 * m) {
      const sums = new Array<number>(m).fill(0);
      const counts = new Array<number>(m).fill(0);
      // Phase of index x is counted from the end, so phase 0 is the step right after the history.
      for (let x = 0; x < n; x++) {
        const phase = (((x - n) % m) + m) % m;
        sums[phase] = (sums[phase] ?? 0) + (residuals[x] ?? 0);
        counts[phase] = (counts[phase] ?? 0) + 1;
      }
      for (let p = 0; p < m; p++) phases.push((sums[p] ?? 0) / Math.max(1, counts[p] ?? 1));
      for (let x = 0; x < n; x++) residuals[x] = (residuals[x] ?? 0) - (phases[(((x - n) % m) + m) % m] ?? 0);
    }
    const meanX = (n - 1) / 2;
    let sxx = 0;
    for (let x = 0; x < n; x++) sxx += (x - meanX) ** 2;
    this.fitted = { n, line, meanX, sxx, sigma: residualScale(residuals), phases };
    return { model: this.name, points: n };
  }

  predict(horizon: number, options: PredictOptions = {}): Forecast {
    const { horizon: h, level } = checkPredict(horizon, options);
    const fit = requireFitted(this.fitted, () => new NotFittedError(this.name));
    const mean: number[] = [];
    const sd: number[] = [];
    const m = fit.phases.length;
    for (let step = 0; step < h; step++) {
      const x = fit.n + step;
      mean.push(fit.line(x) + (m > 0 ? (fit.phases[step % m] ?? 0) : 0));
      const leverage = fit.sxx > 0 ? (x - fit.meanX) ** 2 / fit.sxx : 0;
      sd.push(fit.sigma * Math.sqrt(1 + 1 / fit.n + leverage));
    }
    return buildForecast(this.name, mean, sd, level);
  }
}
