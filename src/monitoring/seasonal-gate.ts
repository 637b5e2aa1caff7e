/**
 * Whether a series is daily-seasonal right now, for the seasonal view of the default detector.
 *
 * The seasonal view scores the distance to the same time on previous days. On a series without a
 * daily pattern (noise, a random walk, a cycle of some other period) that distance is just another
 * noisy difference, and its likelihood alarms on whatever twitch it happens to single out. The gate
 * compares two running means: the distance of each value to the same time on previous days, and
 * its distance to half a day off on those days. On a daily-seasonal series the first is much the
 * smaller; on noise they are equal; on a random walk or a 7-hour cycle the half-day one is as small
 * or smaller. The seasonal view speaks only while their ratio is below the threshold.
 *
 * State is two exponentially weighted means and a count: it does not grow with history.
 *
 * @module
 */

/** Running ratio of same-time to half-day-off distances. */
export class SeasonalGate {
  private same = 0;
  private half = 0;
  private count = 0;

  /**
   * @param memory samples the running means remember (their weight decays by 1/e over that many),
   *   so the gate follows a series that gains or loses its daily pattern.
   * @param minimum comparisons before the gate can open.
   */
  constructor(
    private readonly memory: number,
    private readonly minimum: number,
  ) {}

  /**
   * Same-time distance over half-day distance; 1 (no evidence either way) before any comparison or
   * when both distances are zero, as on a flat series.
   */
  ratio(): number {
    if (this.half > 0) return this.same / this.half;
    return this.same > 0 ? Number.POSITIVE_INFINITY : 1;
  }

  /** Whether a view gated at `threshold` may speak now (the ratio before the current sample). */
  open(threshold: number): boolean {
    return this.count >= this.minimum && this.ratio() < threshold;
  }

  /** Adds one comparison: the distance to the same time on previous days and to half a day off. */
  push(same: number, half: number): void {
    // Plain mean until `memory` comparisons, then exponential: early values are not over-weighted.
    const alpha = 1 / Math.min(++this.count, this.memory);
    this.same += alpha * (same - this.same);
    this.half += alpha * (half - this.half);
  }
}
