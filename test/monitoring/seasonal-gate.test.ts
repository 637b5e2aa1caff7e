import { serialize } from "node:v8";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/core/errors.js";
import { Random } from "../../src/core/random.js";
import { RobustLikelihoodDetector, scoreSeries, type RobustLikelihoodConfig } from "../../src/monitoring/anomaly.js";
import { SeasonalGate } from "../../src/monitoring/seasonal-gate.js";
import { simSeed, withSeed } from "../support/sim.js";

const STEP = 300_000;
const PER_DAY = 288;
const DAYS = 14;
/** Where the injected incident starts: day 10, long after the seasonal history has filled. */
const ONSET = 10 * PER_DAY;
const ALARM = 0.5;

/** Five-minute samples of `shape` plus unit Gaussian noise. */
function series(seed: number, shape: (i: number) => number, days = DAYS): { timestamps: Float64Array; values: Float64Array } {
  const random = new Random(seed);
  const n = days * PER_DAY;
  const timestamps = new Float64Array(n);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    timestamps[i] = 1_700_000_000_000 + i * STEP;
    values[i] = shape(i) + random.normal();
  }
  return { timestamps, values };
}

const within = (i: number, from: number, length: number) => i >= from && i < from + length;
/** A cycle of 7 hours: periodic, but not daily. */
const sevenHour = (i: number) => 10 * Math.sin((2 * Math.PI * i) / 84);
const daily = (i: number) => 10 * Math.sin((2 * Math.PI * i) / PER_DAY);
/** A bump of four noise spreads for an hour: small beside the cycle, large beside the same time yesterday. */
const bumped = (shape: (i: number) => number) => (i: number) => shape(i) + (within(i, ONSET, 12) ? 4 : 0);
/** Six hours of the daily shape turned upside down: values the series takes every day, at the wrong time. */
const inverted = (i: number) => (within(i, ONSET, 72) ? -daily(i) : daily(i));

/** Samples scoring an alarm, in `[from, to)`. */
function alarms(config: RobustLikelihoodConfig, data: { timestamps: Float64Array; values: Float64Array }, from = 0, to = data.values.length): number {
  const scores = scoreSeries(new RobustLikelihoodDetector(config), data.timestamps, data.values);
  let count = 0;
  for (let i = from; i < to; i++) if ((scores[i] as number) >= ALARM) count++;
  return count;
}

/** Only the seasonal view, and no novelty, so every alarm is the seasonal view's. */
const SEASONAL_ONLY: RobustLikelihoodConfig = { views: ["seasonal"], noveltyMargin: 0 };

