/**
 * A forecast-residual view of a stream: how far each sample lands from the forecasting engine's
 * one-step Holt-Winters forecast, for the likelihood stage of {@link RobustLikelihoodDetector} to
 * calibrate as it does the other views (after Numenta's anomaly likelihood: a raw score judged
 * against its own history, so a series the model always misses stops alarming).
 *
 * The model is the engine's {@link HoltWintersForecaster} (additive season, damped trend; Hyndman &
 * Athanasopoulos, *Forecasting: Principles and Practice*, 3rd ed., §8.3). It is fitted on the first
 * `warmup` samples, then run online with {@link holtWintersStep}, one O(1) step a sample with the
 * fitted parameters. A season needs two full periods to fit, so the first fit is usually the
 * non-seasonal form; the view refits once as soon as `2 × period + 1` samples are held, and then every
 * `refit` samples, on the last `seasons` periods only. State is that buffer, one season and a few
 * numbers: it does not grow with the series, and a refit costs O(buffer) recursion runs at most every
 * `refit` samples.
 *
 * The raw score is the absolute one-step residual in units of the fit's one-step RMSE, capped at
 * `maxZ`: the likelihood's floor on the spread of its history is in raw units, so residuals in the
 * series' own units would be drowned on a series of small values and oversensitive on one of large
 * values. Steps are counted in samples, so a gap in the sampling shifts the season's phase until the
 * next refit.
 *
 * @module
 */
import { z } from "zod";
import { ValidationError } from "../core/errors.js";
import { parseWith } from "../core/validation.js";
import { HoltWintersForecaster, holtWintersStep, recursionFrom, type HoltWintersParameters, type HoltWintersRecursion } from "../forecast/holt-winters.js";

/** Settings of a {@link ForecastResidualView}; counts are in samples. */
export const forecastViewOptionsSchema = z.object({
  /** Season length (a day's worth of samples); 0 or 1 fits no season. */
  period: z.number().int().min(0).max(100_000).default(0),
  /** Samples the first fit is made on; the view scores nothing before them. */
  warmup: z.number().int().min(4).max(100_000).default(60),
  /** Periods of history a seasonal refit sees (without a season: this many times `warmup` samples). */
  seasons: z.number().int().min(2).max(8).default(3),
  /** Samples between refits once the first seasonal fit is made; 0 never refits after it. */
  refit: z.number().int().min(0).default(0),
  /** Largest raw score, so one absurd residual does not dominate the likelihood's history. */
  maxZ: z.number().positive().default(30),
});

export type ForecastViewOptions = z.input<typeof forecastViewOptionsSchema>;

/**
 * Online one-step Holt-Winters residuals.
 *
 * @example
 * ```ts
 * const view = new ForecastResidualView({ period: 288 });
 * for (const value of values) {
 *   const raw = view.update(value); // undefined while warming up, else ≥ 0 (residual / RMSE)
 * }
 * ```
 */
export class ForecastResidualView {
  private readonly options: z.output<typeof forecastViewOptionsSchema>;
  private readonly period: number;
  private readonly forecaster = new HoltWintersForecaster({ damped: true, criterion: "mse" });
  /** The last samples, a ring: what the next refit is made on. */
  private readonly buffer: Float64Array;
  private held = 0;
  private next = 0;
  private seen = 0;
  private sinceFit = 0;
  private seasonalFit = false;
  private state: HoltWintersRecursion | undefined;
  private parameters: HoltWintersParameters | undefined;
  private sigma = 0;

  constructor(options: ForecastViewOptions = {}) {
    this.options = parseWith(forecastViewOptionsSchema, options, "options");
    const { period, warmup, seasons } = this.options;
    this.period = period > 1 ? period : 1;
    this.buffer = new Float64Array(this.period > 1 ? Math.max(warmup, seasons * this.period, 2 * this.period + 1) : seasons * warmup);
  }

  /** Number of values the view holds, fixed at construction: its state does not grow with the series. */
  get stateSize(): number {
    return this.buffer.length + (this.state?.season.length ?? 0);
  }

  /** Whether the current fit has a season. */
  get seasonal(): boolean {
    return this.seasonalFit;
  }

  /** Takes the next sample; returns its raw score, or `undefined` before the first fit. Throws a {@link ValidationError} on a non-finite value. */
  update(value: number): number | undefined {
    // One non-finite value would poison the level for good.
    if (!Number.isFinite(value)) throw ValidationError.of("value", "must be a finite number");
    this.seen++;
    let raw: number | undefined;
    const { state, parameters } = this;
    if (state !== undefined && parameters !== undefined) {
      const error = holtWintersStep(state, value, parameters);
      const scale = Math.max(this.sigma, 1e-3 * Math.abs(state.level), 1e-9);
      raw = Math.min(this.options.maxZ, Math.abs(error) / scale);
    }
    this.remember(value);
    this.sinceFit++;
    if (this.due()) this.fit();
    return raw;
  }

  private remember(value: number): void {
    this.buffer[this.next] = value;
    this.next = this.next + 1 === this.buffer.length ? 0 : this.next + 1;
    if (this.held < this.buffer.length) this.held++;
  }

  private due(): boolean {
    const { warmup, refit } = this.options;
    if (this.state === undefined) return this.seen >= warmup;
    if (this.period > 1 && !this.seasonalFit) return this.held >= 2 * this.period + 1;
    return refit > 0 && this.sinceFit >= refit;
  }

  /** Fits on the buffer, oldest first; the fitted state ends at the newest sample, so stepping resumes. */
  private fit(): void {
    const held = this.held;
    const size = this.buffer.length;
    const series = new Array<number>(held);
    for (let i = 0; i < held; i++) series[i] = this.buffer[(this.next - held + i + size) % size] as number;
    this.forecaster.fitSync(series, { period: this.period });
    const fit = this.forecaster.lastFit;
    if (fit === undefined) return;
    this.state = recursionFrom(fit);
    this.parameters = fit.parameters;
    this.sigma = fit.sigma;
    this.seasonalFit = fit.period > 1;
    this.sinceFit = 0;
  }
}
