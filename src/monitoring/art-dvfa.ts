/**
 * Dual-vigilance fuzzy ART (DVFA), the adaptive-resonance core of ARTime, carried over from the
 * compact DVFA in M. Nunes' ARTimeNAB.jl (`src/AdaptiveResonanceCompact.jl`,
 * https://github.com/markNZed/ARTimeNAB.jl), itself derived from AdaptiveResonance.jl (S. Petrenko,
 * MIT licence), after L. E. Brito da Silva et al., "Dual vigilance fuzzy adaptive resonance theory",
 * Neural Networks 109 (2019).
 *
 * Inputs are feature vectors in [0, 1], complement-coded (`x`, then `1 − x`). A category is a box
 * of weights; its match with an input is `featureSimilarity³ × energySimilarity²`, where the feature
 * similarity is `|min(x, w)|₁ / |w|₁` over all dimensions and the energy similarity the same over the
 * last feature and its complement only (in ARTime, the newest level of the series). Two vigilances:
 * every category matching at `rhoUpper` or more learns the input (fast commit, `w ← min(x, w)`);
 * otherwise, if the best match reaches `rhoLower`, the input becomes a new category of the best
 * one's cluster; otherwise it founds a new cluster, which is what ARTime calls an anomaly.
 *
 * Differences from the original:
 * - Labels, and the per-sample histories of matches the original appends to forever, are not kept:
 *   ARTime only asks whether a new cluster was founded, and the latest best match.
 * - At most `maxCategories` categories are stored; when full, a new category replaces the one that
 *   was least recently the best match or learned (the original grows without bound).
 * - {@link DualVigilanceArt.rescale} maps the stored weights of chosen dimensions through an
 *   increasing affine map, so the caller can widen the value range it normalised with.
 *
 * @module
 */

/** Categories room is first made for. */
const INITIAL_CAPACITY = 32;

/** Result of presenting one input. */
export interface ArtStep {
  /** True when no category matched at `rhoLower`: the input founded a new cluster. */
  readonly newCluster: boolean;
  /** Best match over the stored categories (0 when there are none). */
  readonly match: number;
  /** Energy similarity of the best-matching category. */
  readonly energy: number;
}

/** A DVFA network over `dimension` features (stored complement-coded, so twice as many weights). */
export class DualVigilanceArt {
  rhoLower = 0;
  rhoUpper = 0;
  private readonly width: number;
  // Sized for `capacity` categories, doubled as they fill up to `maxCategories`, so a quiet series
  // does not hold the memory of a busy one.
  private capacity: number;
  private weights: Float64Array;
  /** |w|₁ of each category, kept up to date on every commit so activation does not re-sum it. */
  private norms: Float64Array;
  private lastUsed: Float64Array;
  private matches: Float64Array;
  /** The complement of the input being presented, computed once rather than per category. */
  private readonly complement: Float64Array;
  private count = 0;
  private clock = 0;
  private started = false;

  constructor(
    readonly dimension: number,
    readonly maxCategories: number,
  ) {
    this.width = 2 * dimension;
    this.capacity = Math.min(maxCategories, INITIAL_CAPACITY);
    this.weights = new Float64Array(this.capacity * this.width);
    this.norms = new Float64Array(this.capacity);
    this.lastUsed = new Float64Array(this.capacity);
    this.matches = new Float64Array(this.capacity);
    this.complement = new Float64Array(dimension);
    // As the original, the first category is all ones: it matches every input at 1/2 on features
    // and on energy, so in practice it never resonates, and the first input is only recorded.
    this.weights.fill(1, 0, this.width);
    this.norms[0] = this.width;
    this.count = 1;
  }

  /** Categories stored (at most `maxCategories`): the size of the state. */
  get categories(): number {
    return this.count;
  }

