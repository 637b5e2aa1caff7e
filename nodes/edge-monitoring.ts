/**
 * The `EdgeMonitoring` node: records and queries metrics, reports health, alerts and analytics, sets
 * thresholds, and starts or stops the periodic monitor of the shared {@link MonitoringEngine}.
 *
 * @module
 */
import { z } from "zod";
import { alertRuleSchema } from "../src/monitoring/alerts.js";
import type { SeriesAnalytics } from "../src/monitoring/analytics.js";
import { MonitoringEngine, monitoringKey, type MonitoringSummary } from "../src/monitoring/engine.js";
import type { Recommendation } from "../src/monitoring/recommendations.js";
import type { Alert, AlertRule, EdgeHealth } from "../src/monitoring/types.js";
import { queryInputSchema, recordInputSchema, type SeriesStats } from "../src/monitoring/store.js";
import { EDGE_INFRASTRUCTURE } from "../src/infra/infrastructure.js";
import { defineNode, enginePort, fromConfigOrInput, type NodeContext } from "../src/workflow/node.js";

function engineOf(ctx: NodeContext): MonitoringEngine {
  return ctx.infrastructure.getOrCreate(monitoringKey, () => new MonitoringEngine({ clock: ctx.clock }));
}

const edgeId = z.string().min(1);

export const EdgeMonitoring = defineNode({
  type: "EdgeMonitoring",
  description: "Records metrics and reports health, alerts, analytics and summaries of the edges.",
  inputs: z.object({
    /** Value for `record_metric` when the config has none. */
    value: z.number().optional(),
    /** Extra samples recorded atomically with `record_metric`. */
    samples: z.array(recordInputSchema).optional(),
  }),
  operations: {
    record_metric: {
      description: "Records one sample (and the `samples` input with it, all or nothing).",
      config: z.object({
        edgeId,
        metric: z.string().min(1),
        /** The value; absent = taken from the `value` input. */
        value: z.number().optional(),
        labels: z.record(z.string(), z.string()).optional(),
        timestamp: z.number().finite().optional(),
      }),
      outputs: z.object({ recorded: z.number().int().min(0) }),
      run: async (ctx, cfg, inputs) => {
        const engine = engineOf(ctx);
        const value = fromConfigOrInput(cfg.operation, "value", "a value", cfg.value, inputs.value);
        const sample = { edgeId: cfg.edgeId, metric: cfg.metric, value, labels: cfg.labels, timestamp: cfg.timestamp ?? ctx.clock.now() };
        if (inputs.samples !== undefined && inputs.samples.length > 0) {
          engine.recordBatch([sample, ...inputs.samples]);
          return { recorded: 1 + inputs.samples.length };
        }
        engine.record(sample);
        return { recorded: 1 };
      },
    },
    query_metrics: {
      description: "Statistics of the series matching a query.",
      config: queryInputSchema,
      outputs: z.object({ series: z.array(enginePort<SeriesStats>("series statistics")) }),
      run: async (ctx, cfg) => {
        const { operation: _op, ...query } = cfg;
        return { series: engineOf(ctx).query(query) };
      },
    },
    get_health: {
      description: "Health of one edge or of all.",
      config: z.object({
        edgeId: edgeId.optional(),
        /**
         * Also write each edge's status into the shared edge registry (when the infrastructure is an
         * `EdgeInfrastructure` and lists the edge), so placement filters on what monitoring sees.
         */
        publish: z.boolean().default(false),
      }),
      outputs: z.object({
        /** One entry per edge asked for (one when `edgeId` is set). */
        health: z.array(enginePort<EdgeHealth>("an edge health")),
      }),
      run: async (ctx, cfg) => {
        const engine = engineOf(ctx);
        const health = cfg.edgeId === undefined ? engine.healthAll() : [engine.health(cfg.edgeId)];
        if (cfg.publish) {
          const registry = ctx.infrastructure.tryGet(EDGE_INFRASTRUCTURE);
          for (const entry of health) {
            if (registry?.tryGetEdge(entry.edgeId) !== undefined) registry.setHealth(entry.edgeId, entry.status);
          }
        }
        return { health };
      },
    },
    get_alerts: {
      config: z.object({
        edgeId: edgeId.optional(),
        state: z.enum(["pending", "firing", "resolved"]).optional(),
        includeResolved: z.boolean().default(false),
      }),
      outputs: z.object({ alerts: z.array(enginePort<Alert>("an alert")) }),
      run: async (ctx, cfg) => ({ alerts: engineOf(ctx).alerts({ edgeId: cfg.edgeId, state: cfg.state, includeResolved: cfg.includeResolved }) }),
    },
    get_analytics: {
      description: "Trends, anomalies, forecasts and recommendations per series.",
      config: z.object({
        edgeId: edgeId.optional(),
        metric: z.string().min(1).optional(),
        /** Look back this far from now (ms); absent = everything retained. */
        windowMs: z.number().int().positive().optional(),
      }),
      outputs: z.object({
        series: z.array(enginePort<SeriesAnalytics>("series analytics")),
        recommendations: z.array(enginePort<Recommendation>("a recommendation")),
      }),
      run: async (ctx, cfg) => {
        const now = ctx.clock.now();
        return engineOf(ctx).analytics({ edgeId: cfg.edgeId, metric: cfg.metric, from: cfg.windowMs === undefined ? undefined : now - cfg.windowMs, to: now });
      },
    },
    set_threshold: {
      config: z.object({ rule: alertRuleSchema }),
      outputs: z.object({ rule: enginePort<AlertRule>("an alert rule") }),
      run: async (ctx, cfg) => ({ rule: engineOf(ctx).setThreshold(cfg.rule) }),
    },
    get_summary: {
      description: "A JSON summary of the fleet, or the Prometheus text exposition of every metric.",
      config: z.object({ format: z.enum(["json", "prometheus"]).default("json") }),
      outputs: z.object({
        /** With `format: "json"`. */
        summary: enginePort<MonitoringSummary>("a monitoring summary").optional(),
        /** With `format: "prometheus"`: the text exposition format. */
        text: z.string().optional(),
      }),
      run: async (ctx, cfg) => {
        const engine = engineOf(ctx);
        return cfg.format === "prometheus" ? { text: await engine.prometheus() } : { summary: engine.summary() };
      },
    },
    start_monitor: {
      config: z.object({ intervalMs: z.number().int().positive().default(15_000) }),
      outputs: z.object({ running: z.literal(true), intervalMs: z.number() }),
      run: async (ctx, cfg) => engineOf(ctx).startMonitor(cfg.intervalMs),
    },
    stop_monitor: {
      config: z.object({}),
      outputs: z.object({ stopped: z.boolean() }),
      run: async (ctx) => ({ stopped: engineOf(ctx).stopMonitor() }),
    },
  },
});
