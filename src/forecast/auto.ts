/**
 * Automatic model choice: every candidate is scored by a rolling-origin backtest on the tail of the
 * history (mean MASE over the origins), and the best one is refitted on the whole history.
 *
 * @module
 */
import { z } from "zod";
import { ValidationError } from "../core/errors.js";
import { parseWith } from "../core/validation.js";
import { backtestOrigins, disposeIfClosable, type ForecasterFactory } from "./backtest.js";
import { EnsembleForecaster } from "./ensemble.js";
import { NotFittedError } from "./errors.js";
import { HoltWintersForecaster } from "./holt-winters.js";
import { LinearTrendForecaster } from "./linear-trend.js";
import { mase } from "./metrics.js";
import { NaiveForecaster, SeasonalNaiveForecaster } from "./seasonal-naive.js";
import { checkFit, checkPredict } from "./support.js";
import type { CandidateScore, FitOptions, FitReport, Forecast, Forecaster, PredictOptions, Series, SyncForecaster } from "./types.js";

/** Settings of {@link AutoForecaster}. */
export interface AutoForecasterOptions {
  /** Models to choose from (default {@link defaultCandidates}). */
  readonly candidates?: readonly ForecasterFactory[];
  /** Backtest origins (default 3). */
  readonly origins?: number;
  /** Steps scored after each origin (default the fit's `maxHorizon`). */
  readonly horizon?: number;
  /** Fit on at most this many most recent points (default 4000). */
  readonly maxPoints?: number;
  /**
   * Forecast with the mean of the best `combine` candidates (default 3). On the first halves of the
   * NAB series (never on the halves the benchmark scores) the mean MASE relative to seasonal-naive was
   * 0.90 for the winner alone, 0.84 for the best two and 0.82 for the best three: the backtest ranking
   * is noisy and averaging hedges it. 1 forecasts with the winner alone.
   */
  readonly combine?: number;
}

const optionsSchema = z.object({
  candidates: z.array(z.custom<ForecasterFactory>((v) => typeof v === "function", "candidate must be a function returning a forecaster")).min(1).optional(),
  origins: z.number().int().min(1).max(100).optional(),
  horizon: z.number().int().min(1).optional(),
  maxPoints: z.number().int().min(4).optional(),
  combine: z.number().int().min(1).max(10).optional(),
});

/**
 * The default candidates: naive, seasonal-naive, linear trend, Holt-Winters (plain and damped), and
 * the mean of seasonal-naive and damped Holt-Winters. ARIMA is not among them so that the light entry
 * never starts a worker; pass `() => new ArimaForecaster()` from `./arima.js` to add it.
 */
export function defaultCandidates(): ForecasterFactory[] {
  return [
    () => new NaiveForecaster(),
    () => new SeasonalNaiveForecaster(),
    () => new LinearTrendForecaster({ window: 1000 }),
    () => new HoltWintersForecaster(),
    () => new HoltWintersForecaster({ damped: true }),
    () => new EnsembleForecaster([new SeasonalNaiveForecaster(), new HoltWintersForecaster({ damped: true })], "ensemble"),
  ];
}

function isSync(f: Forecaster): f is SyncForecaster {
  return typeof (f as Partial<SyncForecaster>).fitSync === "function";
}

/**
 * Chooses among candidate models by rolling-origin backtest and forecasts with the winner.
 *
 * @example
 * ```ts
 * const auto = new AutoForecaster();
 * const report = await auto.fit(series, { period: 48, maxHorizon: 12 });
 * report.model;      // e.g. "holt_winters_damped"
 * report.candidates; // every candidate's mean MASE, best first
 * auto.predict(12);
 * ```
 */
export class AutoForecaster implements SyncForecaster {
  readonly name = "auto";
  private readonly candidates: readonly ForecasterFactory[];
  private readonly origins: number;
  private readonly horizon: number | undefined;
  private readonly maxPoints: number;
  private chosen: Forecaster[] = [];
  private readonly combine: number;

  constructor(options: AutoForecasterOptions = {}) {
    const parsed = parseWith(optionsSchema, options, "options");
    this.candidates = parsed.candidates ?? defaultCandidates();
    this.origins = parsed.origins ?? 3;
    this.horizon = parsed.horizon;
    this.maxPoints = parsed.maxPoints ?? 4000;
    this.combine = parsed.combine ?? 3;
  }

  /** The model chosen by the last fit. */
  get model(): string | undefined {
    return this.chosen.length === 0 ? undefined : this.modelName();
  }

  async fit(series: Series, options: FitOptions = {}): Promise<FitReport> {
    const input = checkFit(series, options);
    const y = input.series.slice(Math.max(0, input.series.length - this.maxPoints));
    const horizon = this.horizon ?? input.maxHorizon;
    const signal = options.signal;
    const scores: RankedScore[] = [];
    for (let c = 0; c < this.candidates.length; c++) {
      const errors: number[] = [];
      for (const origin of this.plan(y.length, horizon, input.period)) {
        signal?.throwIfAborted();
        const model = this.make(c);
        try {
          const history = y.slice(0, origin);
          await model.fit(history, { period: input.period, maxHorizon: horizon, ...(signal === undefined ? {} : { signal }) });
          errors.push(mase(y.slice(origin, origin + horizon), model.predict(horizon).mean, history, input.period));
        } catch (error) {
          if (signal?.aborted) throw error;
          errors.push(Number.POSITIVE_INFINITY);
        } finally {
          await disposeIfClosable(model);
        }
      }
      scores.push({ index: c, model: this.nameOf(c), score: meanScore(errors) });
    }
    const members: Forecaster[] = [];
    let fallback: FitReport["fallback"];
    let points = y.length;
    try {
      for (const chosen of this.pick(scores)) {
        const model = this.make(chosen.index);
        members.push(model);
        const report = await model.fit(y, { period: input.period, maxHorizon: input.maxHorizon, ...(signal === undefined ? {} : { signal }) });
        fallback ??= report.fallback;
        points = report.points;
      }
    } catch (error) {
      for (const member of members) await disposeIfClosable(member);
      throw error;
    }
    await this.replace(members);
    return { model: this.modelName(), points, candidates: publicScores(scores), ...(fallback === undefined ? {} : { fallback }) };
  }

