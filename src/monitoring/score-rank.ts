/**
 * How a score in [0, 1] ranks among the last `size` scores of the same series, in O(1) a sample:
 * scores are kept quantised to `1/BINS` in a ring, with a histogram of the ring, so "how many recent
 * scores were at least this high" is a sum over the bins above, taken only when asked. This is what
 * lets one threshold mean the same on every series: a score that a bursty series reaches every few
 * hours ranks low there, the same score on a quiet series ranks at the top.
 *
 * @module
 */

/** Quantisation of the scores: rank resolution of 1/200. */
const BINS = 200;

export class ScoreRank {
  private readonly ring: Uint8Array;
  private readonly histogram: Uint32Array;
  private seen = 0;

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`size must be a positive integer, got ${size}`);
    this.ring = new Uint8Array(size);
    this.histogram = new Uint32Array(BINS + 1);
  }

  /** Scores held (at most `size`). */
  get length(): number {
    return Math.min(this.seen, this.size);
  }

  private static bin(score: number): number {
    return Math.max(0, Math.min(BINS, Math.floor(score * BINS)));
  }

  /** Held scores in the same or a higher bin than `score`. */
  countAtLeast(score: number): number {
    let n = 0;
    for (let b = ScoreRank.bin(score); b <= BINS; b++) n += this.histogram[b] as number;
    return n;
  }

  push(score: number): void {
    const slot = this.seen % this.size;
    const histogram = this.histogram;
    if (this.seen >= this.size) {
      const old = this.ring[slot] as number;
      histogram[old] = (histogram[old] as number) - 1;
    }
    const b = ScoreRank.bin(score);
    this.ring[slot] = b;
    histogram[b] = (histogram[b] as number) + 1;
    this.seen++;
  }
}
