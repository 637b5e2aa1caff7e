/**
 * Loading NAB's data and label files into row-indexed series, shared by `npm run nab` and the
 * configuration search.
 */
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { RobustLikelihoodDetector, scoreSeries, type AnomalyDetector, type RobustLikelihoodConfig } from "../src/monitoring/anomaly.js";
import { windowsToRows, type NabFileResult } from "../src/monitoring/nab-scorer.js";

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** ../shared/datasets/nab relative to the project root. */
export const NAB_DIR = join(projectRoot, "..", "shared", "datasets", "nab");

/** NAB timestamps ("2014-02-26 13:45:00.000000") as UTC milliseconds. */
function parseTimestamp(text: string): number {
  const t = Date.parse(text.trim().replace(" ", "T").replace(/\.\d+$/, "") + "Z");
  if (!Number.isFinite(t)) throw new Error(`bad timestamp "${text}"`);
  return t;
}

function listCsv(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...listCsv(path));
    else if (name.endsWith(".csv")) out.push(path);
  }
  return out;
}

export interface LoadedFile {
  key: string;
  stamps: string[];
  timestamps: Float64Array;
  values: Float64Array;
  windows: Array<[number, number]>;
}

/** Every CSV under `dataDir` that has labels in `labelsDir/combined_windows.json`. */
export function loadNab(dataDir: string, labelsDir: string): LoadedFile[] {
  if (!existsSync(dataDir)) throw new Error(`NAB data folder ${dataDir} not found (pass it as the first argument)`);
  const labels = JSON.parse(readFileSync(join(labelsDir, "combined_windows.json"), "utf8")) as Record<string, Array<[string, string]>>;
  const files: LoadedFile[] = [];
  for (const path of listCsv(dataDir)) {
    const key = relative(dataDir, path).split(sep).join("/");
    const windowLabels = labels[key];
    if (windowLabels === undefined) continue;
    const lines = readFileSync(path, "utf8").split(/\r?\n/).slice(1).filter((l) => l.trim() !== "");
    const stamps: string[] = [];
    const timestamps = new Float64Array(lines.length);
    const values = new Float64Array(lines.length);
    lines.forEach((line, i) => {
      const comma = line.indexOf(",");
      stamps.push(line.slice(0, comma));
      timestamps[i] = parseTimestamp(line.slice(0, comma));
      values[i] = Number(line.slice(comma + 1));
    });
    const windows = windowsToRows(timestamps, windowLabels.map(([a, b]) => [parseTimestamp(a), parseTimestamp(b)] as const));
    files.push({ key, stamps, timestamps, values, windows });
  }
  return files;
}

/** Series with labelled windows, as the scorer takes them. */
export interface LabelledSeries {
  readonly name: string;
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
  readonly windows: ReadonlyArray<readonly [number, number]>;
}

/** One detector per series from `make`; scores rounded as NAB stores them, so the sweep and the CSVs agree. */
export function scoreEach<S extends LabelledSeries | LoadedFile>(series: readonly S[], make: (series: S) => AnomalyDetector): NabFileResult[] {
  return series.map((s) => {
    const scores = scoreSeries(make(s), s.timestamps, s.values);
    for (let i = 0; i < scores.length; i++) scores[i] = Math.round((scores[i] as number) * 1e6) / 1e6;
    return { name: "key" in s ? s.key : s.name, anomalyScores: scores, windows: s.windows };
  });
}

/** The default detector with `config` on every series (see {@link scoreEach}). */
export function scoreAll(series: ReadonlyArray<LabelledSeries | LoadedFile>, config: RobustLikelihoodConfig): NabFileResult[] {
  return scoreEach(series, () => new RobustLikelihoodDetector(config));
}
