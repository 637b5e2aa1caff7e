import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { ValidationError } from "../../src/core/errors.js";
import { EdgeInfrastructure } from "../../src/infra/infrastructure.js";
import { capacityFromEdges, complianceFromPlacement } from "../../src/migration/checks.js";
import { ComplianceViolationError, InsufficientCapacityError, OutsideWindowError } from "../../src/migration/errors.js";
import { InMemoryWorkloadAdapter } from "../../src/migration/memory-adapter.js";
import { MigrationPlanner } from "../../src/migration/planner.js";
import { AffinityPlacer } from "../../src/placement/placer.js";

const GiB = 2 ** 30;

describe("MigrationPlanner", () => {
  const clock = new ManualClock(1_000);

  it("names every malformed field at once", async () => {
    const planner = new MigrationPlanner({ clock });
    const error = await planner.plan({ source: "a", target: "a", workloads: [] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    const paths = (error as ValidationError).issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(["request.workloads", "request.target"]));
    await expect(planner.plan({ source: "a", target: "b", workloads: [{ id: "w" }, { id: "w", sizeBytes: 1 }] })).rejects.toThrow(/duplicate workload/);
    await expect(planner.plan({ source: "a", target: "b", workloads: [{ id: "w" }] })).rejects.toThrow(/sizeBytes/);
    await expect(planner.plan({ source: "a", target: "b", workloads: [{ id: "w", sizeBytes: 1 }], options: { maxRounds: 0 } })).rejects.toBeInstanceOf(ValidationError);
  });

  it("estimates live with the pre-copy model and recommends another strategy over the downtime budget", async () => {
    const planner = new MigrationPlanner({ clock });
    const ok = await planner.plan({ source: "a", target: "b", strategy: "live", workloads: [{ id: "w", sizeBytes: 4 * GiB, dirtyRateBytesPerSec: 25e6 }] });
    expect(ok.estimate.strategy).toBe("live");
    expect(ok.preCopy["w"]?.rounds).toBe(3);
    expect(ok.estimate.downtimeMs).toBeLessThan(1_000);
    expect(ok.recommendation).toBeNull();
    const bulk = await planner.plan({ source: "a", target: "b", strategy: "bulk", workloads: [{ id: "w", sizeBytes: 4 * GiB, dirtyRateBytesPerSec: 25e6 }] });
    expect(bulk.estimate.downtimeMs).toBeGreaterThan(30_000);
    expect(bulk.recommendation).toBe("incremental");
    expect(bulk.warnings.join(" ")).toMatch(/exceeds the budget/);
  });

  it("flags a non-converging dirty rate and that incremental cannot finish", async () => {
    const planner = new MigrationPlanner({ clock });
    const plan = await planner.plan({ source: "a", target: "b", strategy: "incremental", workloads: [{ id: "w", sizeBytes: GiB, dirtyRateBytesPerSec: 150e6 }] });
    expect(plan.estimate.feasible).toBe(false);
    expect(plan.preCopy["w"]?.converged).toBe(false);
    expect(plan.warnings.join(" ")).toMatch(/cannot finish/);
    expect(plan.alternatives.find((a) => a.strategy === "live")?.notes.join(" ")).toMatch(/does not converge/);
  });

  it("staged downtime adds up per wave; emergency reports the replica's data-loss window", async () => {
    const adapter = new InMemoryWorkloadAdapter({ clock, edges: ["a", "b", "r"] });
    adapter.addReplica("w1", "r", new Map(), 400);
    adapter.addReplica("w2", "r", new Map(), 700);
    const planner = new MigrationPlanner({ clock, adapter });
    const workloads = [{ id: "w1", sizeBytes: GiB }, { id: "w2", sizeBytes: GiB }];
    const staged = await planner.plan({ source: "a", target: "b", strategy: "staged", workloads, options: { waveSize: 1 } });
    expect(staged.estimate.notes[0]).toMatch(/2 waves/);
    const emergency = await planner.plan({ source: "a", target: "b", strategy: "emergency", workloads });
    expect(emergency.estimate.dataLossWindowMs).toBe(600);
  });

  it("recommends emergency when the source is down", async () => {
    const adapter = new InMemoryWorkloadAdapter({ clock, edges: ["a", "b"] });
    adapter.setEdgeUp("a", false);
    const plan = await new MigrationPlanner({ clock, adapter }).plan({ source: "a", target: "b", workloads: [{ id: "w", sizeBytes: 10 }] });
    expect(plan.recommendation).toBe("emergency");
  });

  it("refuses a target without capacity or outside the compliance zone, naming why", async () => {
    const infra = new EdgeInfrastructure({ clock });
    const edge = (id: string, zones: string[], cpu: number) => ({ id, region: "r", coordinates: { lat: 0, lon: 0 }, capacity: { cpu, memoryMb: 1024 }, complianceZones: zones, lifecycleState: "active" as const, health: "healthy" as const });
    infra.registerEdge(edge("a", ["eu"], 8));
    infra.registerEdge(edge("b", ["us"], 2));
    const planner = new MigrationPlanner({ clock, capacity: capacityFromEdges(() => infra.edges()), compliance: complianceFromPlacement(new AffinityPlacer(), () => infra.edges()) });
    const tooBig = planner.plan({ source: "a", target: "b", workloads: [{ id: "w", sizeBytes: 1, requests: { cpu: 4 } }] });
    await expect(tooBig).rejects.toBeInstanceOf(InsufficientCapacityError);
    await expect(tooBig).rejects.toMatchObject({ code: "migration.insufficient_capacity", shortfall: { cpu: { needed: 4, available: 2 } } });
    const residency = planner.plan({ source: "a", target: "b", workloads: [{ id: "w", sizeBytes: 1, residency: ["eu"] }] });
    await expect(residency).rejects.toBeInstanceOf(ComplianceViolationError);
    await expect(residency).rejects.toThrow(/residency/);
    await expect(planner.plan({ source: "a", target: "b", workloads: [{ id: "w", sizeBytes: 1, residency: ["us"], requests: { cpu: 1 } }] })).resolves.toBeDefined();
  });

  it("checks the time window", async () => {
    const planner = new MigrationPlanner({ clock });
    const w = [{ id: "w", sizeBytes: 125e6 }]; // 1 s at the default 1 Gbit/s
    await expect(planner.plan({ source: "a", target: "b", workloads: w, window: { start: 0, end: 500 } })).rejects.toBeInstanceOf(OutsideWindowError);
    await expect(planner.plan({ source: "a", target: "b", workloads: w, window: { start: 1_000, end: 1_500 } })).rejects.toThrow(/does not fit/);
    await expect(planner.plan({ source: "a", target: "b", workloads: w, window: { start: 1_000, end: 5_000 } })).resolves.toBeDefined();
  });
});
