import { describe, expect, it } from "vitest";
import { RobustLikelihoodDetector, scoreSeries, type AnomalyDetector } from "../../src/monitoring/anomaly.js";
import { nabWindow, syntheticCorpus, syntheticSeries, SYNTHETIC_ANOMALY_KINDS, type SyntheticSeries } from "../../src/monitoring/synthetic-anomalies.js";

const ALARM = 0.5;

interface Outcome {
  found: number;
  windows: number;
  /** Alarms outside every window after NAB's probation, per series without an anomaly. */
  quietAlarms: number[];
}

function evaluate(corpus: readonly SyntheticSeries[], make: () => AnomalyDetector): Outcome {
  const out: Outcome = { found: 0, windows: 0, quietAlarms: [] };
  for (const s of corpus) {
    const scores = scoreSeries(make(), s.timestamps, s.values);
    const probation = Math.floor(0.15 * s.values.length);
    let alarms = 0;
    const hit = s.windows.map(() => false);
    for (let i = probation; i < scores.length; i++) {
      if ((scores[i] as number) < ALARM) continue;
      const w = s.windows.findIndex(([a, b]) => i >= a && i <= b);
      if (w >= 0) hit[w] = true;
      else alarms++;
    }
    out.windows += s.windows.length;
    out.found += hit.filter(Boolean).length;
    if (s.windows.length === 0) out.quietAlarms.push(alarms);
  }
  return out;
}

describe("synthetic anomaly corpus", () => {
  it("is deterministic in its seed and labels one 10 % window per injected anomaly", () => {
    const a = syntheticCorpus(7, { perKind: 1 });
    const b = syntheticCorpus(7, { perKind: 1 });
    const c = syntheticCorpus(8, { perKind: 1 });
    expect(a.map((s) => s.name)).toEqual(SYNTHETIC_ANOMALY_KINDS.map((k) => `${k}_0`));
    expect(a.map((s) => Array.from(s.values))).toEqual(b.map((s) => Array.from(s.values)));
    expect(Array.from(a[0]?.values ?? [])).not.toEqual(Array.from(c[0]?.values ?? []));
    for (const s of a) {
      if (s.kind.startsWith("none")) {
        expect(s.windows).toEqual([]);
        continue;
      }
      const row = s.anomalyRow ?? -1;
      expect(row).toBeGreaterThan(0.5 * s.values.length);
      const [w] = s.windows;
      expect(w).toEqual(nabWindow(s.values.length, row));
      expect((w?.[1] ?? 0) - (w?.[0] ?? 0)).toBe(2 * Math.floor(0.05 * s.values.length));
    }
  });

  it("injects what it says: a level shift moves the mean after the onset", () => {
    const up = syntheticSeries("level_shift_up", 3);
    const row = up.anomalyRow ?? 0;
    const mean = (from: number, to: number) => up.values.slice(from, to).reduce((n, v) => n + v, 0) / (to - from);
    // Whole days on both sides, so the daily cycle cancels.
    expect(mean(row, row + 288)).toBeGreaterThan(mean(row - 288, row));
    expect(() => syntheticSeries("spike", 1, { length: 10 })).toThrow(RangeError);
  });

  it("the default detector finds most injected anomalies and stays quiet on series without one", () => {
    for (const seed of [1, 2]) {
      const outcome = evaluate(syntheticCorpus(seed), () => new RobustLikelihoodDetector());
      // Measured: 22/24 windows on seeds 1 to 3, at most 4 alarms in 3,400 scored rows of a quiet series.
      expect(outcome.found / outcome.windows).toBeGreaterThanOrEqual(0.75);
      const mean = outcome.quietAlarms.reduce((n, a) => n + a, 0) / outcome.quietAlarms.length;
      expect(mean).toBeLessThanOrEqual(4);
      expect(Math.max(...outcome.quietAlarms)).toBeLessThanOrEqual(8);
    }
  });

  it("the checks discriminate: a detector that always alarms or never alarms fails them", () => {
    const corpus = syntheticCorpus(1, { perKind: 1 });
    const always = evaluate(corpus, () => ({ update: () => 1 }));
    const never = evaluate(corpus, () => ({ update: () => 0 }));
    expect(Math.max(...always.quietAlarms)).toBeGreaterThan(8);
    expect(never.found / never.windows).toBeLessThan(0.75);
  });
});
