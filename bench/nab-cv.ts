/**
 * The honest half of `npm run nab`: leave-one-family-out cross-validation. For each held-out metric
 * family, the detector configuration AND the alarm threshold are chosen on the other families only,
 * then the held-out files are scored with that configuration at that threshold; the held-out results
 * of all folds are pooled into one NAB score. Nothing about a held-out file influences its own score,
 * unlike NAB's usual in-sample threshold sweep.
 */
import type { RobustLikelihoodConfig } from "../src/monitoring/anomaly.js";
import { scoreByThreshold, scoreProfile, type NabFileResult, type NabProfile, type NabThresholdScore } from "../src/monitoring/nab-scorer.js";

/**
 * The metric family of a NAB file: its folder plus the kind of metric, so files of one source and
 * metric (several EC2 CPU series, two rogue-agent key series) are held out together.
 */
export function nabFamily(key: string): string {
  const folder = key.includes("/") ? key.slice(0, key.indexOf("/")) : ".";
  const name = key.slice(key.lastIndexOf("/") + 1).replace(/\.csv$/, "");
  const kinds: Array<[RegExp, string]> = [
    [/cpu_utilization_asg/, "asg_misconfiguration"],
    [/^(ec2|rds)_cpu_utilization/, "cpu_utilization"],
    [/network_?in/i, "network_in"],
    [/temperature/, "temperature"],
    [/^rogue_agent/, "rogue_agent"],
    [/_[0-9a-f]{6}$/, ""],
  ];
  for (const [pattern, kind] of kinds) {
    if (pattern.test(name)) return `${folder}/${kind === "" ? name.replace(pattern, "") : kind}`;
  }
  return `${folder}/${name}`;
}

/** Held-out files binarised at the training threshold: 1 = alarm. */
function binarise(file: NabFileResult, threshold: number): NabFileResult {
  const scores = new Float64Array(file.anomalyScores.length);
  for (let i = 0; i < scores.length; i++) scores[i] = (file.anomalyScores[i] as number) >= threshold ? 1 : 0;
  return { name: file.name, windows: file.windows, anomalyScores: scores };
}

/** NAB's normalised score of binary detections taken as they are (no threshold sweep). */
export function scoreFixed(files: readonly NabFileResult[], profile: NabProfile): number {
  const entries = scoreByThreshold(files, profile);
  const atOne = entries.find((e) => e.threshold === 1) ?? (entries[0] as (typeof entries)[number]);
  const { nullScore, perfectScore } = scoreProfile(files, profile);
  return perfectScore === nullScore ? 0 : (100 * (atOne.score - nullScore)) / (perfectScore - nullScore);
}

/**
 * Candidate thresholds for the training-side search. Raw NAB scores add up over files at a fixed
 * threshold, so each file is swept once per configuration and every fold sums precomputed curves;
 * the 0.0025 step only approximates NAB's exact sweep, which would re-sort the corpus per fold.
 */
const CANDIDATES: Float64Array = (() => {
  const out: number[] = [];
  for (let t = 0.2; t < 1; t += 0.0025) out.push(Math.round(t * 1e4) / 1e4);
  out.push(1);
  return Float64Array.from(out);
})();

/** Raw score of one file at every candidate threshold. */
function curve(file: NabFileResult, profile: NabProfile): Float64Array {
  const entries = scoreByThreshold([file], profile);
  const out = new Float64Array(CANDIDATES.length);
  // Entries run from the highest threshold down; detections at T are the rows scoring ≥ T, i.e. the
  // entry with the smallest threshold still ≥ T.
  let e = 0;
  for (let k = CANDIDATES.length - 1; k >= 0; k--) {
    const t = CANDIDATES[k] as number;
    while (e + 1 < entries.length && (entries[e + 1] as NabThresholdScore).threshold >= t) e++;
    out[k] = (entries[e] as NabThresholdScore).score;
  }
  return out;
}

/** Outcome of one held-out family. */
export interface FoldOutcome {
  readonly family: string;
  readonly files: number;
  readonly chosen: number;
  readonly threshold: number;
  /** The family's own normalised score at the transferred configuration and threshold. */
  readonly heldOut: number;
}

