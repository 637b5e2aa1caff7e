import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ManualClock, settle } from "../../src/core/clock.js";
import { CancelledError, TimeoutError } from "../../src/core/errors.js";
import { ArimaForecaster, ArimaWorkerHost } from "../../src/forecast/arima.js";
import { ForecastFailedError } from "../../src/forecast/index.js";

const seed = process.env.SIM_SEED === undefined ? undefined : Number(process.env.SIM_SEED);

// An AR(1)-like series, deterministic.
const series = (n: number, phase = 0): number[] => Array.from({ length: n }, (_, t) => 50 + 10 * Math.sin((t + phase) / 5) + ((t * 7919) % 13) / 4);
// Above ~8000 points arima 0.2.8 crashes ("offset is out of bounds") and its module instance is broken afterwards.
const crashing = series(12_000);

describe("ArimaForecaster in a worker", () => {
  it("fits in the worker and forecasts finite values with intervals around them", async () => {
    await using model = new ArimaForecaster({ order: [1, 0, 1] });
    const report = await model.fit(series(200), { maxHorizon: 6 });
    expect(report).toEqual({ model: "arima", points: 200 });
    const f = model.predict(6, { level: 0.9 });
    f.mean.forEach((m, i) => {
      expect(Number.isFinite(m)).toBe(true);
      expect(f.lower[i]).toBeLessThanOrEqual(m);
      expect(f.upper[i]).toBeGreaterThanOrEqual(m);
    });
    expect(() => model.predict(7)).toThrow(/maxHorizon/);
  });

  it("a crash inside arima never reaches the caller, and later forecasts still work (property)", async () => {
    await using host = new ArimaWorkerHost();
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 1000 }), async (phase) => {
        const before = host.replacements;
        await expect(host.run({ series: crashing, options: { p: 2, d: 1, q: 1 }, horizon: 3 })).rejects.toBeInstanceOf(ForecastFailedError);
        expect(host.replacements).toBe(before + 1);
        const after = await host.run({ series: series(150, phase), options: { p: 1, d: 0, q: 1 }, horizon: 3 });
        expect(after.mean.every(Number.isFinite)).toBe(true);
      }),
      { numRuns: 2, ...(seed === undefined ? {} : { seed }) },
    );
  });

  it("windows long series and falls back to seasonal-naive with the reason when the fit fails", async () => {
    const clock = new ManualClock(0);
    await using host = new ArimaWorkerHost({ clock, timeoutMs: 1000 });
    const model = new ArimaForecaster({ host, maxPoints: 8000, auto: true });
    const fitting = model.fit(crashing, { period: 48, maxHorizon: 4 });
    await settle();
    clock.advance(1000);
    const report = await fitting;
    expect(report.points).toBe(8000);
    expect(report.model).toBe("seasonal_naive");
    expect(report.fallback).toMatchObject({ from: "arima", to: "seasonal_naive", reason: expect.stringMatching(/did not finish within 1000 ms/) });
    const f = model.predict(4);
    expect(f.fallback?.reason).toBe(report.fallback?.reason);
    expect(f.mean).toEqual(crashing.slice(crashing.length - 48, crashing.length - 44));
  });

  it("times out on the injected clock and is cancelled by an AbortSignal, replacing the worker each time", async () => {
    const clock = new ManualClock(0);
    await using host = new ArimaWorkerHost({ clock, timeoutMs: 1000 });
    const slow = host.run({ series: series(3000), options: { p: 3, d: 1, q: 3, auto: true }, horizon: 2 });
    const settled = slow.catch((e: unknown) => e);
    await settle();
    clock.advance(1000);
    expect(await settled).toBeInstanceOf(TimeoutError);
    const controller = new AbortController();
    const cancelled = host.run({ series: series(3000), options: { p: 3, d: 1, q: 3, auto: true }, horizon: 2 }, { signal: controller.signal }).catch((e: unknown) => e);
    await settle();
    controller.abort();
    expect(await cancelled).toBeInstanceOf(CancelledError);
    expect(host.replacements).toBe(2);
    expect((await host.run({ series: series(100), options: { p: 1, d: 0, q: 0 }, horizon: 1 })).mean).toHaveLength(1);
  });
});
