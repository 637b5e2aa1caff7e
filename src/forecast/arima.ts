/**
 * ARIMA and SARIMA forecasts through the `arima` package (a WebAssembly build of ctsa), contained:
 *
 * - fits run in a worker thread ({@link ArimaWorkerHost}), replaced after a crash, a timeout or a
 *   cancellation, so the caller's event loop never blocks and a crash never propagates;
 * - long series are windowed to their most recent `maxPoints` values (default 4000; `arima` 0.2.8
 *   crashes above roughly 8000 points);
 * - every forecast is validated (finite values and variances, means within `rangeMultiple` times the
 *   history's range) and otherwise replaced by seasonal-naive, with the reason in
 *   {@link FitReport.fallback} and {@link Forecast.fallback};
 * - models are always `destroy()`ed in the worker.
 *
 * This module starts worker threads; it is deliberately not re-exported from the forecasting entry.
 *
 * @module
 */
import { z } from "zod";
import type { Clock } from "../core/clock.js";
import { CancelledError, ValidationError, errorMessage } from "../core/errors.js";
import { parseWith } from "../core/validation.js";
import { ArimaWorkerHost, type ArimaOrders } from "./arima-host.js";
import { NotFittedError } from "./errors.js";
import { SeasonalNaiveForecaster } from "./seasonal-naive.js";
import { buildForecast, checkFit, checkPredict, implausibility } from "./support.js";
import type { FitOptions, FitReport, Forecast, ForecastFallback, Forecaster, PredictOptions, Series } from "./types.js";

export { ArimaWorkerHost, type ArimaJob, type ArimaOrders, type ArimaOutput, type ArimaWorkerHostOptions } from "./arima-host.js";

/** Settings of {@link ArimaForecaster}. */
export interface ArimaForecasterOptions {
  /**
   * Non-seasonal order (p, d, q); default (2, 0, 1): on the deseasonalised first half of NAB nyc_taxi
   * it beat (2, 1, 1), (1, 0, 1) and (1, 1, 1) at a 6-hour horizon.
   */
  readonly order?: readonly [number, number, number];
  /**
   * Seasonal order (P, D, Q) with the fit's `period` as season length, fitted by `arima` itself
   * (SARIMA). Absent (the default): with a period, the per-phase means are removed before fitting and
   * added back to the forecast, which `arima` handles more reliably than its seasonal fits.
   */
  readonly seasonalOrder?: readonly [number, number, number];
  /** AutoARIMA (orders become search bounds); slow: seconds per fit on a thousand points. */
  readonly auto?: boolean;
  /** Window long series to their most recent values (default 4000, at most 8000). */
  readonly maxPoints?: number;
  /** Time limit of one fit, ms (default 30 000). */
  readonly timeoutMs?: number;
  /** A forecast beyond this many times the history's range is rejected (default 10). */
  readonly rangeMultiple?: number;
  /** Shared worker host; by default the forecaster starts and owns its own. */
  readonly host?: ArimaWorkerHost;
  /** Clock for the timeout of an owned host (default the system clock). */
  readonly clock?: Clock;
}

const order = z.tuple([z.number().int().min(0).max(5), z.number().int().min(0).max(2), z.number().int().min(0).max(5)]);
const optionsSchema = z.object({
  order: order.optional(),
  seasonalOrder: order.optional(),
  auto: z.boolean().optional(),
  maxPoints: z.number().int().min(8).max(8000).optional(),
  timeoutMs: z.number().positive().optional(),
  rangeMultiple: z.number().positive().optional(),
  host: z.instanceof(ArimaWorkerHost).optional(),
  clock: z.custom<Clock>((v) => typeof v === "object" && v !== null && "now" in v && "setTimer" in v, "clock must implement Clock").optional(),
});

type ArimaFit =
  | { readonly kind: "arima"; readonly mean: readonly number[]; readonly sd: readonly number[] }
  | { readonly kind: "fallback"; readonly model: SeasonalNaiveForecaster; readonly fallback: ForecastFallback };

/** Per-phase means of `y`, phase 0 being the step after the last value. */
function phaseMeans(y: readonly number[], period: number): number[] {
  const sums = new Array<number>(period).fill(0);
  const counts = new Array<number>(period).fill(0);
  const n = y.length;
  for (let t = 0; t < n; t++) {
    const phase = (((t - n) % period) + period) % period;
    sums[phase] = (sums[phase] ?? 0) + (y[t] ?? 0);
    counts[phase] = (counts[phase] ?? 0) + 1;
  }
  const overall = y.reduce((a, b) => a + b, 0) / Math.max(1, n);
  return sums.map((sum, p) => sum / Math.max(1, counts[p] ?? 1) - overall);
}

