/**
 * A nearest-neighbour conformal view of a stream, after KNN-CAD (Ishimtsev, Bernstein, Burnaev and
 * Nazarov, "Conformal k-NN Anomaly Detector for Univariate Data Streams", PMLR 60, 2017; the
 * `knncad` detector of the Numenta Anomaly Benchmark):
 *
 * 1. the last `dimension` values form an embedding vector;
 * 2. its non-conformity is its mean Euclidean distance to the `neighbours` nearest of the embeddings
 *    that ended `dimension` to `dimension + reference - 1` samples ago (the exclusion zone keeps a
 *    vector from matching its own overlapping neighbours, as matrix-profile methods do);
 * 3. the conformal p-value ranks that non-conformity among the last `calibration` ones.
 *
 * KNN-CAD compares against every training vector, O(reference × dimension) a sample. Here the
 * squared distance to the embedding `lag` samples back is kept per lag and updated in O(1) when a
 * sample arrives (add the newest coordinate's term, drop the oldest), so a sample costs O(reference);
 * the sums are recomputed exactly every `reference` samples, so rounding cannot build up. State is a
 * handful of fixed-size typed arrays: memory does not depend on how long the series runs.
 *
 * @module
 */
import { z } from "zod";
import { ValidationError } from "../core/errors.js";
import { parseWith } from "../core/validation.js";
import { SortedWindow } from "./rolling.js";

/** Sizes of a {@link KnnConformalView}; counts are in samples. */
export const knnConformalOptionsSchema = z.object({
  /** Values per embedding vector. */
  dimension: z.number().int().min(1).max(64),
  /** Past embeddings compared with the newest one. */
  reference: z.number().int().min(1).max(4096),
  /** Nearest neighbours averaged into the non-conformity (at most `reference`). */
  neighbours: z.number().int().min(1).max(64),
  /** Past non-conformities the p-value is ranked among. */
  calibration: z.number().int().min(1).max(10_000),
});

export type KnnConformalOptions = z.input<typeof knnConformalOptionsSchema>;

/**
 * Nearest-neighbour non-conformity and its conformal p-value, one sample at a time.
 *
 * @example
 * ```ts
 * const view = new KnnConformalView({ dimension: 8, reference: 200, neighbours: 5, calibration: 400 });
 * for (const value of values) {
 *   const p = view.update(value); // undefined while warming up, else in (0, 1]
 * }
 * ```
 */
export class KnnConformalView {
  private readonly dimension: number;
  private readonly minLag: number;
  private readonly lags: number;
  private readonly neighbours: number;
  /**
   * Ring of the last `minLag + lags + dimension` values, stored twice over (slot `i` and `i + size`)
   * so the per-sample loop reads a contiguous run without wrapping.
   */
  private readonly values: Float64Array;
  private readonly size: number;
  /** Squared distance from the newest embedding to the one ending `minLag + i` samples back. */
  private readonly distances: Float64Array;
  private readonly nearest: Float64Array;
  private readonly calibrationWindow: SortedWindow;
  private seen = 0;
  private sinceRefresh = 0;

  constructor(input: KnnConformalOptions) {
    const options = parseWith(knnConformalOptionsSchema, input, "options");
    this.dimension = options.dimension;
    this.minLag = options.dimension;
    this.lags = options.reference;
    this.neighbours = Math.min(options.neighbours, options.reference);
    this.size = this.minLag + this.lags + this.dimension;
    this.values = new Float64Array(2 * this.size);
    this.distances = new Float64Array(this.lags);
    this.nearest = new Float64Array(this.neighbours);
    this.calibrationWindow = new SortedWindow(options.calibration);
  }

  /** Non-conformities ranked so far (at most `calibration`). */
  get calibrated(): number {
    return this.calibrationWindow.length;
  }

  /** Index in {@link values} of the value `age` samples back (age < size). */
  private indexOf(age: number): number {
    return ((this.seen - 1) % this.size) + this.size - age;
  }

  /** Exact recomputation of every lag's sum from the stored values. */
  private refresh(): void {
    this.sinceRefresh = 0;
    const w = this.dimension;
    for (let i = 0; i < this.lags; i++) {
      const lag = this.minLag + i;
      let sum = 0;
      for (let j = 0; j < w; j++) {
        const d = (this.values[this.indexOf(j)] as number) - (this.values[this.indexOf(j + lag)] as number);
        sum += d * d;
      }
      this.distances[i] = sum;
    }
  }

  /**
   * Consumes one value; returns the conformal p-value of the newest embedding's non-conformity
   * (small = unlike the past), or `undefined` until the reference set and calibration are full.
   */
  update(value: number): number | undefined {
    // One non-finite value would poison every distance sum until the next recomputation.
    if (!Number.isFinite(value)) throw ValidationError.of("value", `value must be a finite number, got ${String(value)}`, "invalid_type");
    const size = this.size;
    const slot = this.seen % size;
    this.values[slot] = value;
    this.values[slot + size] = value;
    this.seen++;
    const w = this.dimension;
    const fullAt = this.minLag + this.lags + w - 1;
    if (this.seen < fullAt) return undefined;
    const k = this.neighbours;
    const nearest = this.nearest.fill(Number.POSITIVE_INFINITY);
    if (this.seen === fullAt || ++this.sinceRefresh >= this.lags) {
      this.refresh();
      for (let i = 0; i < this.lags; i++) this.keepNearest(this.distances[i] as number);
    } else {
      // The newest coordinate joins every sum and the one `dimension` back leaves it; the k nearest
      // are picked in the same pass. This loop is the whole cost of the view.
      const ring = this.values;
      const newest = this.indexOf(0);
      const leaving = ring[newest - w] as number;
      const distances = this.distances;
      let joinAt = newest - this.minLag;
      let leaveAt = joinAt - w;
      for (let i = 0; i < this.lags; i++, joinAt--, leaveAt--) {
        const a = value - (ring[joinAt] as number);
        const b = leaving - (ring[leaveAt] as number);
        let d = (distances[i] as number) + a * a - b * b;
        if (d < 0) d = 0;
        distances[i] = d;
        if (d < (nearest[k - 1] as number)) this.keepNearest(d);
      }
    }
    let sum = 0;
    for (let j = 0; j < k; j++) sum += Math.sqrt(nearest[j] as number);
    const score = sum / k;
    const window = this.calibrationWindow;
    const p = window.length === 0 ? 1 : (1 + window.countAtLeast(score)) / (window.length + 1);
    const ready = window.length === window.size;
    window.push(score);
    return ready ? p : undefined;
  }

  /** Inserts a squared distance into the sorted k nearest, dropping the farthest. */
  private keepNearest(d: number): void {
    const nearest = this.nearest;
    const k = nearest.length;
    if (d >= (nearest[k - 1] as number)) return;
    let j = k - 1;
    while (j > 0 && (nearest[j - 1] as number) > d) {
      nearest[j] = nearest[j - 1] as number;
      j--;
    }
    nearest[j] = d;
  }
}
