/**
 * Leave-one-family-out cross-validation of ARTime over the NAB files and the seeded stand-ins
 * together (see `synthetic-families.ts`), repeated over several stand-in seeds: one seed's
 * stand-ins move a setting's score by several points, more than most settings differ, so a setting
 * is judged by its mean over seeds and by its difference from the default seed by seed.
 */
import type { AnomalyDetector } from "../src/monitoring/anomaly.js";
import { ArtimeDetector } from "../src/monitoring/artime.js";
import { NAB_PROFILES, probationaryLength, type NabFileResult, type NabProfile } from "../src/monitoring/nab-scorer.js";
import { standInCorpus } from "../src/monitoring/synthetic-families.js";
import { crossValidate, nabFamily, scoreFixed, standInFold, type FoldOutcome } from "./nab-cv.js";
import { scoreEach, type LabelledSeries, type LoadedFile } from "./nab-files.js";

/** Makes the detector for one series (the look-ahead reference reads the series first). */
export type ArtimeMaker = (series: LabelledSeries) => AnomalyDetector;

/** Scores rounded as NAB stores them, one fresh detector per series. */
export function scoreArtime(series: readonly LabelledSeries[], make: ArtimeMaker): NabFileResult[] {
  return scoreEach(series, make);
}

/**
 * The original's look-ahead setting: the series' own range and NAB's probation (even, as the
 * block arithmetic wants, and at least the option's minimum), which it scores nothing before.
 */
export const lookAhead: ArtimeMaker = (series) => {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of series.values) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const probation = probationaryLength(series.values.length);
  return new ArtimeDetector({ probation: Math.max(64, probation - (probation % 2)), range: { min, max }, earlyScoring: 0 });
};

/** A NAB file as the scorer's labelled series. */
export const asSeries = (file: LoadedFile): LabelledSeries => ({ name: file.key, timestamps: file.timestamps, values: file.values, windows: file.windows });

/** One pooled cross-validation: the score of every held-out series, and of the NAB files among them. */
export interface PooledCv {
  readonly score: number;
  readonly nab: number;
  readonly folds: readonly FoldOutcome[];
}

/**
 * Cross-validates `scored[c]` (NAB files first, `nabCount` of them, then stand-ins) and scores the
 * held-out NAB files apart as well, at the configuration and threshold their own fold chose.
 */
export function pooledCv(families: readonly string[], scored: readonly (readonly NabFileResult[])[], nabCount: number, profile: NabProfile): PooledCv {
  const cv = crossValidate(families, scored, profile);
  const heldOutNab: NabFileResult[] = [];
  for (const fold of cv.folds) {
    (scored[fold.chosen] ?? []).forEach((file, f) => {
      if (f >= nabCount || families[f] !== fold.family) return;
      heldOutNab.push({ ...file, anomalyScores: Float64Array.from(file.anomalyScores, (v) => (v >= fold.threshold ? 1 : 0)) });
    });
  }
  return { score: cv.score, nab: scoreFixed(heldOutNab, profile), folds: cv.folds };
}

/** Cross-validated scores over the stand-in seeds: one entry per seed. */
export interface SeededCv {
  /** Per configuration, per seed: each configuration alone (the threshold chosen per fold). */
  readonly alone: ReadonlyArray<readonly PooledCv[]>;
  /**
   * Per subset of the configurations, per seed: the configuration (from the subset) and threshold
   * both chosen per fold; `chosen` of a fold indexes the subset.
   */
  readonly chosen: ReadonlyArray<readonly PooledCv[]>;
}

/**
 * Each maker scored on the NAB files once and on the stand-ins of every seed, then cross-validated
 * with the stand-in families (`standin/<family>`) held out like NAB's; `subsets` (indices into
 * `makers`) are the grids a fold may choose from.
 */
export function seededCv(
  files: readonly LoadedFile[],
  makers: readonly ArtimeMaker[],
  seeds: readonly number[],
  subsets: ReadonlyArray<readonly number[]> = [],
  profile: NabProfile = NAB_PROFILES.standard,
): SeededCv {
  const nab = files.map(asSeries);
  const nabScores = makers.map((make) => scoreArtime(nab, make));
  const nabFamilies = files.map((f) => nabFamily(f.key));
  const alone: PooledCv[][] = makers.map(() => []);
  const chosen: PooledCv[][] = subsets.map(() => []);
  for (const seed of seeds) {
    const standIns = standInCorpus(seed);
    const families = [...nabFamilies, ...standIns.map((s) => standInFold(s.family))];
    const scored = makers.map((make, c) => [...(nabScores[c] ?? []), ...scoreArtime(standIns, make)]);
    scored.forEach((results, c) => alone[c]?.push(pooledCv(families, [results], nab.length, profile)));
    subsets.forEach((subset, k) => chosen[k]?.push(pooledCv(families, subset.map((c) => scored[c] ?? []), nab.length, profile)));
  }
  return { alone, chosen };
}

/** Mean and range of a list of scores, as printed: `64.9 (62.0–66.9)`. */
export function spread(xs: readonly number[]): string {
  if (xs.length === 0) return "-";
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return `${mean.toFixed(1)} (${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)})`;
}
