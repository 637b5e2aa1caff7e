/**
 * Scores ARTime (src/monitoring/artime.ts) alone on the NAB files and the seeded stand-ins, and its
 * speed and memory beside the default detector.
 *
 *   node --expose-gc --import tsx bench/nab-artime.ts [dataDir] [labelsDir] [--seeds N]
 *
 * Printed: the in-sample NAB score of the three profiles (threshold swept on the files scored); the
 * in-sample score of the original's look-ahead setting (the file's own range and NAB's probation:
 * the check that the port reproduces ARTime); leave-one-family-out cross-validation (nab-cv.ts) on
 * the NAB files alone, as before; then over the NAB files and the stand-ins together, for stand-in
 * seeds 1..N (8 by default): every grid entry alone (threshold chosen per fold), the grid entry and
 * threshold both chosen per fold (over the whole grid and over the probation alone), and the
 * look-ahead setting as the reference, each as mean (min–max) over the seeds, with its held-out NAB
 * part and its difference from the previous default seed by seed. Then the synthetic corpus beside
 * the default detector, the categories stored, memory growth over a long series, and samples per
 * second of ARTime, its previous default and the default detector, run in turn and repeated (min
 * and median of each and of the ratios).
 */
import { join, resolve } from "node:path";
import { RobustLikelihoodDetector, scoreSeries, type AnomalyDetector } from "../src/monitoring/anomaly.js";
import { ArtimeDetector, artimeOptionsSchema, type ArtimeOptions } from "../src/monitoring/artime.js";
import { NAB_PROFILES, scoreNab, type NabProfileName } from "../src/monitoring/nab-scorer.js";
import { syntheticCorpus, syntheticSeries } from "../src/monitoring/synthetic-anomalies.js";
import { crossValidate, nabFamily } from "./nab-cv.js";
import { asSeries, lookAhead, scoreArtime, seededCv, spread, type PooledCv } from "./nab-artime-cv.js";
import { loadNab, NAB_DIR, type LoadedFile } from "./nab-files.js";

/** Alternating speed runs of each detector. */
const SPEED_RUNS = 5;

/** The setting the default replaced, compared seed by seed and in the speed runs. */
export const ARTIME_PREVIOUS: ArtimeOptions = Object.freeze({ probation: 400, rangeMargin: 0.25 });

const DEFAULTS = artimeOptionsSchema.parse({});

/** `choices` with the default's value moved first, so a fold that finds a tie keeps the default. */
const defaultFirst = (choices: readonly number[], value: number): number[] => [value, ...choices.filter((c) => c !== value)];

/** Probation lengths the cross-validation chooses from. */
const PROBATIONS = defaultFirst([200, 250, 300, 350, 400, 600, 750], DEFAULTS.probation);

/** Range margins. */
const MARGINS = defaultFirst([0.25, 0.1, 0.5], DEFAULTS.rangeMargin);

/** What the cross-validation chooses from: probation length × range margin, the default first. */
export const ARTIME_GRID: readonly ArtimeOptions[] = Object.freeze(PROBATIONS.flatMap((probation) => MARGINS.map((rangeMargin) => ({ probation, rangeMargin }))));

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? (s[(s.length - 1) / 2] as number) : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
};

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

