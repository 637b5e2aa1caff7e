/**
 * Scores the contextual detector (CAD OSE, src/monitoring/context-ose.ts) alone on the NAB files,
 * and its speed beside the default detector.
 *
 *   npx tsx bench/nab-context-ose.ts [dataDir] [labelsDir] [--grid]
 *
 * Printed: the in-sample score of the three profiles (threshold swept on the files scored), the
 * leave-one-family-out cross-validated score (nab-cv.ts) with the threshold alone (and, with
 * `--grid`, with the small grid below: slow, each configuration is a full pass), the contexts stored
 * per file, and samples per second of both detectors on the first rows of every file, run
 * alternately and repeated (min and median of each and of the ratio).
 */
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { RobustLikelihoodDetector, scoreSeries, type AnomalyDetector } from "../src/monitoring/anomaly.js";
import { ContextOseDetector, type ContextOseOptions } from "../src/monitoring/context-ose.js";
import { NAB_PROFILES, scoreNab, type NabFileResult, type NabProfileName } from "../src/monitoring/nab-scorer.js";
import { crossValidate, nabFamily } from "./nab-cv.js";
import { loadNab, type LoadedFile } from "./nab-files.js";

/** Rows per file in the speed runs: the contextual detector costs O(contexts stored) a sample. */
const SPEED_ROWS = 2000;

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** What the cross-validation chooses from: warm-up length, range margin and rest period. */
export const CONTEXT_OSE_GRID: readonly ContextOseOptions[] = Object.freeze(
  [300, 150].flatMap((warmup) => [0.1, 0.25].flatMap((rangeMargin) => [120, 60].map((restPeriod) => ({ warmup, rangeMargin, restPeriod })))),
);

function scoreFiles(files: readonly LoadedFile[], make: () => AnomalyDetector): NabFileResult[] {
  return files.map((file) => {
    const scores = scoreSeries(make(), file.timestamps, file.values);
    for (let i = 0; i < scores.length; i++) scores[i] = Math.round((scores[i] as number) * 1e6) / 1e6;
    return { name: file.key, anomalyScores: scores, windows: file.windows };
  });
}

/** Samples per second of one pass over every file with fresh detectors. */
function throughput(files: readonly LoadedFile[], make: () => AnomalyDetector): number {
  let samples = 0;
  const t0 = performance.now();
  for (const file of files) {
    scoreSeries(make(), file.timestamps, file.values);
    samples += file.values.length;
  }
  return samples / ((performance.now() - t0) / 1000);
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? (s[(s.length - 1) / 2] as number) : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
};

function main(): void {
  const withGrid = process.argv.includes("--grid");
  const argv = process.argv.slice(2).filter((a) => a !== "--grid");
  const nab = join(root, "..", "shared", "datasets", "nab");
  const files = loadNab(resolve(argv[0] ?? join(nab, "data")), resolve(argv[1] ?? join(nab, "labels")));
  if (files.length === 0) throw new Error("no labelled CSV files found");
  const profiles = Object.keys(NAB_PROFILES) as NabProfileName[];
  const row = (label: string, cells: string[]) => console.log(`${label.padEnd(40)}${cells.map((c) => c.padStart(20)).join("")}`);
  const rows = files.reduce((n, f) => n + f.values.length, 0);
  console.log(`NAB: ${files.length} files, ${rows} rows; contextual detector (CAD OSE) alone`);

  const made: ContextOseDetector[] = [];
  const results = scoreFiles(files, () => {
    const detector = new ContextOseDetector();
    made.push(detector);
    return detector;
  });
  const scored = scoreNab(results);
  row("", profiles);
  row("in-sample (threshold fit)", profiles.map((p) => scored[p].normalizedScore.toFixed(1)));
  row("  threshold", profiles.map((p) => scored[p].threshold.toFixed(4)));
  row("  tp/fp/fn rows", profiles.map((p) => `${scored[p].counts.tp}/${scored[p].counts.fp}/${scored[p].counts.fn}`));

  const families = files.map((f) => nabFamily(f.key));
  const cvThreshold = profiles.map((p) => crossValidate(families, [results], NAB_PROFILES[p]));
  row("CV: threshold only (defaults)", cvThreshold.map((c) => c.score.toFixed(1)));
  let folds = cvThreshold[0]?.folds ?? [];
  if (withGrid) {
    const gridScores = CONTEXT_OSE_GRID.map((options) => scoreFiles(files, () => new ContextOseDetector(options)));
    const cvGrid = profiles.map((p) => crossValidate(families, gridScores, NAB_PROFILES[p]));
    row(`CV: grid of ${CONTEXT_OSE_GRID.length} + threshold`, cvGrid.map((c) => c.score.toFixed(1)));
    CONTEXT_OSE_GRID.forEach((options, c) => console.log(`    #${c} ${JSON.stringify(options).padEnd(52)}in-sample ${scoreNab(gridScores[c] ?? []).standard.normalizedScore.toFixed(1)}`));
    folds = cvGrid[0]?.folds ?? [];
  }
  console.log("  standard profile per held-out family:");
  for (const f of folds) {
    console.log(`    ${f.family.padEnd(52)}${String(f.files).padStart(3)} files  config #${String(f.chosen).padEnd(3)} threshold ${f.threshold.toFixed(4)}  held-out ${f.heldOut.toFixed(1)}`);
  }

  const contexts = made.map((detector) => detector.contexts);
  console.log(`contexts stored per file: max ${Math.max(...contexts)}, median ${median(contexts)} (cap 100000)`);

  // Alternate subject and baseline so both see the same machine load; ratios are the figure.
  const subject: number[] = [];
  const baseline: number[] = [];
  const ratios: number[] = [];
  const prefixes = files.map((f) => ({ ...f, timestamps: f.timestamps.subarray(0, SPEED_ROWS), values: f.values.subarray(0, SPEED_ROWS) }));
  const speedRows = prefixes.reduce((n, f) => n + f.values.length, 0);
  for (let r = 0; r < 3; r++) {
    const s = throughput(prefixes, () => new ContextOseDetector());
    const b = throughput(prefixes, () => new RobustLikelihoodDetector());
    subject.push(s);
    baseline.push(b);
    ratios.push(s / b);
  }
  const k = (x: number) => `${(x / 1000).toFixed(0)}k`;
  console.log(`samples/s, ${ratios.length} alternating runs over the first ${SPEED_ROWS} rows of each file (${speedRows} rows) (min / median):`);
  console.log(`  contextual (CAD OSE)         ${k(Math.min(...subject))} / ${k(median(subject))}`);
  console.log(`  default (robust likelihood)  ${k(Math.min(...baseline))} / ${k(median(baseline))}`);
  console.log(`  ratio contextual / default   ${Math.min(...ratios).toFixed(2)} / ${median(ratios).toFixed(2)}`);
}

main();
