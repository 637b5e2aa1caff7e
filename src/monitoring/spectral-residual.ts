/**
 * A spectral-residual view of a stream, after Ren, Xu, Wang, Yi, Wang, Xing, Yang, Tong and Zhang,
 * "Time-Series Anomaly Detection Service at Microsoft" (KDD 2019), itself after Hou and Zhang's
 * visual saliency by spectral residual (CVPR 2007):
 *
 * 1. the window is the last `window − extension` values followed by `extension` copies of an
 *    extrapolated next value (the paper's estimated points: the newest value sits mid-window,
 *    not on the wrap-around edge of the transform);
 * 2. with amplitude A and phase P of its Fourier transform, the spectral residual is
 *    R = log A − (log A averaged over `smoothing` neighbouring frequencies);
 * 3. the saliency map is |IFFT(exp(R + iP))|, i.e. the transform divided bin by bin by
 *    exp(averaged log A) and transformed back;
 * 4. the raw score of the newest value is its saliency relative to the mean saliency the newest
 *    values had over the last `scoreWindow` samples, (S − S̄) / S̄, floored at zero.
 *
 * The paper transforms the whole window for every new point, O(n log n). Only the newest value's
 * saliency is needed here, so the transform of the observed part is slid one sample at a time
 * (O(n) per sample: each bin is rotated, the leaving value removed and the newest added), the
 * extrapolated tail is added in closed form, and the inverse transform is evaluated at one index.
 * The input is real, so only the bins up to n/2 are kept. The bins are recomputed exactly every
 * `window` samples so rounding cannot build up. State is a few fixed-size typed arrays.
 *
 * @module
 */
import { z } from "zod";
import { ValidationError } from "../core/errors.js";
import { parseWith } from "../core/validation.js";
import { MomentsWindow } from "./rolling.js";

/** Sizes of a {@link SpectralResidualView}; counts are in samples. */
export const spectralResidualOptionsSchema = z
  .object({
    /** Length of the transformed window, extrapolated tail included. */
    window: z.number().int().min(8).max(1024).default(64),
    /** Extrapolated points appended after the newest value (the paper's κ = 5). */
    extension: z.number().int().min(1).max(64).default(5),
    /** Past values the extrapolation's mean gradient is taken over (the paper's m = 5). */
    gradientPoints: z.number().int().min(1).max(64).default(5),
    /** Neighbouring frequencies the log amplitude is averaged over (the paper's q = 3). */
    smoothing: z.number().int().min(1).max(63).default(3),
    /** Past saliencies of the newest value its own saliency is compared with (the paper's z = 21). */
    scoreWindow: z.number().int().min(1).max(10_000).default(21),
  })
  .refine((o) => o.extension < o.window / 2, { message: "extension must be below half the window", path: ["extension"] })
  .refine((o) => o.gradientPoints < o.window - o.extension, { message: "gradientPoints must fit in the observed part", path: ["gradientPoints"] });

export type SpectralResidualOptions = z.input<typeof spectralResidualOptionsSchema>;

/**
 * Online spectral-residual saliency of the newest value.
 *
 * @example
 * ```ts
 * const view = new SpectralResidualView({ window: 64 });
 * for (const value of values) {
 *   const raw = view.update(value); // undefined while filling, else ≥ 0 (0 = ordinary)
 * }
 * ```
 */
export class SpectralResidualView {
  private readonly n: number;
  private readonly observed: number;
  private readonly extension: number;
  private readonly gradientPoints: number;
  private readonly half: number;
  private readonly smoothing: number;
  /** Transform of the observed part alone (real, imaginary), bins 0..n/2. */
  private readonly re: Float64Array;
  private readonly im: Float64Array;
  /** Rotation of a bin when the window slides: w^{-k}, w = e^{-2πi/n}. */
  private readonly shiftRe: Float64Array;
  private readonly shiftIm: Float64Array;
  /** Where the newest observed value enters: w^{(observed−1)k}. */
  private readonly entryRe: Float64Array;
  private readonly entryIm: Float64Array;
  /** Transform of `extension` ones at the tail, times the extrapolated value gives the tail's part. */
  private readonly tailRe: Float64Array;
  private readonly tailIm: Float64Array;
  /** Inverse-transform weights at the newest observed index. */
  private readonly backRe: Float64Array;
  private readonly backIm: Float64Array;
  private readonly logAmplitude: Float64Array;
  private readonly fullRe: Float64Array;
  private readonly fullIm: Float64Array;
  /** The last `observed` values, twice over so reads never wrap. */
  private readonly ring: Float64Array;
  private readonly saliencies: MomentsWindow;
  private seen = 0;
  private sinceRefresh = 0;
  private lastSaliency = Number.NaN;

