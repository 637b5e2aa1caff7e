/**
 * Scoring anomaly detectors the way the Numenta Anomaly Benchmark does (Lavin & Ahmad, 2015, and the
 * sweeper of numenta/NAB v1.1), so a detector's number here is comparable with the published scoreboard:
 *
 * - Each labelled window rewards only its earliest detection, with a scaled sigmoid of the detection's
 *   position in the window (the left edge earns the full `tpWeight`, the right edge nothing); a window
 *   without a detection costs `fnWeight`.
 * - A detection outside every window costs up to `fpWeight`, less when it falls just after a window
 *   (the sigmoid continues past the right edge); before the first window it costs the full weight.
 * - The first 15 % of each file (at most 750 rows) is probationary and never scored.
 * - One threshold per profile is chosen for the whole corpus by sweeping every distinct score
 *   (exact, where NAB 1.0 hill-climbed), and a detection is `score >= threshold`.
 * - Scores are normalised so the null detector (a constant score, at its best threshold) gets 0 and a
 *   perfect one `tpWeight` per labelled window — every window, as NAB's runner counts them, so a
 *   window lying wholly in a probationary period lowers the ceiling no detector can reach.
 *
 * @module
 */
import { ValidationError } from "../core/errors.js";

/** Weights of one NAB application profile. */
export interface NabProfile {
  readonly tpWeight: number;
  readonly fpWeight: number;
  readonly fnWeight: number;
}

/** NAB's three application profiles (config/profiles.json). */
export const NAB_PROFILES = Object.freeze({
  standard: Object.freeze({ tpWeight: 1, fpWeight: 0.11, fnWeight: 1 }),
  reward_low_FP_rate: Object.freeze({ tpWeight: 1, fpWeight: 0.22, fnWeight: 1 }),
  reward_low_FN_rate: Object.freeze({ tpWeight: 1, fpWeight: 0.11, fnWeight: 2 }),
}) satisfies Record<string, NabProfile>;

export type NabProfileName = keyof typeof NAB_PROFILES;

/** One scored file: per-row anomaly scores and the labelled windows as inclusive row-index ranges. */
export interface NabFileResult {
  readonly name: string;
  readonly anomalyScores: ArrayLike<number>;
  /** Inclusive `[firstRow, lastRow]` ranges, sorted and disjoint. */
  readonly windows: ReadonlyArray<readonly [number, number]>;
}

/** NAB's fraction of each file used for probation. */
export const NAB_PROBATION_PERCENT = 0.15;

/** Rows at the start of a file that are never scored: `min(floor(p·n), p·5000)`, as NAB does. */
export function probationaryLength(rows: number, percent = NAB_PROBATION_PERCENT): number {
  return Math.min(Math.floor(percent * rows), percent * 5000);
}

/**
 * The scaled sigmoid: 2σ(−5x) − 1, and −1 past x = 3 (NAB's cut-off is strict). x = −1 is a window's
 * left edge (≈ 0.9866), 0 its right edge (0), positive x lies past it.
 */
export function scaledSigmoid(relativePosition: number): number {
  if (relativePosition > 3) return -1;
  return 2 / (1 + Math.exp(5 * relativePosition)) - 1;
}

const maxTruePositive = scaledSigmoid(-1);

/** A scorable row: its anomaly score, what detecting it is worth, and its window (-1 = none). */
interface SweepPoint {
  readonly anomalyScore: number;
  readonly sweepScore: number;
  readonly window: number;
}

/** Per-row contribution of a detection, or `undefined` for probationary rows. */
export function sweepScores(rows: number, windows: NabFileResult["windows"], profile: NabProfile, probationPercent = NAB_PROBATION_PERCENT): Array<number | undefined> {
  const out: Array<number | undefined> = new Array<number | undefined>(rows);
  const probation = probationaryLength(rows, probationPercent);
  let next = 0;
  let prevEnd = -1;
  let prevWidth = 0;
  for (let i = 0; i < rows; i++) {
    while (next < windows.length && (windows[next] as readonly [number, number])[1] < i) {
      const w = windows[next] as readonly [number, number];
      prevEnd = w[1];
      prevWidth = w[1] - w[0] + 1;
      next++;
    }
    const current = windows[next];
    let score: number;
    if (current !== undefined && i >= current[0] && i <= current[1]) {
      const width = current[1] - current[0] + 1;
      score = (scaledSigmoid(-(current[1] - i + 1) / width) * profile.tpWeight) / maxTruePositive;
    } else if (prevEnd < 0) {
      score = -profile.fpWeight;
    } else {
      const position = prevWidth > 1 ? Math.abs(prevEnd - i) / (prevWidth - 1) : Number.POSITIVE_INFINITY;
      score = scaledSigmoid(position) * profile.fpWeight;
    }
    out[i] = i < probation ? undefined : score;
  }
  return out;
}

function validateFile(file: NabFileResult, index: number): void {
  let last = -1;
  file.windows.forEach(([start, end], w) => {
    if (!(Number.isInteger(start) && Number.isInteger(end) && start <= end && start > last && end < file.anomalyScores.length)) {
      throw ValidationError.of(`files[${index}].windows[${w}]`, `window [${start}, ${end}] must be ordered, disjoint and inside the file's ${file.anomalyScores.length} rows`, "invalid_window");
    }
    last = end;
  });
  for (let i = 0; i < file.anomalyScores.length; i++) {
    const s = file.anomalyScores[i] as number;
    if (!(s >= 0 && s <= 1)) throw ValidationError.of(`files[${index}].anomalyScores[${i}]`, `anomaly score must be in [0, 1], got ${s}`, "invalid_score");
  }
}

