/**
 * A token bucket on the injected clock: the bandwidth limit of a migration's transfer.
 *
 * @module
 */
import { sleep, type Clock } from "../core/clock.js";
import { ValidationError } from "../core/errors.js";

/**
 * Tokens are bytes. `take(n)` spends `n` tokens, waiting on the clock until the bucket has refilled
 * enough; a take larger than the burst drives the bucket into debt that later takes wait out, so
 * any chunk size passes while the long-run rate never exceeds `rate`.
 *
 * @example
 * ```ts
 * const bucket = new TokenBucket(clock, { ratePerSec: 125e6, burst: 4 << 20 });
 * await bucket.take(chunk.wireBytes, { signal });
 * ```
 */
export class TokenBucket {
  private readonly clock: Clock;
  private readonly ratePerSec: number;
  private readonly burst: number;
  private tokens: number;
  private updatedAt: number;

  constructor(clock: Clock, options: { ratePerSec: number; burst: number }) {
    if (!(Number.isFinite(options.ratePerSec) && options.ratePerSec > 0)) throw ValidationError.of("ratePerSec", "must be a finite number > 0");
    if (!(Number.isFinite(options.burst) && options.burst > 0)) throw ValidationError.of("burst", "must be a finite number > 0");
    this.clock = clock;
    this.ratePerSec = options.ratePerSec;
    this.burst = options.burst;
    this.tokens = options.burst;
    this.updatedAt = clock.now();
  }

  /** Tokens available now (negative while in debt). */
  available(): number {
    this.refill();
    return this.tokens;
  }

  /** How long a take of `n` tokens would wait now, ms. */
  waitMs(n: number): number {
    this.refill();
    return (Math.max(0, n - this.tokens) / this.ratePerSec) * 1000;
  }

  /** Spends `n` tokens, resolving once the rate allows it. */
  async take(n: number, options: { signal?: AbortSignal } = {}): Promise<void> {
    if (!(Number.isFinite(n) && n >= 0)) throw ValidationError.of("n", "must be a finite number >= 0");
    this.refill();
    this.tokens -= n;
    if (this.tokens < 0) await sleep(this.clock, (-this.tokens / this.ratePerSec) * 1000, options.signal);
  }

  private refill(): void {
    const now = this.clock.now();
    if (now > this.updatedAt) {
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.updatedAt) / 1000) * this.ratePerSec);
      this.updatedAt = now;
    }
  }
}
