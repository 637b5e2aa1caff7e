/**
 * ARTime's feature extraction (after `process_sample!` in M. Nunes' ARTimeNAB.jl, `src/ARTime.jl`,
 * https://github.com/markNZed/ARTimeNAB.jl): the series is downsampled by blocks of `step` samples,
 * each block kept as its mean unless its extreme (the one farther from a running average) differs
 * from the mean by 10 % or more; normalised to the value range, quantised to `levels` levels, and
 * snapped to the running median level when within `chomp` of it. The feature vector of a block is
 * the Haar wavelet transform of the last `window` levels, min–max normalised, followed by those
 * levels themselves.
 *
 * The range is the caller's (see {@link ArtimeFeatures.normalise}); a block outside it widens it,
 * and the levels already held, the median histogram and the learned weights (through `onRescale`)
 * are mapped to the new range.
 *
 * @module
 */

/**
 * The orthonormal Haar transform of a power-of-two-long vector, coarsest first (approximation, then
 * details), each detail `(second − first) / √2` as in Wavelets.jl, which the original uses.
 */
export function haar(input: Float64Array): Float64Array {
  const out = Float64Array.from(input);
  const scratch = new Float64Array(input.length);
  for (let length = input.length; length > 1; length >>= 1) {
    const half = length >> 1;
    for (let k = 0; k < half; k++) {
      const a = out[2 * k] as number;
      const b = out[2 * k + 1] as number;
      scratch[k] = (a + b) * Math.SQRT1_2;
      scratch[half + k] = (b - a) * Math.SQRT1_2;
    }
    out.set(scratch.subarray(0, length));
  }
  return out;
}

/** Shifts `v` into [0, 1] by its minimum and maximum, in place (a constant vector becomes 0). */
function minMax(v: Float64Array): void {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const x of v) {
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  const span = hi - lo;
  for (let k = 0; k < v.length; k++) v[k] = span !== 0 ? ((v[k] as number) - lo) / span : (v[k] as number) - lo;
}

/** Settings of {@link ArtimeFeatures}. */
export interface ArtimeFeatureSettings {
  /** Levels per feature window (a power of two). */
  readonly window: number;
  /** Samples per downsampled block. */
  readonly step: number;
  /** Quantisation levels over the value range. */
  readonly levels: number;
  /** Distance (in range units) within which a level snaps to the running median. */
  readonly chomp: number;
  /** Fraction of the range added beyond a value that widens it. */
  readonly rangeMargin: number;
}

/** Streaming feature extraction; see the module notes. */
export class ArtimeFeatures {
  /** Downsampled blocks so far (the original's `dsi − 1`). */
  blocks = 0;
  private lo = 0;
  private span = 0;
  private blockCount = 0;
  private blockSum = 0;
  private blockMin = Number.POSITIVE_INFINITY;
  private blockMax = Number.NEGATIVE_INFINITY;
  private movingAverage = 0;
  private readonly histogram: Float64Array;
  private medianLevel = 0;
  private belowMedian = 0;
  private aboveMedian = 0;
  /** The last `window` normalised levels, oldest first. */
  private readonly recent: Float64Array;

  constructor(
    private readonly settings: ArtimeFeatureSettings,
    private readonly onRescale: (scale: number, shift: number) => void,
  ) {
    this.histogram = new Float64Array(settings.levels + 1);
    this.recent = new Float64Array(settings.window);
  }

  /** Feature vectors are this long: the wavelet part, then the levels. */
  get dimension(): number {
    return 2 * this.settings.window;
  }

  /**
   * Sets the value range blocks are normalised with, widened by `margin` of itself on each side; a
   * zero span is widened by the first change.
   */
  normalise(lo: number, hi: number, margin: number): void {
    margin *= hi - lo;
    this.lo = lo - margin;
    this.span = hi - lo + 2 * margin;
  }

  /** Consumes one value; the features of the block it completes, or `undefined` inside a block. */
  push(value: number): Float64Array | undefined {
    this.blockCount++;
    this.blockSum += value;
    if (value < this.blockMin) this.blockMin = value;
    if (value > this.blockMax) this.blockMax = value;
    if (this.blockCount < this.settings.step) return undefined;
    const mean = this.blockSum / this.blockCount;
    const { blockMin, blockMax } = this;
    this.blockCount = 0;
    this.blockSum = 0;
    this.blockMin = Number.POSITIVE_INFINITY;
    this.blockMax = Number.NEGATIVE_INFINITY;
    return this.block(mean, blockMin, blockMax);
  }

