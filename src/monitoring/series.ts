/**
 * One time series: raw samples in a bounded ring, plus roll-up tiers (1 m / 5 m / 1 h buckets keeping
 * count, mean, M2, min and max, which merge exactly) for ranges older than the raw retention.
 *
 * @module
 */
import { DDSketch } from "@datadog/sketches-js";
import { ColumnRing, SampleRing } from "./column-ring.js";
import type { RangeStats } from "./types.js";

/** Roll-up tiers, finest first. */
export const ROLLUP_TIERS = [
  { name: "1m", widthMs: 60_000 },
  { name: "5m", widthMs: 300_000 },
  { name: "1h", widthMs: 3_600_000 },
] as const;
export type RollupTier = (typeof ROLLUP_TIERS)[number]["name"];

/** Retention of one series. */
export interface SeriesRetention {
  readonly maxSamples: number;
  readonly retentionMs: number;
  readonly rollupRetentionMs: Readonly<Record<RollupTier, number>>;
}

// Column layout of roll-up buckets.
const START = 0;
const COUNT = 1;
const MEAN = 2;
const M2 = 3;
const MIN = 4;
const MAX = 5;

class Accumulator {
  count = 0;
  mean = 0;
  m2 = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  from = Number.NaN;
  to = Number.NaN;

  add(value: number): void {
    this.count++;
    const delta = value - this.mean;
    this.mean += delta / this.count;
    this.m2 += delta * (value - this.mean);
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  /** Chan et al.'s parallel combination of two (count, mean, M2) summaries. */
  merge(count: number, mean: number, m2: number, min: number, max: number): void {
    if (count === 0) return;
    const total = this.count + count;
    const delta = mean - this.mean;
    this.mean += (delta * count) / total;
    this.m2 += m2 + (delta * delta * this.count * count) / total;
    this.count = total;
    if (min < this.min) this.min = min;
    if (max > this.max) this.max = max;
  }

  stats(source: RangeStats["source"], quantiles: RangeStats["quantiles"]): RangeStats {
    const empty = this.count === 0;
    return Object.freeze({
      count: this.count,
      mean: empty ? Number.NaN : this.mean,
      min: empty ? Number.NaN : this.min,
      max: empty ? Number.NaN : this.max,
      stddev: empty ? Number.NaN : Math.sqrt(Math.max(0, this.m2 / this.count)),
      quantiles,
      source,
      from: this.from,
      to: this.to,
    });
  }
}

/** Width of tier `k` in ms. */
const widthOf = (k: number): number => (ROLLUP_TIERS[k] as (typeof ROLLUP_TIERS)[number]).widthMs;

/** A series' samples and roll-ups. Timestamps must not go backwards (as Prometheus requires). */
export class Series {
  private readonly raw: SampleRing;
  /** Closed roll-up buckets per tier. */
  private readonly tiers: ColumnRing[];
  /**
   * The open bucket of each tier, 6 numbers per tier in the column layout. Samples only touch the
   * open 1 m bucket; a closed 1 m bucket is merged into the open 5 m one, and so on, so ingest costs
   * one Welford update per sample whatever the number of tiers.
   */
  private readonly open = new Float64Array(6 * ROLLUP_TIERS.length);
  /** Latest timestamp dropped from raw (or from each tier's bucket end); −∞ while nothing was. */
  private rawEvictedUntil = Number.NEGATIVE_INFINITY;
  private readonly tierEvictedUntil: number[];
  private minuteEnd = Number.NEGATIVE_INFINITY;
  private appends = 0;
  lastTimestamp = Number.NEGATIVE_INFINITY;
  lastValue = Number.NaN;

  constructor(private readonly retention: SeriesRetention) {
    this.raw = new SampleRing(retention.maxSamples);
    this.tiers = ROLLUP_TIERS.map((tier) => new ColumnRing(6, Math.max(2, Math.ceil(retention.rollupRetentionMs[tier.name] / tier.widthMs) + 1), 4));
    this.tierEvictedUntil = ROLLUP_TIERS.map(() => Number.NEGATIVE_INFINITY);
  }

  get size(): number {
    return this.raw.length;
  }

  get bytes(): number {
    return this.raw.bytes + this.tiers.reduce((n, t) => n + t.bytes, 0) + this.open.byteLength;
  }