function collectPoints(files: readonly NabFileResult[], profile: NabProfile, probationPercent: number): { points: SweepPoint[] } {
  const points: SweepPoint[] = [];
  let windowBase = 0;
  files.forEach((file, f) => {
    validateFile(file, f);
    const sweep = sweepScores(file.anomalyScores.length, file.windows, profile, probationPercent);
    let w = 0;
    for (let i = 0; i < sweep.length; i++) {
      const s = sweep[i];
      while (w < file.windows.length && (file.windows[w] as readonly [number, number])[1] < i) w++;
      const win = file.windows[w];
      const inWindow = win !== undefined && i >= win[0] && i <= win[1];
      if (s === undefined) continue;
      points.push({ anomalyScore: file.anomalyScores[i] as number, sweepScore: s, window: inWindow ? windowBase + w : -1 });
    }
    windowBase += file.windows.length;
  });
  return { points };
}

/** Outcome of one threshold over a set of files. */
export interface NabThresholdScore {
  readonly threshold: number;
  readonly score: number;
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
  readonly tn: number;
}

/**
 * Raw score of every distinct threshold, highest threshold first (the first entry, 1.1, detects
 * nothing). Detections are rows with `anomalyScore >= threshold`.
 */
export function scoreByThreshold(files: readonly NabFileResult[], profile: NabProfile, probationPercent = NAB_PROBATION_PERCENT): NabThresholdScore[] {
  const { points } = collectPoints(files, profile, probationPercent);
  points.sort((a, b) => b.anomalyScore - a.anomalyScore);
  const best = new Map<number, number>();
  let fnTotal = 0;
  for (const p of points) {
    if (p.window >= 0 && !best.has(p.window)) {
      best.set(p.window, -profile.fnWeight);
      fnTotal -= profile.fnWeight;
    }
  }
  let windowSum = fnTotal;
  let fpSum = 0;
  let tp = 0;
  let fp = 0;
  let fn = points.filter((p) => p.window >= 0).length;
  let tn = points.length - fn;
  const out: NabThresholdScore[] = [];
  let threshold = 1.1;
  for (const p of points) {
    if (p.anomalyScore !== threshold) {
      out.push({ threshold, score: windowSum + fpSum, tp, fp, fn, tn });
      threshold = p.anomalyScore;
    }
    if (p.window >= 0) {
      tp++;
      fn--;
      const before = best.get(p.window) as number;
      if (p.sweepScore > before) {
        best.set(p.window, p.sweepScore);
        windowSum += p.sweepScore - before;
      }
    } else {
      fp++;
      tn--;
      fpSum += p.sweepScore;
    }
  }
  out.push({ threshold, score: windowSum + fpSum, tp, fp, fn, tn });
  return out;
}

/** A profile's result over a corpus. */
export interface NabProfileScore {
  readonly threshold: number;
  readonly rawScore: number;
  readonly nullScore: number;
  readonly perfectScore: number;
  /** 100·(raw − null)/(perfect − null): 0 for the null detector, 100 for a perfect one. */
  readonly normalizedScore: number;
  readonly counts: { readonly tp: number; readonly fp: number; readonly fn: number; readonly tn: number };
}

/** Optimises the threshold for `profile` over all files and normalises the best raw score. */
export function scoreProfile(files: readonly NabFileResult[], profile: NabProfile, probationPercent = NAB_PROBATION_PERCENT): NabProfileScore {
  const all = scoreByThreshold(files, profile, probationPercent);
  let best = all[0] as NabThresholdScore;
  for (const s of all) if (s.score > best.score) best = s;
  // NAB's baseline is the null detector (a constant score) at its own best threshold: usually
  // "never detect" (−fnWeight per window), but "detect everything" when that costs less.
  const constant = files.map((f) => ({ name: f.name, windows: f.windows, anomalyScores: new Float64Array(f.anomalyScores.length) }));
  const nullScore = Math.max(...scoreByThreshold(constant, profile, probationPercent).map((s) => s.score));
  const perfectScore = profile.tpWeight * files.reduce((n, f) => n + f.windows.length, 0);
  const normalizedScore = perfectScore === nullScore ? 0 : (100 * (best.score - nullScore)) / (perfectScore - nullScore);
  return {
    threshold: best.threshold,
    rawScore: best.score,
    nullScore,
    perfectScore,
    normalizedScore,
    counts: { tp: best.tp, fp: best.fp, fn: best.fn, tn: best.tn },
  };
}

/**
 * Scores every NAB profile.
 *
 * @example
 * ```ts
 * const files = [{ name: "nyc_taxi.csv", anomalyScores: scores, windows: [[5800, 6900]] }];
 * const { standard } = scoreNab(files);
 * console.log(standard.normalizedScore, standard.threshold);
 * ```
 */
export function scoreNab(files: readonly NabFileResult[], probationPercent = NAB_PROBATION_PERCENT): Record<NabProfileName, NabProfileScore> {
  return {
    standard: scoreProfile(files, NAB_PROFILES.standard, probationPercent),
    reward_low_FP_rate: scoreProfile(files, NAB_PROFILES.reward_low_FP_rate, probationPercent),
    reward_low_FN_rate: scoreProfile(files, NAB_PROFILES.reward_low_FN_rate, probationPercent),
  };
}

/** Maps NAB's window timestamps onto inclusive row ranges of a file's timestamps (ms, ascending). */
export function windowsToRows(timestamps: ArrayLike<number>, windows: ReadonlyArray<readonly [number, number]>): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const [start, end] of windows) {
    let first = -1;
    let last = -1;
    for (let i = 0; i < timestamps.length; i++) {
      const t = timestamps[i] as number;
      if (t >= start && t <= end) {
        if (first < 0) first = i;
        last = i;
      }
    }
    if (first >= 0) out.push([first, last]);
  }
  return out;
}
