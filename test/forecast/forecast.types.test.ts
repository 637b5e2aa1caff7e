import { describe, expectTypeOf, it } from "vitest";
import type { ArimaForecaster } from "../../src/forecast/arima.js";
import type { AutoForecaster, FitReport, Forecast, Forecaster, SeasonalNaiveForecaster, SyncForecaster } from "../../src/forecast/index.js";
import type { CapacityPolicy, ReplayReport, ReplayView, Trace } from "../../src/warming/index.js";
import type { replayTrace } from "../../src/warming/index.js";

describe("public forecasting and replay types", () => {
  it("every forecaster is a Forecaster; the light ones also fit synchronously", () => {
    expectTypeOf<SeasonalNaiveForecaster>().toExtend<SyncForecaster>();
    expectTypeOf<AutoForecaster>().toExtend<SyncForecaster>();
    expectTypeOf<ArimaForecaster>().toExtend<Forecaster>();
    // @ts-expect-error ARIMA fits in a worker: there is no synchronous fit
    expectTypeOf<ArimaForecaster>().toExtend<SyncForecaster>();
    expectTypeOf<Forecaster["fit"]>().returns.toEqualTypeOf<Promise<FitReport>>();
    expectTypeOf<Forecaster["predict"]>().returns.toEqualTypeOf<Forecast>();
    expectTypeOf<Forecast["mean"]>().toEqualTypeOf<readonly number[]>();
  });

  it("a capacity policy only needs a name and decide", () => {
    const policy = { name: "one", decide: (view: ReplayView) => ({ target: view.inFlight + 1 }) };
    expectTypeOf(policy).toExtend<CapacityPolicy>();
    expectTypeOf<typeof replayTrace>().parameters.toEqualTypeOf<[Trace, CapacityPolicy, ({ coldStartMs?: number; tickMs?: number; concurrencyPerInstance?: number; sloMs?: number; start?: number; end?: number } | undefined)?]>();
    expectTypeOf<ReplayReport["coldStarts"]>().toBeNumber();
  });
});
