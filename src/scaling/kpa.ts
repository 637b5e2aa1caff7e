/**
 * {@link KpaAutoscaler}: the Knative Pod Autoscaler's decider (knative/serving `pkg/autoscaler/scaling`)
 * and the scale-to-zero rules of its reconciler, on an injected time axis.
 *
 * Per evaluation, with `ready = max(1, readyPods)` and `target = targetConcurrency × targetUtilization`:
 * - stable and panic concurrency are bucket averages over the stable window and the panic window
 *   (`panicWindowPercentage` of it);
 * - desired pods `ceil(observed / target)` for each, clamped to `[floor(ready / maxScaleDownRate),
 *   ceil(ready × maxScaleUpRate)]`, and raised to `activationScale` when above zero;
 * - panic starts when `ceil(panic / target) / ready ≥ panicThreshold`, is extended while that holds,
 *   and ends only after a whole stable window without it; while panicking the count never falls;
 * - a scale-down delay keeps the highest recommendation of the delay window;
 * - zero is reached only after `scaleToZeroGracePeriod` (or the pod retention period, if longer) has
 *   passed since the decider first asked for zero, i.e. stable window + grace after the last request;
 * - min/max scale bound the result (`maxScale` 0 = unbounded).
 *
 * @module
 */
import { z } from "zod";
import { parseWith } from "../core/validation.js";
import { ValidationError } from "../core/errors.js";
import { BucketedWindow } from "./window.js";

/** KPA settings, with Knative's defaults. Durations in ms. */
export const kpaConfigSchema = z
  .object({
    stableWindowMs: z.number().int().min(6_000).max(3_600_000).default(60_000),
    panicWindowPercentage: z.number().min(1).max(100).default(10),
    panicThresholdPercentage: z.number().min(110).max(1000).default(200),
    /** Target in-flight requests per pod (`container-concurrency-target-default`). */
    targetConcurrency: z.number().positive().default(100),
    /** Share of the target aimed at (`container-concurrency-target-percentage`, 70 %). */
    targetUtilization: z.number().gt(0).max(1).default(0.7),
    maxScaleUpRate: z.number().gt(1).default(1000),
    maxScaleDownRate: z.number().gt(1).default(2),
    enableScaleToZero: z.boolean().default(true),
    scaleToZeroGracePeriodMs: z.number().int().min(0).default(30_000),
    scaleToZeroPodRetentionMs: z.number().int().min(0).default(0),
    activationScale: z.number().int().min(1).default(1),
    scaleDownDelayMs: z.number().int().min(0).max(3_600_000).default(0),
    minScale: z.number().int().min(0).default(0),
    /** 0 = unbounded. */
    maxScale: z.number().int().min(0).default(0),
    /** Metric bucket width (Knative: 1 s). */
    bucketMs: z.number().int().positive().default(1_000),
  })
  .refine((c) => c.maxScale === 0 || c.maxScale >= c.minScale, { message: "maxScale must be 0 (unbounded) or >= minScale", path: ["maxScale"] });

/** What a caller may pass as KPA settings. */
export type KpaConfigInput = z.input<typeof kpaConfigSchema>;
/** Resolved KPA settings. */
export type KpaConfig = z.output<typeof kpaConfigSchema>;

/** One KPA evaluation. */
export interface KpaResult {
  readonly desired: number;
  readonly panicking: boolean;
  readonly stableConcurrency: number;
  readonly panicConcurrency: number;
  /** Desired pods from the stable and the panic window, after rate limits. */
  readonly desiredStable: number;
  readonly desiredPanic: number;
  /** Why the count is what it is, in a sentence. */
  readonly reason: string;
}

/**
 * @example
 * ```ts
 * const kpa = new KpaAutoscaler({ targetConcurrency: 10 });
 * kpa.observe(clock.now(), inFlightRequests);      // once a second
 * const { desired, panicking } = kpa.scale(clock.now(), readyPods);  // every tick (2 s)
 * ```
 */
export class KpaAutoscaler {
  readonly config: KpaConfig;
  private readonly metrics: BucketedWindow;
  private panicTime: number | undefined;
  private maxPanicPods = 0;
  private zeroSince: number | undefined;
  private readonly delayed: { time: number; desired: number }[] = [];

  constructor(config: KpaConfigInput = {}) {
    this.config = parseWith(kpaConfigSchema, config, "config");
    this.metrics = new BucketedWindow(this.config.bucketMs, this.config.stableWindowMs * 2);
  }

  /** Panic window length in ms. */
  get panicWindowMs(): number {
    return Math.max(this.config.bucketMs, (this.config.stableWindowMs * this.config.panicWindowPercentage) / 100);
  }

