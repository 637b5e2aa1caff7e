/**
 * Fixed-size sliding windows over a stream: a sorted window for robust statistics (median, MAD,
 * quantiles) and a moments window for mean and standard deviation. Both are O(window) memory and
 * allocation-free per update, so a detector keeps pace with ingest.
 *
 * @module
 */

/** The last `size` values kept sorted, for median, MAD and quantiles. */
export class SortedWindow {
  private readonly ring: Float64Array;
  private readonly sorted: Float64Array;
  private head = 0;
  private count = 0;

  constructor(readonly size: number) {
    this.ring = new Float64Array(size);
    this.sorted = new Float64Array(size);
  }

  get length(): number {
    return this.count;
  }

  push(value: number): void {
    if (this.count === this.size) {
      const evicted = this.ring[this.head] as number;
      this.removeSorted(evicted);
    } else {
      this.count++;
    }
    this.ring[this.head] = value;
    this.head = (this.head + 1) % this.size;
    this.insertSorted(value);
  }

  private lowerBound(value: number, n: number): number {
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.sorted[mid] as number) < value) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private removeSorted(value: number): void {
    const n = this.count;
    const at = this.lowerBound(value, n);
    this.sorted.copyWithin(at, at + 1, n);
  }

  private insertSorted(value: number): void {
    const n = this.count - 1;
    const at = this.lowerBound(value, n);
    this.sorted.copyWithin(at + 1, at, n);
    this.sorted[at] = value;
  }

  /** Linear-interpolated quantile, q in [0, 1]; NaN when empty. */
  quantile(q: number): number {
    const n = this.count;
    if (n === 0) return Number.NaN;
    const pos = q * (n - 1);
    const lo = Math.floor(pos);
    const hi = Math.min(n - 1, lo + 1);
    const a = this.sorted[lo] as number;
    return a + ((this.sorted[hi] as number) - a) * (pos - lo);
  }

  /** How many values in the window are ≥ `value`: O(log n). */
  countAtLeast(value: number): number {
    return this.count - this.lowerBound(value, this.count);
  }

  median(): number {
    return this.quantile(0.5);
  }

  /**
   * Median absolute deviation from `center`: the ((n−1)/2)-th smallest distance. The distances below
   * and above `center` are two sorted runs, so it is found by bisecting how many come from each:
   * O(log n).
   */
  mad(center = this.median()): number {
    const n = this.count;
    if (n === 0) return Number.NaN;
    const sorted = this.sorted;
    const split = this.lowerBound(center, n);
    // The i-th smallest distance below center is center − sorted[split − 1 − i]; the j-th above it,
    // sorted[split + j] − center.
    const belowCount = split;
    const aboveCount = n - split;
    const take = ((n - 1) >> 1) + 1;
    let lo = Math.max(0, take - aboveCount);
    let hi = Math.min(take, belowCount);
    for (;;) {
      const i = (lo + hi) >> 1;
      const j = take - i;
      const lastBelow = i > 0 ? center - (sorted[split - i] as number) : 0;
      const lastAbove = j > 0 ? (sorted[split + j - 1] as number) - center : 0;
      if (i > 0 && j < aboveCount && lastBelow > (sorted[split + j] as number) - center) hi = i - 1;
      else if (j > 0 && i < belowCount && lastAbove > center - (sorted[split - 1 - i] as number)) lo = i + 1;
      else return Math.max(lastBelow, lastAbove);
    }
  }
}

/** The last `size` values with running mean and variance (recomputed periodically to bound drift). */
export class MomentsWindow {
  private readonly ring: Float64Array;
  private head = 0;
  private count = 0;
  private sum = 0;
  private sumSq = 0;
  private sinceRefresh = 0;

  constructor(readonly size: number) {
    this.ring = new Float64Array(size);
  }

  get length(): number {
    return this.count;
  }

  push(value: number): void {
    if (this.count === this.size) {
      const old = this.ring[this.head] as number;
      this.sum -= old;
      this.sumSq -= old * old;
    } else {
      this.count++;
    }
    this.ring[this.head] = value;
    this.head = (this.head + 1) % this.size;
    this.sum += value;
    this.sumSq += value * value;
    if (++this.sinceRefresh >= this.size * 8) this.refresh();
  }

  private refresh(): void {
    this.sinceRefresh = 0;
    let s = 0;
    let q = 0;
    for (let i = 0; i < this.count; i++) {
      const v = this.ring[i] as number;
      s += v;
      q += v * v;
    }
    this.sum = s;
    this.sumSq = q;
  }

  mean(): number {
    return this.count === 0 ? Number.NaN : this.sum / this.count;
  }

  /** Population standard deviation. */
  stddev(): number {
    if (this.count === 0) return Number.NaN;
    const m = this.sum / this.count;
    return Math.sqrt(Math.max(0, this.sumSq / this.count - m * m));
  }
}
