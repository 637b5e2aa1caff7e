import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RobustLikelihoodDetector, scoreSeries } from "../../src/monitoring/anomaly.js";
import { anscombe, looksLikeCounts } from "../../src/monitoring/count-scale.js";
import { SortedWindow } from "../../src/monitoring/rolling.js";
import { SpectralResidualView } from "../../src/monitoring/spectral-residual.js";
import { simSeed, withSeed } from "../support/sim.js";

/** Direct transcription of the paper's steps over the whole window, O(n²), for comparison. */
function referenceSaliency(values: readonly number[], n = 64, extension = 5, m = 5, q = 3): number {
  const observed = values.slice(-(n - extension));
  const newest = observed[observed.length - 1] as number;
  let gradient = 0;
  for (let i = 1; i <= m; i++) gradient += (newest - (observed[observed.length - 1 - i] as number)) / i;
  const estimate = (observed[observed.length - m] as number) + gradient;
  const x = [...observed, ...new Array<number>(extension).fill(estimate)];
  const re: number[] = [];
  const im: number[] = [];
  for (let k = 0; k < n; k++) {
    let r = 0;
    let i = 0;
    for (let j = 0; j < n; j++) {
      r += (x[j] as number) * Math.cos((2 * Math.PI * k * j) / n);
      i -= (x[j] as number) * Math.sin((2 * Math.PI * k * j) / n);
    }
    re.push(r);
    im.push(i);
  }
  const log = re.map((r, k) => 0.5 * Math.log(r * r + (im[k] as number) ** 2));
  const smoothed = log.map((_, k) => {
    let s = 0;
    for (let d = -((q - 1) >> 1); d < q - ((q - 1) >> 1); d++) s += log[(k + d + n) % n] as number;
    return s / q;
  });
  const p = n - extension - 1;
  let sr = 0;
  let si = 0;
  for (let k = 0; k < n; k++) {
    const r = (re[k] as number) / Math.exp(smoothed[k] as number);
    const i = (im[k] as number) / Math.exp(smoothed[k] as number);
    const a = (2 * Math.PI * k * p) / n;
    sr += r * Math.cos(a) - i * Math.sin(a);
    si += r * Math.sin(a) + i * Math.cos(a);
  }
  return Math.hypot(sr, si) / n;
}

describe("SortedWindow.mad", () => {
  it("equals the median of absolute deviations computed by sorting (property)", async () => {
    await withSeed(simSeed(11), (seed) => {
      fc.assert(
        fc.property(fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 25 }), fc.integer({ min: -60, max: 60 }), (values, size, center) => {
          const window = new SortedWindow(size);
          for (const v of values) window.push(v);
          const kept = values.slice(-size);
          const deviations = kept.map((v) => Math.abs(v - center)).sort((a, b) => a - b);
          expect(window.mad(center)).toBe(deviations[(kept.length - 1) >> 1]);
        }),
        { seed, numRuns: 300 },
      );
    });
  });
});

describe("SpectralResidualView", () => {
  it("matches the paper's whole-window computation while sliding, across exact refreshes", () => {
    const view = new SpectralResidualView({ scoreWindow: 1 });
    const values: number[] = [];
    for (let t = 0; t < 400; t++) {
      const v = 3 * Math.sin(t / 7) + ((t * 7919) % 13) / 13 + (t === 300 ? 10 : 0);
      values.push(v);
      view.update(v);
      if (t >= 100 && t % 37 === 0) expect(view.saliency).toBeCloseTo(referenceSaliency(values), 9);
    }
  });

  it("scores an isolated change in a smooth periodic series above the series' ordinary saliency", () => {
    const view = new SpectralResidualView();
    let ordinary = 0;
    let atChange = 0;
    for (let t = 0; t < 600; t++) {
      const v = Math.sin((2 * Math.PI * t) / 24) + (t >= 500 && t < 503 ? 4 : 0);
      const raw = view.update(v) ?? 0;
      if (t > 200 && t < 500) ordinary = Math.max(ordinary, raw);
      if (t >= 500 && t < 503) atChange = Math.max(atChange, raw);
    }
    expect(atChange).toBeGreaterThan(1.5 * ordinary);
  });

  it("rejects bad options and non-finite values, naming the field", () => {
    expect(() => new SpectralResidualView({ window: 8, extension: 5 })).toThrow(/extension/);
    const view = new SpectralResidualView();
    expect(() => view.update(Number.NaN)).toThrow(/value/);
  });
});

