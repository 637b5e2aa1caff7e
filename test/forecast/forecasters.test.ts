import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/core/errors.js";
import {
  AutoForecaster,
  EnsembleForecaster,
  HoltWintersForecaster,
  LinearTrendForecaster,
  NaiveForecaster,
  NotFittedError,
  SeasonalNaiveForecaster,
  backtest,
  type SyncForecaster,
} from "../../src/forecast/index.js";

const seed = process.env.SIM_SEED === undefined ? undefined : Number(process.env.SIM_SEED);
const runs = Number(process.env.SIM_RUNS ?? "60");
const params = { numRuns: runs, ...(seed === undefined ? {} : { seed }) };

const seasonal = (n: number, period: number, level = 100, amplitude = 20, slope = 0): number[] =>
  Array.from({ length: n }, (_, t) => level + slope * t + amplitude * Math.sin((2 * Math.PI * t) / period));

describe("baseline forecasters", () => {
  it("seasonal-naive repeats the last season and naive the last value", () => {
    const snaive = new SeasonalNaiveForecaster();
    snaive.fitSync([1, 5, 2, 6, 3, 7], { period: 2 });
    expect(snaive.predict(4).mean).toEqual([3, 7, 3, 7]);
    const naive = new NaiveForecaster();
    naive.fitSync([3, 4, 5]);
    expect(naive.predict(2).mean).toEqual([5, 5]);
  });

  it("widens seasonal-naive intervals once per whole season", () => {
    const model = new SeasonalNaiveForecaster();
    model.fitSync([1, 5, 2, 6, 3, 7, 4, 8], { period: 2 });
    const f = model.predict(4, { level: 0.8 });
    const width = f.mean.map((m, i) => (f.upper[i] ?? 0) - m);
    expect(width[0]).toBeCloseTo(width[1] ?? 0);
    expect((width[2] ?? 0) / (width[0] ?? 1)).toBeCloseTo(Math.SQRT2);
  });

  it("linear trend extends a line exactly", () => {
    const model = new LinearTrendForecaster();
    model.fitSync([1, 2, 3, 4]);
    const f = model.predict(2);
    expect(f.mean[0]).toBeCloseTo(5);
    expect(f.mean[1]).toBeCloseTo(6);
  });

  it("Holt-Winters learns a clean seasonal pattern with a trend", () => {
    const history = seasonal(24 * 10, 24, 100, 20, 0.5);
    const future = seasonal(24 * 11, 24, 100, 20, 0.5).slice(24 * 10);
    for (const damped of [false, true]) {
      const model = new HoltWintersForecaster({ damped });
      model.fitSync(history, { period: 24, maxHorizon: 24 });
      const f = model.predict(24);
      const worst = Math.max(...f.mean.map((m, i) => Math.abs(m - (future[i] ?? 0))));
      expect(worst).toBeLessThan(damped ? 6 : 1);
    }
  });

  it("refuses bad input with the field named, and keeps the previous fit", () => {
    const model = new SeasonalNaiveForecaster();
    model.fitSync([1, 2, 3]);
    const before = model.predict(2);
    expect(() => model.fitSync([])).toThrow(ValidationError);
    expect(() => model.fitSync([1, Number.NaN])).toThrow(/series\[1\]/);
    expect(() => model.fitSync([1, 2], { period: 0 })).toThrow(/options\.period/);
    expect(() => model.predict(0)).toThrow(/horizon/);
    expect(() => model.predict(1, { level: 1 })).toThrow(/options\.level/);
    expect(model.predict(2)).toEqual(before);
  });

  it("throws a typed error when predicting before any fit", () => {
    expect(() => new HoltWintersForecaster().predict(1)).toThrow(NotFittedError);
    expect(() => new AutoForecaster().predict(1)).toThrow(expect.objectContaining({ code: "forecast.not_fitted" }));
  });
});

const models = (): SyncForecaster[] => [
  new NaiveForecaster(),
  new SeasonalNaiveForecaster(),
  new LinearTrendForecaster(),
  new HoltWintersForecaster(),
  new HoltWintersForecaster({ damped: true }),
  new EnsembleForecaster([new SeasonalNaiveForecaster(), new HoltWintersForecaster({ damped: true })]),
  new AutoForecaster({ origins: 2 }),
];

describe("forecast invariants (property)", () => {
  it("forecasts are finite and every interval contains its mean", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }), { minLength: 1, maxLength: 120 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 30 }),
        fc.double({ min: 0.05, max: 0.99, noNaN: true }),
        (series, period, horizon, level) => {
          for (const model of models()) {
            model.fitSync(series, { period, maxHorizon: horizon });
            const f = model.predict(horizon, { level });
            expect(f.mean).toHaveLength(horizon);
            for (let i = 0; i < horizon; i++) {
              const [lo, m, hi] = [f.lower[i] ?? Number.NaN, f.mean[i] ?? Number.NaN, f.upper[i] ?? Number.NaN];
              expect(Number.isFinite(lo) && Number.isFinite(m) && Number.isFinite(hi), `${model.name} step ${i}`).toBe(true);
              expect(lo <= m && m <= hi, `${model.name} step ${i}: ${lo} <= ${m} <= ${hi}`).toBe(true);
            }
          }
        },
      ),
      { ...params, numRuns: Math.max(5, Math.floor(runs / 3)) },
    );
  });
});

describe("automatic choice and backtests", () => {
  it("chooses the model that fits the data and reports every candidate's score", async () => {
    const line = Array.from({ length: 200 }, (_, t) => 3 * t + 7);
    const auto = new AutoForecaster({ combine: 1 });
    const report = await auto.fit(line, { maxHorizon: 10 });
    expect(report.model).toBe("linear_trend");
    expect(report.candidates?.[0]?.model).toBe("linear_trend");
    expect(report.candidates).toHaveLength(6);
    expect(auto.predict(1).mean[0]).toBeCloseTo(607);
  });

  it("averages the best candidates by default", () => {
    const auto = new AutoForecaster();
    const report = auto.fitSync(seasonal(24 * 8, 24), { period: 24, maxHorizon: 12 });
    expect(report.model).toMatch(/^mean\(/);
  });

  it("scores a perfect forecast at zero error and a naive one on a trend at MASE 1", async () => {
    const result = await backtest(() => new SeasonalNaiveForecaster(), seasonal(24 * 6, 24), { horizon: 12, period: 24, origins: 3 });
    expect(result.origins).toHaveLength(3);
    expect(result.mean.mae).toBeCloseTo(0, 6);
    const line = Array.from({ length: 60 }, (_, t) => t);
    const naive = await backtest(() => new NaiveForecaster(), line, { horizon: 1, origins: 5 });
    expect(naive.mean.mase).toBeCloseTo(1, 10);
    expect(result.model).toBe("seasonal_naive");
  });

  it("refuses a series too short to backtest", async () => {
    await expect(backtest(() => new NaiveForecaster(), [1, 2], { horizon: 5 })).rejects.toThrow(ValidationError);
  });
});
