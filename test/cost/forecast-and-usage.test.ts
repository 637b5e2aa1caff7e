import fc from "fast-check";
import { quantileSorted } from "simple-statistics";
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { Random } from "../../src/core/random.js";
import { HOURS_PER_MONTH } from "../../src/cost/catalog-schema.js";
import { defaultCatalog } from "../../src/cost/catalog.js";
import { CostEngine } from "../../src/cost/engine.js";
import { forecastSpend } from "../../src/cost/spend-forecast.js";
import { usageFromMonitoring } from "../../src/cost/usage.js";
import { LinearTrendForecaster } from "../../src/forecast/linear-trend.js";
import { MetricStore } from "../../src/monitoring/store.js";
import { simRuns, simSeed } from "../support/sim.js";
import { allFinite } from "./fixtures.js";

const DAY = 86_400_000;

describe("spend forecast", () => {
  it("property: each optimization is taken off exactly once, whether already in the history, still to come or listed twice", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.double({ min: 50, max: 150, noNaN: true }), { minLength: 14, maxLength: 60 }),
        fc.array(fc.record({ id: fc.constantFrom("a", "b", "c"), monthlySavings: fc.double({ min: 0, max: 300, noNaN: true }), appliedAgo: fc.option(fc.integer({ min: 1, max: 10 }), { nil: undefined }) }), { maxLength: 5 }),
        async (history, opts) => {
          const end = 100 * DAY;
          const optimizations = opts.map((o) => ({ id: o.id, monthlySavings: o.monthlySavings, ...(o.appliedAgo === undefined ? {} : { appliedAt: end - o.appliedAgo * DAY }) }));
          const f = await forecastSpend({ history, historyEnd: end, horizon: 14, period: 7, optimizations });
          const unique = new Map<string, number>();
          for (const o of optimizations) if (!unique.has(o.id)) unique.set(o.id, o.monthlySavings);
          const perDay = ([...unique.values()].reduce((s, x) => s + x, 0) * 24) / HOURS_PER_MONTH;
          f.savingsPerStep.forEach((s, k) => {
            expect(s).toBeCloseTo(perDay, 9);
            const base = f.baseline.mean[k] ?? 0;
            expect(f.optimized.mean[k]).toBeCloseTo(Math.max(0, base - perDay), 9);
            expect(f.optimized.lower[k] ?? 0).toBeLessThanOrEqual((f.optimized.mean[k] ?? 0) + 1e-9);
            expect(f.optimized.mean[k] ?? 0).toBeLessThanOrEqual((f.optimized.upper[k] ?? 0) + 1e-9);
          });
          expect(f.applied.map((a) => a.id)).toEqual([...unique.keys()]);
          expect(allFinite(f)).toBe(true);
        },
      ),
      { numRuns: simRuns(60), seed: simSeed(1520) },
    );
  });

  it("lifts history that already carries a saving, so a flat spend forecasts flat, minus the saving once", async () => {
    // 30 days at $100; a $730/month saving ($24/day) applied 10 days ago shows as $76 on those days.
    const end = 30 * DAY;
    const history = Array.from({ length: 30 }, (_, k) => (k >= 20 ? 76 : 100));
    const f = await forecastSpend({ history, historyEnd: end, horizon: 7, period: 7, optimizations: [{ id: "spot", monthlySavings: 730, appliedAt: end - 10 * DAY }] }, new LinearTrendForecaster());
    for (const x of f.baseline.mean) expect(x).toBeCloseTo(100, 6);
    for (const x of f.optimized.mean) expect(x).toBeCloseTo(76, 6);
  });

  it("an optimization taking effect mid-horizon only lowers the steps after it", async () => {
    const f = await forecastSpend({ history: Array<number>(14).fill(100), historyEnd: 14 * DAY, horizon: 4, period: 7, optimizations: [{ id: "x", monthlySavings: 730, effectiveAt: 16 * DAY }] });
    expect(f.savingsPerStep.map((s) => Number(s.toFixed(9)))).toEqual([0, 0, 24, 24]);
  });
});

