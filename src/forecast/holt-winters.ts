/**
 * Holt-Winters exponential smoothing with additive seasonality and an optionally damped additive
 * trend, implemented here because `simple-statistics` has none.
 *
 * Source: Hyndman & Athanasopoulos, *Forecasting: Principles and Practice* (3rd ed.), §8.3 (component
 * form of the additive and damped methods), and Hyndman, Koehler, Ord & Snyder, *Forecasting with
 * Exponential Smoothing* (Springer 2008), Table 6.1 for the ETS(A,Ad,A) forecast variance
 * σ²[1 + Σ_{j<h} c_j²] with c_j = α + αβφ_j + γ·1[j mod m = 0], φ_j = φ + … + φ^j.
 *
 * ```
 * level    l_t = α (y_t − s_{t−m}) + (1 − α)(l_{t−1} + φ b_{t−1})
 * trend    b_t = β (l_t − l_{t−1}) + (1 − β) φ b_{t−1}
 * season   s_t = γ (y_t − l_{t−1} − φ b_{t−1}) + (1 − γ) s_{t−m}
 * forecast ŷ_{t+h} = l_t + (φ + … + φ^h) b_t + s_{t+h−m(k+1)},  k = ⌊(h−1)/m⌋
 * ```
 *
 * Smoothing parameters are chosen by minimising the in-sample one-step squared error: a coarse grid,
 * then coordinate descent with shrinking steps. Undamped Holt-Winters is the case φ = 1.
 *
 * @module
 */
import { z } from "zod";
import { parseWith } from "../core/validation.js";
import { NotFittedError } from "./errors.js";
import { buildForecast, checkFit, checkPredict, requireFitted } from "./support.js";
import type { FitOptions, FitReport, Forecast, PredictOptions, Series, SyncForecaster } from "./types.js";

/** Smoothing parameters of a Holt-Winters model. */
export interface HoltWintersParameters {
  readonly alpha: number;
  readonly beta: number;
  readonly gamma: number;
  readonly phi: number;
}

/** Settings of {@link HoltWintersForecaster}. */
export interface HoltWintersOptions {
  /** Damp the trend (φ < 1, chosen from [0.8, 0.98]); default false (φ = 1). */
  readonly damped?: boolean;
  /**
   * What the smoothing parameters minimise: `"mse"`, the one-step squared error, or `"amse"` (default),
   * the mean of the squared errors at 1, ⌈H/2⌉ and H steps ahead (H = the fit's `maxHorizon`) — a
   * sampled form of the AMSE criterion of R's `forecast::ets` (`opt.crit = "amse"`), which keeps the
   * trend from chasing one-step noise when forecasting far ahead.
   */
  readonly criterion?: "mse" | "amse";
  /** Fixed smoothing parameters instead of fitted ones. */
  readonly parameters?: Partial<HoltWintersParameters>;
}

const unit = z.number().min(0).max(1);
const optionsSchema = z.object({
  damped: z.boolean().optional(),
  criterion: z.enum(["mse", "amse"]).optional(),
  parameters: z.object({ alpha: unit.optional(), beta: unit.optional(), gamma: unit.optional(), phi: z.number().min(0.5).max(1).optional() }).optional(),
});

interface HwState {
  readonly level: number;
  readonly trend: number;
  /** The last m seasonal terms, oldest first: season[i] applies to step i+1 (mod m) ahead. */
  readonly season: readonly number[];
  readonly sse: number;
  readonly count: number;
}

/**
 * The state the recursion carries from one observation to the next. Its size is fixed by the
 * period: a stepper fed forever holds one season and two numbers.
 */
export interface HoltWintersRecursion {
  level: number;
  trend: number;
  /**
   * Seasonal terms by phase: `season[phase]` holds s_{t−m} when y_t arrives. One entry, never
   * updated, without a season.
   */
  readonly season: Float64Array;
  /** Phase of the next observation, in [0, season.length). */
  phase: number;
}

/**
 * One step of the recursion (the equations in the module notes): takes y_t, advances `state` in
 * place and returns the one-step error y_t − ŷ_t. In place, because an online stepper calls it once
 * a sample and should allocate nothing; the fit and the stepper share it so they cannot drift apart.
 */
export function holtWintersStep(state: HoltWintersRecursion, yt: number, p: HoltWintersParameters): number {
  const { alpha, beta, gamma, phi } = p;
  const season = state.season;
  const seasonal = season.length > 1;
  const slot = state.phase;
  const s = seasonal ? (season[slot] as number) : 0;
  const level = state.level;
  const damped = phi * state.trend;
  const error = yt - (level + damped + s);
  const newLevel = alpha * (yt - s) + (1 - alpha) * (level + damped);
  state.trend = beta * (newLevel - level) + (1 - beta) * damped;
  if (seasonal) {
    season[slot] = gamma * (yt - level - damped) + (1 - gamma) * s;
    state.phase = slot + 1 === season.length ? 0 : slot + 1;
  }
  state.level = newLevel;
  return error;
}

