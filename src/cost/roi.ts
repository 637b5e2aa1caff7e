/**
 * Return on an optimization: payback months, annual ROI and net present value.
 *
 * - payback = implementation cost / monthly savings; 0 when the change costs nothing; `null` (with a
 *   note) when the savings are not positive, since it never pays back, or when it would take more than
 *   {@link MAX_PAYBACK_MONTHS}.
 * - annual ROI = (12 × monthly savings − cost) / cost; `null` (with a note) when the cost is 0,
 *   where the ratio is unbounded. No `Infinity` or `NaN` ever reaches JSON.
 * - NPV = −cost + Σₘ₌₁..ₕ savings / (1 + r)ᵐ with the monthly rate r = (1 + annual rate)^(1/12) − 1,
 *   savings arriving at the end of each month.
 *
 * @module
 */
import { z } from "zod";
import { parseWith } from "../core/validation.js";
import { money, num, pct } from "./format.js";
import type { CostRecommendation, Roi } from "./schemas.js";

/** Paybacks longer than this (100 years) are reported as `null`: they never happen in practice and could overflow. */
export const MAX_PAYBACK_MONTHS = 1200;

/** Input of {@link calculateRoi}. */
export const roiInputSchema = z
  .object({
    implementationCost: z.number().finite().min(0),
    /** Run-rate monthly savings (may be negative: a change that costs more). */
    monthlySavings: z.number().finite(),
    horizonMonths: z.number().int().min(1).max(600).default(36),
    /** Annual discount rate, e.g. 0.08. */
    discountRate: z.number().finite().min(0).max(1).default(0.08),
  })
  .strict();
/** ROI input as a user writes it. */
export type RoiInput = z.input<typeof roiInputSchema>;

/**
 * ROI of a one-off cost and a monthly saving.
 *
 * @example
 * ```ts
 * calculateRoi({ implementationCost: 1200, monthlySavings: 300, horizonMonths: 12, discountRate: 0.1 });
 * // paybackMonths 4, annualRoi 2 (= (3600 − 1200) / 1200), npv ≈ 2229
 * ```
 */
export function calculateRoi(input: RoiInput): Roi {
  const { implementationCost: cost, monthlySavings: s, horizonMonths: h, discountRate } = parseWith(roiInputSchema, input, "roi");
  const monthlyRate = Math.pow(1 + discountRate, 1 / 12) - 1;
  // Annuity factor Σ 1/(1+r)^m for m = 1..h; the plain sum when the rate is 0.
  const annuity = monthlyRate === 0 ? h : (1 - Math.pow(1 + monthlyRate, -h)) / monthlyRate;
  const npv = -cost + s * annuity;
  const notes: string[] = [];
  let payback: number | null;
  if (cost === 0) {
    payback = 0;
    notes.push("no implementation cost: pays back immediately");
  } else if (s > 0 && cost / s <= MAX_PAYBACK_MONTHS) {
    payback = cost / s;
    notes.push(`payback: ${money(cost)} / ${money(s)} per month = ${num(payback)} months`);
  } else if (s > 0) {
    payback = null;
    notes.push(`paybackMonths is null: ${money(cost)} / ${money(s)} per month is more than ${MAX_PAYBACK_MONTHS} months (100 years)`);
  } else {
    payback = null;
    notes.push("paybackMonths is null: the change saves nothing a month, so it never pays back");
  }
  let annualRoi: number | null;
  if (cost === 0) {
    annualRoi = null;
    notes.push("annualRoi is null: with no implementation cost the return ratio is unbounded");
  } else if (!Number.isFinite((12 * s - cost) / cost)) {
    annualRoi = null;
    notes.push("annualRoi is null: the implementation cost is too small for a finite ratio");
  } else {
    annualRoi = (12 * s - cost) / cost;
    notes.push(`annual ROI: (12 × ${money(s)} − ${money(cost)}) / ${money(cost)} = ${pct(annualRoi)}`);
  }
  notes.push(`NPV over ${h} months at ${pct(discountRate)} a year (${pct(monthlyRate)} a month): −${money(cost)} + ${money(s)} × ${num(annuity)} = ${money(npv)}`);
  return { implementationCost: cost, monthlySavings: s, annualSavings: 12 * s, paybackMonths: payback, annualRoi, npv, horizonMonths: h, discountRate, notes };
}

/**
 * ROI of a set of recommendations taken together. A move's savings are reported net of its cost
 * spread over `amortizationMonths`; the run-rate saving adds that share back, so the one-off cost is
 * counted once, as the implementation cost.
 */
export function roiOfRecommendations(recommendations: readonly CostRecommendation[], options: Omit<RoiInput, "implementationCost" | "monthlySavings"> = {}): Roi {
  let cost = 0;
  let savings = 0;
  for (const r of recommendations) {
    cost += r.implementationCost;
    savings += r.monthlySavings + (r.amortizationMonths > 0 ? r.implementationCost / r.amortizationMonths : 0);
  }
  return calculateRoi({ ...options, implementationCost: cost, monthlySavings: savings });
}
