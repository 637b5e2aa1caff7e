/**
 * Time-bucketed averages in the manner of Knative's `TimedFloat64Buckets`: observations land in fixed
 * buckets (1 s by default, several in one bucket are averaged), and a window's average divides the sum
 * of its buckets by the number of buckets the window spans — or by the buckets since the first
 * observation, while the history is shorter than the window. Buckets without observations count as 0.
 *
 * @module
 */

/** Bucketed observations over a bounded history. */
export class BucketedWindow {
  private readonly sums = new Map<number, { total: number; count: number }>();
  private first: number | undefined;
  private newest: number | undefined;

  constructor(
    private readonly bucketMs: number,
    private readonly retainMs: number,
  ) {}

  /** Adds an observation at `time`. */
  record(time: number, value: number): void {
    const bucket = Math.floor(time / this.bucketMs);
    const slot = this.sums.get(bucket) ?? { total: 0, count: 0 };
    slot.total += value;
    slot.count += 1;
    this.sums.set(bucket, slot);
    if (this.first === undefined || bucket < this.first) this.first = bucket;
    if (this.newest === undefined || bucket > this.newest) this.newest = bucket;
    this.prune(bucket);
  }

  /** Whether anything was ever recorded. */
  isEmpty(): boolean {
    return this.first === undefined;
  }

  /** Average over the `windowMs` ending at `now` (inclusive of now's bucket). */
  average(now: number, windowMs: number): number {
    if (this.first === undefined) return 0;
    const end = Math.floor(now / this.bucketMs);
    const span = Math.max(1, Math.round(windowMs / this.bucketMs));
    const start = end - span + 1;
    let sum = 0;
    for (let b = Math.max(start, this.first); b <= end; b++) {
      const slot = this.sums.get(b);
      if (slot !== undefined) sum += slot.total / slot.count;
    }
    const buckets = Math.min(span, end - this.first + 1);
    return buckets > 0 ? sum / buckets : 0;
  }

  /** Time of the newest bucket with an observation, or undefined. */
  lastBucketTime(): number | undefined {
    return this.newest === undefined ? undefined : this.newest * this.bucketMs;
  }

  private prune(latest: number): void {
    const keepFrom = latest - Math.ceil(this.retainMs / this.bucketMs);
    if (this.sums.size < 2 * Math.ceil(this.retainMs / this.bucketMs) + 8) return;
    for (const b of this.sums.keys()) if (b < keepFrom) this.sums.delete(b);
  }
}