describe("count scale", () => {
  it("recognises count series by their first values only", () => {
    expect(looksLikeCounts([0, 3, 1, 0, 7])).toBe(true);
    expect(looksLikeCounts([1.5, 2, 3])).toBe(false);
    expect(looksLikeCounts([-1, 2, 3])).toBe(false);
    expect(looksLikeCounts([4, 4, 4])).toBe(false);
    expect(anscombe(-3)).toBe(anscombe(0));
  });

  it("makes Poisson noise about unit-spread whatever the rate", () => {
    for (const rate of [5, 50, 500]) {
      // A deterministic Poisson-like sample: the rate's quantiles of a normal approximation.
      const xs = Array.from({ length: 200 }, (_, i) => Math.max(0, Math.round(rate + Math.sqrt(rate) * Math.sin(i * 12.9898) * 1.7)));
      const ys = xs.map(anscombe);
      const mean = ys.reduce((a, b) => a + b, 0) / ys.length;
      const sd = Math.sqrt(ys.reduce((a, b) => a + (b - mean) ** 2, 0) / ys.length);
      expect(sd).toBeGreaterThan(0.6);
      expect(sd).toBeLessThan(1.6);
    }
  });
});

describe("RobustLikelihoodDetector time scale", () => {
  /** A spike in noise, sampled every `interval` ms; the spike at the same position. */
  function spikeSeries(interval: number): { timestamps: Float64Array; values: Float64Array } {
    const n = 3000;
    const timestamps = new Float64Array(n);
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      timestamps[i] = i * interval;
      values[i] = 10 + Math.sin(i * 12.9898) + (i === 2000 || i === 2040 ? 25 : 0);
    }
    return { timestamps, values };
  }

  it("holds the refractory period for the same span of time whatever the sampling interval", () => {
    // Two spikes 40 samples apart: 200 minutes at 5-minute sampling (inside the 25-hour refractory
    // period), 40 hours at hourly sampling (outside it).
    const alarms = (interval: number) => {
      const { timestamps, values } = spikeSeries(interval);
      const scores = scoreSeries(new RobustLikelihoodDetector(), timestamps, values);
      return [2000, 2040].map((i) => (scores[i] as number) >= 0.5);
    };
    expect(alarms(300_000)).toEqual([true, false]);
    expect(alarms(3_600_000)).toEqual([true, true]);
  });

  it("counts in samples when asked to, or when the stamps are not times", () => {
    const { timestamps, values } = spikeSeries(3_600_000);
    const bySamples = scoreSeries(new RobustLikelihoodDetector({ timeScale: "samples" }), timestamps, values);
    expect((bySamples[2040] as number) < 0.5).toBe(true);
    const indices = Float64Array.from(timestamps, (_, i) => i);
    const byIndex = scoreSeries(new RobustLikelihoodDetector(), indices, values);
    expect((byIndex[2040] as number) < 0.5).toBe(true);
  });

  it("rejects an unknown view, naming the field, and scores with any subset of views", () => {
    expect(() => new RobustLikelihoodDetector({ views: ["nope" as "point"] })).toThrow(/views/);
    const { timestamps, values } = spikeSeries(300_000);
    for (const views of [["point"], ["spectral"], ["count", "point"], ["artime", "seasonal"], ["point", "level", "seasonal", "spectral", "count", "knn", "context", "artime"]] as const) {
      const scores = scoreSeries(new RobustLikelihoodDetector({ views: [...views] }), timestamps, values);
      expect(scores.every((s) => s >= 0 && s <= 1)).toBe(true);
      const byTime = scoreSeries(new RobustLikelihoodDetector({ views: [...views], seasonalAlign: "time", noveltyMinZ: 3 }), timestamps, values);
      expect(byTime.every((s) => s >= 0 && s <= 1)).toBe(true);
    }
  });
});
