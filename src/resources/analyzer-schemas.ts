/**
 * Schemas and types of the resource analyzer's inputs and findings.
 *
 * @module
 */
import { z } from "zod";

/** What a recorded value measures. */
export const resourceMetricKindSchema = z.enum(["utilization", "allocation", "throttled", "wait", "failures"]);
/** What a recorded value measures: `utilization` and `allocation` as fractions of capacity, `throttled` as
 * the fraction of time throttled, `wait` in ms spent queued for resources, `failures` as refused requests. */
export type ResourceMetricKind = z.infer<typeof resourceMetricKindSchema>;

/** Schema of one recorded value. */
export const resourceMetricSchema = z.object({
  edgeId: z.string().min(1),
  resource: z.string().min(1),
  kind: resourceMetricKindSchema.default("utilization"),
  value: z.number().finite().min(0),
  timestamp: z.number().finite().optional(),
});
/** What a caller may pass to `ResourceAnalyzer.recordMetric`. */
export type ResourceMetricInput = z.input<typeof resourceMetricSchema>;

/** Evidence behind a finding: the metric, its value and the threshold it crossed. */
export const evidenceSchema = z.object({ metric: z.string(), value: z.number(), threshold: z.number().optional(), note: z.string().optional() });
/** One fact a finding rests on. */
export type Evidence = z.infer<typeof evidenceSchema>;

/** Schema of a pattern. */
export const resourcePatternSchema = z.object({
  type: z.enum(["periodic", "spike", "growth", "imbalance"]),
  edgeId: z.string().optional(),
  resource: z.string(),
  description: z.string(),
  /** Period in ms for `periodic`. */
  periodMs: z.number().optional(),
  strength: z.number(),
  evidence: z.array(evidenceSchema),
});
/** A recurring shape in the data. */
export type ResourcePattern = z.infer<typeof resourcePatternSchema>;

/** Schema of a bottleneck. */
export const bottleneckSchema = z.object({
  type: z.enum(["capacity", "allocation", "contention", "fragmentation", "throttling"]),
  edgeId: z.string().optional(),
  resource: z.string(),
  severity: z.enum(["low", "medium", "high"]),
  description: z.string(),
  evidence: z.array(evidenceSchema),
});
/** Something that limits how much work the edges can take. */
export type Bottleneck = z.infer<typeof bottleneckSchema>;

/** Schema of an anomaly. */
export const resourceAnomalySchema = z.object({ edgeId: z.string(), resource: z.string(), kind: resourceMetricKindSchema, timestamp: z.number(), value: z.number(), score: z.number() });
/** A value the anomaly detector flagged. */
export type ResourceAnomaly = z.infer<typeof resourceAnomalySchema>;

/** Schema of a trend. */
export const resourceTrendSchema = z.object({
  edgeId: z.string(),
  resource: z.string(),
  kind: resourceMetricKindSchema,
  direction: z.enum(["increasing", "decreasing", "flat"]),
  slopePerHour: z.number(),
  r2: z.number(),
  pValue: z.number(),
  current: z.number(),
  /** Value projected at `projectedAt`. */
  projected: z.number(),
  projectedAt: z.number(),
  /** When utilisation reaches 1 at this slope, if it is rising. */
  exhaustionAt: z.number().optional(),
});
/** A least-squares trend with its projection. */
export type ResourceTrend = z.infer<typeof resourceTrendSchema>;

/** Schema of the health score. */
export const resourceHealthSchema = z.object({
  score: z.number().min(0).max(100),
  status: z.enum(["healthy", "degraded", "critical"]),
  /** What took points off, and how many. */
  deductions: z.array(z.object({ reason: z.string(), points: z.number() })),
});
/** A 0-100 health score with its deductions. */
export type ResourceHealth = z.infer<typeof resourceHealthSchema>;

/** Schema of a recommendation. */
export const resourceRecommendationSchema = z.object({
  action: z.enum(["scale_up", "add_capacity", "scale_down", "rebalance", "defragment", "right_size", "raise_limits", "schedule_scaling", "investigate"]),
  edgeId: z.string().optional(),
  resource: z.string(),
  priority: z.enum(["low", "medium", "high"]),
  message: z.string(),
  evidence: z.array(evidenceSchema),
});
/** What to do about a finding, and the facts behind it. */
export type ResourceRecommendation = z.infer<typeof resourceRecommendationSchema>;

/** Schema of a full analysis. */
export const resourceAnalysisSchema = z.object({
  analyzedAt: z.number(),
  series: z.number().int(),
  patterns: z.array(resourcePatternSchema),
  bottlenecks: z.array(bottleneckSchema),
  anomalies: z.array(resourceAnomalySchema),
  health: resourceHealthSchema,
});
/** Patterns, bottlenecks, anomalies and health at one instant. */
export type ResourceAnalysis = z.infer<typeof resourceAnalysisSchema>;