/** A recursion state that continues from a fit: the next observation is the first step after the fitted series. */
export function recursionFrom(fit: HoltWintersFit): HoltWintersRecursion {
  // The fit's season is ordered from the next step on, so the next phase is 0.
  const season = fit.period > 1 ? Float64Array.from(fit.season) : new Float64Array(1);
  return { level: fit.level, trend: fit.trend, season, phase: 0 };
}

/**
 * Runs the recursions; returns the final state, the one-step squared error (`sse`, `count`) and the
 * fitting criterion: the mean squared error over the one-step and the `horizons` forecasts.
 */
function run(y: readonly number[], m: number, p: HoltWintersParameters, horizons: readonly number[] = []): HwState & { readonly criterion: number } {
  const seasonal = m > 1;
  // Initial states from the first two seasons (or the first two points without a season).
  let level: number;
  let trend: number;
  const season = new Float64Array(Math.max(m, 1));
  let start: number;
  if (seasonal) {
    let first = 0;
    let second = 0;
    for (let i = 0; i < m; i++) {
      first += y[i] ?? 0;
      second += y[i + m] ?? 0;
    }
    first /= m;
    second /= m;
    level = first;
    trend = (second - first) / m;
    for (let i = 0; i < m; i++) season[i] = (y[i] ?? 0) - first;
    start = m;
  } else {
    level = y[0] ?? 0;
    trend = y.length > 1 ? (y[1] ?? 0) - (y[0] ?? 0) : 0;
    start = 1;
  }
  // One object shape for every call, so the step's parameter loads stay monomorphic: the
  // optimiser's candidates are spread objects of several shapes.
  const parameters: HoltWintersParameters = { alpha: p.alpha, beta: p.beta, gamma: p.gamma, phi: p.phi };
  const { phi } = p;
  let sse = 0;
  let count = 0;
  let multiSse = 0;
  let multiCount = 0;
  const phiPowers = horizons.map((h) => {
    let sum = 0;
    for (let j = 1; j <= h; j++) sum += phi ** j;
    return sum;
  });
  // The seasonal buffer is indexed by phase t mod m; with start = m the first phase is 0.
  const state: HoltWintersRecursion = { level, trend, season, phase: 0 };
  for (let t = start; t < y.length; t++) {
    const error = holtWintersStep(state, y[t] ?? 0, parameters);
    sse += error * error;
    count++;
    for (let k = 0; k < horizons.length; k++) {
      const h = horizons[k] ?? 1;
      if (t + h >= y.length) continue;
      // The buffer slot of phase t+h holds that phase's latest seasonal term, as the forecast uses.
      const ahead = state.level + (phiPowers[k] ?? 0) * state.trend + (seasonal ? (season[(t + h) % m] ?? 0) : 0);
      const e = (y[t + h] ?? 0) - ahead;
      multiSse += e * e;
      multiCount++;
    }
  }
  const ordered: number[] = [];
  if (seasonal) for (let h = 0; h < m; h++) ordered.push(season[(y.length + h) % m] ?? 0);
  const criterion = (sse + multiSse) / Math.max(1, count + multiCount);
  return { level: state.level, trend: state.trend, season: ordered, sse, count, criterion };
}

const GRID = [0.02, 0.1, 0.3, 0.6, 0.9];

function optimise(y: readonly number[], m: number, damped: boolean, fixed: Partial<HoltWintersParameters>, horizons: readonly number[]): HoltWintersParameters {
  const seasonal = m > 1;
  const keys: (keyof HoltWintersParameters)[] = [];
  const ranges: Record<keyof HoltWintersParameters, [number, number]> = { alpha: [0.001, 0.999], beta: [0, 0.5], gamma: [0, 0.999], phi: [0.8, 0.98] };
  const start: Record<keyof HoltWintersParameters, number> = { alpha: 0.3, beta: 0.02, gamma: seasonal ? 0.1 : 0, phi: damped ? 0.9 : 1 };
  for (const key of ["alpha", "beta", "gamma", "phi"] as const) {
    const value = fixed[key];
    if (value !== undefined) start[key] = value;
    else if ((key !== "gamma" || seasonal) && (key !== "phi" || damped)) keys.push(key);
  }
  const cost = (p: HoltWintersParameters): number => {
    const state = run(y, m, p, horizons);
    return Number.isFinite(state.criterion) ? state.criterion : Number.POSITIVE_INFINITY;
  };
  let best = { ...start };
  let bestCost = cost(best);
  // Coarse grid over alpha and gamma (the parameters that matter most), others at their start.
  if (keys.includes("alpha")) {
    for (const alpha of GRID) {
      for (const gamma of keys.includes("gamma") ? GRID : [best.gamma]) {
        const candidate = { ...best, alpha, gamma };
        const c = cost(candidate);
        if (c < bestCost) {
          bestCost = c;
          best = candidate;
        }
      }
    }
  }
  // Coordinate descent with shrinking steps.
  for (let step = 0.1; step >= 0.0025; step /= 2) {
    let improved = true;
    for (let round = 0; improved && round < 20; round++) {
      improved = false;
      for (const key of keys) {
        const [lo, hi] = ranges[key];
        for (const dir of [-1, 1]) {
          const value = Math.min(hi, Math.max(lo, best[key] + dir * step * (key === "phi" ? 0.5 : 1)));
          if (value === best[key]) continue;
          const candidate = { ...best, [key]: value };
          const c = cost(candidate);
          if (c < bestCost) {
            bestCost = c;
            best = candidate;
            improved = true;
          }
        }
      }
    }
  }
  return best;
}

