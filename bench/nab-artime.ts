/**
 * Scores ARTime (src/monitoring/artime.ts) alone on the NAB files, and its speed beside the default
 * detector.
 *
 *   npx tsx bench/nab-artime.ts [dataDir] [labelsDir] [--grid]
 *
 * Printed: the in-sample score of the three profiles (threshold swept on the files scored), the
 * leave-one-family-out cross-validated score (nab-cv.ts) with the threshold alone (and, with
 * `--grid`, with the small grid below), the in-sample score of the original's look-ahead setting
 * (the file's own range and NAB's probation: the check that the port reproduces ARTime), the score
 * on the seeded synthetic corpus beside the default detector's, the categories stored per file,
 * and samples per second of
 * both detectors over every file, run alternately and repeated (min and median of each and of the
 * ratio).
 */
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { RobustLikelihoodDetector, scoreSeries, type AnomalyDetector } from "../src/monitoring/anomaly.js";
import { ArtimeDetector, type ArtimeOptions } from "../src/monitoring/artime.js";
import { NAB_PROFILES, probationaryLength, scoreNab, type NabFileResult, type NabProfileName } from "../src/monitoring/nab-scorer.js";
import { syntheticCorpus } from "../src/monitoring/synthetic-anomalies.js";
import { crossValidate, nabFamily } from "./nab-cv.js";
import { loadNab, type LoadedFile } from "./nab-files.js";

/** Alternating speed runs of each detector. */
const SPEED_RUNS = 5;

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * What the cross-validation chooses from: probation length and range margin (the first is the
 * default, the entry 9 of the 10 folds chose).
 */
export const ARTIME_GRID: readonly ArtimeOptions[] = Object.freeze(
  [400, 600, 750].flatMap((probation) => [0.25, 0.1, 0.5].map((rangeMargin) => ({ probation, rangeMargin }))),
);

function scoreFiles(files: readonly LoadedFile[], make: (file: LoadedFile) => AnomalyDetector): NabFileResult[] {
  return files.map((file) => {
    const scores = scoreSeries(make(file), file.timestamps, file.values);
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
  console.log(`NAB: ${files.length} files, ${rows} rows; ARTime alone`);

  const made: ArtimeDetector[] = [];
  const results = scoreFiles(files, () => {
    const detector = new ArtimeDetector();
    made.push(detector);
    return detector;
  });
  const scored = scoreNab(results);
  row("", profiles);
  row("in-sample (threshold fit)", profiles.map((p) => scored[p].normalizedScore.toFixed(1)));
  row("  threshold", profiles.map((p) => scored[p].threshold.toFixed(4)));
  row("  tp/fp/fn rows", profiles.map((p) => `${scored[p].counts.tp}/${scored[p].counts.fp}/${scored[p].counts.fn}`));

  // The original's look-ahead setting, to check the port: the file's own range and NAB's probation.
  const lookAhead = scoreNab(
    scoreFiles(files, (file) => {
      let min = Number.POSITIVE_INFINITY;
      let max = Number.NEGATIVE_INFINITY;
      for (const v of file.values) {
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
      const probation = probationaryLength(file.values.length);
      return new ArtimeDetector({ probation: Math.max(64, probation - (probation % 2)), range: { min, max } });
    }),
  );
  row("look-ahead as the original (in-sample)", profiles.map((p) => lookAhead[p].normalizedScore.toFixed(1)));

  const families = files.map((f) => nabFamily(f.key));
  const cvThreshold = profiles.map((p) => crossValidate(families, [results], NAB_PROFILES[p]));
  row("CV: threshold only (defaults)", cvThreshold.map((c) => c.score.toFixed(1)));
  let folds = cvThreshold[0]?.folds ?? [];
  if (withGrid) {
    const gridScores = ARTIME_GRID.map((options) => scoreFiles(files, () => new ArtimeDetector(options)));
    const cvGrid = profiles.map((p) => crossValidate(families, gridScores, NAB_PROFILES[p]));
    row(`CV: grid of ${ARTIME_GRID.length} + threshold`, cvGrid.map((c) => c.score.toFixed(1)));
    ARTIME_GRID.forEach((options, c) => console.log(`    #${c} ${JSON.stringify(options).padEnd(52)}in-sample ${scoreNab(gridScores[c] ?? []).standard.normalizedScore.toFixed(1)}`));
    folds = cvGrid[0]?.folds ?? [];
  }
  console.log("  standard profile per held-out family:");
  for (const f of folds) {
    console.log(`    ${f.family.padEnd(52)}${String(f.files).padStart(3)} files  config #${String(f.chosen).padEnd(3)} threshold ${f.threshold.toFixed(4)}  held-out ${f.heldOut.toFixed(1)}`);
  }

  // The seeded synthetic corpus no setting was chosen on, beside the default detector.
  const corpus = syntheticCorpus(1);
  const synthetic = (make: () => AnomalyDetector) =>
    scoreNab(corpus.map((c) => ({ name: c.name, windows: c.windows, anomalyScores: scoreSeries(make(), c.timestamps, c.values) })));
  const synArtime = synthetic(() => new ArtimeDetector());
  const synDefault = synthetic(() => new RobustLikelihoodDetector());
  row(`synthetic corpus (${corpus.length} series, seed 1)`, profiles.map((p) => synArtime[p].normalizedScore.toFixed(1)));
  row("  default detector, same corpus", profiles.map((p) => synDefault[p].normalizedScore.toFixed(1)));

  const categories = made.map((detector) => detector.categories);
  console.log(`categories stored per file: max ${Math.max(...categories)}, median ${median(categories)} (cap 500)`);

  // Alternate subject and baseline so both see the same machine load; ratios are the figure.
  const subject: number[] = [];
  const baseline: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < SPEED_RUNS; r++) {
    const s = throughput(files, () => new ArtimeDetector());
    const b = throughput(files, () => new RobustLikelihoodDetector());
    subject.push(s);
    baseline.push(b);
    ratios.push(s / b);
  }
  const k = (x: number) => `${(x / 1000).toFixed(0)}k`;
  console.log(`samples/s, ${ratios.length} alternating runs over every file (${rows} rows) (min / median):`);
  console.log(`  ARTime                       ${k(Math.min(...subject))} / ${k(median(subject))}`);
  console.log(`  default (robust likelihood)  ${k(Math.min(...baseline))} / ${k(median(baseline))}`);
  console.log(`  ratio ARTime / default       ${Math.min(...ratios).toFixed(2)} / ${median(ratios).toFixed(2)}`);
}

main();
