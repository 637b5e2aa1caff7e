/**
 * The demo's one workflow: discovery → placement → leases → warming → monitoring and autoscaling on
 * the trace → a forced edge failure → failover → cost report, with the key steps recorded in the
 * HLC-ordered global log.
 *
 * @module
 */
import { WorkflowBuilder, createNodeRegistry, haversineKm, type CostWorkloadInput, type UsageRecordInput as WarmingUsage } from "../../src/index.js";
import { FLEET_SITES, type FleetService } from "./fleet-spec.js";
import { Failover, FailEdge, HoldLeases, ReplayTrace } from "./nodes.js";
import type { FleetWorld } from "./world.js";
import { MINUTE_MS } from "./trace.js";


/** The registry: every built-in node type plus the demo's own four. */
export function fleetRegistry() {
  return createNodeRegistry().register(HoldLeases).register(ReplayTrace).register(FailEdge).register(Failover);
}

/**
 * Usage the warmer learns from: the warm-up minutes of the trace, each request attributed to the site
 * in its service's zone nearest to the user who sent it (where anycast would have taken it).
 */
export function warmupUsage(world: FleetWorld): WarmingUsage[] {
  const usage: WarmingUsage[] = [];
  const end = world.warmupMinutes * MINUTE_MS;
  world.trace.requests.forEach((request, i) => {
    if (request.at >= end) return;
    const service = world.services.find((s) => s.id === request.service);
    const users = service?.users ?? [];
    const user = users[i % Math.max(1, users.length)];
    if (service === undefined || user === undefined) return;
    const zone = service.residency?.[0];
    const sites = FLEET_SITES.filter((s) => zone === undefined || (s.complianceZones ?? []).includes(zone));
    const nearest = sites.reduce<{ id: string; km: number } | undefined>((best, s) => {
      const km = haversineKm(s.coordinates, user);
      return best === undefined || km < best.km ? { id: s.id, km } : best;
    }, undefined);
    if (nearest === undefined) return;
    usage.push({ edge: nearest.id, user: user.id ?? `user-${i}`, location: { lat: user.lat, lon: user.lon }, workloadType: service.id, timestamp: world.start + request.at, resources: { cpu: service.requests.cpu } });
  });
  return usage;
}

/** What each service costs to run as it runs now, for the cost engine. */
export function costWorkloads(world: FleetWorld): CostWorkloadInput[] {
  const minutes = world.trace.durationMs / MINUTE_MS;
  return world.services.map((service) => {
    const loads = world.loads.get(service.id) ?? [];
    const active = loads.filter((l) => l.requests > 0).length;
    const requestsPerHour = (loads.reduce((s, l) => s + l.requests, 0) * 60) / minutes;
    const mine = world.trace.requests.filter((r) => r.service === service.id);
    const meanMs = mine.reduce((s, r) => s + r.serviceMs, 0) / Math.max(1, mine.length);
    const peakBusy = loads.reduce((m, l) => Math.max(m, l.busy), 0);
    const small = service.requests.cpu <= 4;
    const vcpus = small ? 4 : 16;
    return {
      id: service.id,
      edgeId: world.placement.get(service.id),
      provider: "edge-local",
      region: "local",
      instanceType: small ? "edge-small" : "edge-large",
      count: Math.max(1, Math.ceil(service.requests.cpu / vcpus)),
      usage: { cpuP995: Math.min(100, (100 * peakBusy * (service.requests.cpu / 2)) / vcpus), memoryP995: 40, windowDays: minutes / (24 * 60) },
      scaleToZero: { activeHoursPerMonth: (730 * active) / minutes, coldStartTolerant: !service.id.startsWith("checkout") && !service.id.startsWith("payments") },
      requests: { perMonth: requestsPerHour * 730, avgDurationMs: meanMs, memoryMb: 2048 },
    };
  });
}

/** Builds the workflow; `world` supplies the data the Transform nodes hand on. */
export function buildFleetWorkflow(world: FleetWorld, services: readonly FleetService[]) {
  return (
    new WorkflowBuilder(fleetRegistry(), { name: "fleet" })
      .addNode("EdgeDiscovery", "discover", { operation: "find", query: {} })
      .addNode("Transform", "services", { fn: () => services.map(({ trafficShare: _t, stateBytes: _s, ...workload }) => workload) })
      .addNode("EdgeAffinity", "place", { operation: "place_batch", commit: true })
      .addNode("HoldLeases", "leases", {})
      .addNode("GlobalOrdering", "log_placements", { operation: "submit", key: "placements" })
      .addNode("Transform", "observed_usage", { fn: () => warmupUsage(world) })
      .addNode("EdgeWarming", "learn_usage", { operation: "record_usage" })
      // Prediction reads what learn_usage recorded; this step only orders the two (it hands on nothing).
      .addNode("Transform", "usage_learned", { fn: () => undefined })
      .addNode("EdgeWarming", "predict_demand", { operation: "predict", horizonMs: 15 * MINUTE_MS })
      .addNode("EdgeWarming", "warm", { operation: "warm" })
      .addNode("EdgeMonitoring", "latency_threshold", {
        operation: "set_threshold",
        rule: { metric: "latency", direction: "above", thresholds: { warning: 2_000, error: 5_000, critical: 20_000 }, forMs: 60_000, cooldownMs: 300_000 },
      })
      .addNode("EdgeMonitoring", "availability_threshold", {
        operation: "set_threshold",
        rule: { metric: "availability", direction: "below", thresholds: { warning: 99, error: 95, critical: 90 }, forMs: 15_000, cooldownMs: 300_000 },
      })
      .addNode("Merge", "ready", { mode: "object" })
      .addNode("ReplayTrace", "monitor_and_scale", {})
      .addNode("FailEdge", "fail_leader_edge", {})
      .addNode("Failover", "failover", {})
      .addNode("GlobalOrdering", "log_failover", { operation: "submit", key: "failover" })
      .addNode("RaftConsensus", "commit_placement", { operation: "put", cluster: "control-plane", key: "fleet/placement" })
      .addNode("RaftConsensus", "read_placement", { operation: "read", cluster: "control-plane" })
      .addNode("Transform", "cost_inputs", { fn: () => costWorkloads(world) })
      .addNode("ResourceOptimizer", "cost", { operation: "optimize", strategy: "balance_cost_performance", useMonitoring: false })
      .connect("discover", "edgeIds", "services", "value")
      .connect("services", "value", "place", "workloads")
      .connect("place", "batch", "leases", "batch")
      .connect("place", "edgeIds", "log_placements", "payload")
      .connect("leases", "leases", "observed_usage", "value")
      .connect("observed_usage", "value", "learn_usage", "usage")
      .connect("learn_usage", "recorded", "usage_learned", "value")
      .connect("usage_learned", "value", "predict_demand", "usage")
      .connect("predict_demand", "decisions", "warm", "decisions")
      .connect("warm", "outcomes", "ready", "a")
      .connect("latency_threshold", "rule", "ready", "b")
      .connect("availability_threshold", "rule", "ready", "c")
      .connect("ready", "value", "monitor_and_scale", "after")
      .connect("monitor_and_scale", "minutes", "fail_leader_edge", "after")
      .connect("fail_leader_edge", "edgeId", "failover", "edgeId")
      .connect("failover", "migrations", "log_failover", "payload")
      .connect("failover", "migrations", "commit_placement", "value")
      .connect("commit_placement", "key", "read_placement", "key")
      .connect("failover", "migrations", "cost_inputs", "value")
      .connect("cost_inputs", "value", "cost", "workloads")
      .build()
  );
}
