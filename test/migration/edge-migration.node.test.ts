import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { ValidationError } from "../../src/core/errors.js";
import { EdgeInfrastructure } from "../../src/infra/infrastructure.js";
import { InMemoryWorkloadAdapter } from "../../src/migration/memory-adapter.js";
import { MIGRATION_ADAPTER } from "../../src/migration/service.js";
import { WorkflowBuilder } from "../../src/workflow/builder.js";
import { runOperation, nodeContext } from "../../src/workflow/run-node.js";
import { LocalRuntime } from "../../src/workflow/runtime.js";
import { createNodeRegistry } from "../../nodes/index.js";
import { EdgeMigration, migrationServiceFor } from "../../nodes/edge-migration.js";
import { drive } from "./support/drive.js";
import { dataset } from "./support/fixture.js";

function setup() {
  const clock = new ManualClock(0);
  const infrastructure = new EdgeInfrastructure({ clock });
  for (const id of ["edge-a", "edge-b"]) {
    infrastructure.registerEdge({ id, region: "eu-west", coordinates: { lat: 48.8, lon: 2.3 }, capacity: { cpu: 8, memoryMb: 8192 }, complianceZones: ["eu"], lifecycleState: "active", health: "healthy" });
  }
  const adapter = new InMemoryWorkloadAdapter({ clock, edges: ["edge-a", "edge-b"] });
  adapter.seed("cache", "edge-a", dataset(50));
  infrastructure.register(MIGRATION_ADAPTER, adapter);
  const ctx = nodeContext({ clock, infrastructure });
  return { clock, adapter, infrastructure, ctx };
}

const request = { source: "edge-a", target: "edge-b", workloads: [{ id: "cache", residency: ["eu"], requests: { cpu: 1 } }] };

describe("EdgeMigration node", () => {
  it("a workflow plans then executes, typed end to end", async () => {
    const { clock, adapter, infrastructure } = setup();
    const registry = createNodeRegistry().register(EdgeMigration);
    const workflow = new WorkflowBuilder(registry)
      .addNode("EdgeMigration", "plan", { operation: "plan", request })
      .addNode("EdgeMigration", "move", { operation: "execute" })
      .connect("plan", "request", "move", "request")
      .addNode("EdgeMigration", "stats", { operation: "metrics" })
      .connect("move", "migrationId", "stats", "migrationId")
      .build();
    const runtime = new LocalRuntime({ clock, infrastructure, registry });
    const run = await drive(clock, runtime.execute(workflow));
    const { plan, move, stats } = run.results;
    if (plan.status !== "completed" || move.status !== "completed" || stats.status !== "completed") throw new Error("a node failed");
    expect(plan.output.plan.estimate.strategy).toBe("live");
    expect(plan.output.recommendation).toBeNull();
    expect(move.output.phase).toBe("completed");
    expect(move.output.migration.downtimeMs).toBeGreaterThanOrEqual(0);
    expect(stats.output.metrics.successRate).toBe(1);
    expect(adapter.route("cache")).toBe("edge-b");
    await migrationServiceFor(nodeContext({ clock, infrastructure })).close();
  });

  it("progress, history, pause, active, resume and rollback by id", async () => {
    const { clock, adapter, ctx } = setup();
    const slow = { ...request, options: { bandwidthBytesPerSec: 1_000, burstBytes: 500, batchKeys: 5 } };
    const started = await runOperation(EdgeMigration, "execute", { request: slow, wait: false }, {}, ctx);
    expect(started.phase).toBe("planning");
    await clock.advanceAsync(1_000);
    const progress = await runOperation(EdgeMigration, "progress", {}, { migrationId: started.migrationId }, ctx);
    expect(progress.progress.percent).toBeGreaterThan(0);
    expect(progress.progress.percent).toBeLessThan(100);
    const paused = await drive(clock, runOperation(EdgeMigration, "pause", { migrationId: started.migrationId }, {}, ctx));
    expect(paused.migration.paused).toBe(true);
    const active = await runOperation(EdgeMigration, "active", {}, {}, ctx);
    expect(active.migrations.map((m) => m.migrationId)).toEqual([started.migrationId]);
    const rolled = await drive(clock, runOperation(EdgeMigration, "rollback", {}, { migrationId: started.migrationId }, ctx));
    expect(rolled.phase).toBe("rolled_back");
    expect(adapter.servingEdges("cache")).toEqual(["edge-a"]);
    await expect(runOperation(EdgeMigration, "resume", {}, {}, ctx)).rejects.toBeInstanceOf(ValidationError);
    expect((await runOperation(EdgeMigration, "resume", {}, { migrationId: started.migrationId }, ctx)).phase).toBe("rolled_back");
    const history = await runOperation(EdgeMigration, "history", { limit: 5 }, {}, ctx);
    expect(history.records.map((r) => r.outcome)).toEqual(["rolled_back"]);
    await migrationServiceFor(ctx).close();
  });

  it("refuses a target outside the workload's compliance zone", async () => {
    const { ctx } = setup();
    await expect(runOperation(EdgeMigration, "plan", { request: { ...request, workloads: [{ id: "cache", residency: ["us"] }] } }, {}, ctx)).rejects.toMatchObject({
      code: "migration.compliance_violation",
    });
  });
});
