import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Random } from "../../src/core/random.js";
import { analyseSeries, detectChangePoints } from "../../src/monitoring/analytics.js";
import { RobustLikelihoodDetector, ResidualDetector, normalTail, scoreSeries } from "../../src/monitoring/anomaly.js";
import { recommend } from "../../src/monitoring/recommendations.js";
import { exponentialMovingAverage, linearTrend, simpleMovingAverage, studentTTwoSided } from "../../src/monitoring/stats.js";
import { simSeed, withSeed } from "../support/sim.js";

const minute = 60_000;

describe("statistics", () => {
  it("matches Student's t and normal tables", () => {
    expect(studentTTwoSided(2.228, 10)).toBeCloseTo(0.05, 3);
    expect(studentTTwoSided(2.0, 10)).toBeCloseTo(0.0734, 3);
    expect(studentTTwoSided(0, 5)).toBeCloseTo(1, 9);
    expect(normalTail(1.959964)).toBeCloseTo(0.025, 5);
    expect(normalTail(6) / 9.8659e-10).toBeCloseTo(1, 3);
  });

  it("finds a significant slope in a noisy ramp and none in noise", async () => {
    await withSeed(simSeed(3), (seed) => {
      const random = new Random(seed);
      const t = Array.from({ length: 120 }, (_, i) => i * minute);
      const ramp = t.map((_, i) => 100 + i * 0.5 + random.normal(0, 2));
      const trend = linearTrend(t, ramp);
      expect(trend.direction).toBe("increasing");
      expect(trend.slopePerHour).toBeCloseTo(30, 0);
      expect(trend.pValue).toBeLessThan(1e-6);
      const flat = linearTrend(t, t.map(() => 100 + random.normal(0, 2)));
      expect(flat.pValue).toBeGreaterThan(0.001);
    });
  });

  it("computes moving averages (property: SMA of a constant is the constant; EMA stays within the range)", () => {
    expect(simpleMovingAverage([1, 2, 3, 4], 2)).toEqual([1, 1.5, 2.5, 3.5]);
    expect(exponentialMovingAverage([10, 0], 0.5)).toEqual([10, 5]);
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 50 }), fc.double({ min: 0.01, max: 1, noNaN: true }), (values, alpha) => {
        const ema = exponentialMovingAverage(values, alpha);
        const lo = Math.min(...values) - 1e-6;
        const hi = Math.max(...values) + 1e-6;
        expect(ema.every((v) => v >= lo && v <= hi)).toBe(true);
      }),
    );
  });
});

describe("change points", () => {
  it("finds a level shift near where it happened", async () => {
    await withSeed(simSeed(5), (seed) => {
      const random = new Random(seed);
      const values = Array.from({ length: 200 }, (_, i) => (i < 120 ? 50 : 65) + random.normal(0, 2));
      const points = detectChangePoints(values.map((_, i) => i * minute), values, { warmup: 60, h: 8 });
      expect(points).toHaveLength(1);
      expect(points[0]?.direction).toBe("up");
      expect(Math.abs((points[0]?.index ?? 0) - 120)).toBeLessThanOrEqual(3);
    });
  });

  it("stays quiet on stationary noise", async () => {
    await withSeed(simSeed(6), (seed) => {
      const random = new Random(seed);
      const values = Array.from({ length: 300 }, () => 50 + random.normal(0, 2));
      expect(detectChangePoints(values.map((_, i) => i), values, { h: 8 })).toEqual([]);
    });
  });
});

describe("anomaly detection", () => {
  it("scores every sample in [0, 1] whatever the input (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ noNaN: false }), { maxLength: 400 }), (values) => {
        const scores = scoreSeries(new RobustLikelihoodDetector({ warmup: 10, historyWindow: 50, baselineWindow: 20 }), values.map((_, i) => i), values);
        expect(scores.every((s) => s >= 0 && s <= 1)).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it("scores a spike in steady noise far above the noise, and then holds off during the refractory period", async () => {
    await withSeed(simSeed(8), (seed) => {
      const random = new Random(seed);
      const values = Array.from({ length: 1500 }, (_, i) => (i === 1200 ? 200 : 100 + random.normal(0, 3)));
      const timestamps = values.map((_, i) => i * 300_000);
      const scores = scoreSeries(new RobustLikelihoodDetector(), timestamps, values);
      expect(scores[1200]).toBeGreaterThanOrEqual(0.5);
      expect(Math.max(...scores.slice(1201, 1500))).toBe(0);
      // Without the novelty rule (new extremes), steady noise never alarms.
      const quiet = scoreSeries(new RobustLikelihoodDetector({ noveltyMargin: 0 }), timestamps, values);
      expect(Math.max(...quiet.slice(0, 1200))).toBeLessThan(0.5);
      expect(quiet[1200]).toBeGreaterThanOrEqual(0.5);
    });
  });

  it("scores residuals of a plugged-in forecaster", () => {
    let last: number | undefined;
    const detector = new ResidualDetector({ predict: () => last, observe: (_t, v) => (last = v) }, new RobustLikelihoodDetector({ warmup: 20 }));
    const values = Array.from({ length: 600 }, (_, i) => i * 10 + (i === 500 ? 400 : 0));
    const scores = scoreSeries(detector, values.map((_, i) => i), values);
    expect(scores[500]).toBeGreaterThanOrEqual(0.5);
    expect(Math.max(...scores.slice(0, 500))).toBeLessThan(0.5);
  });
});

describe("analytics and recommendations", () => {
  it("recommends scaling out on a significant latency rise, with the evidence", () => {
    const key = { edgeId: "edge-1", metric: "latency", labels: {} };
    const t = Array.from({ length: 60 }, (_, i) => i * minute);
    const analytics = analyseSeries(key, t, t.map((_, i) => 100 + 3 * i + (i % 3)));
    const [rec] = recommend([analytics], []);
    expect(rec).toMatchObject({ edgeId: "edge-1", action: "scale_out", priority: "high" });
    expect(rec?.evidence["pValue"]).toBeLessThan(0.05);
    expect(rec?.evidence["slopePerHour"]).toBeCloseTo(180, 0);
  });
});
