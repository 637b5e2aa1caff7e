import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { ValidationError } from "../../src/core/errors.js";
import { MetricStore } from "../../src/monitoring/store.js";

function bruteForce(values: number[]): { count: number; mean: number; min: number; max: number; stddev: number } {
  const count = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / count;
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / count;
  return { count, mean, min: Math.min(...values), max: Math.max(...values), stddev: Math.sqrt(variance) };
}

const close = (a: number, b: number, scale: number): boolean => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(scale));

// Samples as (gap ms, value) pairs: time never goes backwards.
const samplesArb = fc.array(fc.tuple(fc.integer({ min: 0, max: 5_000 }), fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true })), { minLength: 1, maxLength: 300 });

describe("MetricStore queries", () => {
  it("equal a brute-force computation over the raw samples (property)", () => {
    fc.assert(
      fc.property(samplesArb, fc.nat(), fc.nat(), (gaps, a, b) => {
        const clock = new ManualClock(0);
        const store = new MetricStore({ clock, types: undefined, config: { retentionMs: 10_000_000 } });
        store.types.register({ name: "signal", unit: "1" });
        const raw: Array<[number, number]> = [];
        let t = 0;
        for (const [gap, v] of gaps) {
          t += gap;
          raw.push([t, v]);
          clock.advanceTo(t);
          store.record({ edgeId: "e", metric: "signal", value: v, timestamp: t });
        }
        clock.advanceTo(t);
        const from = Math.min(a, b) % (t + 1);
        const to = Math.max(a, b) % (t + 1) >= from ? Math.max(a, b) % (t + 1) : t;
        const expected = raw.filter(([ts]) => ts >= from && ts <= to).map(([, v]) => v);
        const [result] = store.query({ edgeId: "e", metric: "signal", from, to });
        expect(result?.stats.source).toBe("raw");
        expect(result?.stats.count).toBe(expected.length);
        if (expected.length === 0) return;
        const bf = bruteForce(expected);
        const scale = Math.max(...expected.map(Math.abs));
        expect(close(result?.stats.mean ?? NaN, bf.mean, scale)).toBe(true);
        expect(result?.stats.min).toBe(bf.min);
        expect(result?.stats.max).toBe(bf.max);
        expect(Math.abs((result?.stats.stddev ?? NaN) - bf.stddev)).toBeLessThanOrEqual(1e-6 * Math.max(1, scale));
      }),
      { numRuns: 100 },
    );
  });

  it("reports quantiles within DDSketch's relative-accuracy guarantee (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0.001, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 500 }), (values) => {
        const clock = new ManualClock(0);
        const store = new MetricStore({ clock, config: { relativeAccuracy: 0.01 } });
        values.forEach((v, i) => store.record({ edgeId: "e", metric: "latency", value: v, timestamp: i }));
        clock.advanceTo(values.length);
        const [result] = store.query({ edgeId: "e", metric: "latency" });
        const sorted = [...values].sort((x, y) => x - y);
        for (const [q, got] of [
          [0.5, result?.stats.quantiles?.p50],
          [0.95, result?.stats.quantiles?.p95],
          [0.99, result?.stats.quantiles?.p99],
        ] as const) {
          const rank = q * (sorted.length - 1);
          const candidates = [sorted[Math.floor(rank)] as number, sorted[Math.ceil(rank)] as number];
          expect(candidates.some((x) => Math.abs((got ?? NaN) - x) <= 0.01 * x + 1e-12)).toBe(true);
        }
      }),
      { numRuns: 100 },
    );
  });

  it("answers older ranges from roll-ups equal to brute force over whole buckets", () => {
    const clock = new ManualClock(0);
    const store = new MetricStore({ clock, config: { retentionMs: 120_000 } });
    const raw: Array<[number, number]> = [];
    for (let t = 0; t < 600_000; t += 1_000) {
      const v = (t / 1000) % 37;
      raw.push([t, v]);
      clock.advanceTo(t);
      store.record({ edgeId: "e", metric: "latency", value: v, timestamp: t });
    }
    clock.advanceTo(600_000);
    const [result] = store.query({ edgeId: "e", metric: "latency", from: 60_000, to: 239_999 });
    expect(result?.stats.source).toBe("1m");
    expect(result?.stats.quantiles).toBeNull();
    const bf = bruteForce(raw.filter(([t]) => t >= 60_000 && t < 240_000).map(([, v]) => v));
    expect(result?.stats.count).toBe(bf.count);
    expect(result?.stats.mean).toBeCloseTo(bf.mean, 9);
    expect(result?.stats.stddev).toBeCloseTo(bf.stddev, 9);
    expect([result?.stats.min, result?.stats.max]).toEqual([bf.min, bf.max]);
    const [fiveMinute] = store.query({ edgeId: "e", metric: "latency", from: 0, to: 599_999, resolution: "5m" });
    expect(fiveMinute?.stats.count).toBe(600);
  });
});

