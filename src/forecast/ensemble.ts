/**
 * Forecast combination: the mean of several models' forecasts. Simple averages are hard to beat
 * (Makridakis et al., M4 competition, 2020) and hedge against one model's failure mode.
 *
 * @module
 */
import { ValidationError } from "../core/errors.js";
import { NotFittedError } from "./errors.js";
import { checkPredict } from "./support.js";
import type { FitOptions, FitReport, Forecast, PredictOptions, Series, SyncForecaster } from "./types.js";

/**
 * The mean of its members' forecasts; bounds are the means of the members' bounds.
 *
 * @example
 * ```ts
 * const model = new EnsembleForecaster([new SeasonalNaiveForecaster(), new HoltWintersForecaster({ damped: true })]);
 * model.fitSync(series, { period: 48 });
 * ```
 */
export class EnsembleForecaster implements SyncForecaster {
  readonly name: string;
  private readonly members: readonly SyncForecaster[];
  private fitted = false;

  constructor(members: readonly SyncForecaster[], name = "ensemble") {
    if (members.length === 0) throw ValidationError.of("members", "an ensemble needs at least one member", "empty");
    this.members = [...members];
    this.name = name;
  }

  async fit(series: Series, options: FitOptions = {}): Promise<FitReport> {
    return this.fitSync(series, options);
  }

  fitSync(series: Series, options: Omit<FitOptions, "signal"> = {}): FitReport {
    let points = 0;
    for (const member of this.members) points = member.fitSync(series, options).points;
    this.fitted = true;
    return { model: this.name, points };
  }

  predict(horizon: number, options: PredictOptions = {}): Forecast {
    const { horizon: h, level } = checkPredict(horizon, options);
    if (!this.fitted) throw new NotFittedError(this.name);
    const forecasts = this.members.map((m) => m.predict(h, { level }));
    const average = (pick: (f: Forecast) => readonly number[]): number[] =>
      Array.from({ length: h }, (_, i) => forecasts.reduce((sum, f) => sum + (pick(f)[i] ?? 0), 0) / forecasts.length);
    return { mean: average((f) => f.mean), lower: average((f) => f.lower), upper: average((f) => f.upper), level, model: this.name };
  }
}
