import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { RobustLikelihoodDetector, scoreSeries } from "../../src/monitoring/anomaly.js";
import { ArtimeDetector } from "../../src/monitoring/artime.js";
import { createAnomalyDetector, type AnomalyDetectorConfig } from "../../src/monitoring/detector-choice.js";
import { MonitoringEngine, type MonitoringConfig } from "../../src/monitoring/engine.js";
import { Random } from "../../src/core/random.js";
import { validationPaths } from "../support/bad-input.js";


/** A noisy daily-ish series with one spike, 5-minute samples. */
function series(length: number, spikeAt: number, seed: number): { timestamps: Float64Array; values: Float64Array } {
  const random = new Random(seed);
  const timestamps = new Float64Array(length);
  const values = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    timestamps[i] = i * 300_000;
    values[i] = 50 + 10 * Math.sin((2 * Math.PI * i) / 288) + random.normal(0, 1) + (i === spikeAt ? 60 : 0);
  }
  return { timestamps, values };
}

describe("createAnomalyDetector", () => {
  it("gives ARTime by default and the robust-likelihood detector when asked, each scoring as built directly", () => {
    const { timestamps, values } = series(1500, 1200, 3);
    const byDefault = scoreSeries(createAnomalyDetector(), timestamps, values);
    expect(byDefault).toEqual(scoreSeries(new ArtimeDetector(), timestamps, values));
    const chosen = scoreSeries(createAnomalyDetector({ algorithm: "robust-likelihood", warmup: 50 }), timestamps, values);
    expect(chosen).toEqual(scoreSeries(new RobustLikelihoodDetector({ warmup: 50 }), timestamps, values));
    const artimeOptions = scoreSeries(createAnomalyDetector({ algorithm: "artime", probation: 600 }), timestamps, values);
    expect(artimeOptions).toEqual(scoreSeries(new ArtimeDetector({ probation: 600 }), timestamps, values));
    // The defaults flag the spike (the block that holds it) and nothing in the probation.
    expect(Math.max(...byDefault.subarray(1200, 1203))).toBeGreaterThan(0.5);
    expect(Math.max(...byDefault.subarray(0, 350))).toBe(0);
  });

  it("refuses a missing or unknown algorithm, and options of the other detector, naming the field", async () => {
    expect(await validationPaths(() => createAnomalyDetector({} as AnomalyDetectorConfig))).toEqual(["detector.algorithm"]);
    expect(await validationPaths(() => createAnomalyDetector({ algorithm: "htm" } as unknown as AnomalyDetectorConfig))).toEqual(["detector.algorithm"]);
    expect(await validationPaths(() => createAnomalyDetector({ algorithm: "artime", warmup: 30 } as AnomalyDetectorConfig))).toEqual(["detector"]);
    expect(await validationPaths(() => createAnomalyDetector({ algorithm: "artime", probation: 10 }))).toEqual(["detector.probation"]);
    expect(await validationPaths(() => createAnomalyDetector({ algorithm: "robust-likelihood", warmup: -1 }))).toEqual(["detector.warmup"]);
  });
});

describe("the monitoring engine's detector choice", () => {
  const spikes = (config: MonitoringConfig): number[] => {
    const clock = new ManualClock(0);
    const engine = new MonitoringEngine({ clock, config });
    const seen: number[] = [];
    engine.events.on("anomaly:detected", (e) => seen.push(e.timestamp));
    const { values } = series(1500, 1200, 5);
    for (const value of values) {
      clock.advance(300_000);
      engine.record({ edgeId: "edge-1", metric: "latency", value });
    }
    return seen;
  };

  it("scores with ARTime unless told otherwise, and with the robust-likelihood detector when configured", () => {
    const spikeAt = 1201 * 300_000;
    const artime = spikes({ defaultRules: false });
    expect(artime.some((t) => t >= spikeAt && t <= spikeAt + 2 * 300_000)).toBe(true);
    const likelihood = spikes({ defaultRules: false, anomalyDetection: { detector: { algorithm: "robust-likelihood" } } });
    expect(likelihood).toContain(spikeAt);
  });

  it("refuses detector options without an algorithm, naming the field", async () => {
    const bad = { anomalyDetection: { detector: { warmup: 30 } } } as unknown as MonitoringConfig;
    expect(await validationPaths(() => new MonitoringEngine({ clock: new ManualClock(0), config: bad }))).toEqual(["config.anomalyDetection.detector.algorithm"]);
  });
});
