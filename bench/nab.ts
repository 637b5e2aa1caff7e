/**
 * Scores edgeflow's streaming anomaly detectors on the Numenta Anomaly Benchmark.
 *
 *   npm run nab -- [dataDir] [labelsDir] [--out DIR] [--config JSON]
 *
 * Defaults: ../shared/datasets/nab/data and ../shared/datasets/nab/labels (relative to the project
 * root), results in .nab-results/edgeflow/<category>/edgeflow_<file>.csv in NAB's results layout
 * (timestamp,value,anomaly_score,label). Every file found under dataDir that has labels is scored with
 * the monitoring engine's default detector (ARTime), or with the detector choice given by `--config`
 * (see `anomalyDetectorConfigSchema`, e.g. `{"algorithm":"robust-likelihood"}`); the three profile
 * scores are printed beside NAB's published scoreboard (found at
 * <dataDir>/../published_scoreboard.json when present).
 *
 * Printed for that detector: the in-sample score (threshold chosen on the files scored:
 * optimistic), the leave-one-family-out cross-validated score of the threshold (see nab-cv.ts), the
 * score on the seeded synthetic corpus and on the seeded stand-ins for families we have no files of
 * (NAB's artificial series with and without anomaly, tweet counts, short irregular traffic and
 * hourly ad-exchange series; see synthetic-families.ts), then the leave-one-family-out score of the
 * NAB files pooled with the stand-ins (see `pooledCrossValidate`).
 *
 * Then the robust-likelihood detector, the alternative: its grid cross-validated with the threshold,
 * its folds, and the candidate table comparing its default with its previous default and with each
 * change undone or varied, in sample, cross-validated on NAB alone and pooled with the stand-ins, on
 * both seeded corpora, and by false alarms on their series without anomaly. Then how far the
 * stand-ins can be trusted: ARTime as published (the file's range and NAB's probation handed to it)
 * pooled with the stand-ins, beside its published score on the full corpus (see
 * `bench/nab-proxy-check.ts` and `src/monitoring/detector-choice.ts`).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { RobustLikelihoodDetector, scoreSeries, type AnomalyDetector, type RobustLikelihoodConfig } from "../src/monitoring/anomaly.js";
import { anomalyDetectorConfigSchema, DEFAULT_ANOMALY_DETECTOR, detectorFrom, type AnomalyDetectorConfig } from "../src/monitoring/detector-choice.js";
import { NAB_PROFILES, probationaryLength, scoreNab, type NabFileResult, type NabProfileName } from "../src/monitoring/nab-scorer.js";
import { syntheticCorpus } from "../src/monitoring/synthetic-anomalies.js";
import { standInCorpus } from "../src/monitoring/synthetic-families.js";
import { crossValidate, NAB_CANDIDATES, NAB_FULL_GRID, nabFamily, pooledCrossValidate, scoreFixed } from "./nab-cv.js";
import { asSeries, lookAhead } from "./nab-artime-cv.js";
import { loadNab, NAB_DIR, projectRoot, scoreAll, scoreEach, type LoadedFile } from "./nab-files.js";
import { reportStandIns, scoreStandIns } from "./nab-standins.js";

interface Args {
  dataDir: string;
  labelsDir: string;
  outDir: string;
  config: AnomalyDetectorConfig;
}

function parseArgs(argv: string[]): Args {
  const positional: string[] = [];
  let outDir = join(projectRoot, ".nab-results");
  let config: AnomalyDetectorConfig = DEFAULT_ANOMALY_DETECTOR;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--out") outDir = resolve(argv[++i] ?? outDir);
    else if (arg === "--config") config = JSON.parse(argv[++i] ?? "{}") as AnomalyDetectorConfig;
    else positional.push(arg);
  }
  return {
    dataDir: resolve(positional[0] ?? join(NAB_DIR, "data")),
    labelsDir: resolve(positional[1] ?? join(NAB_DIR, "labels")),
    outDir,
    config,
  };
}

function writeResults(outDir: string, file: LoadedFile, scores: Float64Array): void {
  const [category, name] = file.key.includes("/") ? [dirname(file.key), file.key.slice(file.key.lastIndexOf("/") + 1)] : [".", file.key];
  const dir = join(outDir, "edgeflow", category);
  mkdirSync(dir, { recursive: true });
  const label = new Uint8Array(file.values.length);
  for (const [a, b] of file.windows) label.fill(1, a, b + 1);
  const rows = ["timestamp,value,anomaly_score,label"];
  for (let i = 0; i < file.values.length; i++) rows.push(`${file.stamps[i]},${file.values[i]},${(scores[i] as number).toFixed(6)},${label[i]}`);
  writeFileSync(join(dir, `edgeflow_${name}`), rows.join("\n") + "\n");
}

const scoreFiles = scoreAll;

/**
 * Detections (score ≥ 0.5) per thousand scored rows of the synthetic series without an anomaly,
 * after NAB's probation: the false-alarm rate where every alarm is false.
 */
