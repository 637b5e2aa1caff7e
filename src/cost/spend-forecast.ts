/**
 * Spend forecast through the forecasting engine, with the selected optimizations applied exactly once.
 *
 * The forecaster must see one consistent baseline: steps of the history after an optimization was
 * already applied (`appliedAt`) are lifted back by its saving, so the model forecasts spend as if
 * nothing had changed. Each optimization's saving (`monthlySavings × step hours / 730`) is then taken
 * off every forecast step from when it takes effect — once, whether it was already applied in the
 * history or is still to come, and once even if listed twice (repeats of an id are dropped).
 *
 * @module
 */
import { z } from "zod";
import { parseWith } from "../core/validation.js";
import { SeasonalNaiveForecaster } from "../forecast/seasonal-naive.js";
import type { Forecaster } from "../forecast/types.js";
import { HOURS_PER_MONTH } from "./catalog-schema.js";
import { money, num } from "./format.js";

const HOUR_MS = 3_600_000;

/** One optimization to apply to the forecast. */
export const forecastOptimizationSchema = z
  .object({
    id: z.string().trim().min(1),
    monthlySavings: z.number().finite(),
    /** When it was applied, if it already shows in the history (ms). */
    appliedAt: z.number().finite().optional(),
    /** When it takes effect, if still to come (ms; default: the end of the history). */
    effectiveAt: z.number().finite().optional(),
  })
  .strict();

/** Input of {@link forecastSpend}. */
export const spendForecastInputSchema = z
  .object({
    /** Spend per step, oldest first (e.g. from `CostLedger.spendSeries`). */
    history: z.array(z.number().finite().min(0)).min(2, "give at least two steps of history").max(100_000),
    /** End time of the last history step (ms). */
    historyEnd: z.number().finite(),
    stepMs: z.number().finite().min(60_000).max(366 * 24 * HOUR_MS).default(24 * HOUR_MS),
    horizon: z.number().int().min(1).max(10_000).default(30),
    /** Season length in steps (7 for daily steps: the weekly cycle). */
    period: z.number().int().min(1).max(10_000).default(7),
    level: z.number().gt(0).lt(1).default(0.95),
    optimizations: z.array(forecastOptimizationSchema).default([]),
  })
  .strict();
/** Spend-forecast input as a user writes it. */
export type SpendForecastInput = z.input<typeof spendForecastInputSchema>;

const band = z.object({ mean: z.array(z.number().finite()), lower: z.array(z.number().finite()), upper: z.array(z.number().finite()) });

/** Schema of a spend forecast. */
export const spendForecastSchema = z.object({
  stepMs: z.number(),
  horizon: z.number().int(),
  level: z.number(),
  model: z.string(),
  /** Start time of each forecast step. */
  times: z.array(z.number()),
  baseline: band,
  /** Baseline minus the optimizations' savings (never below 0). */
  optimized: band,
  /** Total saving taken off each step. */
  savingsPerStep: z.array(z.number().finite()),
  baselineTotal: z.number().finite(),
  optimizedTotal: z.number().finite(),
  applied: z.array(z.object({ id: z.string(), monthlySavings: z.number(), from: z.number(), alreadyInHistory: z.boolean() })),
  explanation: z.array(z.string()),
});
/** A spend forecast. */
export type SpendForecast = z.infer<typeof spendForecastSchema>;

const overlap = (a0: number, a1: number, b0: number, b1: number): number => Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));

/**
 * Forecasts spend `horizon` steps ahead with `forecaster` (default seasonal-naive), with each
 * optimization's saving applied exactly once (see the module notes).
 *
 * @example
 * ```ts
 * const f = await forecastSpend({ history: daily, historyEnd: clock.now(), horizon: 30, optimizations: plan.recommendations });
 * f.optimizedTotal; // next 30 days' spend once the plan is in place
 * ```
 */
export async function forecastSpend(input: SpendForecastInput, forecaster: Forecaster = new SeasonalNaiveForecaster(), signal?: AbortSignal): Promise<SpendForecast> {
  const q = parseWith(spendForecastInputSchema, input, "forecast");
  const start = q.historyEnd - q.history.length * q.stepMs;
  const stepHours = q.stepMs / HOUR_MS;
  const seen = new Set<string>();
  const dropped: string[] = [];
  const applied = q.optimizations
    .filter((o) => {
      if (seen.has(o.id)) {
        dropped.push(o.id);
        return false;
      }
      seen.add(o.id);
      return true;
    })
    .map((o) => {
      const inHistory = o.appliedAt !== undefined && o.appliedAt < q.historyEnd;
      return { id: o.id, monthlySavings: o.monthlySavings, from: inHistory ? (o.appliedAt ?? q.historyEnd) : Math.max(o.effectiveAt ?? q.historyEnd, q.historyEnd), alreadyInHistory: inHistory };
    });
  const perMs = (o: { monthlySavings: number }): number => o.monthlySavings / (HOURS_PER_MONTH * HOUR_MS);
  // Lift history steps that already carry a saving back to the baseline.
  const baselineHistory = q.history.map((v, k) => {
    const t0 = start + k * q.stepMs;
    let lifted = v;
    for (const o of applied) if (o.alreadyInHistory) lifted += perMs(o) * overlap(o.from, Infinity, t0, t0 + q.stepMs);
    return lifted;
  });
  await forecaster.fit(baselineHistory, { period: q.period, maxHorizon: q.horizon, ...(signal === undefined ? {} : { signal }) });
  const base = forecaster.predict(q.horizon, { level: q.level });
  const times = Array.from({ length: q.horizon }, (_, k) => q.historyEnd + k * q.stepMs);
  const savingsPerStep = times.map((t0) => applied.reduce((s, o) => s + perMs(o) * overlap(o.from, Infinity, t0, t0 + q.stepMs), 0));
  const sub = (xs: readonly number[]): number[] => xs.map((x, k) => Math.max(0, x - (savingsPerStep[k] ?? 0)));
  const optimized = { mean: sub(base.mean), lower: sub(base.lower), upper: sub(base.upper) };
  const baselineTotal = base.mean.reduce((s, x) => s + x, 0);
  const optimizedTotal = optimized.mean.reduce((s, x) => s + x, 0);
  const monthly = applied.reduce((s, o) => s + o.monthlySavings, 0);
  return {
    stepMs: q.stepMs,
    horizon: q.horizon,
    level: base.level,
    model: base.model,
    times,
    baseline: { mean: [...base.mean], lower: [...base.lower], upper: [...base.upper] },
    optimized,
    savingsPerStep,
    baselineTotal,
    optimizedTotal,
    applied,
    explanation: [
      `${base.model} fitted on ${q.history.length} steps of ${num(stepHours)} h` + (applied.some((o) => o.alreadyInHistory) ? ", history lifted back to the baseline where optimizations were already applied" : ""),
      `${applied.length} optimization(s), ${money(monthly)}/month together = ${money((monthly * stepHours) / HOURS_PER_MONTH)} per ${num(stepHours)} h step once in effect, each applied once`,
      `next ${q.horizon} steps: baseline ${money(baselineTotal)}, optimized ${money(optimizedTotal)}`,
      ...(dropped.length > 0 ? [`repeated optimization ids ignored: ${dropped.join(", ")}`] : []),
    ],
  };
}
