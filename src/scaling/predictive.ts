/**
 * {@link PredictivePlanner}: capacity from a demand forecast, launched a lead time ahead.
 *
 * The plan looks at the forecast from `leadTimeMs` to `leadTimeMs + windowMs` ahead (capacity started
 * now is ready then), takes the peak of the chosen bound (mean or upper), adds a buffer and converts
 * it to instances. Like AWS predictive scaling, a forecast never removes capacity by itself: the
 * target is never below what the observed demand needs, so capacity goes down only when observed
 * demand has gone down too. A forecast whose interval is too wide (confidence below the threshold) is
 * not acted on. Zero forecast demand is a legitimate answer: zero instances (or the minimum).
 *
 * @module
 */
import { z } from "zod";
import { ValidationError } from "../core/errors.js";
import { parseWith } from "../core/validation.js";
import type { Forecast, SyncForecaster } from "../forecast/types.js";
import { instancesFor, intervalConfidence } from "./decisions.js";

/** Settings of the planner. Durations in ms; history is one demand value per step. */
export const predictiveConfigSchema = z.object({
  stepMs: z.number().int().positive().default(60_000),
  /** Season length in steps (e.g. 1440 for a daily cycle at one-minute steps); absent = none. */
  period: z.number().int().min(2).optional(),
  leadTimeMs: z.number().int().min(0).default(120_000),
  /** How long past the lead time the capacity must cover. */
  windowMs: z.number().int().positive().default(60_000),
  /** Extra share on top of the forecast. */
  buffer: z.number().min(0).max(10).default(0.1),
  bound: z.enum(["mean", "upper"]).default("upper"),
  /** Coverage of the forecast interval. */
  level: z.number().gt(0).lt(1).default(0.8),
  confidenceThreshold: z.number().min(0).max(1).default(0.5),
  /** Steps of history needed before forecasting (default: two seasons, or 8 steps). */
  minHistory: z.number().int().min(2).optional(),
  /** Refit after this many new steps; in between, the last fit's forecast is read further along. */
  refitEvery: z.number().int().min(1).default(1),
  /** Most recent steps the model sees. */
  maxHistory: z.number().int().min(8).default(4032),
});
/** What a caller may pass as planner settings. */
export type PredictiveConfigInput = z.input<typeof predictiveConfigSchema>;
/** Resolved planner settings. */
export type PredictiveConfig = z.output<typeof predictiveConfigSchema>;

/** A plan: target instances and the forecast behind it. */
export interface PredictivePlan {
  readonly target: number;
  /** Whether the forecast was used (history long enough and confident enough). */
  readonly applied: boolean;
  /** Demand the target was sized for. */
  readonly demand: number;
  readonly forecast?: { readonly mean: number; readonly lower: number; readonly upper: number };
  readonly confidence: number;
  readonly reason: string;
}

/**
 * @example
 * ```ts
 * const planner = new PredictivePlanner({ stepMs: 300_000, period: 288, leadTimeMs: 600_000 }, new HoltWintersForecaster());
 * const plan = planner.plan(demandPerFiveMinutes, observedNow, 50); // 50 = demand one instance handles
 * plan.target; // instances to have running 10 minutes from now
 * ```
 */
export class PredictivePlanner {
  readonly config: PredictiveConfig;
  private cached: { length: number; last: number; forecast: Forecast } | undefined;

  constructor(
    config: PredictiveConfigInput,
    private readonly forecaster: SyncForecaster,
  ) {
    this.config = parseWith(predictiveConfigSchema, config, "config");
  }

  /** Steps of history needed before the planner forecasts. */
  get minHistory(): number {
    return this.config.minHistory ?? (this.config.period === undefined ? 8 : 2 * this.config.period);
  }

