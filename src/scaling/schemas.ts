/**
 * Zod schemas of the scaling engine's decisions, evaluations and forecasts; the TypeScript types are
 * derived from them.
 *
 * @module
 */
import { z } from "zod";

/** Names of the scaling strategies. */
export const scalingStrategySchema = z.enum(["kpa", "hpa", "predictive", "scheduled", "hybrid"]);
/** A scaling strategy name. */
export type ScalingStrategy = z.infer<typeof scalingStrategySchema>;

/** Presets that change buffers and confidence thresholds. */
export const scalingPresetSchema = z.enum(["balanced", "aggressive", "conservative"]);
/** A preset name. */
export type ScalingPreset = z.infer<typeof scalingPresetSchema>;

/** Forecast horizons: immediate 5 min, short 15 min, medium 1 h, long 24 h. */
export const forecastHorizonSchema = z.enum(["immediate", "short", "medium", "long"]);
/** A forecast horizon name. */
export type ForecastHorizon = z.infer<typeof forecastHorizonSchema>;

/** Length of each forecast horizon, ms. */
export const HORIZON_MS: Readonly<Record<ForecastHorizon, number>> = Object.freeze({ immediate: 300_000, short: 900_000, medium: 3_600_000, long: 86_400_000 });

/** Schema of a {@link ScalingDecision}. */
export const scalingDecisionSchema = z.object({
  id: z.string(),
  service: z.string(),
  strategy: scalingStrategySchema,
  createdAt: z.number(),
  /** Instances now. */
  current: z.number().int().min(0),
  /** Instances wanted. */
  target: z.number().int().min(0),
  direction: z.enum(["up", "down", "hold"]),
  /** When the target capacity must be serving (now + lead time for a forecast). */
  effectiveAt: z.number(),
  urgency: z.enum(["low", "medium", "high", "critical"]),
  /** In [0, 1]: 1 for a decision on observed load; from the forecast interval otherwise. */
  confidence: z.number().min(0).max(1),
  costEstimate: z.object({
    instanceDelta: z.number().int(),
    /** Change of the hourly bill (instanceDelta × price per instance-hour). */
    hourlyDelta: z.number(),
    /** Bill of the target capacity for one hour. */
    hourlyTotal: z.number(),
    currency: z.string(),
  }),
  risk: z.object({ level: z.enum(["low", "medium", "high"]), reasons: z.array(z.string()) }),
  requiresApproval: z.boolean(),
  reason: z.string(),
  /** The demand the decision answers: observed now, and forecast (with its interval) if any. */
  demand: z.object({ observed: z.number(), forecast: z.number().optional(), lower: z.number().optional(), upper: z.number().optional() }),
  /** Demand one instance is sized for. */
  perInstance: z.number().positive(),
});
/** A scaling decision with everything needed to act on it, approve it, or judge it later. */
export type ScalingDecision = z.infer<typeof scalingDecisionSchema>;

/** Schema of a {@link DecisionEvaluation}. */
export const decisionEvaluationSchema = z.object({
  decisionId: z.string(),
  strategy: scalingStrategySchema,
  actualDemand: z.number(),
  /** Instances the actual demand needed. */
  needed: z.number().int(),
  target: z.number().int(),
  outcome: z.enum(["correct", "under_provisioned", "over_provisioned"]),
  /** Confidence threshold of the strategy before and after learning from this outcome. */
  thresholdBefore: z.number(),
  thresholdAfter: z.number(),
  /** Share of evaluated decisions of this strategy that were correct. */
  accuracy: z.number(),
  evaluated: z.number().int(),
});
/** How a decision fared against what happened. */
export type DecisionEvaluation = z.infer<typeof decisionEvaluationSchema>;

/** Schema of a demand forecast over a named horizon. */
export const demandForecastSchema = z.object({
  service: z.string(),
  horizon: forecastHorizonSchema,
  horizonMs: z.number(),
  stepMs: z.number(),
  /** Time of the first forecast step. */
  start: z.number(),
  mean: z.array(z.number()),
  lower: z.array(z.number()),
  upper: z.array(z.number()),
  level: z.number(),
  model: z.string(),
  /** In [0, 1], from the width of the interval against the level. */
  confidence: z.number(),
  /** Instances the upper bound would need at its peak. */
  peakInstances: z.number().int(),
});
/** A demand forecast over a named horizon. */
export type DemandForecast = z.infer<typeof demandForecastSchema>;
