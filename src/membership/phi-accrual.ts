/**
 * The phi-accrual failure detector (Hayashibara et al., 2004), as Akka implements it: phi is the
 * suspicion that a peer has failed given how long it has been silent, measured against the
 * distribution of the heartbeat intervals seen so far (a normal distribution, by a logistic
 * approximation of its CDF), so it adapts to each link's own rhythm and jitter.
 *
 * It gives hints only. Safety (who may lead, who may write) is decided by Raft's quorum rules
 * (check-quorum, pre-vote), never by this detector.
 *
 * @module
 */
import { z } from "zod";
import { parseWith, requireFinite, requireNumber } from "../core/validation.js";

/** Settings of the detector; defaults are Akka's. */
export const phiAccrualOptionsSchema = z.object({
  /** Phi at or above which the peer is suspected. 8 means a ~1e-8 chance the heartbeat is merely late. */
  threshold: z.number().gt(0).max(1000).default(8),
  /** Heartbeat intervals remembered. */
  maxSampleSize: z.number().int().min(1).max(1_000_000).default(1000),
  /** Floor of the interval standard deviation, in ms, so a very regular link is not hair-triggered. */
  minStdDeviationMs: z.number().gt(0).max(3_600_000).default(100),
  /** Silence tolerated on top of the mean interval before suspicion rises, in ms (GC pauses, hiccups). */
  acceptableHeartbeatPauseMs: z.number().min(0).max(3_600_000).default(3000),
  /** Expected interval before any has been measured, in ms (the heartbeat interval). */
  firstHeartbeatEstimateMs: z.number().gt(0).max(3_600_000).default(1000),
});

/** Settings of a {@link PhiAccrualFailureDetector}. */
export type PhiAccrualOptions = z.input<typeof phiAccrualOptionsSchema>;

/**
 * Phi for a silence of `timeDiff` ms given the interval mean and standard deviation. Throws a
 * `ValidationError` for a non-finite argument or a standard deviation that is not positive.
 */
export function phiOf(timeDiff: number, mean: number, stdDeviation: number): number {
  requireFinite(timeDiff, "timeDiff");
  requireFinite(mean, "mean");
  requireNumber(stdDeviation, "stdDeviation", { greaterThan: 0 });
  return phiOfChecked(timeDiff, mean, stdDeviation);
}

function phiOfChecked(timeDiff: number, mean: number, stdDeviation: number): number {
  const y = (timeDiff - mean) / stdDeviation;
  const e = Math.exp(-y * (1.5976 + 0.070566 * y * y));
  // Two forms of the same quantity keep precision on both sides of the mean.
  return timeDiff > mean ? -Math.log10(e / (1 + e)) : -Math.log10(1 - 1 / (1 + e));
}

/**
 * One peer's detector: call {@link PhiAccrualFailureDetector.heartbeat} on each heartbeat received,
 * and read {@link PhiAccrualFailureDetector.phi} at any time. Times are ms on the caller's clock.
 *
 * @example
 * ```ts
 * const detector = new PhiAccrualFailureDetector(); // Akka's defaults
 * detector.heartbeat(0);
 * detector.heartbeat(1000);
 * detector.isAvailable(2000); // true
 * detector.isAvailable(9000); // false: phi far above 8
 * ```
 */
export class PhiAccrualFailureDetector {
  readonly options: z.output<typeof phiAccrualOptionsSchema>;
  // A ring buffer of intervals with running sums: O(1) per heartbeat, even with 1,000 samples.
  private readonly samples: Float64Array;
  private count = 0;
  private next = 0;
  private sum = 0;
  private sumOfSquares = 0;
  private last: number | undefined;

  constructor(options: PhiAccrualOptions = {}) {
    this.options = parseWith(phiAccrualOptionsSchema, options, "options");
    this.samples = new Float64Array(this.options.maxSampleSize);
  }

  /** Time of the last heartbeat, if any. */
  get lastHeartbeat(): number | undefined {
    return this.last;
  }

  /**
   * Records a heartbeat received at `time`. Throws a `ValidationError` (nothing recorded) unless
   * `time` is a finite number: one `NaN` would poison the interval statistics for good.
   */
  heartbeat(time: number): void {
    requireFinite(time, "time");
    const last = this.last;
    if (last === undefined) {
      // Akka seeds the history with two samples around the estimate: mean = estimate, deviation = estimate / 4.
      const mean = this.options.firstHeartbeatEstimateMs;
      const deviation = mean / 4;
      this.record(mean - deviation);
      this.record(mean + deviation);
    } else if (this.isAvailable(time)) {
      // The interval ending a suspected silence is not a sample of the link's rhythm.
      this.record(Math.max(0, time - last));
    }
    this.last = last === undefined ? time : Math.max(last, time);
  }

  /**
   * Starts counting silence afresh at `time` without learning an interval: for when the observer
   * itself stopped listening (a silence it caused says nothing about the peer). Before any
   * heartbeat it seeds the history like a first heartbeat.
   */
  restartSilence(time: number): void {
    requireFinite(time, "time");
    if (this.last === undefined) this.heartbeat(time);
    else this.last = Math.max(this.last, time);
  }

  /** Suspicion at `time`: 0 before any heartbeat, growing with silence. */
  phi(time: number): number {
    requireFinite(time, "time");
    const last = this.last;
    if (last === undefined) return 0;
    return phiOfChecked(Math.max(0, time - last), this.mean() + this.options.acceptableHeartbeatPauseMs, this.stdDeviation());
  }

  /** Whether phi at `time` is below the threshold. */
  isAvailable(time: number): boolean {
    requireFinite(time, "time");
    return this.phi(time) < this.options.threshold;
  }

  /**
   * How long after the last heartbeat phi reaches the threshold, in ms, with the intervals seen so
   * far: the worst-case time to suspect a peer that has just gone silent.
   */
  timeToSuspectMs(): number {
    const mean = this.mean() + this.options.acceptableHeartbeatPauseMs;
    const sd = this.stdDeviation();
    let lo = 0;
    let hi = mean + 64 * sd;
    for (let i = 0; i < 60; i++) {
      const mid = (lo + hi) / 2;
      if (phiOfChecked(mid, mean, sd) < this.options.threshold) lo = mid;
      else hi = mid;
    }
    return hi;
  }

  /** Mean of the remembered intervals, in ms. */
  mean(): number {
    return this.count === 0 ? this.options.firstHeartbeatEstimateMs : this.sum / this.count;
  }

  /** Standard deviation of the remembered intervals, floored at `minStdDeviationMs`. */
  stdDeviation(): number {
    if (this.count === 0) return this.options.minStdDeviationMs;
    const mean = this.sum / this.count;
    const variance = Math.max(0, this.sumOfSquares / this.count - mean * mean);
    return Math.max(Math.sqrt(variance), this.options.minStdDeviationMs);
  }

  private record(interval: number): void {
    if (this.count === this.samples.length) {
      const evicted = this.samples[this.next] as number;
      this.sum -= evicted;
      this.sumOfSquares -= evicted * evicted;
    } else {
      this.count++;
    }
    this.samples[this.next] = interval;
    this.next = (this.next + 1) % this.samples.length;
    this.sum += interval;
    this.sumOfSquares += interval * interval;
  }
}
