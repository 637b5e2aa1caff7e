import { describe, expect, it } from "vitest";
import { register } from "prom-client";
import { ManualClock } from "../../src/core/clock.js";
import { ValidationError } from "../../src/core/errors.js";
import { ServiceRegistry } from "../../src/core/services.js";
import { MonitoringEngine, monitoringKey } from "../../src/monitoring/engine.js";
import { EdgeMonitoring } from "../../nodes/edge-monitoring.js";
import { EdgeInfrastructure } from "../../src/infra/infrastructure.js";
import { runOperation } from "../../src/workflow/run-node.js";
import { testNodeContext } from "../support/node-context.js";

function context(): { clock: ManualClock; ctx: ReturnType<typeof testNodeContext>; engine: MonitoringEngine } {
  const clock = new ManualClock(0);
  const infrastructure = new ServiceRegistry();
  const engine = infrastructure.register(monitoringKey, new MonitoringEngine({ clock, config: { anomalyDetection: { enabled: false } } }));
  return { clock, ctx: testNodeContext({ clock, infrastructure }), engine };
}


describe("EdgeMonitoring node", () => {
  it("records, queries and reports health", async () => {
    const { ctx } = context();
    await runOperation(EdgeMonitoring, "record_metric", { edgeId: "edge-1", metric: "latency", value: 120 }, {}, ctx);
    await runOperation(EdgeMonitoring, "record_metric", { edgeId: "edge-1", metric: "latency" }, { value: 80 }, ctx);
    const { series } = await runOperation(EdgeMonitoring, "query_metrics", { edgeId: "edge-1", metric: "latency" }, {}, ctx);
    expect(series[0]?.stats).toMatchObject({ count: 2, mean: 100 });
    const { health } = await runOperation(EdgeMonitoring, "get_health", { edgeId: "edge-1" }, {}, ctx);
    expect(health[0]?.status).toBe("healthy");
  });

  it("publishes health into the edge registry when asked, so placement sees it", async () => {
    const clock = new ManualClock(0);
    const infrastructure = new EdgeInfrastructure({ clock });
    infrastructure.registerEdge({ id: "edge-1", region: "eu", coordinates: { lat: 50, lon: 8 }, capacity: { cpu: 1, memoryMb: 1 }, health: "healthy" });
    infrastructure.register(monitoringKey, new MonitoringEngine({ clock, config: { anomalyDetection: { enabled: false } } }));
    const ctx = testNodeContext({ clock, infrastructure });
    await runOperation(EdgeMonitoring, "record_metric", { edgeId: "edge-1", metric: "latency", value: 5_000 }, {}, ctx);
    await runOperation(EdgeMonitoring, "record_metric", { edgeId: "edge-unregistered", metric: "latency", value: 5_000 }, {}, ctx);
    await runOperation(EdgeMonitoring, "get_health", {}, {}, ctx);
    expect(infrastructure.getEdge("edge-1").health).toBe("healthy");
    await runOperation(EdgeMonitoring, "get_health", { publish: true }, {}, ctx);
    expect(infrastructure.getEdge("edge-1").health).toBe("unhealthy");
    expect(infrastructure.tryGetEdge("edge-unregistered")).toBeUndefined();
  });

  it("refuses a sample without a value and an unknown metric type", async () => {
    const { ctx } = context();
    await expect(runOperation(EdgeMonitoring, "record_metric", { edgeId: "edge-1", metric: "latency" }, {}, ctx)).rejects.toBeInstanceOf(ValidationError);
    await expect(runOperation(EdgeMonitoring, "record_metric", { edgeId: "edge-1", metric: "latencyy", value: 1 }, {}, ctx)).rejects.toThrow(/unknown metric type/);
  });

  it("sets thresholds, and the monitor it starts fires alerts on clock time until stopped", async () => {
    const { clock, ctx, engine } = context();
    await runOperation(EdgeMonitoring, "set_threshold", { rule: { metric: "error_rate", direction: "above", thresholds: { critical: 20 }, forMs: 20_000 } }, {}, ctx);
    await runOperation(EdgeMonitoring, "start_monitor", { intervalMs: 10_000 }, {}, ctx);
    await runOperation(EdgeMonitoring, "record_metric", { edgeId: "edge-1", metric: "error_rate", value: 30 }, {}, ctx);
    clock.advance(10_000);
    expect(engine.alerts()[0]?.state).toBe("pending");
    await runOperation(EdgeMonitoring, "record_metric", { edgeId: "edge-1", metric: "error_rate", value: 30 }, {}, ctx);
    clock.advance(20_000);
    const { alerts } = await runOperation(EdgeMonitoring, "get_alerts", { state: "firing" }, {}, ctx);
    expect(alerts.map((a) => a.severity)).toEqual(["critical"]);
    expect(await runOperation(EdgeMonitoring, "stop_monitor", {}, {}, ctx)).toEqual({ stopped: true });
    expect(clock.pendingTimers()).toBe(0);
    expect(await runOperation(EdgeMonitoring, "stop_monitor", {}, {}, ctx)).toEqual({ stopped: false });
  });

  it("returns analytics with recommendations and a JSON summary", async () => {
    const { clock, ctx } = context();
    for (let i = 0; i < 40; i++) {
      await runOperation(EdgeMonitoring, "record_metric", { edgeId: "edge-1", metric: "resource_usage", value: 20 + i }, {}, ctx);
      clock.advance(60_000);
    }
    const analytics = await runOperation(EdgeMonitoring, "get_analytics", { edgeId: "edge-1", windowMs: 3_600_000 }, {}, ctx);
    expect(analytics.series[0]?.trend.direction).toBe("increasing");
    expect(analytics.recommendations.map((r) => r.action)).toContain("scale_out");
    const { summary } = await runOperation(EdgeMonitoring, "get_summary", {}, {}, ctx);
    expect(summary).toMatchObject({ series: 1, samples: 40 });
  });

  it("exports Prometheus text from a private registry", async () => {
    const { ctx } = context();
    await runOperation(EdgeMonitoring, "record_metric", { edgeId: "edge-1", metric: "latency", value: 42, labels: { route: "/api" } }, {}, ctx);
    await runOperation(EdgeMonitoring, "record_metric", { edgeId: "edge-2", metric: "cache_hit_rate", value: 91 }, {}, ctx);
    const { text } = await runOperation(EdgeMonitoring, "get_summary", { format: "prometheus" }, {}, ctx);
    expect(text).toContain('edgeflow_latency_ms{edge="edge-1",route="/api"} 42');
    expect(text).toContain('edgeflow_cache_hit_rate_percent{edge="edge-2"} 91');
    expect(text).toContain('edgeflow_edge_health{edge="edge-1",status="healthy"} 1');
    expect(await register.metrics()).not.toContain("edgeflow_");
  });

  it("creates a default engine on the infrastructure when none is registered", async () => {
    const ctx = testNodeContext();
    await runOperation(EdgeMonitoring, "record_metric", { edgeId: "edge-1", metric: "throughput", value: 5 }, {}, ctx);
    expect(ctx.infrastructure.get(monitoringKey).store.footprint().samples).toBe(1);
  });
});
