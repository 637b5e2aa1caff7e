/**
 * The detector on the seeded stand-in corpus (see `synthetic-families.ts`): NAB's scorer with one
 * threshold swept over the pooled corpus, then each family at that threshold, windows found and
 * false alarms on the series without anomaly.
 *
 *   npx tsx bench/nab-standins.ts [--config JSON] [--seed N | --seeds N,M,...] [--pooled]
 *
 * With several seeds each corpus is scored on its own, then the median and range are printed. With
 * `--pooled`, each seed's corpus is also pooled with the visible NAB files for leave-one-family-out
 * cross-validation of the threshold (each stand-in family a fold; see `pooledCrossValidate`), beside
 * the NAB-only figure, and then all seeds' corpora together, each family still one fold.
 */
import type { RobustLikelihoodConfig } from "../src/monitoring/anomaly.js";
import { NAB_PROFILES, probationaryLength, scoreNab, type NabFileResult, type NabProfile, type NabProfileName } from "../src/monitoring/nab-scorer.js";
import { standInCorpus, type StandInSeries } from "../src/monitoring/synthetic-families.js";
import { join } from "node:path";
import { crossValidate, nabFamily, pooledCrossValidate, scoreFixed } from "./nab-cv.js";
import { loadNab, NAB_DIR, scoreAll } from "./nab-files.js";

export interface StandInReport {
  readonly pooled: number;
  readonly pooledLowFp: number;
  readonly threshold: number;
  readonly families: ReadonlyArray<{ family: string; score: number; found: number; windows: number; falseAlarms: number }>;
  readonly quietAlarms: number;
  /** The corpus's scores, rounded as NAB stores them, for pooling with other corpora. */
  readonly results: readonly NabFileResult[];
}

/** With `fixedThreshold`, the corpus is scored at that threshold instead of its own best one. */
export function scoreStandIns(corpus: readonly StandInSeries[], config: RobustLikelihoodConfig, fixedThreshold?: number): StandInReport {
  return reportStandIns(corpus, scoreAll(corpus, config), fixedThreshold);
}

/** {@link scoreStandIns} of any detector's `results` on `corpus`, in the corpus's order. */
export function reportStandIns(corpus: readonly StandInSeries[], results: readonly NabFileResult[], fixedThreshold?: number): StandInReport {
  const scored = scoreNab(results);
  const threshold = fixedThreshold ?? scored.standard.threshold;
  const families = [...new Set(corpus.map((s) => s.family))].map((family) => {
    const members = results.filter((_, i) => corpus[i]?.family === family);
    const binary = members.map((r) => ({ ...r, anomalyScores: Array.from(r.anomalyScores, (v) => (v >= threshold ? 1 : 0)) }));
    let found = 0;
    let windows = 0;
    let falseAlarms = 0;
    for (const r of binary) {
      const hit = r.windows.map(() => false);
      for (let i = probationaryLength(r.anomalyScores.length); i < r.anomalyScores.length; i++) {
        if (r.anomalyScores[i] !== 1) continue;
        const w = r.windows.findIndex(([a, b]) => i >= a && i <= b);
        if (w >= 0) hit[w] = true;
        else falseAlarms++;
      }
      windows += r.windows.length;
      found += hit.filter(Boolean).length;
    }
    const score = windows === 0 ? Number.NaN : scoreFixed(binary, NAB_PROFILES.standard);
    return { family, score, found, windows, falseAlarms };
  });
  const quietAlarms = families.find((f) => f.family === "artificial_quiet")?.falseAlarms ?? 0;
  const binary = (profile: NabProfile) => scoreFixed(results.map((r) => ({ ...r, anomalyScores: Array.from(r.anomalyScores, (v) => (v >= threshold ? 1 : 0)) })), profile);
  const pooled = fixedThreshold === undefined ? scored.standard.normalizedScore : binary(NAB_PROFILES.standard);
  const pooledLowFp = fixedThreshold === undefined ? scored.reward_low_FP_rate.normalizedScore : binary(NAB_PROFILES.reward_low_FP_rate);
  return { pooled, pooledLowFp, threshold, families, quietAlarms, results };
}

/** Median of a few figures (the upper one of an even count) with their range, for one line of output. */
function spread(xs: readonly number[]): string {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted[sorted.length >> 1] as number;
  return `${mid.toFixed(1)} (${(sorted[0] as number).toFixed(1)}–${(sorted[sorted.length - 1] as number).toFixed(1)})`;
}

