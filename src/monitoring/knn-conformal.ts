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
import { SortedWindow } from "./rolling.js";

/** Sizes of a {@link KnnConformalView}; counts are in samples. */
export interface KnnConformalOptions {
  /** Values per embedding vector. */
  readonly dimension: number;
  /** Past embeddings compared with the newest one. */
  readonly reference: number;
  /** Nearest neighbours averaged into the non-conformity. */
  readonly neighbours: number;
  /** Past non-conformities the p-value is ranked among. */
  readonly calibration: number;
}

/** Nearest-neighbour non-conformity and its conformal p-value, one sample at a time. */
export class KnnConformalView {
  private readonly dimension: number;
  private readonly minLag: number;
  private readonly lags: number;
  private readonly neighbours: number;
  /** Ring of the last `minLag + lags + dimension` values. */
  private readonly values: Float64Array;
  /** Squared distance from the newest embedding to the one ending `minLag + i` samples back. */
  private readonly distances: Float64Array;
  private readonly nearest: Float64Array;
  private readonly calibrationWindow: SortedWindow;
  private seen = 0;
  private sinceRefresh = 0;

  constructor(options: KnnConformalOptions) {
    this.dimension = options.dimension;
    this.minLag = options.dimension;
    this.lags = options.reference;
    this.neighbours = Math.min(options.neighbours, options.reference);
    this.values = new Float64Array(this.minLag + this.lags + this.dimension);
    this.distances = new Float64Array(this.lags);
    this.nearest = new Float64Array(this.neighbours);
    this.calibrationWindow = new SortedWindow(options.calibration);
  }

  /** Non-conformities ranked so far (at most `calibration`). */
  get calibrated(): number {
    return this.calibrationWindow.length;
  }

  private at(age: number): number {
    const size = this.values.length;
    return this.values[(this.seen - 1 - age + size) % size] as number;
  }

  /** Exact recomputation of every lag's sum from the stored values. */
  private refresh(): void {
    this.sinceRefresh = 0;
    const w = this.dimension;
    for (let i = 0; i < this.lags; i++) {
      const lag = this.minLag + i;
      let sum = 0;
      for (let j = 0; j < w; j++) {
        const d = this.at(j) - this.at(j + lag);
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
    const size = this.values.length;
    this.values[this.seen % size] = value;
    this.seen++;
    const w = this.dimension;
    const fullAt = this.minLag + this.lags + w - 1;
    if (this.seen < fullAt) return undefined;
    if (this.seen === fullAt || ++this.sinceRefresh >= this.lags) {
      this.refresh();
    } else {
      // The newest coordinate joins every sum and the one `dimension` back leaves it. Indices walk
      // down the ring by hand: this loop is the whole cost of the view.
      const ring = this.values;
      const newest = (this.seen - 1) % size;
      const leaving = ring[(newest - w + size) % size] as number;
      let joinAt = (newest - this.minLag + size) % size;
      let leaveAt = (newest - w - this.minLag + 2 * size) % size;
      const distances = this.distances;
      for (let i = 0; i < this.lags; i++) {
        const a = value - (ring[joinAt] as number);
        const b = leaving - (ring[leaveAt] as number);
        const d = (distances[i] as number) + a * a - b * b;
        distances[i] = d > 0 ? d : 0;
        if (--joinAt < 0) joinAt = size - 1;
        if (--leaveAt < 0) leaveAt = size - 1;
      }
    }
    const score = this.nonconformity();
    const window = this.calibrationWindow;
    const p = window.length === 0 ? 1 : (1 + window.countAtLeast(score)) / (window.length + 1);
    const ready = window.length === window.size;
    window.push(score);
    return ready ? p : undefined;
  }

  /** Mean distance to the `neighbours` nearest reference embeddings. */
  private nonconformity(): number {
    const k = this.neighbours;
    const nearest = this.nearest.fill(Number.POSITIVE_INFINITY);
    for (let i = 0; i < this.lags; i++) {
      const d = this.distances[i] as number;
      if (d >= (nearest[k - 1] as number)) continue;
      let j = k - 1;
      while (j > 0 && (nearest[j - 1] as number) > d) {
        nearest[j] = nearest[j - 1] as number;
        j--;
      }
      nearest[j] = d;
    }
    let sum = 0;
    for (let j = 0; j < k; j++) sum += Math.sqrt(nearest[j] as number);
    return sum / k;
  }
}