function quietAlarmRate(results: ReadonlyArray<{ name: string; anomalyScores: ArrayLike<number> }>): number {
  let alarms = 0;
  let rows = 0;
  for (const r of results) {
    if (!r.name.startsWith("none")) continue;
    const scores = r.anomalyScores;
    for (let i = probationaryLength(scores.length); i < scores.length; i++, rows++) if ((scores[i] as number) >= 0.5) alarms++;
  }
  return rows === 0 ? 0 : (1000 * alarms) / rows;
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const choice = anomalyDetectorConfigSchema.parse(args.config);
  const make = (): AnomalyDetector => detectorFrom(choice);
  const started = performance.now();
  const files = loadNab(args.dataDir, args.labelsDir);
  if (files.length === 0) throw new Error(`no labelled CSV files under ${args.dataDir}`);
  const results = scoreEach(files, make);
  files.forEach((file, f) => writeResults(args.outDir, file, (results[f] as NabFileResult).anomalyScores as Float64Array));
  const scored = scoreNab(results);
  const scoreboardPath = join(args.dataDir, "..", "published_scoreboard.json");
  const published = existsSync(scoreboardPath)
    ? (JSON.parse(readFileSync(scoreboardPath, "utf8")) as Record<string, Record<NabProfileName, number>>)
    : {};
  const windows = results.reduce((n, r) => n + r.windows.length, 0);
  console.log(`NAB: ${files.length} files, ${windows} windows, ${results.reduce((n, r) => n + r.anomalyScores.length, 0)} rows`);
  console.log(`results: ${join(args.outDir, "edgeflow")}`);
  const profiles = Object.keys(NAB_PROFILES) as NabProfileName[];
  const row = (label: string, cells: string[]) => console.log(`${label.padEnd(34)}${cells.map((c) => c.padStart(20)).join("")}`);
  const families = files.map((f) => nabFamily(f.key));
  console.log("");
  row(`detector ${JSON.stringify(args.config)}`, profiles);
  row("in-sample (threshold fit)", profiles.map((p) => scored[p].normalizedScore.toFixed(1)));
  row("  threshold", profiles.map((p) => scored[p].threshold.toFixed(4)));
  row("  tp/fp/fn rows", profiles.map((p) => `${scored[p].counts.tp}/${scored[p].counts.fp}/${scored[p].counts.fn}`));
  const cvDefault = profiles.map((p) => crossValidate(families, [results], NAB_PROFILES[p]));
  row("CV: threshold only", cvDefault.map((c) => c.score.toFixed(1)));
  const defaultFolds = cvDefault[0]?.folds ?? [];
  const worstDefault = defaultFolds.reduce((a, b) => (b.heldOut < a.heldOut ? b : a));
  console.log(`  leave-one-family-out, ${defaultFolds.length} families; worst fold ${worstDefault.family} ${worstDefault.heldOut.toFixed(1)}`);

  const corpus = syntheticCorpus(1);
  const syntheticWith = (detector: () => AnomalyDetector): NabFileResult[] =>
    corpus.map((s) => ({ name: s.name, windows: s.windows, anomalyScores: scoreSeries(detector(), s.timestamps, s.values) }));
  const syntheticOf = (config: RobustLikelihoodConfig): NabFileResult[] => syntheticWith(() => new RobustLikelihoodDetector(config));
  const synthetic = syntheticWith(make);
  const syntheticScore = scoreNab(synthetic);
  row(`synthetic corpus (${synthetic.length} series, seed 1)`, profiles.map((p) => syntheticScore[p].normalizedScore.toFixed(1)));
  row("  at the NAB in-sample threshold", profiles.map((p) => scoreFixed(synthetic.map((s) => ({ ...s, anomalyScores: Array.from(s.anomalyScores, (v) => (v >= scored[p].threshold ? 1 : 0)) })), NAB_PROFILES[p]).toFixed(1)));

  const standIns = standInCorpus(1);
  const standFamilies = standIns.map((s) => s.family);
  const stand = reportStandIns(standIns, scoreEach(standIns, make));
  row(`stand-in corpus (${standIns.length} series, seed 1)`, [stand.pooled.toFixed(1), stand.pooledLowFp.toFixed(1), ""]);
  const pooledCv = (nab: readonly NabFileResult[], standing: typeof stand) => profiles.map((p) => pooledCrossValidate(families, [nab], standFamilies, [standing.results], NAB_PROFILES[p]).score);
  console.log(`  one threshold (${stand.threshold.toFixed(4)}) swept over the pooled stand-ins; by family at that threshold:`);
  for (const f of stand.families) {
    console.log(`    ${f.family.padEnd(20)}${(Number.isNaN(f.score) ? "-" : f.score.toFixed(1)).padStart(6)}   windows found ${f.found}/${f.windows}, false alarms ${f.falseAlarms}`);
  }
  row("CV pooled with the stand-ins", pooledCv(results, stand).map((x) => x.toFixed(1)));
  console.log(`  leave-one-family-out of the threshold over the NAB files and stand-in seed 1, each stand-in family a fold`);

  // The alternative detector: every configuration is scored once, each fold only re-scores precomputed results.
  console.log("\nrobust-likelihood detector (the alternative: { algorithm: \"robust-likelihood\" })");
  const tg = performance.now();
  const grid = NAB_FULL_GRID;
  const gridScores = grid.map((c) => scoreFiles(files, c));
  const likelihood = gridScores[0] as NabFileResult[];
  console.log(`(${grid.length} configurations scored in ${((performance.now() - tg) / 1000).toFixed(1)} s)`);
  const t0 = performance.now();
  const cvThreshold = profiles.map((p) => crossValidate(families, [likelihood], NAB_PROFILES[p]));
  const cvFull = profiles.map((p) => crossValidate(families, gridScores, NAB_PROFILES[p]));
  const t1 = performance.now();
  row("in-sample (threshold fit)", profiles.map((p) => scoreNab(likelihood)[p].normalizedScore.toFixed(1)));
  row("CV: its default, threshold only", cvThreshold.map((c) => c.score.toFixed(1)));
  row(`CV: grid of ${grid.length} + threshold`, cvFull.map((c) => c.score.toFixed(1)));
  const standardFolds = cvFull[0]?.folds ?? [];
  console.log(`  leave-one-family-out, ${standardFolds.length} families; standard profile per held-out family (grid of ${grid.length}):`);
  for (const f of standardFolds) {
    console.log(`    ${f.family.padEnd(52)}${String(f.files).padStart(3)} files  config #${String(f.chosen).padEnd(3)} threshold ${f.threshold.toFixed(4)}  held-out ${f.heldOut.toFixed(1)}`);
  }
  const worst = standardFolds.reduce((a, b) => (b.heldOut < a.heldOut ? b : a));
  const agree = standardFolds.filter((f) => f.chosen === 0).length;
  console.log(`  worst fold ${worst.family} ${worst.heldOut.toFixed(1)}; ${agree} of ${standardFolds.length} folds chose its default (#0)`);

  // Candidates side by side; the CV column cross-validates each one's threshold only.
  console.log("\ncandidates (standard / reward_low_FP_rate / reward_low_FN_rate)");
  const triple = (xs: number[]) => xs.map((x) => x.toFixed(1).padStart(5)).join(" ");
  console.log(`${"".padEnd(40)}${"in-sample".padEnd(20)}${"cross-validated".padEnd(20)}${"pooled CV".padEnd(20)}${"synthetic".padEnd(20)}${"stand-ins".padEnd(12)}quiet alarms/1k rows, stand-in quiet alarms`);
  const printCandidate = (name: string, own: readonly NabFileResult[], synthetic: readonly NabFileResult[], standing: typeof stand): void => {
    const inSample = scoreNab(own);
    const cv = profiles.map((p) => crossValidate(families, [own], NAB_PROFILES[p]).score);
    const syn = scoreNab(synthetic);
    const pooled = pooledCv(own, standing);
    console.log(`  ${name.padEnd(38)}${triple(profiles.map((p) => inSample[p].normalizedScore)).padEnd(20)}${triple(cv).padEnd(20)}${triple(pooled).padEnd(20)}${triple(profiles.map((p) => syn[p].normalizedScore)).padEnd(20)}${triple([standing.pooled, standing.pooledLowFp]).padEnd(12)}${quietAlarmRate(synthetic).toFixed(2).padStart(6)}${String(standing.quietAlarms).padStart(6)}`);
  };
  printCandidate(`scored above ${JSON.stringify(args.config)}`, results, synthetic, stand);
  NAB_CANDIDATES.forEach((candidate) => {
    const at = NAB_FULL_GRID.indexOf(candidate.config);
    const own = at >= 0 ? (gridScores[at] as NabFileResult[]) : scoreFiles(files, candidate.config);
    printCandidate(`likelihood: ${candidate.name}`, own, syntheticOf(candidate.config), scoreStandIns(standIns, candidate.config));
  });

  // How far the stand-ins can be trusted: the one detector whose full-corpus score is published and
  // which we can run as published.
  const original = scoreEach(files.map(asSeries), lookAhead);
  const originalStand = reportStandIns(standIns, scoreEach(standIns, lookAhead));
  const pooledOriginal = scoreNab([...original, ...originalStand.results]).standard.normalizedScore;
  const publishedArtime = published.ARTime?.standard;
  console.log(
    `\nstand-ins as a proxy: ARTime as published (file's range, NAB's probation) scores ${scoreNab(original).standard.normalizedScore.toFixed(1)} on these files, ` +
      `${pooledOriginal.toFixed(1)} with stand-in seed 1 pooled in, ${publishedArtime === undefined ? "?" : publishedArtime.toFixed(1)} published on the full corpus ` +
      "(bench/nab-proxy-check.ts compares more detectors and seeds)",
  );
  console.log(`(${((performance.now() - started) / 1000).toFixed(1)} s, of which ${((t1 - t0) / 1000).toFixed(1)} s cross-validation)`);

  const ranked = Object.entries(published).sort((a, b) => b[1].standard - a[1].standard);
  if (ranked.length > 0) console.log("\npublished (full 58-file corpus, not the same files):");
  for (const [name, s] of ranked) row("  " + name, profiles.map((p) => (s[p] ?? Number.NaN).toFixed(1)));
}

main();
