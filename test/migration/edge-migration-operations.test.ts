import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { ValidationError } from "../../src/core/errors.js";
import { EdgeInfrastructure } from "../../src/infra/infrastructure.js";
import { InMemoryWorkloadAdapter } from "../../src/migration/memory-adapter.js";
import { MIGRATION_ADAPTER } from "../../src/migration/service.js";
import { edgeMigrationOperations as ops, migrationServiceFor } from "../../nodes/edge-migration.js";
import { testNodeContext } from "../support/node-context.js";
import { drive } from "./support/drive.js";
import { dataset } from "./support/fixture.js";

function setup() {
  const clock = new ManualClock(0);
  const infrastructure = new EdgeInfrastructure({ clock });
  for (const [id, zone] of [["edge-a", "eu"], ["edge-b", "eu"]] as const) {
    infrastructure.registerEdge({ id, region: zone, coordinates: { lat: 0, lon: 0 }, capacity: { cpu: 8, memoryMb: 8192 }, complianceZones: [zone], lifecycleState: "active", health: "healthy" });
  }
  const adapter = new InMemoryWorkloadAdapter({ clock, edges: ["edge-a", "edge-b"] });
  adapter.seed("cache", "edge-a", dataset(50));
  infrastructure.register(MIGRATION_ADAPTER, adapter);
  const ctx = testNodeContext({ clock, infrastructure });
  return { clock, adapter, ctx };
}

const request = { source: "edge-a", target: "edge-b", workloads: [{ id: "cache", residency: ["eu"], requests: { cpu: 1 } }] };

describe("EdgeMigration operations", () => {
  it("plan, execute, progress, history and metrics on the shared service", async () => {
    const { clock, adapter, ctx } = setup();
    const planned = await ops.plan.run(ctx, { request }, {});
    expect(planned.plan.estimate.strategy).toBe("live");
    expect(planned.recommendation).toBeNull();
    const executed = await drive(clock, ops.execute.run(ctx, { wait: true }, { request: planned.request }));
    expect(executed.phase).toBe("completed");
    expect(adapter.route("cache")).toBe("edge-b");
    const progress = await ops.progress.run(ctx, {}, { migrationId: executed.migrationId });
    expect(progress.progress.percent).toBe(100);
    expect((await ops.history.run(ctx, {})).records.map((r) => r.outcome)).toEqual(["completed"]);
    expect((await ops.metrics.run(ctx)).metrics.successRate).toBe(1);
    expect((await ops.active.run(ctx)).migrations).toEqual([]);
    await migrationServiceFor(ctx).close();
  });

  it("pause, resume and rollback by id", async () => {
    const { clock, adapter, ctx } = setup();
    const slow = { ...request, options: { bandwidthBytesPerSec: 1_000, burstBytes: 500, batchKeys: 5 } };
    const started = await ops.execute.run(ctx, { wait: false }, { request: slow });
    expect(started.phase).toBe("planning");
    await clock.advanceAsync(1_000);
    const paused = await drive(clock, ops.pause.run(ctx, { migrationId: started.migrationId }, {}));
    expect(paused.migration.paused).toBe(true);
    expect((await ops.active.run(ctx)).migrations.map((m) => m.migrationId)).toEqual([started.migrationId]);
    const rolled = await drive(clock, ops.rollback.run(ctx, {}, { migrationId: started.migrationId }));
    expect(rolled.phase).toBe("rolled_back");
    expect(adapter.servingEdges("cache")).toEqual(["edge-a"]);
    await expect(ops.resume.run(ctx, {}, {})).rejects.toBeInstanceOf(ValidationError);
    expect((await ops.resume.run(ctx, {}, { migrationId: started.migrationId })).phase).toBe("rolled_back");
    await migrationServiceFor(ctx).close();
  });

  it("refuses a target outside the workload's compliance zone", async () => {
    const { ctx } = setup();
    await expect(ops.plan.run(ctx, { request: { ...request, workloads: [{ id: "cache", residency: ["us"] }] } }, {})).rejects.toMatchObject({ code: "migration.compliance_violation" });
  });
});
