/**
 * Schemas of the cost engine's results, for node outputs and JSON: recommendations, plans,
 * commitments, ROI, allocations and forecasts. Types are derived from them.
 *
 * @module
 */
import { z } from "zod";
import { INTERRUPTION_BUCKETS } from "./catalog-schema.js";
import { CHANGE_KINDS } from "./candidates.js";
import { STRATEGIES } from "./strategies.js";

const finite = z.number().finite();

/** A workload's configuration and its monthly cost. */
export const configurationSchema = z.object({
  /** `vm` for an instance type, `faas` for the provider's function service. */
  target: z.enum(["vm", "faas"]),
  provider: z.string(),
  region: z.string(),
  /** Instance type, or the function service's name. */
  instanceType: z.string(),
  /** Purchase option, or `faas`. */
  purchaseOption: z.string(),
  count: finite,
  /** Hours billed a month. */
  hoursPerMonth: finite,
  monthlyCost: finite,
});
/** A workload's configuration and its monthly cost. */
export type Configuration = z.infer<typeof configurationSchema>;

/** One spot pool of a diversified recommendation. */
export const spotPoolSchema = z.object({
  instanceType: z.string(),
  family: z.string(),
  hourly: finite,
  interruption: z.enum(INTERRUPTION_BUCKETS),
  /** Instances placed in this pool (0 = a fallback pool used when others are reclaimed). */
  instances: z.number().int().nonnegative(),
});
/** One spot pool. */
export type SpotPool = z.infer<typeof spotPoolSchema>;

/** A recommendation: one change to one workload, with its arithmetic. */
export const costRecommendationSchema = z.object({
  id: z.string(),
  workloadId: z.string(),
  edgeId: z.string().optional(),
  kinds: z.array(z.enum(CHANGE_KINDS)),
  current: configurationSchema,
  proposed: configurationSchema,
  /** current − proposed monthly cost; for a move, net of its one-off cost spread over `amortizationMonths`. */
  monthlySavings: finite,
  savingsPercent: finite,
  /** One-off cost of making the change (a move's data transfer and engineering). */
  implementationCost: finite,
  /** Prepaid at purchase (reservations); already spread over the term in the monthly figures. */
  upfrontCost: finite,
  /** Months a move's one-off cost is spread over in `monthlySavings` (0 when there is none). */
  amortizationMonths: finite,
  risk: z.object({ score: finite, level: z.enum(["low", "medium", "high"]), factors: z.array(z.string()) }),
  confidence: finite,
  explanation: z.array(z.string()),
  /** Spot pools across instance types (spot recommendations only). */
  spotPools: z.array(spotPoolSchema),
});
/** A recommendation. */
export type CostRecommendation = z.infer<typeof costRecommendationSchema>;

/** A workload left as it is, and why. */
export const skipSchema = z.object({ workloadId: z.string(), reason: z.string() });

/** A plan: at most one recommendation per workload, so the savings add up. */
export const planSchema = z.object({
  strategy: z.enum(STRATEGIES),
  catalogVersion: z.string(),
  catalogLabel: z.string(),
  workloads: z.number().int(),
  currentMonthlyCost: finite,
  proposedMonthlyCost: finite,
  /** Σ recommendations' monthly savings = current − proposed. */
  monthlySavings: finite,
  recommendations: z.array(costRecommendationSchema),
  skipped: z.array(skipSchema),
  explanation: z.array(z.string()),
});
/** An optimization plan. */
export type CostPlan = z.infer<typeof planSchema>;

/** Return on an investment; `null` figures come with the reason. */
export const roiSchema = z.object({
  implementationCost: finite,
  monthlySavings: finite,
  annualSavings: finite,
  /** Months until savings repay the implementation cost; 0 when it costs nothing, `null` when it never pays back. */
  paybackMonths: finite.nullable(),
  /** (12 × monthly savings − cost) / cost; `null` when the cost is 0 (unbounded). */
  annualRoi: finite.nullable(),
  /** Net present value over `horizonMonths` at `discountRate` a year. */
  npv: finite,
  horizonMonths: z.number().int(),
  discountRate: finite,
  notes: z.array(z.string()),
});
/** ROI figures. */
export type Roi = z.infer<typeof roiSchema>;

/** A commitment recommendation for one (provider, region, instance type) group. */
export const commitmentSchema = z.object({
  id: z.string(),
  provider: z.string(),
  region: z.string(),
  instanceType: z.string(),
  purchaseOption: z.string(),
  /** Discount of the commitment's effective rate off on-demand. */
  discount: finite,
  /** A committed unit pays off when used at least this share of hours: 1 − discount. */
  breakevenUtilisation: finite,
  /** Instances to commit to. */
  instances: z.number().int().nonnegative(),
  /** Share of hours the last committed unit is in use. */
  marginalUtilisation: finite,
  /** Share of instance-hours the commitment covers. */
  coverage: finite,
  currentMonthlyCost: finite,
  proposedMonthlyCost: finite,
  monthlySavings: finite,
  upfrontCost: finite,
  risk: z.object({ score: finite, level: z.enum(["low", "medium", "high"]), factors: z.array(z.string()) }),
  confidence: finite,
  explanation: z.array(z.string()),
});
/** A commitment recommendation. */
export type CommitmentRecommendation = z.infer<typeof commitmentSchema>;
