/**
 * Predictive capacity policies for the replay, built from the warmer's parts:
 *
 * - {@link idleHistogramPolicy}: *Serverless in the Wild*'s hybrid histogram policy for one
 *   application — after the application goes idle, no instance until the pre-warm point, one warm
 *   instance until the keep-alive point (windows from {@link idleTimePolicy}, recomputed as idle times
 *   accumulate);
 * - {@link hybridWarmingPolicy}: the histogram policy owns the first instance (is the application
 *   loaded at all?); instances beyond it come from the larger of a forecast of the per-bucket peak
 *   concurrency (upper bound of its prediction interval) and the peak held over a short window.
 *
 * @module
 */
import { z } from "zod";
import { parseWith } from "../core/validation.js";
import { HoltWintersForecaster } from "../forecast/holt-winters.js";
import { SeasonalNaiveForecaster } from "../forecast/seasonal-naive.js";
import type { SyncForecaster } from "../forecast/types.js";
import { idleTimePolicy, idleTimePolicyOptionsSchema, type IdleTimePolicyOptions, type IdleTimeWindow } from "./idle-histogram.js";
import type { CapacityPolicy, ReplayView } from "./replay-types.js";

function busy(view: ReplayView): number {
  return view.instances.filter((i) => i.active > 0).length;
}

/** Tracks idle periods (no request in flight) and the window the histogram policy gives. */
class IdleTracker {
  private readonly idleTimes: number[] = [];
  private idleSince: number | undefined;
  private started = false;
  private window: IdleTimeWindow | undefined;
  private dirty = true;

  constructor(
    private readonly options: IdleTimePolicyOptions,
    private readonly maxSamples: number,
  ) {}

  reset(start: number): void {
    this.idleTimes.length = 0;
    this.idleSince = start;
    this.started = false;
    this.window = undefined;
    this.dirty = true;
  }

  onArrival(at: number, inFlightBefore: number): void {
    // The time before the first arrival is not an idle time: the application had never run.
    if (this.started && inFlightBefore === 0 && this.idleSince !== undefined) {
      this.idleTimes.push(at - this.idleSince);
      if (this.idleTimes.length > this.maxSamples) this.idleTimes.shift();
      this.dirty = true;
    }
    this.idleSince = undefined;
    this.started = true;
  }

  onCompletion(at: number, inFlightAfter: number): void {
    if (inFlightAfter === 0) this.idleSince = at;
  }

  /** Instances the histogram policy wants now (0 or 1). */
  target(now: number): number {
    if (this.idleSince === undefined) return 1;
    if (!this.started) return 0;
    if (this.dirty) {
      this.window = this.idleTimes.length === 0 ? undefined : idleTimePolicy(this.idleTimes, this.options);
      this.dirty = false;
    }
    const w = this.window;
    if (w === undefined) return 0;
    const idle = now - this.idleSince;
    return idle >= w.prewarmMs && idle < w.keepAliveMs ? 1 : 0;
  }

  /** The current window, for reports. */
  current(): IdleTimeWindow | undefined {
    return this.window;
  }
}

/** Settings of {@link idleHistogramPolicy}. */
export interface IdleHistogramPolicyOptions extends IdleTimePolicyOptions {
  /** Idle times remembered (default 1000). */
  readonly maxSamples?: number;
}

/**
 * The hybrid histogram policy of *Serverless in the Wild* for one application: one warm instance
 * inside the [pre-warm, keep-alive] window after each idle start, none outside it (plus whatever is
 * serving).
 *
 * @example
 * ```ts
 * replayTrace(trace, idleHistogramPolicy(), { coldStartMs: 2000, tickMs: 10_000 });
 * ```
 */
export function idleHistogramPolicy(options: IdleHistogramPolicyOptions = {}): CapacityPolicy {
  const { maxSamples, ...idle } = options;
  parseWith(idleTimePolicyOptionsSchema, idle, "options");
  const tracker = new IdleTracker(idle, maxSamples ?? 1000);
  return {
    name: "idle-time histogram",
    reset: (start) => tracker.reset(start),
    observe: (event, view) => {
      if (event.type === "arrival") tracker.onArrival(event.at, view.inFlight - 1);
      else tracker.onCompletion(event.at, view.inFlight);
    },
    decide: (view) => ({ target: Math.max(busy(view), tracker.target(view.now)) }),
  };
}

/** Settings of {@link hybridWarmingPolicy}. */
export interface HybridWarmingPolicyOptions {
  /** Bucket of the peak-concurrency series, ms (default 60 000). */
  readonly bucketMs?: number;
  /** Buckets of history the forecaster is fitted on (default 120). */
  readonly historyBuckets?: number;
  /** Season of the peak-concurrency series in buckets (default 1: none). */
  readonly seasonBuckets?: number;
  /** Coverage of the forecast interval whose upper bound sizes the pool (default 0.9). */
  readonly level?: number;
  /** How long the recent peak concurrency is held, ms (default 120 000). */
  readonly holdMs?: number;
  /** Buckets between refits of the forecaster (default 5). */
  readonly refitEvery?: number;
  /** Settings of the idle-time histogram part. */
  readonly idleTime?: IdleTimePolicyOptions;
  /** Forecaster of the peak series (default damped Holt-Winters, seasonal-naive for short histories). */
  readonly forecaster?: (buckets: number) => SyncForecaster;
}