describe("seasonal gate", () => {
  it("keeps a seasonal-only alarm off a 7-hour cycle that the ungated view raises", async () => {
    for (let seed = simSeed(1); seed < simSeed(1) + 3; seed++) {
      await withSeed(seed, (s) => {
        const data = series(s, bumped(sevenHour));
        // The test discriminates: without the gate the seasonal view alarms at the bump.
        expect(alarms({ ...SEASONAL_ONLY, seasonalGate: 0 }, data, ONSET, ONSET + 40)).toBeGreaterThan(0);
        expect(alarms(SEASONAL_ONLY, data)).toBe(0);
        // With every default view too (novelty off: a bump at the crest can be a new maximum).
        expect(alarms({ noveltyMargin: 0, seasonalGate: 0 }, data, ONSET, ONSET + 40)).toBeGreaterThan(0);
        expect(alarms({ noveltyMargin: 0 }, data, ONSET, ONSET + 40)).toBe(0);
      });
    }
  });

  it("keeps the seasonal view silent on noise", async () => {
    for (let seed = simSeed(1); seed < simSeed(1) + 3; seed++) {
      await withSeed(seed, (s) => {
        const data = series(s, bumped(() => 0));
        expect(alarms({ ...SEASONAL_ONLY, seasonalGate: 0 }, data, ONSET, ONSET + 40)).toBeGreaterThan(0);
        expect(alarms(SEASONAL_ONLY, data)).toBe(0);
      });
    }
  });

  it("opens on a clear daily pattern, so a seasonality break is still caught", async () => {
    for (let seed = simSeed(1); seed < simSeed(1) + 3; seed++) {
      await withSeed(seed, (s) => {
        const data = series(s, inverted);
        for (const seasonalAlign of ["samples", "time"] as const) {
          const caught = alarms({ ...SEASONAL_ONLY, seasonalAlign }, data, ONSET, ONSET + 72);
          expect(caught).toBeGreaterThan(0);
          expect(alarms({ ...SEASONAL_ONLY, seasonalAlign }, data)).toBe(caught);
          expect(alarms({ seasonalAlign }, data, ONSET, ONSET + 72)).toBeGreaterThan(0);
        }
      });
    }
  });

  it("ratio: below 1 whenever every same-time distance is the smaller, and unchanged by the unit (property)", async () => {
    await withSeed(simSeed(5), (seed) => {
      const pair = fc.tuple(fc.double({ min: 0, max: 1e3, noNaN: true }), fc.double({ min: 1e-3, max: 1e3, noNaN: true }));
      fc.assert(
        fc.property(fc.array(pair, { minLength: 1, maxLength: 200 }), fc.integer({ min: 1, max: 50 }), fc.double({ min: 1e-3, max: 1e3, noNaN: true }), (pairs, memory, unit) => {
          const plain = new SeasonalGate(memory, 1);
          const scaled = new SeasonalGate(memory, 1);
          const closer = new SeasonalGate(memory, 1);
          for (const [same, half] of pairs) {
            plain.push(same, half);
            scaled.push(same * unit, half * unit);
            closer.push(Math.min(same, half), half);
          }
          expect(scaled.ratio()).toBeCloseTo(plain.ratio(), 6);
          expect(closer.ratio()).toBeLessThanOrEqual(1 + 1e-12);
        }),
        { seed, numRuns: 200 },
      );
    });
  });

  it("stays closed until it has its minimum of comparisons, and on a flat series", () => {
    const gate = new SeasonalGate(100, 10);
    for (let i = 0; i < 9; i++) gate.push(0.1, 1);
    expect(gate.open(0.85)).toBe(false);
    gate.push(0.1, 1);
    expect(gate.open(0.85)).toBe(true);
    const flat = new SeasonalGate(100, 1);
    flat.push(0, 0);
    expect(flat.ratio()).toBe(1);
    expect(flat.open(0.85)).toBe(false);
  });

  it("follows a series that loses its daily pattern", () => {
    const gate = new SeasonalGate(PER_DAY, PER_DAY);
    for (let i = 0; i < 3 * PER_DAY; i++) gate.push(0.2, 2);
    expect(gate.open(0.85)).toBe(true);
    for (let i = 0; i < 3 * PER_DAY; i++) gate.push(1, 1);
    expect(gate.open(0.85)).toBe(false);
  });

  it("keeps state bounded: scalars in the gate, the detector's state the same size after 10 and 40 days", () => {
    const gate = new SeasonalGate(PER_DAY, PER_DAY);
    for (let i = 0; i < 100_000; i++) gate.push(i % 7, 3);
    for (const field of Object.values(gate)) expect(typeof field).toBe("number");
    const data = series(1, daily, 40);
    const detector = new RobustLikelihoodDetector();
    let early = 0;
    for (let i = 0; i < data.values.length; i++) {
      detector.update(data.timestamps[i] as number, data.values[i] as number);
      if (i === 10 * PER_DAY) early = serialize(detector).length;
    }
    // A history that grew would add several bytes per sample, ~70 KB over 30 days of them.
    expect(Math.abs(serialize(detector).length - early)).toBeLessThan(1024);
  });

  it("rejects a negative threshold with a typed error naming the field", () => {
    expect(() => new RobustLikelihoodDetector({ seasonalGate: -0.1 })).toThrow(ValidationError);
    expect(() => new RobustLikelihoodDetector({ seasonalGate: -0.1 })).toThrow(/seasonalGate/);
    expect(() => new RobustLikelihoodDetector({ seasonalGate: Number.NaN })).toThrow(/seasonalGate/);
  });
});
