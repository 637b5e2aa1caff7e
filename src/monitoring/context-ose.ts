/**
 * Contextual anomaly detection after CAD OSE ("Contextual Anomaly Detector, open-source edition", M.
 * Smirnov and A. Veselov, https://github.com/smirmik/CAD; the `context_ose` detector of the Numenta
 * Anomaly Benchmark, which scores 69.9 standard there).
 *
 * Each value is quantised into `2^valueBits` bins and written as facts, one per bit position and bit
 * value. The context memory ({@link ContextMemory}) learns which facts follow which, and which
 * contexts were active before, and predicts the next value's facts. A value whose facts were all
 * predicted scores 0; otherwise the raw score is `(1 − activeShare + newShare) / 2`: high when few of
 * the contexts that expected to fire did, and when most of what this step proposed was new to the
 * memory. NAB's wrapper then holds the score at 0 for `restPeriod` samples after any raw score of
 * `baseThreshold` or more (and for the first `restPeriod` samples), so an incident alarms once.
 *
 * Differences from the original, all forced by streaming or bounded memory:
 * - NAB hands the original the minimum and maximum of the whole file, which is look-ahead. Here the
 *   range is learned from the first `warmup` samples, widened by `rangeMargin` of itself on each
 *   side; those samples are then replayed into the memory, so learning starts from the first sample
 *   as in the original, but they score 0. A later value outside the range is not clipped: above it,
 *   its bin number simply has more bits (as the original's arithmetic does with a value above the
 *   file's maximum); below it, it gets a sign fact. Both are facts never seen in range, so they are
 *   unpredicted and propose new contexts.
 * - NAB sets the rest period to a fifth of its probationary period (15 % of the file, at most 750
 *   rows), which depends on the file's length; here it is a fixed count, 120 samples by default (a
 *   fifth of the probation of NAB's typical 4,032-row file).
 * - The memory holds at most `maxContexts` contexts (see {@link ContextMemory}); the original grows
 *   without bound.
 * - Ties among equally active contexts are broken by creation order, not by fact-set hashes.
 *
 * @module
 */
import { z } from "zod";
import { ValidationError } from "../core/errors.js";
import { parseWith } from "../core/validation.js";
import type { AnomalyDetector } from "./anomaly.js";
import { ContextMemory } from "./context-memory.js";

/** Largest bit position a value's bin number may use; further out, values share the outermost bin. */
const MAX_BITS = 30;
/** Sensor facts are `2 × bit + value` for bits below {@link MAX_BITS}; this one marks negative bins. */
const SIGN_FACT = 2 * MAX_BITS;
/** Context ids are fed back as facts from here up, above every sensor fact. */
const NEURON_BASE = SIGN_FACT + 1;

/** Options of {@link ContextOseView}; counts are in samples. */
export const contextOseViewOptionsSchema = z.object({
  /** Samples the value range is learned from before the first score. */
  warmup: z.number().int().min(2).max(100_000).default(300),
  /** Fraction of the learned range added below and above it. */
  rangeMargin: z.number().min(0).max(10).default(0.1),
  /** Bits of a value's bin number: `2^valueBits − 1` bins span the range (the original's 3). */
  valueBits: z.number().int().min(1).max(16).default(3),
  /** Longest partial left semi-context stored (the original's `maxLeftSemiContextsLenght`, 7). */
  maxLeftSemiContextLength: z.number().int().min(1).max(64).default(7),
  /** Most active contexts fed back as facts to the next step (the original's 15). */
  maxActiveNeurons: z.number().int().min(1).max(256).default(15),
  /** Cap on stored contexts, which bounds memory per series (the original has none). */
  maxContexts: z.number().int().min(16).max(10_000_000).default(100_000),
});

export type ContextOseViewOptions = z.input<typeof contextOseViewOptionsSchema>;

/** Options of {@link ContextOseDetector}: the view's, plus NAB's rest-period logic. */
export const contextOseOptionsSchema = contextOseViewOptionsSchema.extend({
  /** Raw score from which the following `restPeriod` samples are held at 0 (the original's 0.75). */
  baseThreshold: z.number().gt(0).max(1).default(0.75),
  /** Samples held at 0 after a raw score of `baseThreshold` or more, and at the start. */
  restPeriod: z.number().int().min(1).max(100_000).default(120),
});

export type ContextOseOptions = z.input<typeof contextOseOptionsSchema>;

