import { describe, expect, it } from "vitest";
import { accuracy, intervalCoverage, mae, mase, pinball, rmse, seasonalNaiveScale, smape, wape } from "../../src/forecast/index.js";
import { implausibility } from "../../src/forecast/support.js";

describe("accuracy metrics", () => {
  const actual = [10, 20, 30, 40];
  const forecast = [12, 18, 33, 40];

  it.each([
    ["mae", mae(actual, forecast), 7 / 4],
    ["rmse", rmse(actual, forecast), Math.sqrt((4 + 4 + 9) / 4)],
    ["wape", wape(actual, forecast), 7 / 100],
    ["smape", smape([0, 10], [0, 30]), (100 * (0 + (2 * 20) / 40)) / 2],
    ["pinball 0.9 under", pinball([10], [8], 0.9), 0.9 * 2],
    ["pinball 0.9 over", pinball([10], [13], 0.9), 0.1 * 3],
    ["coverage", intervalCoverage(actual, [9, 21, 29, 0], [11, 25, 31, 39]), 0.5],
  ])("%s", (_name, value, expected) => {
    expect(value).toBeCloseTo(expected, 10);
  });

  it("scales MASE by the in-sample seasonal-naive error", () => {
    const history = [1, 5, 2, 6, 3, 7];
    expect(seasonalNaiveScale(history, 2)).toBe(1);
    expect(mase([4, 8], [5, 8], history, 2)).toBeCloseTo(0.5);
    expect(Number.isNaN(mase([1], [1], [2, 2, 2], 1))).toBe(true);
  });

  it("reports every metric at once", () => {
    const report = accuracy(actual, { mean: forecast, lower: forecast.map((f) => f - 1), upper: forecast.map((f) => f + 1), level: 0.8 }, [0, 10, 20], 1);
    expect(report.mae).toBeCloseTo(1.75);
    expect(report.mase).toBeCloseTo(0.175);
    expect(report.coverage).toBeCloseTo(0.25);
  });

  it("flags non-finite and far-out forecasts, and accepts sane ones", () => {
    expect(implausibility([1, Number.NaN], [0, 10])).toMatch(/step 2 is not finite/);
    expect(implausibility([1e220], [0, 10])).toMatch(/outside 10x/);
    expect(implausibility([12, -5], [0, 10])).toBeUndefined();
  });
});