  /**
   * Forecast of the next `steps` steps after `history` (fitted now, or read along the last fit when a
   * refit is not yet due). Undefined while the history is too short.
   */
  forecast(history: readonly number[], steps: number): Forecast | undefined {
    if (!Number.isInteger(steps) || steps < 1) throw ValidationError.of("steps", `must be an integer >= 1, got ${String(steps)}`);
    if (history.length < this.minHistory) return undefined;
    const c = this.config;
    const last = history[history.length - 1] ?? 0;
    const stale = this.cached === undefined || history.length < this.cached.length || history.length - this.cached.length >= c.refitEvery;
    const offset = stale ? 0 : history.length - (this.cached?.length ?? 0);
    if (stale || (this.cached?.forecast.mean.length ?? 0) < offset + steps) {
      const window = history.slice(Math.max(0, history.length - c.maxHistory));
      const horizon = Math.max(steps, c.refitEvery + steps);
      this.forecaster.fitSync(window, c.period === undefined ? { maxHorizon: horizon } : { period: c.period, maxHorizon: horizon });
      this.cached = { length: history.length, last, forecast: this.forecaster.predict(horizon, { level: c.level }) };
      return slice(this.cached.forecast, 0, steps);
    }
    const cached = this.cached;
    if (cached === undefined) return undefined;
    return slice(cached.forecast, offset, steps);
  }

  /**
   * Plans capacity for `history` (demand per step, oldest first) given the demand observed now;
   * `confidenceThreshold` overrides the configured one (the scaler passes its learned threshold).
   */
  plan(history: readonly number[], observed: number, perInstance: number, confidenceThreshold = this.config.confidenceThreshold): PredictivePlan {
    if (!Number.isFinite(observed) || observed < 0) throw ValidationError.of("observed", `must be a finite number >= 0, got ${String(observed)}`);
    if (!(perInstance > 0)) throw ValidationError.of("perInstance", `must be > 0, got ${String(perInstance)}`);
    const c = this.config;
    const observedNeed = instancesFor(observed, perInstance);
    const from = Math.max(1, Math.ceil(c.leadTimeMs / c.stepMs));
    const to = Math.max(from, Math.ceil((c.leadTimeMs + c.windowMs) / c.stepMs));
    const forecast = this.forecast(history, to);
    if (forecast === undefined) {
      return { target: observedNeed, applied: false, demand: observed, confidence: 0, reason: `history of ${history.length} steps is shorter than the ${this.minHistory} needed; sized on observed demand` };
    }
    let peakIndex = from - 1;
    for (let i = from - 1; i < to; i++) {
      const value = (c.bound === "upper" ? forecast.upper[i] : forecast.mean[i]) ?? 0;
      const best = (c.bound === "upper" ? forecast.upper[peakIndex] : forecast.mean[peakIndex]) ?? 0;
      if (value > best) peakIndex = i;
    }
    const mean = Math.max(0, forecast.mean[peakIndex] ?? 0);
    const lower = Math.max(0, forecast.lower[peakIndex] ?? 0);
    const upper = Math.max(0, forecast.upper[peakIndex] ?? 0);
    const confidence = intervalConfidence(mean, lower, upper);
    const demand = (c.bound === "upper" ? upper : mean) * (1 + c.buffer);
    const summary = { mean, lower, upper };
    if (confidence < confidenceThreshold) {
      return { target: observedNeed, applied: false, demand: observed, forecast: summary, confidence, reason: `forecast confidence ${confidence.toFixed(2)} is below ${confidenceThreshold.toFixed(2)}; sized on observed demand` };
    }
    const forecastNeed = instancesFor(demand, perInstance);
    const target = Math.max(forecastNeed, observedNeed);
    const reason =
      forecastNeed >= observedNeed
        ? `forecast ${c.bound} ${upper.toFixed(2)} (+${Math.round(c.buffer * 100)} %) ${c.leadTimeMs / 1000} s ahead needs ${forecastNeed}`
        : `forecast needs only ${forecastNeed}, but a forecast never scales in below observed demand (${observedNeed})`;
    return { target, applied: true, demand: Math.max(demand, observed), forecast: summary, confidence, reason };
  }
}

function slice(forecast: Forecast, offset: number, steps: number): Forecast {
  const cut = (xs: readonly number[]): number[] => xs.slice(offset, offset + steps).map((x) => Math.max(0, x));
  return { ...forecast, mean: cut(forecast.mean), lower: cut(forecast.lower), upper: cut(forecast.upper) };
}
