/**
 * The `ResourceOptimizer` node: records costs, and recommends (plan, spot, commitments,
 * right-sizing), computes ROI and forecasts spend on the shared {@link CostEngine}. Right-sizing
 * reads each workload's edge usage from the shared monitoring engine when one is registered.
 *
 * @module
 */
import { z } from "zod";
import { usageHistorySchema } from "../src/cost/commitments.js";
import { CostEngine, costKey, type MonitoredUsage } from "../src/cost/engine.js";
import { costAllocationSchema, costRecordSchema, SHARE_MODES } from "../src/cost/ledger-schema.js";
import { optimizeOptionsSchema, type ReportKind } from "../src/cost/optimizer.js";
import { roiOfRecommendations } from "../src/cost/roi.js";
import { commitmentSchema, costRecommendationSchema, planSchema, roiSchema, type CostPlan } from "../src/cost/schemas.js";
import { spendForecastSchema } from "../src/cost/spend-forecast.js";
import { STRATEGIES } from "../src/cost/strategies.js";
import { costWorkloadSchema } from "../src/cost/workload.js";
import { HoltWintersForecaster } from "../src/forecast/holt-winters.js";
import { LinearTrendForecaster } from "../src/forecast/linear-trend.js";
import { SeasonalNaiveForecaster } from "../src/forecast/seasonal-naive.js";
import type { Forecaster } from "../src/forecast/types.js";
import { monitoringKey } from "../src/monitoring/engine.js";
import { defineNode, fromConfigOrInput, type NodeContext } from "../src/workflow/node.js";

const workloadsSchema = z.array(costWorkloadSchema).max(1_000_000);
const planOptions = optimizeOptionsSchema.extend({
  /** Workloads; absent = taken from the `workloads` input. */
  workloads: workloadsSchema.optional(),
  /** Fill in usage missing from a workload from the shared monitoring engine (its edge's p99.5 over 14 days). */
  useMonitoring: z.boolean().default(true),
});
const ledgerWindow = z.object({ from: z.number().finite().min(0), to: z.number().finite().min(0) }).strict();

function engineOf(ctx: NodeContext): CostEngine {
  return ctx.infrastructure.getOrCreate(costKey, () => new CostEngine());
}

function monitoringOf(ctx: NodeContext, enabled: boolean): MonitoredUsage | undefined {
  const monitoring = enabled ? ctx.infrastructure.tryGet(monitoringKey) : undefined;
  return monitoring === undefined ? undefined : { store: monitoring.store, now: ctx.clock.now() };
}

type PlanConfig = z.output<typeof planOptions>;
const options = (cfg: PlanConfig): z.input<typeof optimizeOptionsSchema> => ({ strategy: cfg.strategy, amortizationMonths: cfg.amortizationMonths, spotPools: cfg.spotPools, applyFreeTier: cfg.applyFreeTier });

const FORECASTERS: Readonly<Record<"seasonal_naive" | "linear_trend" | "holt_winters", () => Forecaster>> = {
  seasonal_naive: () => new SeasonalNaiveForecaster(),
  linear_trend: () => new LinearTrendForecaster(),
  holt_winters: () => new HoltWintersForecaster(),
};

const planOutputs = z.object({ plan: planSchema, recommendations: z.array(costRecommendationSchema), monthlySavings: z.number() });

const inputs = z.object({
  workloads: workloadsSchema.optional(),
  records: z.array(costRecordSchema).optional(),
  /** Recommendations whose ROI or effect on the forecast is wanted. */
  recommendations: z.array(costRecommendationSchema).optional(),
});
type Inputs = z.output<typeof inputs>;

const recordCostConfig = z.object({ records: z.array(costRecordSchema).optional(), shareMode: z.enum(SHARE_MODES).default("proportional") });
const recordCostOutputs = z.object({ recorded: z.object({ assets: z.number().int(), usage: z.number().int(), shared: z.number().int() }), allocation: costAllocationSchema });
const commitmentConfig = z.object({
  strategy: z.enum(STRATEGIES).default("balance_cost_performance"),
  /** Usage histories; absent = the ledger's hourly history of `window` (default: the last 30 days). */
  histories: z.array(usageHistorySchema).optional(),
  window: ledgerWindow.optional(),
  fullConfidenceHours: z.number().int().min(1).default(30 * 24),
});
const commitmentOutputs = z.object({ commitments: z.array(commitmentSchema), monthlySavings: z.number() });
const roiConfig = z.object({
  /** With `monthlySavings`: ROI of these figures; absent: of the `recommendations` input. */
  implementationCost: z.number().finite().min(0).optional(),
  monthlySavings: z.number().finite().optional(),
  horizonMonths: z.number().int().min(1).max(600).default(36),
  discountRate: z.number().finite().min(0).max(1).default(0.08),
});
const roiOutputs = z.object({ roi: roiSchema });
const forecastConfig = z.object({
  /** Spend per step, oldest first; absent = the ledger's spend over `window` (default: the last 60 steps). */
  history: z.array(z.number().finite().min(0)).optional(),
  window: ledgerWindow.optional(),
  stepMs: z.number().finite().min(60_000).default(24 * 3_600_000),
  horizon: z.number().int().min(1).max(10_000).default(30),
  period: z.number().int().min(1).max(10_000).default(7),
  level: z.number().gt(0).lt(1).default(0.95),
  model: z.enum(["seasonal_naive", "linear_trend", "holt_winters"]).default("seasonal_naive"),
});
const forecastOutputs = z.object({ forecast: spendForecastSchema });
type PlanOutput = z.input<typeof planOutputs>;