/**
 * The raw contextual score of each sample, without the rest period: a view other detectors can
 * combine with theirs.
 *
 * @example
 * ```ts
 * const view = new ContextOseView({ warmup: 300 });
 * for (const value of values) {
 *   const raw = view.update(value); // undefined while the range is learned, else in [0, 1]
 * }
 * ```
 */
export class ContextOseView {
  private readonly options: z.output<typeof contextOseViewOptionsSchema>;
  private readonly memory: ContextMemory;
  private readonly pending: number[] = [];
  private minValue = 0;
  private step = 1;
  private ready = false;

  constructor(input: ContextOseViewOptions = {}) {
    this.options = parseWith(contextOseViewOptionsSchema, input, "options");
    this.memory = new ContextMemory(NEURON_BASE, this.options.maxLeftSemiContextLength, this.options.maxActiveNeurons, this.options.maxContexts);
  }

  /** Contexts stored so far (at most `maxContexts`): the size of the state. */
  get contexts(): number {
    return this.memory.contexts;
  }

  /**
   * Consumes one finite value; its raw score in [0, 1], or `undefined` while the range is learned.
   * A non-finite value is refused with a {@link ValidationError}, the state unchanged.
   */
  update(value: number): number | undefined {
    if (!Number.isFinite(value)) throw ValidationError.of("value", "must be a finite number");
    if (this.ready) return this.score(value);
    this.pending.push(value);
    if (this.pending.length < this.options.warmup) return undefined;
    this.learnRange();
    let last = 0;
    for (const v of this.pending) last = this.score(v);
    this.pending.length = 0;
    return last;
  }

  private learnRange(): void {
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const v of this.pending) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const bins = 2 ** this.options.valueBits - 1;
    const margin = this.options.rangeMargin * (hi - lo);
    const range = hi - lo + 2 * margin;
    this.minValue = lo - margin;
    // As the original: a constant prefix gets one unit per bin.
    this.step = (range > 0 ? range : bins) / bins;
    this.ready = true;
  }

  /** The value's facts: one per bit of its bin number, ascending (plus the sign fact below range). */
  private facts(value: number): number[] {
    const limit = 2 ** MAX_BITS - 1;
    // Truncation toward zero, as the original's int(): slightly below the range is still bin 0.
    const bin = Math.max(-limit, Math.min(limit, Math.trunc((value - this.minValue) / this.step)));
    let magnitude = Math.abs(bin);
    const out: number[] = [];
    for (let bit = 0; bit < this.options.valueBits || magnitude > 0; bit++) {
      out.push(2 * bit + (magnitude & 1));
      magnitude = Math.floor(magnitude / 2);
    }
    if (bin < 0) out.push(SIGN_FACT);
    return out;
  }

  private score(value: number): number {
    const facts = this.facts(value);
    const predicted = this.memory.predictedFacts;
    const surprised = facts.some((f) => !predicted.includes(f));
    const { activeShare, newShare } = this.memory.step(facts);
    return surprised ? (1 - activeShare + newShare) / 2 : 0;
  }
}

/**
 * CAD OSE as a streaming {@link AnomalyDetector}: the {@link ContextOseView} score behind NAB's
 * rest period (see the module notes for how it differs from the original).
 *
 * @example
 * ```ts
 * const detector = new ContextOseDetector();
 * for (const [t, v] of samples) {
 *   const score = detector.update(t, v); // in [0, 1]
 * }
 * ```
 */
export class ContextOseDetector implements AnomalyDetector {
  private readonly view: ContextOseView;
  private readonly baseThreshold: number;
  private readonly restPeriod: number;
  /** Raw scores since the last one at or above `baseThreshold`; the start counts as one. */
  private sinceHigh = 0;

  constructor(input: ContextOseOptions = {}) {
    const { baseThreshold, restPeriod, ...view } = parseWith(contextOseOptionsSchema, input, "options");
    this.view = new ContextOseView(view);
    this.baseThreshold = baseThreshold;
    this.restPeriod = restPeriod;
  }

  /** Contexts stored so far (at most `maxContexts`). */
  get contexts(): number {
    return this.view.contexts;
  }

  /** Scores one sample; a non-finite value scores 0 and is not learned, as in the robust-likelihood detector. */
  update(_timestamp: number, value: number): number {
    if (!Number.isFinite(value)) return 0;
    const raw = this.view.update(value);
    if (raw === undefined) return 0;
    const resting = this.sinceHigh < this.restPeriod;
    this.sinceHigh = raw >= this.baseThreshold ? 0 : this.sinceHigh + 1;
    return resting ? 0 : raw;
  }
}