function main(): void {
  const argv = process.argv.slice(2);
  let config: RobustLikelihoodConfig = {};
  let seeds = [1];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--config") config = JSON.parse(argv[++i] ?? "{}") as RobustLikelihoodConfig;
    else if (argv[i] === "--seed") seeds = [Number(argv[++i])];
    else if (argv[i] === "--seeds") seeds = (argv[++i] ?? "1").split(",").map(Number);
  }
  const bad = seeds.find((s) => !Number.isSafeInteger(s));
  if (bad !== undefined) throw new RangeError(`--seeds: ${bad} is not an integer seed`);
  const seeded = seeds.map((seed) => reportSeed(seed, config, argv.includes("--series")));
  const reports = seeded.map((s) => s.report);
  if (reports.length > 1) {
    console.log(`stand-ins over seeds ${seeds.join(",")}: standard ${spread(reports.map((r) => r.pooled))}, low-FP ${spread(reports.map((r) => r.pooledLowFp))}, quiet false alarms ${spread(reports.map((r) => r.quietAlarms))} (median (range))`);
  }
  if (argv.includes("--pooled")) reportPooled(seeds, seeded, config);
}

/** A seed's stand-in report with the family of each of its series, in the report's order. */
interface SeededReport {
  readonly report: StandInReport;
  readonly families: readonly string[];
}

const PROFILE_NAMES = Object.keys(NAB_PROFILES) as NabProfileName[];

/** Leave-one-family-out of the threshold over the visible NAB files pooled with each seed's stand-ins. */
function reportPooled(seeds: readonly number[], seeded: readonly SeededReport[], config: RobustLikelihoodConfig): void {
  const files = loadNab(join(NAB_DIR, "data"), join(NAB_DIR, "labels"));
  const nabFamilies = files.map((f) => nabFamily(f.key));
  const nab = scoreAll(files, config);
  const triple = (cv: (profile: NabProfile) => number) => PROFILE_NAMES.map((p) => cv(NAB_PROFILES[p]));
  const show = (xs: readonly number[]) => xs.map((x) => x.toFixed(1)).join(" / ");
  console.log(`NAB-only CV (${files.length} files): ${show(triple((p) => crossValidate(nabFamilies, [nab], p).score))} (standard / low-FP / low-FN)`);
  const perSeed = seeded.map(({ report, families }, i) => {
    const cv = triple((p) => pooledCrossValidate(nabFamilies, [nab], families, [report.results], p).score);
    console.log(`pooled CV, NAB + stand-in seed ${seeds[i]}: ${show(cv)}`);
    return cv;
  });
  if (seeded.length > 1) {
    console.log(`pooled CV over seeds ${seeds.join(",")}: ${PROFILE_NAMES.map((_, k) => spread(perSeed.map((cv) => cv[k] as number))).join(" / ")} (median (range))`);
    const families = seeded.flatMap((s) => s.families);
    const results = seeded.flatMap((s) => s.report.results);
    console.log(`pooled CV, NAB + seeds ${seeds.join(",")} in one corpus: ${show(triple((p) => pooledCrossValidate(nabFamilies, [nab], families, [results], p).score))}`);
  }
}

function reportSeed(seed: number, config: RobustLikelihoodConfig, series: boolean): SeededReport {
  const corpus = standInCorpus(seed);
  const report = scoreStandIns(corpus, config);
  console.log(`stand-ins (${corpus.length} series, seed ${seed}): standard ${report.pooled.toFixed(1)}, low-FP ${report.pooledLowFp.toFixed(1)}, threshold ${report.threshold.toFixed(4)}`);
  if (series) {
    corpus.forEach((s, i) => {
      const scores = report.results[i]?.anomalyScores ?? [];
      const alarms: number[] = [];
      for (let r = probationaryLength(scores.length); r < scores.length; r++) if ((scores[r] as number) >= report.threshold) alarms.push(r);
      console.log(`    ${s.name.padEnd(28)} n=${s.values.length} windows ${JSON.stringify(s.windows)} alarms ${JSON.stringify(alarms)}`);
    });
  }
  for (const f of report.families) {
    console.log(`  ${f.family.padEnd(18)} ${Number.isNaN(f.score) ? "    -" : f.score.toFixed(1).padStart(5)}  windows ${f.found}/${f.windows}  false alarms ${f.falseAlarms}`);
  }
  return { report, families: corpus.map((s) => s.family) };
}

if (process.argv[1]?.endsWith("nab-standins.ts")) main();
