import type { Clock, TimerHandle } from "../../../src/core/clock.js";

/**
 * A member's view of a shared virtual clock that reads `offsetMs` off and runs at `rate` times its
 * speed: the clock skew and drift a control-plane member may have against the others.
 */
export class SkewedClock implements Clock {
  private readonly start: number;

  constructor(
    private readonly base: Clock,
    private readonly offsetMs: number,
    private readonly rate: number,
  ) {
    this.start = base.now();
  }

  now(): number {
    return Math.floor(this.start + this.offsetMs + (this.base.now() - this.start) * this.rate);
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    // A fast clock (rate > 1) reaches its deadlines sooner in shared time.
    return this.base.setTimer(Math.max(0, Math.round(ms / this.rate)), fn);
  }

  clearTimer(handle: TimerHandle): void {
    this.base.clearTimer(handle);
  }
}