const hybridSchema = z.object({
  bucketMs: z.number().positive().optional(),
  historyBuckets: z.number().int().min(3).optional(),
  seasonBuckets: z.number().int().min(1).optional(),
  level: z.number().gt(0).lt(1).optional(),
  holdMs: z.number().min(0).optional(),
  refitEvery: z.number().int().min(1).optional(),
  idleTime: idleTimePolicyOptionsSchema.optional(),
});

/**
 * The hybrid warmer as a replay policy: the larger of the idle-time histogram's target, the forecast
 * of the next bucket's peak concurrency (upper interval bound, in instances) and the peak held over
 * `holdMs`.
 *
 * @example
 * ```ts
 * replayTrace(trace, hybridWarmingPolicy({ holdMs: 120_000, level: 0.9 }), { coldStartMs: 5000 });
 * ```
 */
export function hybridWarmingPolicy(options: HybridWarmingPolicyOptions = {}): CapacityPolicy {
  const o = parseWith(hybridSchema, options, "options");
  const bucketMs = o.bucketMs ?? 60_000;
  const historyBuckets = o.historyBuckets ?? 120;
  const season = o.seasonBuckets ?? 1;
  const level = o.level ?? 0.9;
  const holdMs = o.holdMs ?? 120_000;
  const refitEvery = o.refitEvery ?? 5;
  const makeForecaster =
    options.forecaster ?? ((n: number): SyncForecaster => (n >= Math.max(8, 2 * season + 1) ? new HoltWintersForecaster({ damped: true }) : new SeasonalNaiveForecaster()));
  const tracker = new IdleTracker(o.idleTime ?? {}, 1000);
  let peaks: number[] = [];
  let bucketStart = 0;
  let currentPeak = 0;
  let forecastTarget = 0;
  let ahead: readonly number[] = [];
  let sinceFit = 0;
  let recent: { at: number; inFlight: number }[] = [];
  let concurrencyPerInstance = 1;

  const roll = (now: number, inFlight: number): void => {
    while (now >= bucketStart + bucketMs) {
      peaks.push(currentPeak);
      if (peaks.length > historyBuckets) peaks = peaks.slice(peaks.length - historyBuckets);
      bucketStart += bucketMs;
      currentPeak = inFlight;
      sinceFit++;
      // Until concurrency has exceeded one instance in the window there is no pool beyond the first
      // instance to size, and the histogram alone decides.
      if (peaks.every((p) => p <= concurrencyPerInstance)) {
        ahead = [];
        forecastTarget = 0;
        continue;
      }
      if (peaks.length >= 3 && (sinceFit >= refitEvery || ahead.length === 0)) {
        // One fit serves the next `refitEvery` buckets: fitting every bucket costs more than it gains.
        const model = makeForecaster(peaks.length);
        model.fitSync(peaks, { period: Math.min(season, peaks.length), maxHorizon: refitEvery });
        ahead = model.predict(refitEvery, { level }).upper;
        sinceFit = 0;
      }
      forecastTarget = Math.max(0, ahead[Math.min(sinceFit, ahead.length - 1)] ?? 0);
    }
  };

  return {
    name: "hybrid warmer",
    reset: (start) => {
      tracker.reset(start);
      peaks = [];
      bucketStart = start;
      currentPeak = 0;
      forecastTarget = 0;
      ahead = [];
      sinceFit = 0;
      recent = [];
    },
    observe: (event, view) => {
      concurrencyPerInstance = view.options.concurrencyPerInstance;
      roll(event.at, view.inFlight);
      currentPeak = Math.max(currentPeak, view.inFlight);
      if (event.type === "arrival") {
        tracker.onArrival(event.at, view.inFlight - 1);
        recent.push({ at: event.at, inFlight: view.inFlight });
      } else tracker.onCompletion(event.at, view.inFlight);
    },
    decide: (view) => {
      roll(view.now, view.inFlight);
      while (recent.length > 0 && (recent[0]?.at ?? 0) < view.now - holdMs) recent.shift();
      let held = view.inFlight;
      for (const r of recent) held = Math.max(held, r.inFlight);
      const perInstance = view.options.concurrencyPerInstance;
      // Rounded, not ceiled: the interval's upper bound is already the cautious side.
      const forecast = Math.round(forecastTarget / perInstance);
      const hold = Math.ceil(held / perInstance);
      // The histogram owns the first instance (is the application loaded at all?); the forecast and
      // the held peak own the instances beyond it, so sparse traffic is not kept warm by rounding up.
      const pool = Math.max(forecast, hold);
      return { target: Math.max(busy(view), tracker.target(view.now), pool > 1 ? pool : 0) };
    },
  };
}
