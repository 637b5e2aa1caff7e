/**
 * Types of predictive warming: usage records, warming decisions, strategies and evaluation reports,
 * with their zod schemas (node outputs are built from these).
 *
 * @module
 */
import { z } from "zod";

/** The strategies a {@link PredictiveWarmer} can predict with. */
export const WARMING_STRATEGIES = ["time_series", "geographic", "user_behavior", "workload", "idle_time", "hybrid"] as const;

/** One prediction strategy. */
export type WarmingStrategy = (typeof WARMING_STRATEGIES)[number];

/** Strategies the hybrid combines (every strategy but `hybrid` itself). */
export const BASE_STRATEGIES = ["time_series", "geographic", "user_behavior", "workload", "idle_time"] as const;

/** A strategy the hybrid combines. */
export type BaseStrategy = (typeof BASE_STRATEGIES)[number];

/** Latitude / longitude in degrees. */
export const locationSchema = z.object({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) });

/** Resource amounts (cpu cores, memory in MB, and any other named resource). */
export const resourcesSchema = z.record(z.string().min(1), z.number().finite().min(0));

/** Schema of a {@link UsageRecord}. */
export const usageRecordSchema = z.object({
  edge: z.string().min(1),
  user: z.string().min(1).optional(),
  location: locationSchema.optional(),
  workloadType: z.string().min(1),
  timestamp: z.number().finite().min(0),
  resources: resourcesSchema.default({}),
});

/** One observed use of an edge: who, from where, what kind of workload, when, and what it needed. */
export type UsageRecord = z.output<typeof usageRecordSchema>;

/** A usage record as a caller passes it (`resources` optional). */
export type UsageRecordInput = z.input<typeof usageRecordSchema>;

/** Schema of an edge site known to the warmer (for the geographic strategy). */
export const edgeSiteSchema = z.object({ id: z.string().min(1), location: locationSchema });

/** An edge and where it is. */
export type EdgeSite = z.output<typeof edgeSiteSchema>;

/** Schema of a {@link WarmingDecision}. */
export const warmingDecisionSchema = z.object({
  edge: z.string(),
  /** In [0, 1]: how sure the strategy is that the edge will be used within the horizon. */
  confidence: z.number().min(0).max(1),
  /** Clock time by which capacity should be warm. */
  at: z.number(),
  /** Resources expected to be needed. */
  resources: resourcesSchema,
  strategy: z.enum(WARMING_STRATEGIES),
  /** Why, in sentences. */
  reasons: z.array(z.string()),
});

/** Warm capacity on `edge` by `at`, with how sure we are and why. */
export type WarmingDecision = z.output<typeof warmingDecisionSchema>;

/** Schema of classification scores. */
export const classificationScoresSchema = z.object({
  truePositives: z.number().int(),
  falsePositives: z.number().int(),
  falseNegatives: z.number().int(),
  precision: z.number(),
  recall: z.number(),
  f1: z.number(),
});

/** Precision, recall and F1 of warming decisions against the usage that followed. */
export type ClassificationScores = z.output<typeof classificationScoresSchema>;

/** Schema of a {@link WarmingEvaluation}. */
export const warmingEvaluationSchema = z.object({
  /** Prediction rounds whose horizon had closed and were scored now. */
  rounds: z.number().int(),
  overall: classificationScoresSchema,
  byStrategy: z.record(z.enum(WARMING_STRATEGIES), classificationScoresSchema),
  /** Hybrid weights after this feedback. */
  weights: z.record(z.enum(BASE_STRATEGIES), z.number()),
});

/** Scores of the prediction rounds whose horizon has passed, overall and per strategy. */
export type WarmingEvaluation = z.output<typeof warmingEvaluationSchema>;

/** Schema of {@link WarmerMetrics}. */
export const warmerMetricsSchema = z.object({
  records: z.number().int(),
  edges: z.number().int(),
  users: z.number().int(),
  predictions: z.number().int(),
  decisions: z.number().int(),
  warmed: z.number().int(),
  warmFailures: z.number().int(),
  pendingEvaluations: z.number().int(),
  weights: z.record(z.enum(BASE_STRATEGIES), z.number()),
  lastEvaluation: warmingEvaluationSchema.nullable(),
  autoRunning: z.boolean(),
});

/** Counters and current weights of a warmer. */
export type WarmerMetrics = z.output<typeof warmerMetricsSchema>;

/** Outcome of carrying out one decision. */
export const warmOutcomeSchema = z.object({
  edge: z.string(),
  outcome: z.enum(["warmed", "already_active", "already_warming", "failed"]),
  /** Lifecycle state (or the platform's own) after the attempt. */
  state: z.string(),
  reason: z.string().optional(),
});

/** What a {@link WarmingActuator} did with one decision. */
export type WarmOutcome = z.output<typeof warmOutcomeSchema>;
