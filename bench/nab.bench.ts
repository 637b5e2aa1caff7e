/**
 * Throughput of the streaming anomaly detector beside a trivial baseline (an exponentially weighted
 * z-score) in the same run, and its state size, which must not grow with the series length.
 *
 *   npx tsx bench/nab.bench.ts
 */
import { RobustLikelihoodDetector, type AnomalyDetector } from "../src/monitoring/anomaly.js";
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
function growth(length: number): number {
  const { timestamps, values } = syntheticSeries("none_noisy", 1, { length });
  const detector = new RobustLikelihoodDetector();
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

const { timestamps, values } = syntheticSeries("level_shift_up", 1, { length: 20_000 });
throughput(() => new RobustLikelihoodDetector(), timestamps, values, 2); // warm the JIT
const baseline = throughput(() => new EwmaZDetector(), timestamps, values, 20);
const robust = throughput(() => new RobustLikelihoodDetector(), timestamps, values, 10);
console.log(`${"detector".padEnd(28)}${"samples/s".padStart(14)}${"vs baseline".padStart(14)}`);
console.log(`${"EWMA z-score (baseline)".padEnd(28)}${Math.round(baseline).toLocaleString("en").padStart(14)}${"1.00".padStart(14)}`);
console.log(`${"RobustLikelihoodDetector".padEnd(28)}${Math.round(robust).toLocaleString("en").padStart(14)}${(robust / baseline).toFixed(3).padStart(14)}`);
const grown = growth(300_000);
console.log(`memory growth from sample 10k to 300k: ${(grown / 1024).toFixed(0)} KiB${globalThis.gc ? "" : " (run with node --expose-gc for exact figures)"}`);
