/**
 * The `ResourceScaler` node's operations: record_usage, predict_scaling, forecast, evaluate_decision,
 * start_scaler and stop_scaler on the shared {@link ResourceScaler}. Each operation has its own config
 * and output schemas, ready for the per-operation form of `defineNode`.
 *
 * @module
 */
import { z } from "zod";
import { RESOURCE_SCALER, ResourceScaler } from "../src/scaling/scaler.js";
import { decisionEvaluationSchema, demandForecastSchema, forecastHorizonSchema, scalingDecisionSchema, scalingStrategySchema } from "../src/scaling/schemas.js";
import type { NodeContext } from "../src/workflow/node.js";
import { defineNode, fromConfigOrInput } from "../src/workflow/node.js";

/** Input ports shared by the operations. */
export const resourceScalerInputs = z.object({
  /** Demand for `record_usage` when the config has none. */
  demand: z.number().finite().min(0).optional(),
  /** Decision id for `evaluate_decision` when the config has none (e.g. wired from `predict_scaling`). */
  decisionId: z.string().min(1).optional(),
  /** Actual demand for `evaluate_decision` when the config has none. */
  actualDemand: z.number().finite().min(0).optional(),
});
type Inputs = z.output<typeof resourceScalerInputs>;

const recordConfig = z.object({ service: z.string().min(1), demand: z.number().finite().min(0).optional(), instances: z.number().int().min(0).optional(), timestamp: z.number().finite().optional() });
const predictConfig = z.object({ service: z.string().min(1), strategy: scalingStrategySchema.optional(), current: z.number().int().min(0).optional() });
const forecastConfig = z.object({ service: z.string().min(1), horizon: forecastHorizonSchema.default("short") });
const evaluateConfig = z.object({ decisionId: z.string().min(1).optional(), actualDemand: z.number().finite().min(0).optional() });
const startConfig = z.object({ intervalMs: z.number().int().positive().default(15_000) });

function scaler(ctx: NodeContext): ResourceScaler {
  return ctx.infrastructure.getOrCreate(RESOURCE_SCALER, () => new ResourceScaler({}, { clock: ctx.clock }));
}

/** The operations of the `ResourceScaler` node. */
export const resourceScalerOperations = {
  record_usage: {
    config: recordConfig,
    outputs: z.object({ recorded: z.number().int() }),
    run: async (ctx: NodeContext, cfg: z.output<typeof recordConfig>, inputs: Inputs) => {
      const demand = fromConfigOrInput("record_usage", "demand", "a demand", cfg.demand, inputs.demand);
      scaler(ctx).recordUsage({ ...cfg, demand });
      return { recorded: 1 };
    },
  },
  predict_scaling: {
    config: predictConfig,
    outputs: z.object({ decision: scalingDecisionSchema }),
    run: async (ctx: NodeContext, cfg: z.output<typeof predictConfig>) => {
      const options = { ...(cfg.strategy === undefined ? {} : { strategy: cfg.strategy }), ...(cfg.current === undefined ? {} : { current: cfg.current }) };
      return { decision: scaler(ctx).predictScaling(cfg.service, options) };
    },
  },
  forecast: {
    config: forecastConfig,
    outputs: z.object({ forecast: demandForecastSchema }),
    run: async (ctx: NodeContext, cfg: z.output<typeof forecastConfig>) => ({ forecast: scaler(ctx).forecast(cfg.service, cfg.horizon) }),
  },
  evaluate_decision: {
    config: evaluateConfig,
    outputs: z.object({ evaluation: decisionEvaluationSchema }),
    run: async (ctx: NodeContext, cfg: z.output<typeof evaluateConfig>, inputs: Inputs) => {
      const id = fromConfigOrInput("evaluate_decision", "decisionId", "a decision id", cfg.decisionId, inputs.decisionId);
      const actual = fromConfigOrInput("evaluate_decision", "actualDemand", "the actual demand", cfg.actualDemand, inputs.actualDemand);
      return { evaluation: scaler(ctx).evaluateDecision(id, actual) };
    },
  },
  start_scaler: {
    config: startConfig,
    outputs: z.object({ running: z.boolean(), intervalMs: z.number() }),
    run: async (ctx: NodeContext, cfg: z.output<typeof startConfig>) => {
      scaler(ctx).start(cfg.intervalMs);
      return { running: true, intervalMs: cfg.intervalMs };
    },
  },
  stop_scaler: {
    config: z.object({}),
    outputs: z.object({ running: z.boolean() }),
    run: async (ctx: NodeContext) => {
      const engine = scaler(ctx);
      engine.stop();
      return { running: engine.isRunning() };
    },
  },
};

/**
 * The `ResourceScaler` node type. Exported as `ResourceScalerNode` because the engine class of the same name is public too.
 */
export const ResourceScalerNode = defineNode({
  type: "ResourceScaler",
  description: "Records usage and makes, forecasts and evaluates scaling decisions with KPA, HPA, predictive, scheduled or hybrid scaling.",
  inputs: resourceScalerInputs,
  operations: resourceScalerOperations,
});