  /** Same as {@link AutoForecaster.fit}; every candidate must fit synchronously. */
  fitSync(series: Series, options: Omit<FitOptions, "signal"> = {}): FitReport {
    const input = checkFit(series, options);
    const y = input.series.slice(Math.max(0, input.series.length - this.maxPoints));
    const horizon = this.horizon ?? input.maxHorizon;
    const scores: RankedScore[] = [];
    for (let c = 0; c < this.candidates.length; c++) {
      const errors: number[] = [];
      for (const origin of this.plan(y.length, horizon, input.period)) {
        const model = this.makeSync(c);
        try {
          const history = y.slice(0, origin);
          model.fitSync(history, { period: input.period, maxHorizon: horizon });
          errors.push(mase(y.slice(origin, origin + horizon), model.predict(horizon).mean, history, input.period));
        } catch {
          errors.push(Number.POSITIVE_INFINITY);
        }
      }
      scores.push({ index: c, model: this.nameOf(c), score: meanScore(errors) });
    }
    const members = this.pick(scores).map((chosen) => this.makeSync(chosen.index));
    let points = y.length;
    for (const member of members) points = member.fitSync(y, { period: input.period, maxHorizon: input.maxHorizon }).points;
    this.chosen = members;
    return { model: this.modelName(), points, candidates: publicScores(scores) };
  }

  predict(horizon: number, options: PredictOptions = {}): Forecast {
    const { horizon: h, level } = checkPredict(horizon, options);
    const first = this.chosen[0];
    if (first === undefined) throw new NotFittedError(this.name);
    if (this.chosen.length === 1) return { ...first.predict(h, { level }), model: this.modelName() };
    const forecasts = this.chosen.map((m) => m.predict(h, { level }));
    const average = (pick: (f: Forecast) => readonly number[]): number[] =>
      Array.from({ length: h }, (_, i) => forecasts.reduce((sum, f) => sum + (pick(f)[i] ?? 0), 0) / forecasts.length);
    const fallback = forecasts.find((f) => f.fallback !== undefined)?.fallback;
    const out = { mean: average((f) => f.mean), lower: average((f) => f.lower), upper: average((f) => f.upper), level, model: this.modelName() };
    return fallback === undefined ? out : { ...out, fallback };
  }

  /** Releases the chosen model's resources (a worker, for ARIMA). */
  async close(): Promise<void> {
    const chosen = this.chosen;
    this.chosen = [];
    for (const member of chosen) await disposeIfClosable(member);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private plan(n: number, horizon: number, period: number): number[] {
    // Short horizons give few scored steps per origin, so they get more origins (up to one season of
    // scored steps, at most 4x the configured count) to keep the choice from following noise.
    const count = Math.min(4 * this.origins, Math.max(this.origins, Math.ceil(period / horizon)));
    // Candidates need two seasons of history to fit their seasonal forms at the earliest origin.
    const origins = backtestOrigins(n, horizon, count, horizon, Math.max(2 * period + 2, 8));
    return origins.length > 0 ? origins : backtestOrigins(n, Math.max(1, Math.floor(n / 4)), 1, 1, 2);
  }

  private make(index: number): Forecaster {
    const factory = this.candidates[index] ?? this.candidates[0];
    if (factory === undefined) throw ValidationError.of("candidates", "no candidates", "empty");
    return factory();
  }

  private makeSync(index: number): SyncForecaster {
    const model = this.make(index);
    if (!isSync(model)) throw ValidationError.of(`candidates[${index}]`, `candidate "${model.name}" cannot fit synchronously; use fit()`, "not_sync");
    return model;
  }

  private nameOf(index: number): string {
    const model = this.make(index);
    return model.name;
  }

  /** The best `combine` candidates with a finite score, or seasonal-naive's slot when none has one. */
  private pick(scores: readonly RankedScore[]): RankedScore[] {
    const ranked = scores.filter((s) => Number.isFinite(s.score)).sort((a, b) => a.score - b.score);
    const chosen = ranked.slice(0, this.combine);
    return chosen.length > 0 ? chosen : scores.slice(0, 1);
  }

  private modelName(): string {
    const names = this.chosen.map((m) => m.name);
    return names.length === 1 ? (names[0] ?? this.name) : `mean(${names.join(", ")})`;
  }

  private async replace(next: Forecaster[]): Promise<void> {
    const previous = this.chosen;
    this.chosen = next;
    for (const member of previous) if (!next.includes(member)) await disposeIfClosable(member);
  }
}

interface RankedScore extends CandidateScore {
  readonly index: number;
}

function meanScore(errors: readonly number[]): number {
  const finite = errors.filter((e) => Number.isFinite(e));
  return finite.length === errors.length && finite.length > 0 ? finite.reduce((a, b) => a + b, 0) / finite.length : Number.POSITIVE_INFINITY;
}

function publicScores(scores: readonly RankedScore[]): CandidateScore[] {
  return [...scores].sort((a, b) => a.score - b.score).map(({ model, score }) => ({ model, score }));
}
