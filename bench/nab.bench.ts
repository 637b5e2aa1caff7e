/**
 * Throughput of the streaming anomaly detectors beside a trivial baseline (an exponentially weighted
 * z-score) and the previous default detector (robust likelihood) in the same run, taking turns, five
 * repetitions (min and median kept): the default (ARTime), the robust-likelihood detector's previous
 * settings, and that detector without its kNN view and with the spectral-residual view. Also their
 * state size, which must not grow with the series length.
 *
 *   npx tsx bench/nab.bench.ts
 */
import type { AnomalyDetector } from "../src/monitoring/anomaly.js";
import { createAnomalyDetector, DEFAULT_ANOMALY_DETECTOR, type AnomalyDetectorConfig } from "../src/monitoring/detector-choice.js";
import { syntheticSeries } from "../src/monitoring/synthetic-anomalies.js";
import { PREVIOUS_DEFAULT } from "./nab-cv.js";

/** The cheapest sensible detector: how far a sample is from an exponentially weighted mean. */
class EwmaZDetector implements AnomalyDetector {
  private mean = 0;
  private variance = 0;
  private n = 0;
  update(_timestamp: number, value: number): number {
    const alpha = this.n < 100 ? 1 / ++this.n : 0.01;
    const d = value - this.mean;
    this.mean += alpha * d;
    this.variance = (1 - alpha) * (this.variance + alpha * d * d);
    return Math.min(1, Math.abs(d) / (6 * Math.sqrt(this.variance) + 1e-12));
  }
}

function throughput(make: () => AnomalyDetector, timestamps: Float64Array, values: Float64Array, rounds: number): number {
  let sink = 0;
  const started = performance.now();
  for (let r = 0; r < rounds; r++) {
    const detector = make();
    for (let i = 0; i < values.length; i++) sink += detector.update(timestamps[i] as number, values[i] as number);
  }
  const seconds = (performance.now() - started) / 1000;
  if (Number.isNaN(sink)) throw new Error("unreachable: keeps the loop from being optimised away");
  return (rounds * values.length) / seconds;
}

/** Typed arrays live outside the JS heap, so both are counted. */
function retained(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** Memory growth between the end of warm-up and the end of a long series: bounded state means ~0. */
function growth(config: AnomalyDetectorConfig, length: number): number {
  const { timestamps, values } = syntheticSeries("none_noisy", 1, { length });
  const detector = createAnomalyDetector(config);
  let before = 0;
  for (let i = 0; i < length; i++) {
    detector.update(timestamps[i] as number, values[i] as number);
    if (i === 10_000) {
      globalThis.gc?.();
      before = retained();
    }
  }
  globalThis.gc?.();
  const used = retained() - before;
  // Keeps the detector and the input alive until after the measurement.
  if (detector.update(0, 0) > 1 || Number.isNaN(values[length - 1] as number)) throw new Error("unreachable");
  return used;
}

const likelihood = "robust-likelihood";
const detectors: ReadonlyArray<readonly [string, AnomalyDetectorConfig]> = [
  ["robust likelihood (previous default)", { algorithm: likelihood }],
  ["ARTime (default)", DEFAULT_ANOMALY_DETECTOR],
  ["likelihood, its previous settings", { algorithm: likelihood, ...PREVIOUS_DEFAULT }],
  ["likelihood without kNN view", { algorithm: likelihood, views: ["point", "level", "seasonal", "count"] }],
  ["likelihood + spectral residual (w=32)", { algorithm: likelihood, views: ["point", "level", "seasonal", "count", "spectral", "knn"], spectralWindow: 32 }],
  ["likelihood + spectral residual (w=64)", { algorithm: likelihood, views: ["point", "level", "seasonal", "count", "spectral", "knn"] }],
];
const { timestamps, values } = syntheticSeries("level_shift_up", 1, { length: 20_000 });
const subjects: ReadonlyArray<readonly [string, () => AnomalyDetector]> = [
  ["EWMA z-score (baseline)", () => new EwmaZDetector()],
  ...detectors.map(([name, config]) => [name, () => createAnomalyDetector(config)] as const),
];
for (const [, make] of subjects) throughput(make, timestamps, values, 2); // warm the JIT
// The machine is shared: subjects take turns within each repetition, and min and median are kept.
const REPETITIONS = 5;
const rates = subjects.map(() => [] as number[]);
for (let r = 0; r < REPETITIONS; r++) subjects.forEach(([, make], i) => rates[i]?.push(throughput(make, timestamps, values, i === 0 ? 10 : 2)));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;
const cell = (text: string, width: number) => text.padStart(width);
const fmt = (x: number) => Math.round(x).toLocaleString("en");
const previous = rates[1] ?? [];
console.log(`${"detector".padEnd(38)}${cell("samples/s min", 15)}${cell("median", 12)}${cell("vs previous", 13)}${cell("growth 10k→300k", 18)}`);
subjects.forEach(([name], i) => {
  const own = rates[i] ?? [];
  // Ratios pair each repetition with the previous default's run in the same repetition.
  const ratio = median(own.map((x, r) => x / (previous[r] ?? Number.NaN)));
  const config = i === 0 ? undefined : detectors[i - 1]?.[1];
  const grown = config === undefined ? "" : `${(growth(config, 300_000) / 1024).toFixed(0)} KiB`;
  console.log(`${name.padEnd(38)}${cell(fmt(Math.min(...own)), 15)}${cell(fmt(median(own)), 12)}${cell(ratio.toFixed(2), 13)}${cell(grown, 18)}`);
});
if (globalThis.gc === undefined) console.log("(run with node --expose-gc for exact memory figures)");