  /** Appends a sample; the caller has checked `timestamp >= lastTimestamp`. */
  append(timestamp: number, value: number): void {
    const raw = this.raw;
    if (raw.length === raw.capacity) this.rawEvictedUntil = raw.timestamp(0);
    // Age is checked every 64 appends (and on every query): cheap, and memory stays count-bounded.
    else if ((++this.appends & 63) === 0) this.dropRawBefore(timestamp - this.retention.retentionMs);
    raw.push(timestamp, value);
    this.lastTimestamp = timestamp;
    this.lastValue = value;
    const o = this.open;
    if (timestamp >= this.minuteEnd) this.rollMinute(timestamp);
    const c = (o[COUNT] as number) + 1;
    o[COUNT] = c;
    const m = o[MEAN] as number;
    const delta = value - m;
    const mean = m + delta / c;
    o[MEAN] = mean;
    o[M2] = (o[M2] as number) + delta * (value - mean);
    if (value < (o[MIN] as number)) o[MIN] = value;
    if (value > (o[MAX] as number)) o[MAX] = value;
  }

  /** Closes the open 1 m bucket (cascading into coarser tiers) and opens the one holding `timestamp`. */
  private rollMinute(timestamp: number): void {
    const width = widthOf(0);
    if ((this.open[COUNT] as number) > 0) this.close(0);
    const start = timestamp - (((timestamp % width) + width) % width);
    this.reset(0, start);
    this.minuteEnd = start + width;
  }

  private reset(k: number, start: number): void {
    const o = this.open;
    const b = 6 * k;
    o[b + START] = start;
    o[b + COUNT] = 0;
    o[b + MEAN] = 0;
    o[b + M2] = 0;
    o[b + MIN] = Number.POSITIVE_INFINITY;
    o[b + MAX] = Number.NEGATIVE_INFINITY;
  }

  /** Moves tier k's open bucket into its ring and merges it into tier k+1's open bucket. */
  private close(k: number): void {
    const o = this.open;
    const b = 6 * k;
    const ring = this.tiers[k] as ColumnRing;
    if (ring.length === ring.capacity) this.tierEvictedUntil[k] = ring.get(START, 0) + widthOf(k);
    const slot = ring.appendSlot();
    for (let c = 0; c < 6; c++) ring.column(c)[slot] = o[b + c] as number;
    if (k + 1 >= ROLLUP_TIERS.length) return;
    const next = 6 * (k + 1);
    const width = widthOf(k + 1);
    const start = o[b + START] as number;
    const parentStart = start - (((start % width) + width) % width);
    if ((o[next + COUNT] as number) === 0 || (o[next + START] as number) !== parentStart) {
      if ((o[next + COUNT] as number) > 0) this.close(k + 1);
      this.reset(k + 1, parentStart);
    }
    mergeInto(o, next, o[b + COUNT] as number, o[b + MEAN] as number, o[b + M2] as number, o[b + MIN] as number, o[b + MAX] as number);
  }

  private dropRawBefore(cutoff: number): void {
    const raw = this.raw;
    if (raw.length === 0 || raw.timestamp(0) >= cutoff) return;
    const drop = raw.lowerBound(cutoff);
    this.rawEvictedUntil = Math.max(this.rawEvictedUntil, raw.timestamp(drop - 1));
    raw.dropOldest(drop);
  }

  /** Drops raw samples and roll-up buckets older than the retention ages, relative to `now`. */
  enforceAge(now: number): void {
    this.dropRawBefore(now - this.retention.retentionMs);
    ROLLUP_TIERS.forEach((tier, k) => {
      const ring = this.tiers[k] as ColumnRing;
      const tierCutoff = now - this.retention.rollupRetentionMs[tier.name];
      // A bucket goes only when all of it is older than the cutoff.
      const drop = ring.lowerBound(START, tierCutoff - tier.widthMs + 1);
      if (drop > 0) {
        this.tierEvictedUntil[k] = Math.max(this.tierEvictedUntil[k] as number, ring.get(START, drop - 1) + tier.widthMs);
        ring.dropOldest(drop);
      }
    });
  }

  /** Raw samples with `from <= t <= to`, oldest first. */
  samples(from: number, to: number): { timestamps: Float64Array; values: Float64Array } {
    const raw = this.raw;
    const lo = raw.lowerBound(from);
    const hi = raw.upperBound(to);
    const n = Math.max(0, hi - lo);
    const timestamps = new Float64Array(n);
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      timestamps[i] = raw.timestamp(lo + i);
      values[i] = raw.value(lo + i);
    }
    return { timestamps, values };
  }

