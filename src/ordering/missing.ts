/**
 * Reporting dependencies waited on for too long: a timer on the injected clock, armed for the
 * earliest unreported wait, that reports each wait once when it passes the timeout.
 *
 * @module
 * @internal
 */
import type { Clock, TimerHandle } from "../core/clock.js";
import { describeGap, describeParked, type Held, type OriginState } from "./held.js";
import type { MissingDependency } from "./types.js";

export class MissingDependencyTimer<P> {
  private timer: TimerHandle | undefined;
  private cancelled = false;

  constructor(
    private readonly clock: Clock,
    private readonly timeoutMs: number,
    private readonly parked: ReadonlySet<Held<P>>,
    private readonly origins: readonly OriginState<P>[],
    private readonly report: (missing: MissingDependency) => void,
  ) {}

  /** Arms the timer for the earliest unreported wait, unless it is armed already. */
  schedule(): void {
    if (this.timer !== undefined || this.cancelled) return;
    let earliest: number | undefined;
    for (const held of this.parked.values()) if (!held.reported && (earliest === undefined || held.since < earliest)) earliest = held.since;
    for (const os of this.origins) if (os.gapSince !== undefined && !os.gapReported && (earliest === undefined || os.gapSince < earliest)) earliest = os.gapSince;
    if (earliest === undefined) return;
    const delay = Math.max(0, earliest + this.timeoutMs - this.clock.now());
    this.timer = this.clock.setTimer(delay, () => this.sweep(), { background: true });
  }

  cancel(): void {
    // For good: the owner is closed, so nothing it holds later may re-arm a timer.
    this.cancelled = true;
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timer = undefined;
  }

  private sweep(): void {
    this.timer = undefined;
    const deadline = this.clock.now() - this.timeoutMs;
    for (const held of this.parked.values()) {
      if (held.reported || held.since > deadline) continue;
      held.reported = true;
      this.report(describeParked(held));
    }
    for (const os of this.origins) {
      if (os.gapReported || os.gapSince === undefined || os.gapSince > deadline) continue;
      os.gapReported = true;
      this.report(describeGap(os));
    }
    this.schedule();
  }
}
