/**
 * The `EdgeWarming` node: records usage, predicts which edges need warm capacity, warms them through
 * the lifecycle engine, evaluates past predictions, reports metrics, and starts or stops the automatic
 * loop of the shared {@link PredictiveWarmer} (which runs on the injected clock).
 *
 * Each operation has its own config and typed output ports.
 *
 * @module
 */
import { z } from "zod";
import { EDGE_INFRASTRUCTURE } from "../src/infra/infrastructure.js";
import { EDGE_LIFECYCLE, EdgeLifecycle } from "../src/lifecycle/lifecycle.js";
import {
  PredictiveWarmer,
  WARMER,
  WARMING_STRATEGIES,
  usageRecordSchema,
  warmOutcomeSchema,
  warmerMetricsSchema,
  warmingDecisionSchema,
  warmingEvaluationSchema,
} from "../src/warming/index.js";
import { defineNode, type NodeContext } from "../src/workflow/node.js";

/** The shared warmer; created on first use with the run's clock and random, on the shared lifecycle engine. */
export function warmerFor(ctx: NodeContext): PredictiveWarmer {
  const registry = ctx.infrastructure;
  return registry.getOrCreate(WARMER, () => {
    const lifecycle = registry.getOrCreate(EDGE_LIFECYCLE, () => new EdgeLifecycle({ clock: ctx.clock, infrastructure: registry.tryGet(EDGE_INFRASTRUCTURE) }));
    return new PredictiveWarmer({ clock: ctx.clock, random: ctx.random.fork("warming"), lifecycle });
  });
}

const usageList = z.array(usageRecordSchema);

/** Input ports shared by every operation. */
const inputs = z.object({
  /** Usage records for `record_usage` (added to the config's). */
  usage: usageList.optional(),
  /** Decisions for `warm` (instead of predicting afresh). */
  decisions: z.array(warmingDecisionSchema).optional(),
});

const strategy = z.enum(WARMING_STRATEGIES);

/**
 * Predictive warming as a workflow node.
 *
 * @example
 * ```ts
 * builder
 *   .addNode("EdgeWarming", "record", { operation: "record_usage" })
 *   .addNode("EdgeWarming", "predict", { operation: "predict", horizonMs: 600_000 })
 *   .addNode("EdgeWarming", "warm", { operation: "warm" })
 *   .connect("predict", "decisions", "warm", "decisions");
 * ```
 */
export const EdgeWarming = defineNode({
  type: "EdgeWarming",
  description: "Predicts which edges need warm capacity from recorded usage and warms them through the edge lifecycle.",
  inputs,
  operations: {
    record_usage: {
      description: "Records usage (edge, user, location, workload type, time, resources); all or nothing.",
      config: z.object({ usage: usageList.optional() }),
      outputs: z.object({ recorded: z.number().int() }),
      run: async (ctx, config, ports) => ({ recorded: warmerFor(ctx).recordUsage([...(config.usage ?? []), ...(ports.usage ?? [])]) }),
    },
    predict: {
      description: "Predicts the edges that need warm capacity within the horizon.",
      config: z.object({ horizonMs: z.number().positive().optional(), strategy: strategy.optional() }),
      outputs: z.object({ decisions: z.array(warmingDecisionSchema) }),
      run: async (ctx, config) => ({ decisions: [...warmerFor(ctx).predict(definedOnly({ horizonMs: config.horizonMs, strategy: config.strategy }))] }),
    },
    warm: {
      description: "Warms the given decisions (or freshly predicted ones) through the actuator.",
      config: z.object({ horizonMs: z.number().positive().optional(), strategy: strategy.optional() }),
      outputs: z.object({ decisions: z.array(warmingDecisionSchema), outcomes: z.array(warmOutcomeSchema) }),
      run: async (ctx, config, ports) => {
        const warmer = warmerFor(ctx);
        const decisions = ports.decisions ?? [...warmer.predict(definedOnly({ horizonMs: config.horizonMs, strategy: config.strategy }))];
        return { decisions, outcomes: [...(await warmer.warm(decisions, { signal: ctx.signal }))] };
      },
    },
    evaluate: {
      description: "Scores past predictions against the usage that followed and adapts the hybrid weights.",
      config: z.object({}),
      outputs: z.object({ evaluation: warmingEvaluationSchema }),
      run: async (ctx) => ({ evaluation: warmerFor(ctx).evaluate() }),
    },
    metrics: {
      description: "Counters, hybrid weights and the last evaluation.",
      config: z.object({}),
      outputs: z.object({ metrics: warmerMetricsSchema }),
      run: async (ctx) => ({ metrics: warmerFor(ctx).metrics() }),
    },
    start_auto: {
      description: "Predicts, warms and evaluates every intervalMs on the injected clock.",
      config: z.object({ intervalMs: z.number().positive(), horizonMs: z.number().positive().optional(), strategy: strategy.optional(), warm: z.boolean().optional() }),
      outputs: z.object({ running: z.boolean() }),
      run: async (ctx, config) => {
        const warmer = warmerFor(ctx);
        warmer.startAuto({ intervalMs: config.intervalMs, ...definedOnly({ horizonMs: config.horizonMs, strategy: config.strategy, warm: config.warm }) });
        return { running: warmer.metrics().autoRunning };
      },
    },
    stop_auto: {
      description: "Stops the automatic loop.",
      config: z.object({}),
      outputs: z.object({ running: z.boolean() }),
      run: async (ctx) => {
        const warmer = warmerFor(ctx);
        warmer.stopAuto();
        return { running: warmer.metrics().autoRunning };
      },
    },
  },
});

function definedOnly<T extends Record<string, unknown>>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}
