import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { ServiceRegistry } from "../../src/core/services.js";
import { CostEngine, costKey } from "../../src/cost/engine.js";
import { MonitoringEngine, monitoringKey } from "../../src/monitoring/engine.js";
import { NodeRegistry } from "../../src/workflow/registry.js";
import { WorkflowBuilder } from "../../src/workflow/builder.js";
import { LocalRuntime } from "../../src/workflow/runtime.js";
import { ResourceOptimizer } from "../../nodes/resource-optimizer.js";

const H = 3_600_000;
const DAY = 24 * H;
const registry = new NodeRegistry().register(ResourceOptimizer);

const fleet = [
  { id: "api", edgeId: "edge-a", provider: "aws" as const, region: "us-east-1", instanceType: "m5.2xlarge", count: 3, interruptionTolerance: "medium" as const },
  { id: "thumbs", provider: "aws" as const, region: "us-east-1", instanceType: "t3.small", requests: { perMonth: 1_000_000, avgDurationMs: 100, memoryMb: 512 } },
];

describe("ResourceOptimizer node", () => {
  it("records costs, optimizes with usage from the monitoring engine, and feeds ROI and the forecast", async () => {
    const clock = new ManualClock(0);
    const infrastructure = new ServiceRegistry();
    const monitoring = infrastructure.register(monitoringKey, new MonitoringEngine({ clock, config: { store: { retentionMs: 15 * DAY, maxSamplesPerSeries: 10_000 }, anomalyDetection: { enabled: false } } }));
    // 14 days of hourly usage on edge-a: CPU ≤ 20 %, memory ≤ 25 % of an m5.2xlarge (8 vCPU, 32 GB).
    for (let t = 0; t <= 14 * DAY; t += H) {
      clock.advance(t - clock.now());
      monitoring.record({ edgeId: "edge-a", metric: "resource_usage", labels: { resource: "cpu" }, value: 10 + ((t / H) % 10), timestamp: t });
      monitoring.record({ edgeId: "edge-a", metric: "resource_usage", labels: { resource: "memory" }, value: 20 + ((t / H) % 5), timestamp: t });
    }
    const now = clock.now();
    const records = [
      ...[0, 1, 2].map((i) => ({ kind: "asset" as const, id: `n${i}`, edgeId: "edge-a", provider: "aws" as const, region: "us-east-1", instanceType: "m5.2xlarge", start: now - 14 * DAY, end: now })),
      { kind: "usage" as const, assetId: "n0", workloadId: "api", cpuRequest: 2, cpuUsage: 1.5, memoryRequestGb: 8, memoryUsageGb: 6, start: now - 14 * DAY, end: now },
    ];
    const workflow = new WorkflowBuilder(registry)
      .addNode("ResourceOptimizer", "record", { operation: "record_cost", records, shareMode: "even" })
      .addNode("ResourceOptimizer", "plan", { operation: "optimize", strategy: "minimize_cost", workloads: fleet })
      .addNode("ResourceOptimizer", "roi", { operation: "calculate_roi", horizonMonths: 12 })
      .addNode("ResourceOptimizer", "forecast", { operation: "forecast", stepMs: DAY, horizon: 7, window: { from: now - 14 * DAY, to: now } })
      .connect("plan", "recommendations", "roi", "recommendations")
      .connect("plan", "recommendations", "forecast", "recommendations")
      .build();
    const run = await new LocalRuntime({ infrastructure, clock }).execute(workflow);
    expect(run.status).toBe("completed");
    const { record, plan, roi, forecast } = run.results;
    if (record.status !== "completed" || plan.status !== "completed" || roi.status !== "completed" || forecast.status !== "completed") throw new Error("a node failed");
    // 3 × m5.2xlarge for 14 days: 3 × 0.384 × 336 h = $387.07; api holds 2 cores and 8 GB of one of them.
    expect(record.output.allocation.assetCost).toBeCloseTo(3 * 0.384 * 336, 6);
    expect(record.output.allocation.byWorkload.map((b) => b.key)).toEqual(["api"]);
    const api = plan.output.recommendations.find((r) => r.workloadId === "api");
    // p99.5 from monitoring: 8 × ~19.9 % × 1.2 ≈ 1.9 vCPU and 32 × ~24.9 % × 1.2 ≈ 9.6 GB → a 4 vCPU / 16 GB type.
    expect(api?.kinds).toContain("rightsizing");
    expect(api?.explanation.join("\n")).toContain("days of usage");
    expect(plan.output.recommendations.find((r) => r.workloadId === "thumbs")?.proposed.target).toBe("faas");
    expect(roi.output.roi.annualSavings).toBeCloseTo(12 * plan.output.monthlySavings, 6);
    expect(roi.output.roi.paybackMonths).toBe(0);
    const perDay = ((plan.output.monthlySavings) * 24) / 730;
    expect(forecast.output.forecast.savingsPerStep).toHaveLength(7);
    forecast.output.forecast.savingsPerStep.forEach((s) => expect(s).toBeCloseTo(perDay, 9));
  });

  it("spot, rightsizing and commitment reports share the engine registered on the infrastructure", async () => {
    const clock = new ManualClock(30 * DAY);
    const infrastructure = new ServiceRegistry();
    const engine = infrastructure.register(costKey, new CostEngine());
    engine.record([0, 1].map((i) => ({ kind: "asset" as const, id: `n${i}`, edgeId: "e", provider: "aws" as const, region: "us-east-1", instanceType: "m5.large", start: 0, end: 30 * DAY })));
    const workflow = new WorkflowBuilder(registry)
      .addNode("ResourceOptimizer", "spot", { operation: "spot_recommendations", strategy: "risk_averse" })
      .addNode("ResourceOptimizer", "sizes", { operation: "rightsizing", strategy: "minimize_cost", workloads: [{ id: "w", provider: "aws", region: "us-east-1", instanceType: "m5.xlarge", usage: { cpuP995: 30, memoryP995: 40, windowDays: 14 } }] })
      .addNode("ResourceOptimizer", "commit", { operation: "commitment_recommendations", strategy: "balance_cost_performance" })
      .input("fleet", "spot", "workloads")
      .build();
    const batch = [{ id: "batch", provider: "aws" as const, region: "us-east-1", instanceType: "m5.xlarge", count: 4, interruptionTolerance: "high" as const }];
    const run = await new LocalRuntime({ infrastructure, clock }).execute(workflow, { inputs: { fleet: [...fleet, ...batch] } });
    const { spot, sizes, commit } = run.results;
    if (spot.status !== "completed" || sizes.status !== "completed" || commit.status !== "completed") throw new Error("a node failed");
    // Risk-averse: only the batch workload takes spot, in pools no worse than 5-10%, spread over families.
    expect(spot.output.recommendations.map((r) => r.workloadId)).toEqual(["batch"]);
    for (const r of spot.output.recommendations) for (const p of r.spotPools) expect(["<5%", "5-10%"]).toContain(p.interruption);
    expect(new Set(spot.output.recommendations[0]?.spotPools.map((p) => p.family)).size).toBeGreaterThan(1);
    expect(sizes.output.recommendations[0]?.proposed.instanceType).toBe("m5.large");
    expect(commit.output.commitments[0]?.instances).toBe(2);
  });

  it("a bad configuration is refused at build time, naming the field", () => {
    expect(() => new WorkflowBuilder(registry).addNode("ResourceOptimizer", "x", { operation: "optimize", strategy: "cheapest" as never }).build()).toThrow(/strategy/);
  });
});