/**
 * ARIMA / SARIMA in a worker thread, with windowing, validation and a seasonal-naive fallback.
 * `fit` computes the forecast up to `maxHorizon` steps; `predict` then serves any horizon up to it.
 *
 * @example
 * ```ts
 * await using model = new ArimaForecaster({ order: [2, 1, 1] });
 * const report = await model.fit(series, { period: 48, maxHorizon: 48 });
 * if (report.fallback) console.warn(report.fallback.reason);
 * model.predict(12, { level: 0.9 });
 * ```
 */
export class ArimaForecaster implements Forecaster {
  readonly name = "arima";
  private readonly settings: z.output<typeof optionsSchema>;
  private readonly ownsHost: boolean;
  private host: ArimaWorkerHost | undefined;
  private fitted: ArimaFit | undefined;

  constructor(options: ArimaForecasterOptions = {}) {
    this.settings = parseWith(optionsSchema, options, "options");
    this.host = this.settings.host;
    this.ownsHost = this.settings.host === undefined;
  }

  async fit(series: Series, options: FitOptions = {}): Promise<FitReport> {
    const input = checkFit(series, options);
    const maxPoints = this.settings.maxPoints ?? 4000;
    const y = input.series.slice(Math.max(0, input.series.length - maxPoints));
    const period = input.period;
    const horizon = input.maxHorizon;
    const seasonal = this.settings.seasonalOrder;
    const removeSeason = seasonal === undefined && period > 1 && y.length >= 2 * period;
    const profile = removeSeason ? phaseMeans(y, period) : [];
    const target = removeSeason ? y.map((v, t) => v - (profile[(((t - y.length) % period) + period) % period] ?? 0)) : y;
    const [p, d, q] = this.settings.order ?? [2, 0, 1];
    const orders: ArimaOrders =
      seasonal === undefined || period <= 1
        ? { p, d, q, ...(this.settings.auto === true ? { auto: true } : {}) }
        : { p, d, q, P: seasonal[0], D: seasonal[1], Q: seasonal[2], s: period, ...(this.settings.auto === true ? { auto: true } : {}) };
    let reason: string;
    try {
      const output = await this.workerHost().run(
        { series: target, options: orders, horizon },
        { ...(this.settings.timeoutMs === undefined ? {} : { timeoutMs: this.settings.timeoutMs }), ...(options.signal === undefined ? {} : { signal: options.signal }) },
      );
      const mean = output.mean.map((v, i) => v + (removeSeason ? (profile[i % period] ?? 0) : 0));
      const badVariance = output.variance.findIndex((v) => !Number.isFinite(v) || v < 0);
      const problem = mean.length < horizon ? `arima returned ${mean.length} of ${horizon} steps` : (implausibility(mean, y, this.settings.rangeMultiple ?? 10) ?? (badVariance >= 0 ? `variance of step ${badVariance + 1} is not a finite non-negative number (${String(output.variance[badVariance])})` : undefined));
      if (problem === undefined) {
        this.fitted = { kind: "arima", mean, sd: output.variance.map((v) => Math.sqrt(v)) };
        return { model: this.name, points: y.length };
      }
      reason = problem;
    } catch (error) {
      if (error instanceof CancelledError || options.signal?.aborted) throw error;
      reason = errorMessage(error);
    }
    const model = new SeasonalNaiveForecaster();
    model.fitSync(y, { period });
    const fallback: ForecastFallback = { from: this.name, to: model.name, reason };
    this.fitted = { kind: "fallback", model, fallback };
    return { model: model.name, points: y.length, fallback };
  }

  predict(horizon: number, options: PredictOptions = {}): Forecast {
    const { horizon: h, level } = checkPredict(horizon, options);
    const fit = this.fitted;
    if (fit === undefined) throw new NotFittedError(this.name);
    if (fit.kind === "fallback") return { ...fit.model.predict(h, { level }), fallback: fit.fallback };
    if (h > fit.mean.length) {
      throw ValidationError.of("horizon", `ARIMA was fitted for at most ${fit.mean.length} steps (the fit's maxHorizon), got ${h}`, "beyond_max_horizon");
    }
    return buildForecast(this.name, fit.mean.slice(0, h), fit.sd.slice(0, h), level);
  }

  /** Stops the worker if this forecaster owns it; a fitted forecast stays usable. */
  async close(): Promise<void> {
    const host = this.host;
    if (this.ownsHost && host !== undefined) {
      this.host = undefined;
      await host.close();
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private workerHost(): ArimaWorkerHost {
    this.host ??= new ArimaWorkerHost({ ...(this.settings.clock === undefined ? {} : { clock: this.settings.clock }), ...(this.settings.timeoutMs === undefined ? {} : { timeoutMs: this.settings.timeoutMs }) });
    return this.host;
  }
}
