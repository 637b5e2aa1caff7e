/**
 * {@link RequestDeadlines}: the request timeouts of one etcd backend, on one timer.
 *
 * @module
 */
import type { Clock, TimerHandle } from "../core/clock.js";
import { CancelledError, TimeoutError } from "../core/errors.js";
import { translateEtcdError } from "./errors.js";

/**
 * One request in flight. A class rather than closures: it is made per request, and it is its own
 * abort listener (an `EventListener` object).
 */
class InFlight<T> {
  settled = false;

  constructor(
    private readonly owner: RequestDeadlines,
    private readonly what: string,
    readonly deadline: number,
    private readonly resolve: (value: T) => void,
    private readonly reject: (error: unknown) => void,
    private readonly signal: AbortSignal | undefined,
  ) {
    signal?.addEventListener("abort", this, { once: true });
  }

  succeed(value: T): void {
    if (this.settle()) this.resolve(value);
  }

  fail(error: unknown): void {
    if (this.settle()) this.reject(translateEtcdError(error, this.what, this.owner.timeoutMs));
  }

  expire(): void {
    if (this.settle()) this.reject(new TimeoutError(`etcd ${this.what} timed out after ${this.owner.timeoutMs} ms`, this.owner.timeoutMs));
  }

  /** The abort listener. */
  handleEvent(): void {
    if (this.settle()) this.reject(new CancelledError(`etcd ${this.what} cancelled`, { cause: this.signal?.reason }));
  }

  private settle(): boolean {
    if (this.settled) return false;
    this.settled = true;
    this.signal?.removeEventListener("abort", this);
    this.owner.settled();
    return true;
  }
}

/**
 * Bounds requests by one timeout on the injected clock and by an optional `AbortSignal`, translating
 * the client's errors into typed edgeflow errors — what {@link boundedCall} does, for a backend's
 * stream of requests. Every request gets the same timeout, so deadlines fall due in the order requests
 * start: a queue and one timer armed for the oldest unsettled request replace a timer per request,
 * which cost more CPU than everything else the backend does per call.
 */
export class RequestDeadlines {
  readonly timeoutMs: number;
  private readonly clock: Clock;
  private queue: Array<InFlight<unknown>> = [];
  /** Index of the oldest request not yet removed from `queue`. */
  private head = 0;
  private unsettled = 0;
  private timer: TimerHandle | undefined;

  constructor(clock: Clock, timeoutMs: number) {
    this.clock = clock;
    this.timeoutMs = timeoutMs;
  }

  /**
   * Runs `request` and settles with it, unless the timeout passes first (`TimeoutError`) or `signal`
   * aborts (`CancelledError`). A late answer is dropped: the caller has already been told it failed.
   */
  run<T>(what: string, request: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted === true) return Promise.reject(new CancelledError(`etcd ${what} cancelled`, { cause: signal.reason }));
    return new Promise<T>((resolve, reject) => {
      const entry = new InFlight<T>(this, what, this.clock.now() + this.timeoutMs, resolve, reject, signal);
      this.queue.push(entry as InFlight<unknown>);
      this.unsettled++;
      this.timer ??= this.clock.setTimer(this.timeoutMs, () => this.expireDue());
      let answer: Promise<T>;
      try {
        answer = request();
      } catch (error) {
        answer = Promise.reject(error);
      }
      answer.then(
        (value) => entry.succeed(value),
        (error: unknown) => entry.fail(error),
      );
    });
  }

  /** Called by a request as it settles. */
  settled(): void {
    if (--this.unsettled === 0) this.idle();
  }

  /** Fails every request whose deadline has passed, then waits for the oldest one left. */
  private expireDue(): void {
    this.timer = undefined;
    const now = this.clock.now();
    while (this.head < this.queue.length) {
      const entry = this.queue[this.head];
      if (entry === undefined || (!entry.settled && entry.deadline > now)) break;
      this.head++;
      entry.expire();
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    const oldest = this.queue[this.head];
    if (oldest !== undefined && this.timer === undefined) this.timer = this.clock.setTimer(Math.max(0, oldest.deadline - now), () => this.expireDue());
  }

  /** Nothing in flight: drop the queue and the timer, so no timer outlives the requests. */
  private idle(): void {
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timer = undefined;
    this.queue = [];
    this.head = 0;
  }
}
