/**
 * Optimization strategies: each is a set of rules that decides which candidate changes are allowed
 * and how cost is traded against risk. The optimizer picks, per workload, the allowed candidate with
 * the lowest score `monthlyCost × (1 + riskWeight × risk)`, and keeps the workload as it is unless
 * that candidate saves at least `minSavingsFraction` of its cost.
 *
 * | strategy                   | spot (worst bucket)   | commitments                        | downsizing   | FaaS / scale to zero | move | max risk | min confidence |
 * |----------------------------|-----------------------|------------------------------------|--------------|----------------------|------|----------|----------------|
 * | `minimize_cost`            | any the workload takes | all                               | p99.5 × 1.2  | yes / yes            | yes  | 1        | 0.3            |
 * | `balance_cost_performance` | up to 10–15 %         | all                                | p99.5 × 1.2  | yes / yes            | yes  | 0.6      | 0.5            |
 * | `maximize_performance`     | never                 | all (same machine, cheaper)        | never        | no / no              | no   | 0.5      | 0.5            |
 * | `predictable_cost`         | never                 | all; fixed bills preferred         | p99.5 × 1.2  | no / no              | yes  | 0.5      | 0.6            |
 * | `risk_averse`              | up to 5–10 %          | 1 year, no or partial upfront only | p99.5 × 1.3  | no / no              | no   | 0.3      | 0.8            |
 *
 * The workload's own interruption tolerance caps spot further: `none` never, `low` `<5%`,
 * `medium` up to `10-15%`, `high` any bucket.
 *
 * @module
 */
import { freeze } from "immer";
import { PURCHASE_OPTIONS, type PurchaseOption } from "./catalog-schema.js";

/** The strategies. */
export const STRATEGIES = ["minimize_cost", "balance_cost_performance", "maximize_performance", "predictable_cost", "risk_averse"] as const;
/** A strategy name. */
export type Strategy = (typeof STRATEGIES)[number];

/** The rules a strategy stands for. */
export interface StrategyRules {
  readonly name: Strategy;
  readonly description: string;
  /** Purchase options a recommendation may move a workload to. */
  readonly options: readonly PurchaseOption[];
  /** Worst spot interruption rate allowed (a bucket's upper edge): 0 = no spot. */
  readonly maxInterruption: number;
  /** Whether a recommendation may lower vCPUs or memory below the current type's. */
  readonly downsize: boolean;
  /** Multiplier on p99.5 usage that the new type must still hold (AWS Compute Optimizer uses 20 %). */
  readonly headroom: number;
  readonly faas: boolean;
  readonly scaleToZero: boolean;
  readonly relocation: boolean;
  /** Recommendations with a higher risk score (0–1) are not made. */
  readonly maxRisk: number;
  /** Recommendations with a lower confidence (0–1) are not made. */
  readonly minConfidence: number;
  /** Weight of risk in the score `cost × (1 + riskWeight × risk)`. */
  readonly riskWeight: number;
  /** A change must save at least this fraction of the workload's cost. */
  readonly minSavingsFraction: number;
  /**
   * Commitments: a committed unit must be in use at least this share of hours, on top of the
   * breakeven `1 − discount` (0 = breakeven only).
   */
  readonly commitmentFloor: number;
}

const ALL_BUT_DEDICATED = PURCHASE_OPTIONS.filter((o) => o !== "dedicated");
const NO_SPOT = ALL_BUT_DEDICATED.filter((o) => o !== "spot");

/** The rules of every strategy (see the module's table). */
export const STRATEGY_RULES: Readonly<Record<Strategy, StrategyRules>> = freeze(
  {
    minimize_cost: {
      name: "minimize_cost",
      description: "The cheapest allowed configuration, whatever its risk within the workload's tolerance.",
      options: ALL_BUT_DEDICATED,
      maxInterruption: 1,
      downsize: true,
      headroom: 1.2,
      faas: true,
      scaleToZero: true,
      relocation: true,
      maxRisk: 1,
      minConfidence: 0.3,
      riskWeight: 0,
      minSavingsFraction: 0,
      commitmentFloor: 0,
    },
    balance_cost_performance: {
      name: "balance_cost_performance",
      description: "Cheaper configurations weighed against their risk; spot only up to the 10-15% bucket.",
      options: ALL_BUT_DEDICATED,
      maxInterruption: 0.15,
      downsize: true,
      headroom: 1.2,
      faas: true,
      scaleToZero: true,
      relocation: true,
      maxRisk: 0.6,
      minConfidence: 0.5,
      riskWeight: 1,
      minSavingsFraction: 0.05,
      commitmentFloor: 0,
    },
    maximize_performance: {
      name: "maximize_performance",
      description: "Never less capacity or reliability: no spot, no downsizing, no cold starts, no moves; only cheaper ways to pay for the same machines.",
      options: NO_SPOT,
      maxInterruption: 0,
      downsize: false,
      headroom: 1.2,
      faas: false,
      scaleToZero: false,
      relocation: false,
      maxRisk: 0.5,
      minConfidence: 0.5,
      riskWeight: 0.5,
      minSavingsFraction: 0,
      commitmentFloor: 0,
    },
    predictable_cost: {
      name: "predictable_cost",
      description: "Fixed monthly bills: commitments and right-sizing, no spot, no per-request billing.",
      options: NO_SPOT,
      maxInterruption: 0,
      downsize: true,
      headroom: 1.2,
      faas: false,
      scaleToZero: false,
      relocation: true,
      maxRisk: 0.5,
      minConfidence: 0.6,
      riskWeight: 0.5,
      minSavingsFraction: 0,
      commitmentFloor: 0,
    },
    risk_averse: {
      name: "risk_averse",
      description: "Only well-evidenced, reversible savings: spot up to the 5-10% bucket, 1-year commitments without full prepayment, 30 % headroom.",
      options: ["on_demand", "spot", "reserved_1y_no_upfront", "reserved_1y_partial_upfront", "savings_plan_1y"],
      maxInterruption: 0.1,
      downsize: true,
      headroom: 1.3,
      faas: false,
      scaleToZero: false,
      relocation: false,
      maxRisk: 0.3,
      minConfidence: 0.8,
      riskWeight: 2,
      minSavingsFraction: 0.05,
      commitmentFloor: 0.9,
    },
  },
  true,
);
