/**
 * A bounded ring buffer of rows stored column-wise in `Float64Array`s. It starts small and doubles up
 * to its capacity, so ten thousand mostly-idle series cost little, and a full ring overwrites its
 * oldest row. Row 0 is always the oldest.
 *
 * @module
 */

export class ColumnRing {
  private columns: Float64Array[];
  private head = 0;
  private count = 0;
  private allocated: number;

  constructor(
    readonly width: number,
    readonly capacity: number,
    initial = 16,
  ) {
    this.allocated = Math.min(capacity, initial);
    this.columns = Array.from({ length: width }, () => new Float64Array(this.allocated));
  }

  get length(): number {
    return this.count;
  }

  /** Bytes held by the columns (what memory accounting counts). */
  get bytes(): number {
    return this.allocated * this.width * 8;
  }

  private grow(): void {
    const next = Math.min(this.capacity, this.allocated * 2);
    this.columns = this.columns.map((old) => {
      const column = new Float64Array(next);
      for (let i = 0; i < this.count; i++) column[i] = old[(this.head + i) % this.allocated] as number;
      return column;
    });
    this.head = 0;
    this.allocated = next;
  }

  /** Physical index of the next row to write, making room (growing or overwriting the oldest). */
  appendSlot(): number {
    if (this.count === this.allocated && this.allocated < this.capacity) this.grow();
    if (this.count === this.allocated) {
      const slot = this.head;
      this.head = (this.head + 1) % this.allocated;
      return slot;
    }
    const slot = (this.head + this.count) % this.allocated;
    this.count++;
    return slot;
  }

  /** Physical index of logical row `i` (0 = oldest). */
  slot(i: number): number {
    const p = this.head + i;
    return p >= this.allocated ? p - this.allocated : p;
  }

  column(c: number): Float64Array {
    return this.columns[c] as Float64Array;
  }

  get(c: number, i: number): number {
    return (this.columns[c] as Float64Array)[this.slot(i)] as number;
  }

  /** Drops the `n` oldest rows. */
  dropOldest(n: number): void {
    const k = Math.min(n, this.count);
    this.head = (this.head + k) % this.allocated;
    this.count -= k;
  }

  /** First logical row whose column-`c` value is >= `value` (column `c` must be ascending). */
  lowerBound(c: number, value: number): number {
    const column = this.columns[c] as Float64Array;
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((column[this.slot(mid)] as number) < value) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/**
 * The raw-sample ring: (timestamp, value) pairs interleaved in one `Float64Array`, so an append
 * touches one cache line — what keeps ingest fast across thousands of series.
 */
export class SampleRing {
  private data: Float64Array;
  private head = 0;
  private count = 0;
  private allocated: number;

  constructor(
    readonly capacity: number,
    initial = 64,
  ) {
    this.allocated = Math.min(capacity, initial);
    this.data = new Float64Array(2 * this.allocated);
  }

  get length(): number {
    return this.count;
  }

  get bytes(): number {
    return this.data.byteLength;
  }

  /** Appends, growing or overwriting the oldest pair. */
  push(timestamp: number, value: number): void {
    if (this.count === this.allocated) {
      if (this.allocated < this.capacity) {
        this.grow();
      } else {
        const at = 2 * this.head;
        this.data[at] = timestamp;
        this.data[at + 1] = value;
        this.head = this.head + 1 === this.allocated ? 0 : this.head + 1;
        return;
      }
    }
    let p = this.head + this.count;
    if (p >= this.allocated) p -= this.allocated;
    this.data[2 * p] = timestamp;
    this.data[2 * p + 1] = value;
    this.count++;
  }

  private grow(): void {
    const next = Math.min(this.capacity, this.allocated * 2);
    const data = new Float64Array(2 * next);
    const firstPart = this.data.subarray(2 * this.head, 2 * this.allocated);
    data.set(firstPart, 0);
    data.set(this.data.subarray(0, 2 * this.head), firstPart.length);
    this.data = data;
    this.head = 0;
    this.allocated = next;
  }

  private physical(i: number): number {
    const p = this.head + i;
    return p >= this.allocated ? p - this.allocated : p;
  }

  timestamp(i: number): number {
    return this.data[2 * this.physical(i)] as number;
  }

  value(i: number): number {
    return this.data[2 * this.physical(i) + 1] as number;
  }

  dropOldest(n: number): void {
    const k = Math.min(n, this.count);
    this.head = (this.head + k) % this.allocated;
    this.count -= k;
  }

  /** First row with timestamp >= `t`. */
  lowerBound(t: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timestamp(mid) < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First row with timestamp > `t`. */
  upperBound(t: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timestamp(mid) <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