function planOutput(plan: CostPlan): PlanOutput {
  return { plan, recommendations: plan.recommendations, monthlySavings: plan.monthlySavings };
}

async function recordCost(ctx: NodeContext, cfg: z.output<typeof recordCostConfig>, input: Inputs): Promise<z.input<typeof recordCostOutputs>> {
  const engine = engineOf(ctx);
  const records = fromConfigOrInput("record_cost", "records", "cost records", cfg.records, input.records);
  const recorded = engine.record(records);
  return { recorded, allocation: engine.allocate({ shareMode: cfg.shareMode }) };
}

function planRunner(operation: string, kind: ReportKind | "plan", monitored: boolean) {
  return async (ctx: NodeContext, cfg: PlanConfig, input: Inputs): Promise<PlanOutput> => {
    const workloads = fromConfigOrInput(operation, "workloads", "workloads", cfg.workloads, input.workloads);
    const monitoring = monitored ? monitoringOf(ctx, cfg.useMonitoring) : undefined;
    const engine = engineOf(ctx);
    return planOutput(kind === "plan" ? engine.optimize(workloads, options(cfg), monitoring, ctx.signal) : engine.report(kind, workloads, options(cfg), monitoring, ctx.signal));
  };
}

async function commitments(ctx: NodeContext, cfg: z.output<typeof commitmentConfig>): Promise<z.input<typeof commitmentOutputs>> {
  const engine = engineOf(ctx);
  const now = ctx.clock.now();
  const window = cfg.window ?? { from: Math.max(0, now - 30 * 24 * 3_600_000), to: now };
  const histories = cfg.histories ?? engine.ledger.usageHistory(window.from, window.to);
  const found = engine.commitments(histories, { strategy: cfg.strategy, fullConfidenceHours: cfg.fullConfidenceHours });
  return { commitments: found, monthlySavings: found.reduce((s, c) => s + c.monthlySavings, 0) };
}

async function roi(ctx: NodeContext, cfg: z.output<typeof roiConfig>, input: Inputs): Promise<z.input<typeof roiOutputs>> {
  const engine = engineOf(ctx);
  if (cfg.implementationCost !== undefined || cfg.monthlySavings !== undefined) {
    const monthlySavings = fromConfigOrInput("calculate_roi", "monthlySavings", "monthly savings", cfg.monthlySavings, undefined);
    return { roi: engine.roi({ implementationCost: cfg.implementationCost ?? 0, monthlySavings, horizonMonths: cfg.horizonMonths, discountRate: cfg.discountRate }) };
  }
  const recommendations = fromConfigOrInput("calculate_roi", "recommendations", "recommendations (or implementationCost and monthlySavings)", undefined, input.recommendations);
  return { roi: roiOfRecommendations(recommendations, { horizonMonths: cfg.horizonMonths, discountRate: cfg.discountRate }) };
}

async function forecast(ctx: NodeContext, cfg: z.output<typeof forecastConfig>, input: Inputs): Promise<z.input<typeof forecastOutputs>> {
  const engine = engineOf(ctx);
  const now = ctx.clock.now();
  const window = cfg.window ?? { from: Math.max(0, now - 60 * cfg.stepMs), to: now };
  const history = cfg.history ?? engine.ledger.spendSeries(window.from, window.to, cfg.stepMs);
  const optimizations = (input.recommendations ?? []).map((r) => ({ id: r.id, monthlySavings: r.monthlySavings }));
  const result = await engine.forecast(
    { history, historyEnd: cfg.history === undefined ? window.to : now, stepMs: cfg.stepMs, horizon: cfg.horizon, period: cfg.period, level: cfg.level, optimizations },
    FORECASTERS[cfg.model](),
    ctx.signal,
  );
  return { forecast: result };
}

/** The `ResourceOptimizer` node type. */
export const ResourceOptimizer = defineNode({
  type: "ResourceOptimizer",
  description: "Records costs and recommends cheaper configurations (spot, commitments, right-sizing, functions, moves) with ROI and spend forecasts.",
  inputs,
  operations: {
    record_cost: { config: recordCostConfig, outputs: recordCostOutputs, run: recordCost },
    optimize: { config: planOptions, outputs: planOutputs, run: planRunner("optimize", "plan", true) },
    spot_recommendations: { config: planOptions, outputs: planOutputs, run: planRunner("spot_recommendations", "spot", false) },
    rightsizing: { config: planOptions, outputs: planOutputs, run: planRunner("rightsizing", "rightsizing", true) },
    commitment_recommendations: { config: commitmentConfig, outputs: commitmentOutputs, run: commitments },
    calculate_roi: { config: roiConfig, outputs: roiOutputs, run: roi },
    forecast: { config: forecastConfig, outputs: forecastOutputs, run: forecast },
  },
});