/** Cross-validated result: the pooled held-out score and each fold. */
export interface CrossValidation {
  readonly score: number;
  readonly folds: FoldOutcome[];
}

/**
 * Leave-one-family-out cross-validation over precomputed scores: `scored[c][f]` is file `f` scored by
 * configuration `c` of the grid. Pass a one-entry grid to cross-validate only the threshold.
 */
export function crossValidate(families: readonly string[], scored: readonly (readonly NabFileResult[])[], profile: NabProfile): CrossValidation {
  const distinct = [...new Set(families)].sort();
  const pooled: NabFileResult[] = [];
  const folds: FoldOutcome[] = [];
  const curves = scored.map((files) => files.map((file) => curve(file, profile)));
  for (const family of distinct) {
    // Every configuration is compared on the same training files, so the raw score ranks them as the
    // normalised one would, without scoring the null detector each time.
    let chosen = 0;
    let best = { score: Number.NEGATIVE_INFINITY, threshold: 1 };
    curves.forEach((perFile, c) => {
      const sum = new Float64Array(CANDIDATES.length);
      perFile.forEach((cv, f) => {
        if (families[f] !== family) for (let k = 0; k < sum.length; k++) sum[k] = (sum[k] as number) + (cv[k] as number);
      });
      sum.forEach((score, k) => {
        if (score > best.score) {
          best = { score, threshold: CANDIDATES[k] as number };
          chosen = c;
        }
      });
    });
    const held = (scored[chosen] ?? []).filter((_, f) => families[f] === family).map((file) => binarise(file, best.threshold));
    pooled.push(...held);
    folds.push({ family, files: held.length, chosen, threshold: best.threshold, heldOut: scoreFixed(held, profile) });
  }
  return { score: scoreFixed(pooled, profile), folds };
}

/**
 * The small grid the cross-validation chooses from (12 configurations; the first is the default):
 * baseline length, refractory period and level-shift window, the settings NAB's files disagree on most.
 * The kNN view's own settings stay at their defaults here; the candidates vary them.
 */
export const NAB_CONFIG_GRID: readonly RobustLikelihoodConfig[] = Object.freeze(
  [300, 150, 600].flatMap((baselineWindow) =>
    [300, 150].flatMap((refractory) => [30, 15].map((levelWindow) => ({ baselineWindow, refractory, levelWindow }))),
  ),
);

/** A detector configuration compared in `npm run nab`. */
export interface DetectorCandidate {
  readonly name: string;
  readonly config: RobustLikelihoodConfig;
}

/**
 * The detectors compared: the default (robust likelihood with the nearest-neighbour conformal view
 * corroborating its alarms), the robust-likelihood features alone (the previous default), the view
 * added as one more feature at full and reduced weight, and corroboration with a longer embedding or
 * a looser gate. The first entry is the default detector.
 */
export const NAB_CANDIDATES: readonly DetectorCandidate[] = Object.freeze([
  { name: "default (+ kNN view, corroborate)", config: {} },
  { name: "robust likelihood alone", config: { knnDimension: 0 } },
  { name: "+ kNN view, max", config: { knnFusion: "max", knnWeight: 1 } },
  { name: "+ kNN view, max, weight 0.7", config: { knnFusion: "max", knnWeight: 0.7 } },
  { name: "+ kNN view, corroborate, w=16", config: { knnDimension: 16 } },
  { name: "+ kNN view, corroborate, gate 0.2", config: { knnGate: 0.2 } },
]);

/**
 * What the full cross-validation chooses from: the base grid (with the default kNN view), every
 * other candidate at the default base settings, and the robust-likelihood features alone over the
 * base grid's refractory and baseline choices (pruned to keep the run in the tens of seconds).
 */
export const NAB_FULL_GRID: readonly RobustLikelihoodConfig[] = Object.freeze([
  ...NAB_CONFIG_GRID,
  ...NAB_CANDIDATES.slice(1).map((c) => c.config),
  ...[150, 600].flatMap((baselineWindow) =>
    [300, 150].map((refractory) => ({ baselineWindow, refractory, knnDimension: 0 })),
  ),
]);
