/**
 * A pending promise of the host with a deadline. Deadlines are checked on each tick instead of one
 * timer per request, so thousands of requests in flight cost no timers.
 *
 * @module
 */
import type { Clock } from "../core/clock.js";
import { ClosedError, TimeoutError } from "../core/errors.js";

export class Waiter<T> {
  private settled = false;

  constructor(
    private readonly onResolve: (value: T) => void,
    private readonly onReject: (error: unknown) => void,
    /** Clock time after which it fails with a TimeoutError. */
    readonly deadline: number,
    private readonly what: string,
  ) {}

  resolve(value: T): void {
    if (this.settled) return;
    this.settled = true;
    this.onResolve(value);
  }

  reject(error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.onReject(error);
  }

  /** Fails it with a TimeoutError if `now` is past its deadline; returns whether it did. */
  expire(now: number, timeoutMs: number): boolean {
    if (now < this.deadline) return false;
    this.reject(new TimeoutError(`${this.what} did not finish within ${timeoutMs} ms (outcome unknown)`, timeoutMs));
    return true;
  }
}

/** Polls `condition` on `clock` every `pollMs` until it holds, `running()` turns false, or time runs out. */
export function waitUntil(clock: Clock, condition: () => boolean, running: () => boolean, timeoutMs: number, what: string, pollMs: number, owner: string): Promise<void> {
  const deadline = clock.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (condition()) resolve();
      else if (!running()) reject(new ClosedError(owner));
      else if (clock.now() >= deadline) reject(new TimeoutError(`${what} did not finish within ${timeoutMs} ms`, timeoutMs));
      else clock.setTimer(pollMs, check);
    };
    check();
  });
}