/** Typed arrays live outside the JS heap, so both are counted. */
function retained(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/**
 * Retained memory (relative to the first checkpoint) and categories of one detector at each
 * checkpoint of a long noisy series: bounded state stays flat once the categories reach their cap.
 */
function footprint(checkpoints: readonly number[]): Array<{ at: number; bytes: number; categories: number }> {
  const length = checkpoints[checkpoints.length - 1] ?? 0;
  const { timestamps, values } = syntheticSeries("none_noisy", 1, { length });
  const detector = new ArtimeDetector();
  const out: Array<{ at: number; bytes: number; categories: number }> = [];
  let base = 0;
  let next = 0;
  for (let i = 1; i <= length; i++) {
    detector.update(timestamps[i - 1] as number, values[i - 1] as number);
    if (i !== checkpoints[next]) continue;
    // Twice: the first pass can leave garbage a finaliser or weak reference frees only on the next.
    globalThis.gc?.();
    globalThis.gc?.();
    if (next === 0) base = retained();
    out.push({ at: i, bytes: retained() - base, categories: detector.categories });
    next++;
  }
  return out;
}

function parseArgs(argv: readonly string[]): { dataDir: string; labelsDir: string; seeds: number[] } {
  const positional: string[] = [];
  let seeds = 8;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--seeds") {
      seeds = Number(argv[++i]);
      if (!Number.isInteger(seeds) || seeds < 1) throw new Error("--seeds must be a positive integer");
    } else positional.push(argv[i] as string);
  }
  return {
    dataDir: resolve(positional[0] ?? join(NAB_DIR, "data")),
    labelsDir: resolve(positional[1] ?? join(NAB_DIR, "labels")),
    seeds: Array.from({ length: seeds }, (_, i) => i + 1),
  };
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  // Measured first, while nothing else the bench allocates can be collected during it.
  const points = globalThis.gc === undefined ? [] : footprint([10_000, 50_000, 100_000, 200_000, 300_000]);
  const files = loadNab(args.dataDir, args.labelsDir);
  if (files.length === 0) throw new Error("no labelled CSV files found");
  const profiles = Object.keys(NAB_PROFILES) as NabProfileName[];
  const row = (label: string, cells: string[]) => console.log(`${label.padEnd(44)}${cells.map((c) => c.padStart(20)).join("")}`);
  const rows = files.reduce((n, f) => n + f.values.length, 0);
  console.log(`NAB: ${files.length} files, ${rows} rows; ARTime alone, default ${JSON.stringify(ARTIME_GRID[0])}`);

  const nab = files.map(asSeries);
  const made: ArtimeDetector[] = [];
  const results = scoreArtime(nab, () => {
    const detector = new ArtimeDetector();
    made.push(detector);
    return detector;
  });
  const scored = scoreNab(results);
  row("", profiles);
  row("in-sample (threshold fit)", profiles.map((p) => scored[p].normalizedScore.toFixed(1)));
  row("  threshold", profiles.map((p) => scored[p].threshold.toFixed(4)));
  row("  tp/fp/fn rows", profiles.map((p) => `${scored[p].counts.tp}/${scored[p].counts.fp}/${scored[p].counts.fn}`));
  const ahead = scoreNab(scoreArtime(nab, lookAhead));
  row("look-ahead as the original (in-sample)", profiles.map((p) => ahead[p].normalizedScore.toFixed(1)));

  // NAB alone, as earlier figures were measured.
  const families = files.map((f) => nabFamily(f.key));
  row("NAB-only CV: threshold only (default)", profiles.map((p) => crossValidate(families, [results], NAB_PROFILES[p]).score.toFixed(1)));
  const nabGrid = ARTIME_GRID.map((options, c) => (c === 0 ? results : scoreArtime(nab, () => new ArtimeDetector(options))));
  row(`NAB-only CV: grid of ${ARTIME_GRID.length} + threshold`, profiles.map((p) => crossValidate(families, nabGrid, NAB_PROFILES[p]).score.toFixed(1)));

  // NAB and the stand-ins together, over several stand-in seeds (standard profile).
  const seeds = args.seeds;
  const t0 = performance.now();
  // Probation alone: the grid's entries at the default margin.
  const probationOnly = ARTIME_GRID.flatMap((o, c) => (o.rangeMargin === DEFAULTS.rangeMargin ? [c] : []));
  const everything = ARTIME_GRID.map((_, c) => c);
  const grid = seededCv(files, ARTIME_GRID.map((options) => () => new ArtimeDetector(options)), seeds, [everything, probationOnly]);
  const reference = seededCv(files, [lookAhead], seeds);
  const previousIndex = ARTIME_GRID.findIndex((o) => o.probation === ARTIME_PREVIOUS.probation && o.rangeMargin === ARTIME_PREVIOUS.rangeMargin);
  const previous = grid.alone[previousIndex] ?? [];
  console.log(`\nleave-one-family-out CV over NAB + stand-ins (standard profile; mean (min–max) over stand-in seeds ${seeds[0]}..${seeds[seeds.length - 1]}; ${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  console.log(`${"".padEnd(44)}${"pooled".padStart(20)}${"NAB part".padStart(20)}${"vs previous, by seed".padStart(24)}  better on`);
  const line = (label: string, cvs: readonly PooledCv[]) => {
    const diffs = cvs.map((cv, s) => cv.score - (previous[s]?.score ?? Number.NaN));
    console.log(`${label.padEnd(44)}${spread(cvs.map((c) => c.score)).padStart(20)}${spread(cvs.map((c) => c.nab)).padStart(20)}${spread(diffs).padStart(24)}  ${diffs.filter((d) => d > 0).length}/${diffs.length} seeds`);
  };
  ARTIME_GRID.forEach((options, c) => line(`  #${c} probation ${options.probation ?? ""}, margin ${options.rangeMargin ?? ""}${c === 0 ? " (default)" : c === previousIndex ? " (previous)" : ""}`, grid.alone[c] ?? []));
  line(`chosen per fold: grid of ${ARTIME_GRID.length}`, grid.chosen[0] ?? []);
  line(`chosen per fold: probation alone (${probationOnly.length})`, grid.chosen[1] ?? []);
  line("look-ahead reference (range given)", reference.alone[0] ?? []);
  for (const [name, cv, subset] of [
    ["grid", grid.chosen[0] ?? [], everything],
    ["probation", grid.chosen[1] ?? [], probationOnly],
  ] as const) {
    const picks = cv.map((s) => s.folds.map((f) => `#${subset[f.chosen] ?? ""}`).join(" "));
    console.log(`  ${name} entry chosen per fold (${cv[0]?.folds.map((f) => f.family.slice(f.family.indexOf("/") + 1, f.family.indexOf("/") + 5)).join(",")}), seed by seed:`);
    picks.forEach((p, s) => console.log(`    seed ${seeds[s]}: ${p}`));
  }

  // The seeded synthetic corpus no setting was chosen on, beside the default detector.
  const corpus = syntheticCorpus(1);
  const synthetic = (make: () => AnomalyDetector) =>
    scoreNab(corpus.map((c) => ({ name: c.name, windows: c.windows, anomalyScores: scoreSeries(make(), c.timestamps, c.values) })));
  const synArtime = synthetic(() => new ArtimeDetector());
  const synDefault = synthetic(() => new RobustLikelihoodDetector());
  console.log("");
  row("", profiles);
  row(`synthetic corpus (${corpus.length} series, seed 1)`, profiles.map((p) => synArtime[p].normalizedScore.toFixed(1)));
  row("  default detector, same corpus", profiles.map((p) => synDefault[p].normalizedScore.toFixed(1)));

  const categories = made.map((detector) => detector.categories);
  console.log(`categories stored per NAB file: max ${Math.max(...categories)}, median ${median(categories)} (cap 500)`);
  if (globalThis.gc === undefined) console.log("memory: run with node --expose-gc for the footprint");
  else {
    console.log(`memory of one detector on noise, retained beyond its size at 10k samples: ${points.map((p) => `${p.at / 1000}k ${p.bytes >= 0 ? "+" : ""}${(p.bytes / 1024).toFixed(0)} KiB (${p.categories} categories)`).join(", ")}`);
  }

  // Subjects take turns so all see the same machine load; ratios are the figure.
  const subjects: ReadonlyArray<readonly [string, () => AnomalyDetector]> = [
    ["ARTime", () => new ArtimeDetector()],
    [`ARTime previous (probation ${ARTIME_PREVIOUS.probation ?? ""})`, () => new ArtimeDetector(ARTIME_PREVIOUS)],
    ["default (robust likelihood)", () => new RobustLikelihoodDetector()],
  ];
  const rates = subjects.map(() => [] as number[]);
  for (let r = 0; r < SPEED_RUNS; r++) subjects.forEach(([, make], i) => rates[i]?.push(throughput(files, make)));
  const k = (x: number) => `${(x / 1000).toFixed(0)}k`;
  const baseline = rates[2] ?? [];
  console.log(`samples/s, ${SPEED_RUNS} runs in turn over every file (${rows} rows) (min / median; ratio to the default detector in the same run, min / median):`);
  subjects.forEach(([name], i) => {
    const own = rates[i] ?? [];
    const ratios = own.map((x, r) => x / (baseline[r] ?? Number.NaN));
    console.log(`  ${name.padEnd(36)}${`${k(Math.min(...own))} / ${k(median(own))}`.padStart(14)}    ${Math.min(...ratios).toFixed(2)} / ${median(ratios).toFixed(2)}`);
  });
}

main();
