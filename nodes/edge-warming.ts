/**
 * The `EdgeWarming` node: records usage, predicts which edges need warm capacity, warms them through
 * the lifecycle engine, evaluates past predictions, reports metrics, and starts or stops the automatic
 * loop of the shared {@link PredictiveWarmer} (which runs on the injected clock).
 *
 * Each operation has its own config and typed outputs (see {@link edgeWarmingOperations}).
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
import type { NodeContext } from "../src/workflow/node.js";

/** The shared warmer; created on first use with the run's clock and random, on the shared lifecycle engine. */
export function warmerFor(ctx: NodeContext): PredictiveWarmer {
  const registry = ctx.infrastructure;
  return registry.getOrCreate(WARMER, () => {
    const lifecycle = registry.getOrCreate(EDGE_LIFECYCLE, () => new EdgeLifecycle({ clock: ctx.clock, infrastructure: registry.tryGet(EDGE_INFRASTRUCTURE) }));
    return new PredictiveWarmer({ clock: ctx.clock, random: ctx.random.fork("warming"), lifecycle });
  });
}

const usageList = z.array(usageRecordSchema);
const predictConfig = z.object({ horizonMs: z.number().positive().optional(), strategy: z.enum(WARMING_STRATEGIES).optional() });

/** Input ports shared by every operation. */
export const edgeWarmingInputs = z.object({
  /** Usage records for `record_usage` (added to the config's). */
  usage: usageList.optional(),
  /** Decisions for `warm` (instead of predicting afresh). */
  decisions: z.array(warmingDecisionSchema).optional(),
});

type Inputs = z.output<typeof edgeWarmingInputs>;

/** The operations of `EdgeWarming`: config, typed outputs and what each does. */
export const edgeWarmingOperations = {
  record_usage: {
    config: z.object({ usage: usageList.optional() }),
    outputs: z.object({ recorded: z.number().int() }),
    run: async (ctx: NodeContext, config: { usage?: z.input<typeof usageList> | undefined }, inputs: Inputs) => ({
      recorded: warmerFor(ctx).recordUsage([...(config.usage ?? []), ...(inputs.usage ?? [])]),
    }),
  },
  predict: {
    config: predictConfig,
    outputs: z.object({ decisions: z.array(warmingDecisionSchema) }),
    run: async (ctx: NodeContext, config: z.output<typeof predictConfig>) => ({ decisions: [...warmerFor(ctx).predict(stripUndefined(config))] }),
  },
  warm: {
    config: predictConfig,
    outputs: z.object({ decisions: z.array(warmingDecisionSchema), outcomes: z.array(warmOutcomeSchema) }),
    run: async (ctx: NodeContext, config: z.output<typeof predictConfig>, inputs: Inputs) => {
      const warmer = warmerFor(ctx);
      const decisions = inputs.decisions ?? [...warmer.predict(stripUndefined(config))];
      return { decisions, outcomes: [...(await warmer.warm(decisions, { signal: ctx.signal }))] };
    },
  },
  evaluate: {
    config: z.object({}),
    outputs: z.object({ evaluation: warmingEvaluationSchema }),
    run: async (ctx: NodeContext) => ({ evaluation: warmerFor(ctx).evaluate() }),
  },
  metrics: {
    config: z.object({}),
    outputs: z.object({ metrics: warmerMetricsSchema }),
    run: async (ctx: NodeContext) => ({ metrics: warmerFor(ctx).metrics() }),
  },
  start_auto: {
    config: z.object({ intervalMs: z.number().positive(), horizonMs: z.number().positive().optional(), strategy: z.enum(WARMING_STRATEGIES).optional(), warm: z.boolean().optional() }),
    outputs: z.object({ running: z.boolean() }),
    run: async (ctx: NodeContext, config: { intervalMs: number; horizonMs?: number | undefined; strategy?: (typeof WARMING_STRATEGIES)[number] | undefined; warm?: boolean | undefined }) => {
      const warmer = warmerFor(ctx);
      warmer.startAuto({ intervalMs: config.intervalMs, ...stripUndefined({ horizonMs: config.horizonMs, strategy: config.strategy, warm: config.warm }) });
      return { running: warmer.metrics().autoRunning };
    },
  },
  stop_auto: {
    config: z.object({}),
    outputs: z.object({ running: z.boolean() }),
    run: async (ctx: NodeContext) => {
      const warmer = warmerFor(ctx);
      warmer.stopAuto();
      return { running: warmer.metrics().autoRunning };
    },
  },
};

function stripUndefined<T extends Record<string, unknown>>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}
