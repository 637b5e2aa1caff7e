/**
 * A pending promise of the host with a deadline. Deadlines are checked on each tick instead of one
 * timer per request, so thousands of requests in flight cost no timers.
 *
 * @module
 */
import type { Clock } from "../core/clock.js";
import { CancelledError, ClosedError, TimeoutError, ValidationError } from "../core/errors.js";

export class Waiter<T> {
  private settled = false;
  private cleanup: (() => void) | undefined;

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
    this.cleanup?.();
    this.onResolve(value);
  }

  reject(error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.cleanup?.();
    this.onReject(error);
  }

  isSettled(): boolean {
    return this.settled;
  }

  /**
   * Ties this waiter to `signal`: an abort rejects it with a {@link CancelledError} and calls `forget`
   * (which drops it from wherever it waits); settling first removes the abort listener.
   */
  bind(signal: AbortSignal | undefined, forget: (waiter: Waiter<T>) => void): void {
    if (signal === undefined || this.settled) return;
    const onAbort = (): void => {
      this.reject(new CancelledError(`${this.what} was cancelled (if it was already proposed, it may still be applied)`, { cause: signal.reason }));
      forget(this);
    };
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener("abort", onAbort, { once: true });
    this.cleanup = () => signal.removeEventListener("abort", onAbort);
  }

  /** Fails it with a TimeoutError if `now` is past its deadline; returns whether it did. */
  expire(now: number, timeoutMs: number): boolean {
    if (now < this.deadline) return false;
    this.reject(new TimeoutError(`${this.what} did not finish within ${timeoutMs} ms (outcome unknown)`, timeoutMs));
    return true;
  }
}

/** The `signal` of a call's options, checked: a ValidationError if it is there but not an AbortSignal. */
export function signalOf(options: { readonly signal?: AbortSignal } | undefined, path = "options.signal"): AbortSignal | undefined {
  const signal = options?.signal;
  if (signal === undefined) return undefined;
  if (typeof signal !== "object" || signal === null || typeof signal.aborted !== "boolean" || typeof signal.addEventListener !== "function") {
    throw ValidationError.of(path, "must be an AbortSignal", "invalid_type");
  }
  return signal;
}

/**
 * Polls `condition` on `clock` every `pollMs` until it holds, `running()` turns false, time runs out
 * or `signal` aborts (a CancelledError; the poll timer is cleared).
 */
export function waitUntil(clock: Clock, condition: () => boolean, running: () => boolean, timeoutMs: number, what: string, pollMs: number, owner: string, signal?: AbortSignal): Promise<void> {
  const deadline = clock.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    let timer: ReturnType<Clock["setTimer"]> | undefined;
    const onAbort = (): void => {
      if (timer !== undefined) clock.clearTimer(timer);
      reject(new CancelledError(`${what} was cancelled`, { cause: signal?.reason }));
    };
    const done = (): void => signal?.removeEventListener("abort", onAbort);
    const check = (): void => {
      timer = undefined;
      if (condition()) {
        done();
        resolve();
      } else if (!running()) {
        done();
        reject(new ClosedError(owner));
      } else if (clock.now() >= deadline) {
        done();
        reject(new TimeoutError(`${what} did not finish within ${timeoutMs} ms`, timeoutMs));
      } else timer = clock.setTimer(pollMs, check);
    };
    if (signal?.aborted === true) {
      onAbort();
      return;
    }
    signal?.addEventListener("abort", onAbort, { once: true });
    check();
  });
}
