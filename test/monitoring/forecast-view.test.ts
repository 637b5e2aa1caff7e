import { serialize } from "node:v8";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/core/errors.js";
import { HoltWintersForecaster, holtWintersStep, recursionFrom } from "../../src/forecast/holt-winters.js";
import { RobustLikelihoodDetector, scoreSeries } from "../../src/monitoring/anomaly.js";
import { ForecastResidualView } from "../../src/monitoring/forecast-view.js";
import { simSeed, withSeed } from "../support/sim.js";

const FIVE_MINUTES = 300_000;
const DAY = 288;

/** A daily cycle with seeded Gaussian-ish noise, sampled every 5 minutes. */
function seasonalSeries(days: number, seed: number): { timestamps: Float64Array; values: Float64Array } {
  let state = seed >>> 0 || 1;
  const uniform = () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
  const n = days * DAY;
  const timestamps = new Float64Array(n);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    timestamps[i] = 1_600_000_000_000 + i * FIVE_MINUTES;
    const noise = uniform() + uniform() + uniform() - 1.5;
    values[i] = 100 + 20 * Math.sin((2 * Math.PI * i) / DAY) + 2 * noise;
  }
  return { timestamps, values };
}

/** The detector with the forecast view alone, novelty off, so only the view can alarm. */
const forecastOnly = () => new RobustLikelihoodDetector({ views: ["forecast"], noveltyMargin: 0 });

const alarmsIn = (scores: Float64Array, from: number, to: number): number => scores.subarray(from, to).filter((s) => s === 1).length;

describe("holtWintersStep", () => {
  it("continues a fit exactly: fitting a prefix and stepping through the rest ends where fitting the whole series does (property)", async () => {
    await withSeed(simSeed(17), (seed) => {
      fc.assert(
        fc.property(
          fc.array(fc.double({ min: -50, max: 50, noNaN: true }), { minLength: 40, maxLength: 120 }),
          fc.constantFrom(1, 4, 7),
          fc.double({ min: 0.05, max: 0.9, noNaN: true }),
          fc.double({ min: 0.8, max: 1, noNaN: true }),
          (y, period, alpha, phi) => {
            const parameters = { alpha, beta: 0.1, gamma: 0.2, phi };
            const prefix = y.slice(0, 2 * period + 1 + 5);
            const part = new HoltWintersForecaster({ parameters });
            part.fitSync(prefix, { period });
            const whole = new HoltWintersForecaster({ parameters });
            whole.fitSync(y, { period });
            const start = part.lastFit;
            const end = whole.lastFit;
            if (start === undefined || end === undefined) throw new Error("fitted forecasters have a fit");
            const state = recursionFrom(start);
            for (const v of y.slice(prefix.length)) holtWintersStep(state, v, start.parameters);
            expect(state.level).toBe(end.level);
            expect(state.trend).toBe(end.trend);
            if (period > 1) expect(end.season.map((_, h) => state.season[(state.phase + h) % period])).toEqual(end.season);
          },
        ),
        { seed, numRuns: 200 },
      );
    });
  });
});

describe("ForecastResidualView", () => {
  it("fits a season once two days are held, and its raw score is about one RMSE on a clean seasonal series", () => {
    const { values } = seasonalSeries(4, 3);
    const view = new ForecastResidualView({ period: DAY });
    const raws: number[] = [];
    values.forEach((v, i) => {
      const raw = view.update(v);
      if (i < 59) expect(raw).toBeUndefined();
      if (i > 3 * DAY && raw !== undefined) raws.push(raw);
    });
    expect(view.seasonal).toBe(true);
    raws.sort((a, b) => a - b);
    expect(raws[raws.length >> 1]).toBeLessThan(1.5);
    expect(raws[raws.length - 1]).toBeLessThan(5);
  });

  it("holds the same state after 10 days as after 40, refitting every day", () => {
    const { values } = seasonalSeries(40, 5);
    const view = new ForecastResidualView({ period: DAY, refit: DAY });
    let sizeAt10 = 0;
    let bytesAt10 = 0;
    values.forEach((v, i) => {
      view.update(v);
      if (i === 10 * DAY - 1) {
        sizeAt10 = view.stateSize;
        bytesAt10 = serialize(view).length;
      }
    });
    expect(sizeAt10).toBe(3 * DAY + DAY);
    expect(view.stateSize).toBe(sizeAt10);
    // Serialised numbers vary in width (small integers are shorter), so allow a little slack.
    expect(serialize(view).length).toBeLessThanOrEqual(bytesAt10 * 1.02);
  });

  it("refuses bad options with a ValidationError naming the field, and non-finite values", () => {
    const refusals: ReadonlyArray<readonly [string, () => unknown]> = [
      ["options.period", () => new ForecastResidualView({ period: -1 })],
      ["options.warmup", () => new ForecastResidualView({ warmup: 2 })],
      ["options.seasons", () => new ForecastResidualView({ seasons: 1 })],
      ["options.refit", () => new ForecastResidualView({ refit: 1.5 })],
      ["config.forecastWeight", () => new RobustLikelihoodDetector({ forecastWeight: 0 })],
      ["config.forecastRefit", () => new RobustLikelihoodDetector({ forecastRefit: -1 })],
      ["value", () => new ForecastResidualView().update(Number.POSITIVE_INFINITY)],
    ];
    for (const [path, refused] of refusals) {
      expect(refused).toThrow(ValidationError);
      expect(refused).toThrow(expect.objectContaining({ issues: [expect.objectContaining({ path })] }));
    }
  });
});

describe("the forecast view in the detector", () => {
  const shift = 6 * DAY + 100;

  it("stays quiet on a clean seasonal series", async () => {
    await withSeed(simSeed(21), (seed) => {
      const { timestamps, values } = seasonalSeries(10, seed);
      const scores = scoreSeries(forecastOnly(), timestamps, values);
      expect(alarmsIn(scores, 0, scores.length)).toBe(0);
    });
  });

  it("catches a level shift on a seasonal series", async () => {
    await withSeed(simSeed(22), (seed) => {
      const { timestamps, values } = seasonalSeries(10, seed);
      for (let i = shift; i < values.length; i++) values[i] = (values[i] as number) + 15;
      const scores = scoreSeries(forecastOnly(), timestamps, values);
      expect(alarmsIn(scores, 0, shift)).toBe(0);
      expect(alarmsIn(scores, shift, shift + 12)).toBe(1);
    });
  });

  it("catches a spike on a seasonal series", async () => {
    await withSeed(simSeed(23), (seed) => {
      const { timestamps, values } = seasonalSeries(10, seed);
      values[shift] = (values[shift] as number) + 25;
      const scores = scoreSeries(forecastOnly(), timestamps, values);
      expect(alarmsIn(scores, 0, shift)).toBe(0);
      expect(alarmsIn(scores, shift, shift + 6)).toBe(1);
    });
  });
});
