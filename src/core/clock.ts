/**
 * Time as engines see it. Engines never read the wall clock or call `setTimeout` directly: they take
 * a {@link Clock}, so the same code runs on real time in production ({@link SystemClock}) and on
 * virtual time in tests and simulations ({@link ManualClock}).
 *
 * @module
 */
import { describeValue } from "./describe.js";
import { ClosedError, ValidationError } from "./errors.js";
import { MinHeap } from "./heap.js";

/** An opaque handle to a scheduled timer. */
export interface TimerHandle {
  readonly id: number;
}

/** How a timer relates to the life of the process. */
export interface TimerOptions {
  /**
   * A background timer does not keep the process alive on its own (it is `unref`'d on real time).
   * Only periodic housekeeping may be background: ticks, heartbeats, sweeps, lease expiry, reconnects.
   * A timer that some pending call waits on (a retry backoff, a timeout, a sync) must not be, or the
   * process may exit before that call settles. Default `false`.
   */
  readonly background?: boolean;
}

/** The source of time and timers every engine is given. */
export interface Clock {
  /** Milliseconds since the epoch (or since the start of a simulation). */
  now(): number;
  /**
   * Runs `fn` once, `ms` milliseconds from now. A timer keeps the process alive until it fires or is
   * cleared, unless `options.background` is set.
   */
  setTimer(ms: number, fn: () => void, options?: TimerOptions): TimerHandle;
  /** Cancels a timer; cancelling a timer that already fired or was cancelled does nothing. */
  clearTimer(handle: TimerHandle): void;
}

function checkDelay(ms: number): number {
  if (!Number.isFinite(ms) || ms < 0) {
    throw new ValidationError([{ path: "ms", code: "invalid_delay", message: `timer delay must be a finite number >= 0, got ${describeValue(ms)}` }]);
  }
  return ms;
}

/**
 * Real time: `Date.now()` and `setTimeout`. A pending timer keeps the process alive, so a script
 * whose workflow waits on a retry backoff or a node timeout does not exit before the run settles;
 * timers set with `{ background: true }` (housekeeping) are `unref`'d and do not.
 */
export class SystemClock implements Clock {
  private nextId = 1;
  private readonly timers = new Map<number, ReturnType<typeof setTimeout>>();
  private closed = false;

  now(): number {
    return Date.now();
  }

  /** @throws {@link ClosedError} after {@link SystemClock.close}. */
  setTimer(ms: number, fn: () => void, options?: TimerOptions): TimerHandle {
    if (this.closed) throw new ClosedError("SystemClock");
    const id = this.nextId++;
    const timer = setTimeout(() => {
      this.timers.delete(id);
      fn();
    }, checkDelay(ms));
    if (options?.background === true) timer.unref();
    this.timers.set(id, timer);
    return { id };
  }

  clearTimer(handle: TimerHandle): void {
    const timer = this.timers.get(handle.id);
    if (timer !== undefined) {
      clearTimeout(timer);
      this.timers.delete(handle.id);
    }
  }

  /** Number of timers set and not yet fired nor cleared. */
  pendingTimers(): number {
    return this.timers.size;
  }

  /** Cancels every pending timer; later `setTimer` calls throw {@link ClosedError}. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  /** Same as {@link SystemClock.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

interface PendingTimer {
  readonly id: number;
  readonly due: number;
  readonly fn: () => void;
}

const firesBefore = (a: PendingTimer, b: PendingTimer): boolean => a.due < b.due || (a.due === b.due && a.id < b.id);

/**
 * Virtual time. Nothing happens until the test says so: {@link ManualClock.advance} moves time forward
 * and fires every timer that falls due, in due-time order, ties in creation order. Timers scheduled by
 * a firing timer fire in the same call if they fall due within it.
 *
 * @example
 * ```ts
 * const clock = new ManualClock(0);
 * clock.setTimer(100, () => console.log("fired at", clock.now()));
 * clock.advance(250); // prints "fired at 100"; clock.now() is now 250
 * ```
 */
export class ManualClock implements Clock {
  private current: number;
  private nextId = 1;
  private readonly queue = new MinHeap<PendingTimer>(firesBefore);
  /** Timers not yet fired nor cleared; cleared ones stay in the heap and are skipped when reached. */
  private readonly live = new Set<number>();

  constructor(start = 0) {
    if (!Number.isFinite(start)) {
      throw new ValidationError([{ path: "start", code: "invalid_time", message: "start time must be finite" }]);
    }
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const id = this.nextId++;
    this.queue.push({ id, due: this.current + checkDelay(ms), fn });
    this.live.add(id);
    return { id };
  }

  clearTimer(handle: TimerHandle): void {
    this.live.delete(handle.id);
  }

  /** Number of timers not yet fired. */
  pendingTimers(): number {
    return this.live.size;
  }

  /** Due time of the next timer, or `undefined` when none is pending. */
  nextDue(): number | undefined {
    return this.peekLive()?.due;
  }

  /** Moves time forward by `ms`, firing due timers synchronously in order. */
  advance(ms: number): void {
    const target = this.current + checkDelay(ms);
    while (this.fireNext(target)) {
      // each iteration fired one timer
    }
    this.current = target;
  }

  /** Moves time to an absolute instant (never backwards). */
  advanceTo(time: number): void {
    this.advance(Math.max(0, time - this.current));
  }

  /**
   * Like {@link ManualClock.advance}, but lets pending promise callbacks and I/O run before and after
   * each timer, so async code awaiting timers (retries, timeouts) makes progress as it would in real
   * time. Still no real sleeping: only virtual time passes.
   */
  async advanceAsync(ms: number): Promise<void> {
    const target = this.current + checkDelay(ms);
    await settle();
    while (this.fireNext(target)) await settle();
    this.current = target;
    await settle();
  }

  /** Fires every pending timer (and those they schedule), up to `limit` timers, letting async code run. */
  async runAll(limit = 100_000): Promise<void> {
    await settle();
    for (let fired = 0; fired < limit && this.fireNext(Number.POSITIVE_INFINITY); fired++) await settle();
  }

  private peekLive(): PendingTimer | undefined {
    let next = this.queue.peek();
    while (next !== undefined && !this.live.has(next.id)) {
      this.queue.pop();
      next = this.queue.peek();
    }
    return next;
  }

  /** Fires the next timer due at or before `limit`, moving time to it; false when there is none. */
  private fireNext(limit: number): boolean {
    const next = this.peekLive();
    if (next === undefined || next.due > limit) return false;
    this.queue.pop();
    this.live.delete(next.id);
    this.current = Math.max(this.current, next.due);
    next.fn();
    return true;
  }
}

/** Lets queued microtasks and already-due I/O callbacks run; no virtual or real time passes. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Resolves after `ms` on `clock`; rejects with the signal's reason if `signal` aborts first.
 */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clock.clearTimer(handle);
      reject(signal?.reason);
    };
    const handle = clock.setTimer(ms, () => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    });
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