function criterionHorizons(maxHorizon: number): number[] {
  return [...new Set([Math.ceil(maxHorizon / 2), maxHorizon])].filter((h) => h > 1);
}

interface HwFit {
  readonly state: HwState;
  readonly parameters: HoltWintersParameters;
  readonly period: number;
  readonly sigma: number;
}

/** What a fit leaves: its parameters and the state at the end of the fitted series. */
export interface HoltWintersFit {
  readonly parameters: HoltWintersParameters;
  /** Season length used (1: the fit fell back to the non-seasonal form). */
  readonly period: number;
  readonly level: number;
  readonly trend: number;
  /** Seasonal terms from the next step on: season[i] applies to step i+1 (mod period) ahead. */
  readonly season: readonly number[];
  /** Root mean squared one-step error over the fitted series. */
  readonly sigma: number;
}

/**
 * Additive Holt-Winters, optionally with a damped trend. Needs two full seasons when a period is
 * given; with fewer, it fits the non-seasonal (Holt) form.
 *
 * @example
 * ```ts
 * const model = new HoltWintersForecaster({ damped: true });
 * model.fitSync(halfHourlyDemand, { period: 48 });
 * const { mean, lower, upper } = model.predict(48, { level: 0.8 });
 * ```
 */
export class HoltWintersForecaster implements SyncForecaster {
  readonly name: "holt_winters" | "holt_winters_damped";
  private readonly damped: boolean;
  private readonly criterion: "mse" | "amse";
  private readonly fixed: Partial<HoltWintersParameters>;
  private fitted: HwFit | undefined;

  constructor(options: HoltWintersOptions = {}) {
    const parsed = parseWith(optionsSchema, options, "options");
    this.damped = parsed.damped ?? false;
    this.criterion = parsed.criterion ?? "amse";
    this.fixed = parsed.parameters ?? {};
    this.name = this.damped ? "holt_winters_damped" : "holt_winters";
  }

  /** The smoothing parameters of the current fit, `undefined` before the first fit. */
  get parameters(): HoltWintersParameters | undefined {
    return this.fitted?.parameters;
  }

  /** The current fit, from which {@link recursionFrom} continues online; `undefined` before the first fit. */
  get lastFit(): HoltWintersFit | undefined {
    const fitted = this.fitted;
    if (fitted === undefined) return undefined;
    const { parameters, period, sigma, state } = fitted;
    return { parameters, period, sigma, level: state.level, trend: state.trend, season: state.season };
  }

  async fit(series: Series, options: FitOptions = {}): Promise<FitReport> {
    return this.fitSync(series, options);
  }

  fitSync(series: Series, options: Omit<FitOptions, "signal"> = {}): FitReport {
    const input = checkFit(series, options);
    const y = input.series;
    const m = input.period > 1 && y.length >= 2 * input.period + 1 ? input.period : 1;
    const horizons = this.criterion === "mse" ? [] : criterionHorizons(input.maxHorizon);
    const parameters = optimise(y, m, this.damped, this.fixed, horizons);
    const state = run(y, m, parameters);
    const sigma = state.count > 0 ? Math.sqrt(state.sse / state.count) : 0;
    this.fitted = { state, parameters, period: m, sigma };
    return { model: this.name, points: y.length };
  }

  predict(horizon: number, options: PredictOptions = {}): Forecast {
    const { horizon: h, level } = checkPredict(horizon, options);
    const fit = requireFitted(this.fitted, () => new NotFittedError(this.name));
    const { alpha, beta, gamma, phi } = fit.parameters;
    const { state, period: m } = fit;
    const mean: number[] = [];
    const sd: number[] = [];
    let phiSum = 0;
    let varianceSum = 1;
    for (let step = 1; step <= h; step++) {
      phiSum += phi ** step;
      const s = m > 1 ? (state.season[(step - 1) % m] ?? 0) : 0;
      mean.push(state.level + phiSum * state.trend + s);
      sd.push(fit.sigma * Math.sqrt(varianceSum));
      // c_j for the next step's variance uses φ_j with j = step.
      const c = alpha + alpha * beta * phiSum + (m > 1 && step % m === 0 ? gamma : 0);
      varianceSum += c * c;
    }
    return buildForecast(this.name, mean, sd, level);
  }
}