  /**
   * Presents one input of `dimension` features in [0, 1]. With `learning` false nothing is stored,
   * as the original does for inputs before the first full feature window.
   */
  present(input: Float64Array, learning = true): ArtStep {
    // As the original, the very first input is only recorded, with match and energy 0.
    if (!this.started) {
      this.started = true;
      return { newCluster: true, match: 0, energy: 0 };
    }
    const { width, dimension, weights, norms, matches, complement } = this;
    const energyAt = dimension - 1;
    for (let k = 0; k < dimension; k++) complement[k] = 1 - (input[k] as number);
    let best = -1;
    let bestMatch = 0;
    let bestEnergy = 0;
    const last = input[energyAt] as number;
    for (let c = 0; c < this.count; c++) {
      const base = c * width;
      const we = weights[base + energyAt] as number;
      const wce = weights[base + width - 1] as number;
      // A category whose newest level spans all of [0, 1] has no energy weight left (0/0 there).
      const energy = we + wce > 0 ? (Math.min(last, we) + Math.min(1 - last, wce)) / (we + wce) : 0;
      // The feature similarity is at most 1, so energy² bounds the match: a category that can
      // neither be the best nor reach the upper vigilance is skipped (exact, only faster).
      if (energy * energy <= bestMatch && energy * energy < this.rhoUpper) {
        matches[c] = 0;
        continue;
      }
      let overlap = 0;
      for (let k = 0; k < dimension; k++) {
        const x = input[k] as number;
        const xc = complement[k] as number;
        const wx = weights[base + k] as number;
        const wc = weights[base + dimension + k] as number;
        overlap += (x < wx ? x : wx) + (xc < wc ? xc : wc);
      }
      const norm = norms[c] === 0 ? 0.001 : (norms[c] as number);
      const feature = overlap / norm;
      const match = feature * feature * feature * energy * energy;
      matches[c] = match;
      // Strictly greater: ties go to the older category.
      if (match > bestMatch) {
        bestMatch = match;
        bestEnergy = energy;
        best = c;
      }
    }
    if (!learning) return { newCluster: true, match: bestMatch, energy: bestEnergy };
    this.clock++;
    if (best >= 0 && bestMatch >= this.rhoUpper) {
      // Every category at the upper vigilance learns the input, not only the best.
      for (let c = 0; c < this.count; c++) if ((matches[c] as number) >= this.rhoUpper) this.commit(c, input);
      this.lastUsed[best] = this.clock;
      return { newCluster: false, match: bestMatch, energy: bestEnergy };
    }
    if (best >= 0) this.lastUsed[best] = this.clock;
    this.store(input);
    return { newCluster: !(best >= 0 && bestMatch >= this.rhoLower), match: bestMatch, energy: bestEnergy };
  }

  /**
   * Maps the weights of dimensions `from` to `to − 1` as their inputs would be mapped by
   * `x ↦ scale × x + shift` (`scale` ≥ 0): exact, because the map is increasing, so the minimum of
   * mapped inputs is the mapped minimum. The initial all-ones category stays as it is.
   */
  rescale(from: number, to: number, scale: number, shift: number): void {
    const { width, dimension, weights } = this;
    for (let c = 1; c < this.count; c++) {
      const base = c * width;
      let norm = this.norms[c] as number;
      for (let k = from; k < to; k++) {
        const w = weights[base + k] as number;
        const wc = weights[base + dimension + k] as number;
        const mapped = scale * w + shift;
        // The complement weight is 1 − max(x), and the maximum maps like the minimum.
        const mappedComplement = 1 - (scale * (1 - wc) + shift);
        norm += mapped - w + mappedComplement - wc;
        weights[base + k] = mapped;
        weights[base + dimension + k] = mappedComplement;
      }
      this.norms[c] = norm;
    }
  }

  private commit(c: number, input: Float64Array): void {
    const { width, dimension, weights } = this;
    const base = c * width;
    let norm = 0;
    for (let k = 0; k < dimension; k++) {
      const x = input[k] as number;
      const w = Math.min(x, weights[base + k] as number);
      const wc = Math.min(1 - x, weights[base + dimension + k] as number);
      weights[base + k] = w;
      weights[base + dimension + k] = wc;
      norm += w + wc;
    }
    this.norms[c] = norm;
  }

  private grow(): void {
    this.capacity = Math.min(this.maxCategories, 2 * this.capacity);
    const widen = (from: Float64Array, size: number) => {
      const to = new Float64Array(size);
      to.set(from);
      return to;
    };
    this.weights = widen(this.weights, this.capacity * this.width);
    this.norms = widen(this.norms, this.capacity);
    this.lastUsed = widen(this.lastUsed, this.capacity);
    this.matches = widen(this.matches, this.capacity);
  }

  private store(input: Float64Array): void {
    let slot = this.count;
    if (slot === this.capacity && slot < this.maxCategories) this.grow();
    if (slot < this.maxCategories) this.count++;
    else {
      // Full: reuse the least recently used category (never the initial one, index 0).
      slot = 1;
      for (let c = 2; c < this.count; c++) if ((this.lastUsed[c] as number) < (this.lastUsed[slot] as number)) slot = c;
    }
    const base = slot * this.width;
    for (let k = 0; k < this.dimension; k++) {
      const x = input[k] as number;
      this.weights[base + k] = x;
      this.weights[base + this.dimension + k] = 1 - x;
    }
    this.norms[slot] = this.dimension;
    this.lastUsed[slot] = this.clock;
  }
}