describe("right-sizing from the monitoring engine", () => {
  it("reads p99.5 CPU and memory of that edge over 14 days, and the optimizer downsizes on it", () => {
    const clock = new ManualClock(0);
    const store = new MetricStore({ clock, config: { retentionMs: 15 * DAY, maxSamplesPerSeries: 100_000 } });
    const random = new Random(7);
    const cpu: number[] = [];
    const mem: number[] = [];
    // 14 days of 5-minute samples on edge-a; edge-b is busy and must not leak into edge-a's figures.
    for (let t = 0; t <= 14 * DAY; t += 300_000) {
      clock.advance(t - clock.now());
      const c = 10 + 15 * random.float();
      const m = 20 + 10 * random.float();
      cpu.push(c);
      mem.push(m);
      store.record({ edgeId: "edge-a", metric: "resource_usage", labels: { resource: "cpu" }, value: c, timestamp: t });
      store.record({ edgeId: "edge-a", metric: "resource_usage", labels: { resource: "memory" }, value: m, timestamp: t });
      store.record({ edgeId: "edge-b", metric: "resource_usage", labels: { resource: "cpu" }, value: 95, timestamp: t });
      store.record({ edgeId: "edge-b", metric: "resource_usage", labels: { resource: "memory" }, value: 95, timestamp: t });
    }
    const usage = usageFromMonitoring(store, { edgeId: "edge-a" }, clock.now());
    expect(usage).not.toBeNull();
    // Exact p99.5 of that edge's samples, not a sketch's estimate.
    const sorted = [...cpu].sort((a, b) => a - b);
    expect(usage?.cpuP995).toBeCloseTo(quantileSorted(sorted, 0.995), 12);
    expect(usage?.memoryP995).toBeCloseTo(quantileSorted([...mem].sort((a, b) => a - b), 0.995), 12);
    expect(usage?.cpuP995).toBeLessThan(25);
    expect(usage?.memoryP995).toBeLessThan(30);
    expect(usage?.windowDays).toBeCloseTo(14, 6);

    const engine = new CostEngine({ catalog: defaultCatalog() });
    const workloads = [
      { id: "a", edgeId: "edge-a", provider: "aws" as const, region: "us-east-1", instanceType: "m5.2xlarge" },
      { id: "b", edgeId: "edge-b", provider: "aws" as const, region: "us-east-1", instanceType: "m5.2xlarge" },
    ];
    const report = engine.report("rightsizing", workloads, { strategy: "risk_averse" }, { store, now: clock.now() });
    // edge-a: 8 vCPU × ≤25 % × 1.3 ≤ 2.6 vCPU, 32 GB × ≤30 % × 1.3 ≤ 12.5 GB → a 4 vCPU / 16 GB type.
    expect(report.recommendations.map((r) => [r.workloadId, r.proposed.instanceType])).toEqual([["a", "m5.xlarge"]]);
    expect(report.skipped.map((s) => s.workloadId)).toEqual(["b"]);
  });

  it("a store holding less than 30 hours gives no right-sizing", () => {
    const clock = new ManualClock(0);
    const store = new MetricStore({ clock });
    for (let t = 0; t <= 3_600_000; t += 60_000) {
      clock.advance(t - clock.now());
      store.record({ edgeId: "e", metric: "resource_usage", labels: { resource: "cpu" }, value: 5, timestamp: t });
      store.record({ edgeId: "e", metric: "resource_usage", labels: { resource: "memory" }, value: 5, timestamp: t });
    }
    const engine = new CostEngine();
    const report = engine.report("rightsizing", [{ id: "w", edgeId: "e", provider: "aws", region: "us-east-1", instanceType: "m5.2xlarge" }], { strategy: "minimize_cost" }, { store, now: clock.now() });
    expect(report.recommendations).toHaveLength(0);
  });
});
