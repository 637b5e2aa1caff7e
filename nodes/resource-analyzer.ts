/**
 * The `ResourceAnalyzer` node's operations: record_metric, analyze, trends and recommendations on the
 * shared {@link ResourceAnalyzer}. Each operation has its own config and output schemas, ready for
 * the per-operation form of `defineNode`.
 *
 * @module
 */
import { z } from "zod";
import { RESOURCE_ANALYZER, ResourceAnalyzer } from "../src/resources/analyzer.js";
import { resourceAnalysisSchema, resourceMetricKindSchema, resourceMetricSchema, resourceRecommendationSchema, resourceTrendSchema } from "../src/resources/analyzer-schemas.js";
import type { NodeContext } from "../src/workflow/node.js";
import { defineNode, fromConfigOrInput } from "../src/workflow/node.js";

/** Input ports shared by the operations. */
export const resourceAnalyzerInputs = z.object({
  /** Value for `record_metric` when the config has none. */
  value: z.number().finite().min(0).optional(),
  /** More samples recorded with `record_metric`, after the configured one, in order. */
  metrics: z.array(resourceMetricSchema).optional(),
});
type Inputs = z.output<typeof resourceAnalyzerInputs>;

const recordConfig = z.object({
  edgeId: z.string().min(1),
  resource: z.string().min(1),
  kind: resourceMetricKindSchema.default("utilization"),
  value: z.number().finite().min(0).optional(),
  timestamp: z.number().finite().optional(),
});
const trendsConfig = z.object({ horizonMs: z.number().int().positive().default(86_400_000) });

function analyzer(ctx: NodeContext): ResourceAnalyzer {
  return ctx.infrastructure.getOrCreate(RESOURCE_ANALYZER, () => new ResourceAnalyzer({}, { clock: ctx.clock }));
}

/** The operations of the `ResourceAnalyzer` node. */
export const resourceAnalyzerOperations = {
  record_metric: {
    config: recordConfig,
    outputs: z.object({ recorded: z.number().int() }),
    run: async (ctx: NodeContext, cfg: z.output<typeof recordConfig>, inputs: Inputs) => {
      const value = fromConfigOrInput("record_metric", "value", "a value", cfg.value, inputs.value);
      const engine = analyzer(ctx);
      const batch = [{ ...cfg, value }, ...(inputs.metrics ?? [])];
      engine.recordMetric(batch[0] ?? { ...cfg, value });
      for (const m of batch.slice(1)) engine.recordMetric(m);
      return { recorded: batch.length };
    },
  },
  analyze: {
    config: z.object({}),
    outputs: z.object({ analysis: resourceAnalysisSchema }),
    run: async (ctx: NodeContext) => ({ analysis: analyzer(ctx).analyze() }),
  },
  trends: {
    config: trendsConfig,
    outputs: z.object({ trends: z.array(resourceTrendSchema) }),
    run: async (ctx: NodeContext, cfg: z.output<typeof trendsConfig>) => ({ trends: analyzer(ctx).trends(cfg.horizonMs) }),
  },
  recommendations: {
    config: z.object({}),
    outputs: z.object({ recommendations: z.array(resourceRecommendationSchema) }),
    run: async (ctx: NodeContext) => ({ recommendations: analyzer(ctx).recommendations() }),
  },
};

/**
 * The `ResourceAnalyzer` node type. Exported as `ResourceAnalyzerNode` because the engine class of the same name is public too.
 */
export const ResourceAnalyzerNode = defineNode({
  type: "ResourceAnalyzer",
  description: "Records resource metrics and reports patterns, bottlenecks, anomalies, trends, health and recommendations.",
  inputs: resourceAnalyzerInputs,
  operations: resourceAnalyzerOperations,
});