  /** Whether raw samples still cover everything from `from` on. */
  rawCovers(from: number): boolean {
    return this.rawEvictedUntil === Number.NEGATIVE_INFINITY || from > this.rawEvictedUntil;
  }

  /** Statistics over raw samples in `[from, to]`, quantiles from a DDSketch. */
  rawStats(from: number, to: number, relativeAccuracy: number): RangeStats {
    const raw = this.raw;
    const lo = raw.lowerBound(from);
    const hi = raw.upperBound(to);
    const acc = new Accumulator();
    const sketch = new DDSketch({ relativeAccuracy });
    for (let i = lo; i < hi; i++) {
      const v = raw.value(i);
      acc.add(v);
      sketch.accept(v);
    }
    if (hi > lo) {
      acc.from = raw.timestamp(lo);
      acc.to = raw.timestamp(hi - 1);
    }
    const quantiles =
      acc.count === 0
        ? null
        : Object.freeze({ p50: sketch.getValueAtQuantile(0.5), p95: sketch.getValueAtQuantile(0.95), p99: sketch.getValueAtQuantile(0.99) });
    return acc.stats("raw", quantiles);
  }

  /**
   * Statistics from a roll-up tier over the buckets overlapping `[from, to]` (so the answer is aligned
   * to bucket boundaries). With `tier` undefined, the finest tier still covering `from`.
   */
  rollupStats(from: number, to: number, tier?: RollupTier): RangeStats {
    let k = tier === undefined ? -1 : ROLLUP_TIERS.findIndex((t) => t.name === tier);
    if (k < 0) {
      k = ROLLUP_TIERS.findIndex((_t, i) => from >= (this.tierEvictedUntil[i] as number));
      if (k < 0) k = ROLLUP_TIERS.length - 1;
    }
    const spec = ROLLUP_TIERS[k] as (typeof ROLLUP_TIERS)[number];
    const ring = this.tiers[k] as ColumnRing;
    const first = from - (((from % spec.widthMs) + spec.widthMs) % spec.widthMs);
    const acc = new Accumulator();
    for (let i = ring.lowerBound(START, first); i < ring.length; i++) {
      const start = ring.get(START, i);
      if (start > to) break;
      acc.merge(ring.get(COUNT, i), ring.get(MEAN, i), ring.get(M2, i), ring.get(MIN, i), ring.get(MAX, i));
      if (Number.isNaN(acc.from)) acc.from = start;
      acc.to = start + spec.widthMs;
    }
    // Data not yet in a closed tier-k bucket sits in the open buckets of tier k and the finer tiers;
    // each is placed by the tier-k bucket its own start falls in.
    const o = this.open;
    for (let j = k; j >= 0; j--) {
      const base = 6 * j;
      if ((o[base + COUNT] as number) === 0) continue;
      const own = o[base + START] as number;
      const start = own - (((own % spec.widthMs) + spec.widthMs) % spec.widthMs);
      if (start + spec.widthMs <= first || start > to) continue;
      acc.merge(o[base + COUNT] as number, o[base + MEAN] as number, o[base + M2] as number, o[base + MIN] as number, o[base + MAX] as number);
      if (Number.isNaN(acc.from) || start < acc.from) acc.from = start;
      acc.to = Math.max(Number.isNaN(acc.to) ? start + spec.widthMs : acc.to, start + spec.widthMs);
    }
    return acc.stats(spec.name, null);
  }
}

/** Chan et al.'s combination of a summary into the open bucket at offset `b` of `o`. */
function mergeInto(o: Float64Array, b: number, count: number, mean: number, m2: number, min: number, max: number): void {
  if (count === 0) return;
  const n = o[b + COUNT] as number;
  const total = n + count;
  const delta = mean - (o[b + MEAN] as number);
  o[b + MEAN] = (o[b + MEAN] as number) + (delta * count) / total;
  o[b + M2] = (o[b + M2] as number) + m2 + (delta * delta * n * count) / total;
  o[b + COUNT] = total;
  if (min < (o[b + MIN] as number)) o[b + MIN] = min;
  if (max > (o[b + MAX] as number)) o[b + MAX] = max;
}
