import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { MetricStore } from "../../src/monitoring/store.js";
import { simRuns, simSeed } from "../support/sim.js";

const WIDTH = { "1m": 60_000, "5m": 300_000, "1h": 3_600_000 } as const;

describe("roll-ups at bucket boundaries", () => {
  it("property: every tier equals brute force over the samples in the buckets overlapping [from, to]", () => {
    // Gaps that land on, just before and just after bucket boundaries, and far jumps across tiers.
    const gap = fc.constantFrom(0, 1, 59_999, 60_000, 60_001, 299_999, 300_000, 3_599_999, 3_600_000, 7_200_001, 17);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(gap, fc.integer({ min: -1_000, max: 1_000 })), { minLength: 1, maxLength: 200 }),
        fc.constantFrom("1m", "5m", "1h"),
        fc.nat(),
        fc.nat(),
        (steps, tier, a, b) => {
          const clock = new ManualClock(0);
          const store = new MetricStore({ clock, config: { retentionMs: 1e12, rollupRetentionMs: { "1m": 1e12, "5m": 1e12, "1h": 1e12 } } });
          store.types.register({ name: "signal", unit: "1" });
          const raw: Array<[number, number]> = [];
          let t = 0;
          for (const [g, v] of steps) {
            t += g;
            raw.push([t, v]);
            clock.advanceTo(t);
            store.record({ edgeId: "e", metric: "signal", value: v, timestamp: t });
          }
          clock.advanceTo(t);
          const from = Math.min(a % (t + 1), b % (t + 1));
          const to = Math.max(a % (t + 1), b % (t + 1));
          const [result] = store.query({ edgeId: "e", metric: "signal", from, to, resolution: tier });
          const w = WIDTH[tier];
          const first = Math.floor(from / w) * w;
          const inBuckets = raw.filter(([ts]) => ts >= first && Math.floor(ts / w) * w <= to).map(([, v]) => v);
          expect(result?.stats.count).toBe(inBuckets.length);
          if (inBuckets.length === 0) return;
          const mean = inBuckets.reduce((x, y) => x + y, 0) / inBuckets.length;
          expect(result?.stats.mean).toBeCloseTo(mean, 6);
          expect(result?.stats.min).toBe(Math.min(...inBuckets));
          expect(result?.stats.max).toBe(Math.max(...inBuckets));
        },
      ),
      { numRuns: simRuns(200), seed: simSeed(77) },
    );
  });
});
