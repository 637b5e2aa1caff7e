/**
 * Throughput of the streaming anomaly detectors beside a trivial baseline (an exponentially weighted
 * z-score) in the same run: the robust-likelihood detector without and with the nearest-neighbour
 * conformal view. Also their state size, which must not grow with the series length.
 *
 *   npx tsx bench/nab.bench.ts
 */
import { RobustLikelihoodDetector, type AnomalyDetector, type RobustLikelihoodConfig } from "../src/monitoring/anomaly.js";
import { syntheticSeries } from "../src/monitoring/synthetic-anomalies.js";

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
function growth(config: RobustLikelihoodConfig, length: number): number {
  const { timestamps, values } = syntheticSeries("none_noisy", 1, { length });
  const detector = new RobustLikelihoodDetector(config);
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

const detectors: ReadonlyArray<readonly [string, RobustLikelihoodConfig]> = [
  ["robust likelihood, no kNN view", { knnDimension: 0 }],
  ["+ kNN view, corroborate", { knnDimension: 8, knnFusion: "corroborate" }],
  ["+ kNN view, w=16, 400 refs", { knnDimension: 16, knnReference: 400, knnFusion: "corroborate" }],
];
const { timestamps, values } = syntheticSeries("level_shift_up", 1, { length: 20_000 });
for (const [, config] of detectors) throughput(() => new RobustLikelihoodDetector(config), timestamps, values, 2); // warm the JIT
const baseline = throughput(() => new EwmaZDetector(), timestamps, values, 20);
const cell = (text: string, width: number) => text.padStart(width);
console.log(`${"detector".padEnd(34)}${cell("samples/s", 14)}${cell("vs baseline", 14)}${cell("growth 10k→300k", 18)}`);
console.log(`${"EWMA z-score (baseline)".padEnd(34)}${cell(Math.round(baseline).toLocaleString("en"), 14)}${cell("1.000", 14)}`);
for (const [name, config] of detectors) {
  const rate = throughput(() => new RobustLikelihoodDetector(config), timestamps, values, 10);
  const grown = growth(config, 300_000);
  console.log(`${name.padEnd(34)}${cell(Math.round(rate).toLocaleString("en"), 14)}${cell((rate / baseline).toFixed(3), 14)}${cell(`${(grown / 1024).toFixed(0)} KiB`, 18)}`);
}
if (globalThis.gc === undefined) console.log("(run with node --expose-gc for exact memory figures)");
