import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import type { AnomalyDetector } from "../../src/monitoring/anomaly.js";
import { ResourceAnalyzer } from "../../src/resources/analyzer.js";
import { autocorrelation, dominantPeriod, spikeIndices } from "../../src/resources/patterns.js";

const MINUTE = 60_000;

function feed(analyzer: ResourceAnalyzer, clock: ManualClock, edgeId: string, values: readonly number[], kind: "utilization" | "allocation" | "throttled" | "wait" | "failures" = "utilization", resource = "cpu"): void {
  const start = clock.now();
  values.forEach((value, i) => analyzer.recordMetric({ edgeId, resource, kind, value, timestamp: start + i * MINUTE }));
}

describe("pattern statistics", () => {
  it("autocorrelation finds the period of a repeating series, and spikes by robust z-score", () => {
    const wave = Array.from({ length: 96 }, (_v, i) => 0.5 + 0.3 * Math.sin((2 * Math.PI * i) / 12));
    expect(autocorrelation(wave, 12)).toBeGreaterThan(0.8);
    expect(dominantPeriod(wave, 0.5)?.lag).toBe(12);
    expect(dominantPeriod(Array<number>(40).fill(1), 0.5)).toBeUndefined();
    const flat = Array.from({ length: 50 }, (_v, i) => 0.4 + (i % 3) * 0.01);
    flat[20] = 0.99;
    expect(spikeIndices(flat, 3.5)).toEqual([20]);
  });
});

describe("ResourceAnalyzer", () => {
  it("reports periodic, growth and imbalance patterns and a capacity bottleneck, with evidence", () => {
    const clock = new ManualClock(0);
    const analyzer = new ResourceAnalyzer({}, { clock });
    feed(analyzer, clock, "wave", Array.from({ length: 96 }, (_v, i) => 0.5 + 0.3 * Math.sin((2 * Math.PI * i) / 12)));
    feed(analyzer, clock, "hot", Array.from({ length: 96 }, (_v, i) => 0.5 + i * 0.005));
    feed(analyzer, clock, "cold", Array.from({ length: 96 }, () => 0.05));
    clock.advanceTo(96 * MINUTE);
    const analysis = analyzer.analyze();
    const periodic = analysis.patterns.find((p) => p.type === "periodic" && p.edgeId === "wave");
    expect(periodic?.periodMs).toBe(12 * MINUTE);
    expect(analysis.patterns.some((p) => p.type === "growth" && p.edgeId === "hot")).toBe(true);
    expect(analysis.patterns.some((p) => p.type === "imbalance" && p.resource === "cpu")).toBe(true);
    const capacity = analysis.bottlenecks.find((b) => b.type === "capacity");
    expect(capacity?.edgeId).toBe("hot");
    expect(capacity?.evidence[0]?.threshold).toBe(0.85);
    expect(analysis.health.score).toBeLessThan(100);
    expect(analysis.health.deductions.length).toBeGreaterThan(0);

    const trend = analyzer.trends(3_600_000).find((t) => t.edgeId === "hot");
    expect(trend?.direction).toBe("increasing");
    expect(trend?.slopePerHour).toBeCloseTo(0.3, 5);
    // 0.5 + 0.005 per minute reaches 1 at minute 100.
    expect(trend?.exhaustionAt).toBeCloseTo(100 * MINUTE, -3);

    const recs = analyzer.recommendations();
    expect(recs.map((r) => r.action)).toEqual(expect.arrayContaining(["scale_up", "add_capacity", "rebalance", "schedule_scaling", "scale_down"]));
    for (const r of recs) expect(r.evidence.length).toBeGreaterThan(0);
    expect(recs[0]?.priority).toBe("high");
  });

  it("finds allocation, contention, throttling and fragmentation bottlenecks", () => {
    const clock = new ManualClock(0);
    const analyzer = new ResourceAnalyzer({}, { clock });
    feed(analyzer, clock, "e1", Array<number>(20).fill(0.2));
    feed(analyzer, clock, "e1", Array<number>(20).fill(0.95), "allocation");
    feed(analyzer, clock, "e2", Array<number>(20).fill(300), "wait", "memory");
    feed(analyzer, clock, "e3", Array<number>(20).fill(0.3), "throttled");
    analyzer.recordFragmentation("eu", { perResource: { memory: { free: 100, largestFree: 10, fragmentation: 0.9, stranded: 60 } }, strandedFraction: 0.6 });
    const types = analyzer.analyze().bottlenecks.map((b) => b.type);
    expect(types).toEqual(expect.arrayContaining(["allocation", "contention", "throttling", "fragmentation"]));
    const actions = analyzer.recommendations().map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(["right_size", "add_capacity", "raise_limits", "defragment"]));
  });

  it("reports anomalies through the monitoring detector interface", () => {
    const clock = new ManualClock(0);
    const flagAbove: AnomalyDetector = { update: (_t, v) => (v > 0.9 ? 1 : 0) };
    const analyzer = new ResourceAnalyzer({}, { clock, detector: () => flagAbove });
    feed(analyzer, clock, "e1", [0.2, 0.3, 0.95, 0.2]);
    const { anomalies, health } = analyzer.analyze();
    expect(anomalies).toEqual([{ edgeId: "e1", resource: "cpu", kind: "utilization", timestamp: 2 * MINUTE, value: 0.95, score: 1 }]);
    expect(health.deductions.some((d) => d.reason.includes("anomal"))).toBe(true);
    expect(analyzer.recommendations().some((r) => r.action === "investigate")).toBe(true);
  });

  it("rejects bad input without recording anything", () => {
    const clock = new ManualClock(0);
    const analyzer = new ResourceAnalyzer({}, { clock });
    expect(() => analyzer.recordMetric({ edgeId: "", resource: "cpu", value: 1 })).toThrow(/edgeId/);
    expect(() => analyzer.recordMetric({ edgeId: "e", resource: "cpu", value: Number.NaN })).toThrow(/value/);
    analyzer.recordMetric({ edgeId: "e", resource: "cpu", value: 0.1, timestamp: 10 });
    expect(() => analyzer.recordMetric({ edgeId: "e", resource: "cpu", value: 0.1, timestamp: 5 })).toThrow(/time order/);
    expect(analyzer.analyze().series).toBe(1);
  });
});