  /** Per-pod concurrency aimed at. */
  get target(): number {
    return this.config.targetConcurrency * this.config.targetUtilization;
  }

  /** Records total in-flight requests (over all pods) at `time`. */
  observe(time: number, concurrency: number): void {
    if (!Number.isFinite(time)) throw ValidationError.of("time", "time must be finite");
    if (!Number.isFinite(concurrency) || concurrency < 0) throw ValidationError.of("concurrency", `concurrency must be a finite number >= 0, got ${String(concurrency)}`);
    this.metrics.record(time, concurrency);
  }

  /** Whether the decider is in panic mode. */
  isPanicking(): boolean {
    return this.panicTime !== undefined;
  }

  /** Decides the pod count at `now` given the ready pods. */
  scale(now: number, readyPods: number): KpaResult {
    if (!Number.isFinite(now)) throw ValidationError.of("now", "now must be finite");
    if (!Number.isInteger(readyPods) || readyPods < 0) throw ValidationError.of("readyPods", `readyPods must be an integer >= 0, got ${String(readyPods)}`);
    const c = this.config;
    const ready = Math.max(1, readyPods);
    const maxScaleUp = Math.ceil(c.maxScaleUpRate * ready);
    const maxScaleDown = Math.floor(ready / c.maxScaleDownRate);
    const stable = this.metrics.average(now, c.stableWindowMs);
    const panic = this.metrics.average(now, this.panicWindowMs);
    const dspc = Math.ceil(stable / this.target);
    const dppc = Math.ceil(panic / this.target);
    let desiredStable = Math.min(Math.max(dspc, maxScaleDown), maxScaleUp);
    let desiredPanic = Math.min(Math.max(dppc, maxScaleDown), maxScaleUp);
    if (c.activationScale > 1) {
      if (dspc > 0 && c.activationScale > desiredStable) desiredStable = c.activationScale;
      if (dppc > 0 && c.activationScale > desiredPanic) desiredPanic = c.activationScale;
    }
    const overThreshold = dppc / ready >= c.panicThresholdPercentage / 100;
    if (overThreshold) {
      if (this.panicTime === undefined) this.maxPanicPods = readyPods;
      this.panicTime = now;
    } else if (this.panicTime !== undefined && this.panicTime + c.stableWindowMs < now) {
      this.panicTime = undefined;
      this.maxPanicPods = 0;
    }
    let desired: number;
    let reason: string;
    if (this.panicTime !== undefined) {
      // The stable window can read higher than the panic one; provision for the larger, never less than before.
      this.maxPanicPods = Math.max(this.maxPanicPods, desiredPanic, desiredStable);
      desired = this.maxPanicPods;
      reason = `panicking: ${panic.toFixed(2)} concurrent over ${this.panicWindowMs} ms needs ${dppc} pods against ${ready} ready (threshold ${c.panicThresholdPercentage} %)`;
    } else {
      desired = desiredStable;
      reason = `stable: ${stable.toFixed(2)} concurrent over ${c.stableWindowMs} ms at ${this.target} per pod needs ${dspc}`;
    }
    if (c.scaleDownDelayMs > 0) {
      this.delayed.push({ time: now, desired });
      while (this.delayed.length > 0 && (this.delayed[0]?.time ?? now) <= now - c.scaleDownDelayMs) this.delayed.shift();
      const held = Math.max(...this.delayed.map((d) => d.desired));
      if (held > desired) reason += `; scale-down delayed (${held} held for ${c.scaleDownDelayMs} ms)`;
      desired = held;
    }
    if (desired === 0) {
      if (!c.enableScaleToZero) {
        desired = 1;
        reason += "; scale to zero disabled";
      } else {
        this.zeroSince ??= now;
        const wait = Math.max(c.scaleToZeroGracePeriodMs, c.scaleToZeroPodRetentionMs);
        if (readyPods > 0 && now < this.zeroSince + wait) {
          desired = 1;
          reason += `; idle, last pod kept until ${this.zeroSince + wait} (grace period)`;
        } else reason += "; scaled to zero";
      }
    } else this.zeroSince = undefined;
    if (desired < c.minScale) {
      desired = c.minScale;
      reason += `; raised to minScale ${c.minScale}`;
    }
    if (c.maxScale > 0 && desired > c.maxScale) {
      desired = c.maxScale;
      reason += `; capped at maxScale ${c.maxScale}`;
    }
    return { desired, panicking: this.panicTime !== undefined, stableConcurrency: stable, panicConcurrency: panic, desiredStable, desiredPanic, reason };
  }
}
