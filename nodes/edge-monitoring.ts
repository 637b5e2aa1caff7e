/**
 * The `EdgeMonitoring` node: records and queries metrics, reports health, alerts and analytics, sets
 * thresholds, and starts or stops the periodic monitor of the shared {@link MonitoringEngine}.
 *
 * @module
 */
import { z } from "zod";
import { alertRuleSchema } from "../src/monitoring/alerts.js";
import { MonitoringEngine, monitoringKey } from "../src/monitoring/engine.js";
import { queryInputSchema, recordInputSchema } from "../src/monitoring/store.js";
import { EDGE_INFRASTRUCTURE } from "../src/infra/infrastructure.js";
import { defineNode, fromConfigOrInput } from "../src/workflow/node.js";

const config = z.discriminatedUnion("operation", [
  z.object({
    operation: z.literal("record_metric"),
    edgeId: z.string().min(1),
    metric: z.string().min(1),
    /** The value; absent = taken from the `value` input. */
    value: z.number().optional(),
    labels: z.record(z.string(), z.string()).optional(),
    timestamp: z.number().finite().optional(),
  }),
  queryInputSchema.extend({ operation: z.literal("query_metrics") }),
  z.object({
    operation: z.literal("get_health"),
    edgeId: z.string().min(1).optional(),
    /**
     * Also write each edge's status into the shared edge registry (when the infrastructure is an
     * `EdgeInfrastructure` and lists the edge), so placement filters on what monitoring sees.
     */
    publish: z.boolean().default(false),
  }),
  z.object({
    operation: z.literal("get_alerts"),
    edgeId: z.string().min(1).optional(),
    state: z.enum(["pending", "firing", "resolved"]).optional(),
    includeResolved: z.boolean().default(false),
  }),
  z.object({
    operation: z.literal("get_analytics"),
    edgeId: z.string().min(1).optional(),
    metric: z.string().min(1).optional(),
    /** Look back this far from now (ms); absent = everything retained. */
    windowMs: z.number().int().positive().optional(),
  }),
  z.object({ operation: z.literal("set_threshold"), rule: alertRuleSchema }),
  z.object({ operation: z.literal("get_summary"), format: z.enum(["json", "prometheus"]).default("json") }),
  z.object({ operation: z.literal("start_monitor"), intervalMs: z.number().int().positive().default(15_000) }),
  z.object({ operation: z.literal("stop_monitor") }),
]);

export const EdgeMonitoring = defineNode({
  type: "EdgeMonitoring",
  description: "Records metrics and reports health, alerts, analytics and summaries of the edges.",
  config,
  inputs: z.object({
    /** Value for `record_metric` when the config has none. */
    value: z.number().optional(),
    /** Extra samples recorded atomically with `record_metric`. */
    samples: z.array(recordInputSchema).optional(),
  }),
  outputs: z.object({ result: z.unknown() }),
  run: async (ctx, cfg, inputs) => {
    const engine = ctx.infrastructure.getOrCreate(monitoringKey, () => new MonitoringEngine({ clock: ctx.clock }));
    const now = ctx.clock.now();
    switch (cfg.operation) {
      case "record_metric": {
        const value = fromConfigOrInput(cfg.operation, "value", "a value", cfg.value, inputs.value);
        const sample = { edgeId: cfg.edgeId, metric: cfg.metric, value, labels: cfg.labels, timestamp: cfg.timestamp ?? now };
        if (inputs.samples !== undefined && inputs.samples.length > 0) {
          engine.recordBatch([sample, ...inputs.samples]);
          return { result: { recorded: 1 + inputs.samples.length } };
        }
        engine.record(sample);
        return { result: { recorded: 1 } };
      }
      case "query_metrics": {
        const { operation: _op, ...query } = cfg;
        return { result: engine.query(query) };
      }
      case "get_health": {
        const result = cfg.edgeId === undefined ? engine.healthAll() : engine.health(cfg.edgeId);
        if (cfg.publish) {
          const registry = ctx.infrastructure.tryGet(EDGE_INFRASTRUCTURE);
          for (const health of Array.isArray(result) ? result : [result]) {
            if (registry?.tryGetEdge(health.edgeId) !== undefined) registry.setHealth(health.edgeId, health.status);
          }
        }
        return { result };
      }
      case "get_alerts":
        return { result: engine.alerts({ edgeId: cfg.edgeId, state: cfg.state, includeResolved: cfg.includeResolved }) };
      case "get_analytics":
        return { result: engine.analytics({ edgeId: cfg.edgeId, metric: cfg.metric, from: cfg.windowMs === undefined ? undefined : now - cfg.windowMs, to: now }) };
      case "set_threshold":
        return { result: engine.setThreshold(cfg.rule) };
      case "get_summary":
        return { result: cfg.format === "prometheus" ? await engine.prometheus() : engine.summary() };
      case "start_monitor":
        return { result: engine.startMonitor(cfg.intervalMs) };
      case "stop_monitor":
        return { result: { stopped: engine.stopMonitor() } };
    }
  },
});