describe("MetricStore retention", () => {
  it("never loses samples younger than the retention period while under the count limit (property)", () => {
    fc.assert(
      fc.property(samplesArb, fc.integer({ min: 1_000, max: 200_000 }), (gaps, retentionMs) => {
        const clock = new ManualClock(0);
        const store = new MetricStore({ clock, config: { retentionMs, maxSamplesPerSeries: 1_000 } });
        const raw: number[] = [];
        let t = 0;
        for (const [gap] of gaps) {
          t += gap;
          clock.advanceTo(t);
          raw.push(t);
          store.record({ edgeId: "e", metric: "throughput", value: 1 });
          store.compact();
        }
        const kept = store.samples({ edgeId: "e", metric: "throughput" }).map((s) => s.timestamp);
        const young = raw.filter((ts) => ts >= t - retentionMs);
        expect(kept).toEqual(young);
      }),
      { numRuns: 100 },
    );
  });

  it("keeps exactly the newest samples when the count limit is reached", () => {
    const clock = new ManualClock(0);
    const store = new MetricStore({ clock, config: { maxSamplesPerSeries: 50 } });
    for (let i = 0; i < 130; i++) store.record({ edgeId: "e", metric: "throughput", value: i, timestamp: i });
    clock.advanceTo(130);
    expect(store.samples({ edgeId: "e", metric: "throughput" }).map((s) => s.value)).toEqual(Array.from({ length: 50 }, (_, i) => 80 + i));
    // Raw no longer covers t=0: the answer comes from roll-ups and still counts everything.
    const [result] = store.query({ edgeId: "e", metric: "throughput", from: 0 });
    expect(result?.stats.source).toBe("1m");
    expect(result?.stats.count).toBe(130);
  });
});

describe("MetricStore validation", () => {
  const store = (): MetricStore => new MetricStore({ clock: new ManualClock(1_000) });

  it("refuses an unknown metric type, never renaming it", () => {
    const s = store();
    const error = (() => {
      try {
        s.record({ edgeId: "e", metric: "latncy", value: 1 });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues[0]?.code).toBe("unknown_metric_type");
    expect(s.keys()).toEqual([]);
  });

  it("accepts a user-defined type once registered", () => {
    const s = store();
    s.types.register({ name: "queue_depth", unit: "messages", min: 0 });
    s.record({ edgeId: "e", metric: "queue_depth", value: 3 });
    expect(s.latest()[0]?.value).toBe(3);
    expect(() => s.types.register({ name: "latency", unit: "s" })).toThrow(ValidationError);
  });

  it("validates units: percentages in 0..100, latencies >= 0", () => {
    const s = store();
    expect(() => s.record({ edgeId: "e", metric: "error_rate", value: 120 })).toThrow(/percent/);
    expect(() => s.record({ edgeId: "e", metric: "latency", value: -1 })).toThrow(ValidationError);
    expect(() => s.record({ edgeId: "e", metric: "latency", value: Number.NaN })).toThrow(ValidationError);
  });

  it("refuses out-of-order samples per series", () => {
    const s = store();
    s.record({ edgeId: "e", metric: "latency", value: 1, timestamp: 500 });
    expect(() => s.record({ edgeId: "e", metric: "latency", value: 1, timestamp: 499 })).toThrow(/time order/);
    s.record({ edgeId: "e", metric: "latency", value: 1, labels: { route: "/a" }, timestamp: 100 });
  });

  it("applies a batch all or nothing, reporting every problem", () => {
    const s = store();
    let caught: ValidationError | undefined;
    try {
      s.recordBatch([
        { edgeId: "e", metric: "latency", value: 1, timestamp: 10 },
        { edgeId: "e", metric: "nope", value: 1 },
        { edgeId: "e", metric: "availability", value: 101 },
      ]);
    } catch (e) {
      caught = e as ValidationError;
    }
    expect(caught?.issues.map((i) => i.path)).toEqual(["samples[1].metric", "samples[2].value"]);
    expect(s.footprint().samples).toBe(0);
  });

  it("rejects reserved label names", () => {
    expect(() => store().record({ edgeId: "e", metric: "latency", value: 1, labels: { edge: "x" } })).toThrow(ValidationError);
  });
});