  private block(mean: number, min: number, max: number): Float64Array {
    const { window, levels, chomp } = this.settings;
    this.blocks++;
    this.movingAverage = this.blocks === 1 ? mean : (this.movingAverage + mean) / 2;
    // A spike below the running average is kept as such.
    let value = Math.abs(max - this.movingAverage) < Math.abs(min - this.movingAverage) ? min : max;
    // The original compares with 0.1 × mean; its magnitude keeps the rule meaningful below zero.
    if (Math.abs(value - mean) < 0.1 * Math.abs(mean)) value = mean;
    this.widenTo(value);
    const level = this.span > 0 ? Math.round(((value - this.lo) / this.span) * levels) : 0;
    let normalised = level / levels;
    this.trackMedian(level);
    const median = this.medianLevel / levels;
    if (Math.abs(normalised - median) < chomp) normalised = median;
    this.recent.copyWithin(0, 1);
    this.recent[window - 1] = normalised;
    const features = new Float64Array(2 * window);
    if (this.blocks >= window) {
      const shape = Float64Array.from(this.recent);
      minMax(shape);
      const wavelet = haar(shape);
      minMax(wavelet);
      features.set(wavelet, 0);
      features.set(this.recent, window);
    }
    return features;
  }

  /** The original's approximate running median of the levels, one step of a walk per block. */
  private trackMedian(level: number): void {
    const bins = this.histogram;
    bins[level] = (bins[level] as number) + 1;
    const position = this.blocks >> 1;
    if (this.blocks === 1) this.medianLevel = level;
    if (this.medianLevel > level) this.belowMedian++;
    else if (this.medianLevel < level) this.aboveMedian++;
    if (position < this.aboveMedian) {
      this.belowMedian += bins[this.medianLevel] as number;
      this.medianLevel++;
      while (bins[this.medianLevel] === 0) this.medianLevel++;
      this.aboveMedian -= bins[this.medianLevel] as number;
    } else if (position < this.belowMedian) {
      this.aboveMedian += bins[this.medianLevel] as number;
      this.medianLevel--;
      while (bins[this.medianLevel] === 0) this.medianLevel--;
      this.belowMedian -= bins[this.medianLevel] as number;
    }
  }

  /**
   * Widens the range to hold `value` plus a margin on the side it left, then maps what was learned
   * in the old range units into the new ones.
   */
  private widenTo(value: number): void {
    const hi = this.lo + this.span;
    if (value >= this.lo && value <= hi) return;
    const margin = this.settings.rangeMargin;
    const newLo = value < this.lo ? value - margin * (hi - value) : this.lo;
    const newHi = value > hi ? value + margin * (value - this.lo) : hi;
    const newSpan = newHi - newLo;
    const scale = this.span / newSpan;
    const shift = (this.lo - newLo) / newSpan;
    this.lo = newLo;
    this.span = newSpan;
    const { levels, window } = this.settings;
    for (let k = 0; k < window; k++) this.recent[k] = scale * (this.recent[k] as number) + shift;
    const old = Float64Array.from(this.histogram);
    this.histogram.fill(0);
    for (let l = 0; l <= levels; l++) {
      const mapped = Math.min(levels, Math.max(0, Math.round(scale * l + shift * levels)));
      this.histogram[mapped] = (this.histogram[mapped] as number) + (old[l] as number);
    }
    this.recountMedian();
    this.onRescale(scale, shift);
  }

  /** Puts the median walk back on the re-binned histogram. */
  private recountMedian(): void {
    const bins = this.histogram;
    let total = 0;
    for (const n of bins) total += n;
    if (total === 0) return;
    let below = 0;
    let level = 0;
    while (level < bins.length - 1 && below + (bins[level] as number) <= total / 2) below += bins[level++] as number;
    this.medianLevel = level;
    this.belowMedian = below;
    this.aboveMedian = total - below - (bins[level] as number);
  }
}