  constructor(input: SpectralResidualOptions = {}) {
    const options = parseWith(spectralResidualOptionsSchema, input, "options");
    const n = options.window;
    this.n = n;
    this.extension = options.extension;
    this.observed = n - options.extension;
    this.gradientPoints = options.gradientPoints;
    this.smoothing = options.smoothing;
    this.half = n >> 1;
    const bins = this.half + 1;
    const make = () => new Float64Array(bins);
    this.re = make();
    this.im = make();
    this.shiftRe = make();
    this.shiftIm = make();
    this.entryRe = make();
    this.entryIm = make();
    this.tailRe = make();
    this.tailIm = make();
    this.backRe = make();
    this.backIm = make();
    this.logAmplitude = make();
    this.fullRe = make();
    this.fullIm = make();
    const newest = this.observed - 1;
    for (let k = 0; k < bins; k++) {
      const angle = (2 * Math.PI * k) / n;
      this.shiftRe[k] = Math.cos(angle);
      this.shiftIm[k] = Math.sin(angle);
      this.entryRe[k] = Math.cos(angle * newest);
      this.entryIm[k] = -Math.sin(angle * newest);
      let tr = 0;
      let ti = 0;
      for (let j = this.observed; j < n; j++) {
        tr += Math.cos(angle * j);
        ti -= Math.sin(angle * j);
      }
      this.tailRe[k] = tr;
      this.tailIm[k] = ti;
      // Real output: bins 1..n/2−1 stand for their conjugate mirror too, hence weight 2.
      const weight = (k === 0 || k === this.half ? 1 : 2) / n;
      this.backRe[k] = weight * Math.cos(angle * newest);
      this.backIm[k] = weight * Math.sin(angle * newest);
    }
    this.ring = new Float64Array(2 * this.observed);
    this.saliencies = new MomentsWindow(options.scoreWindow);
  }

  /** Saliency of the newest value before it is compared with the recent ones (NaN while filling). */
  get saliency(): number {
    return this.lastSaliency;
  }

  /** The value `age` samples back (age < observed). */
  private at(age: number): number {
    return this.ring[((this.seen - 1) % this.observed) + this.observed - age] as number;
  }

  /** Exact transform of the observed part from the stored values. */
  private refresh(): void {
    this.sinceRefresh = 0;
    const n = this.n;
    for (let k = 0; k <= this.half; k++) {
      let r = 0;
      let i = 0;
      for (let j = 0; j < this.observed; j++) {
        const v = this.at(this.observed - 1 - j);
        const angle = (2 * Math.PI * k * j) / n;
        r += v * Math.cos(angle);
        i -= v * Math.sin(angle);
      }
      this.re[k] = r;
      this.im[k] = i;
    }
  }

  /**
   * Consumes one value; returns the newest value's saliency relative to the recent ones (0 =
   * ordinary, larger = more salient), or `undefined` until the window and score history are full.
   */
  update(value: number): number | undefined {
    if (!Number.isFinite(value)) throw ValidationError.of("value", `value must be a finite number, got ${String(value)}`, "invalid_type");
    const m = this.observed;
    const leaving = this.seen >= m ? this.at(m - 1) : 0;
    const slot = this.seen % m;
    this.ring[slot] = value;
    this.ring[slot + m] = value;
    this.seen++;
    if (this.seen < m) return undefined;
    const bins = this.half + 1;
    const { re, im } = this;
    if (this.seen === m || ++this.sinceRefresh >= this.n) {
      this.refresh();
    } else {
      for (let k = 0; k < bins; k++) {
        // Drop the value leaving at index 0, move every other one index down (multiply by w^{-k}),
        // then add the newest at the last observed index.
        const r = (re[k] as number) - leaving;
        const i = im[k] as number;
        const sr = this.shiftRe[k] as number;
        const si = this.shiftIm[k] as number;
        re[k] = r * sr - i * si + value * (this.entryRe[k] as number);
        im[k] = r * si + i * sr + value * (this.entryIm[k] as number);
      }
    }
    // The paper's estimated point x̂ = x_{n−m+1} + ḡ·m, with ḡ the mean gradient from the m previous
    // values to the newest; ḡ·m is the sum below.
    let gradient = 0;
    for (let i = 1; i <= this.gradientPoints; i++) gradient += (value - this.at(i)) / i;
    const extrapolated = this.at(this.gradientPoints - 1) + gradient;
    const { fullRe, fullIm, logAmplitude } = this;
    for (let k = 0; k < bins; k++) {
      const r = (re[k] as number) + extrapolated * (this.tailRe[k] as number);
      const i = (im[k] as number) + extrapolated * (this.tailIm[k] as number);
      fullRe[k] = r;
      fullIm[k] = i;
      logAmplitude[k] = 0.5 * Math.log(r * r + i * i + 1e-300);
    }
    // Average log amplitude over `smoothing` bins centred on k; the spectrum mirrors around 0 and
    // n/2, so neighbours past either end are read back from the mirror.
    const q = this.smoothing;
    const lo = -((q - 1) >> 1);
    let saliency = 0;
    for (let k = 0; k < bins; k++) {
      let sum = 0;
      for (let d = lo; d < lo + q; d++) {
        let b = k + d;
        if (b < 0) b = -b;
        if (b > this.half) b = this.n - b;
        sum += logAmplitude[b] as number;
      }
      const divisor = Math.exp(sum / q);
      const r = (fullRe[k] as number) / divisor;
      const i = (fullIm[k] as number) / divisor;
      // The smoothing is symmetric, so the divided spectrum stays conjugate-symmetric and its
      // inverse real: only the real part of each term is summed.
      saliency += r * (this.backRe[k] as number) - i * (this.backIm[k] as number);
    }
    saliency = Math.abs(saliency);
    this.lastSaliency = saliency;
    const history = this.saliencies;
    const ready = history.length === history.size;
    const mean = history.mean();
    history.push(saliency);
    if (!ready) return undefined;
    return mean > 0 ? Math.max(0, (saliency - mean) / mean) : 0;
  }
}
