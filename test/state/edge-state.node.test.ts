import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { ServiceRegistry } from "../../src/core/services.js";
import { EdgeInfrastructure } from "../../src/infra/infrastructure.js";
import { InMemoryWorkloadAdapter } from "../../src/migration/memory-adapter.js";
import { MIGRATION_SERVICE, MigrationService } from "../../src/migration/service.js";
import { WorkflowBuilder } from "../../src/workflow/builder.js";
import { NodeRegistry } from "../../src/workflow/registry.js";
import { runOperation } from "../../src/workflow/run-node.js";
import { LocalRuntime } from "../../src/workflow/runtime.js";
import { EdgeState } from "../../nodes/edge-state.js";
import { testNodeContext } from "../support/node-context.js";

function context() {
  const clock = new ManualClock(0);
  const infrastructure = new EdgeInfrastructure({ clock });
  infrastructure.registerEdge({ id: "fra", region: "eu", coordinates: { lat: 50.1, lon: 8.7 }, capacity: { cpu: 4, memoryMb: 4096 }, lifecycleState: "active" });
  infrastructure.registerEdge({ id: "nyc", region: "us", coordinates: { lat: 40.7, lon: -74 }, capacity: { cpu: 4, memoryMb: 4096 }, lifecycleState: "active" });
  return { clock, infrastructure, ctx: testNodeContext({ clock, infrastructure }) };
}

describe("EdgeState node", () => {
  it("places a new object near its users and runs every operation there", async () => {
    const { ctx } = context();
    const near = { stateId: "cart", users: [{ lat: 40.6, lon: -73.9 }] };
    expect(await runOperation(EdgeState, "set", { ...near, key: "owner", value: { name: "ann" } }, {}, ctx)).toEqual({ version: 1, home: "nyc" });
    expect(await runOperation(EdgeState, "update", { stateId: "cart", key: "owner", value: { tier: "gold" } }, {}, ctx)).toEqual({ version: 2, home: "nyc" });
    expect(await runOperation(EdgeState, "increment", { stateId: "cart", key: "n", by: 3 }, {}, ctx)).toMatchObject({ version: 3 });
    expect(await runOperation(EdgeState, "append", { stateId: "cart", key: "items", value: "sku-1" }, {}, ctx)).toMatchObject({ version: 4 });
    expect(await runOperation(EdgeState, "delete", { stateId: "cart", key: "n" }, {}, ctx)).toMatchObject({ version: 5 });
    expect(await runOperation(EdgeState, "get", { stateId: "cart" }, {}, ctx)).toEqual({ value: { owner: { name: "ann", tier: "gold" }, items: ["sku-1"] }, found: true, version: 5, home: "nyc" });
    expect(await runOperation(EdgeState, "get", { stateId: "cart", key: "none" }, {}, ctx)).toMatchObject({ value: null, found: false });
    const locked = await runOperation(EdgeState, "lock", { stateId: "cart", owner: "ann", timeoutMs: 100 }, {}, ctx);
    expect(locked.lockExpiresAt).toBe(100);
    await expect(runOperation(EdgeState, "set", { stateId: "cart", key: "x", value: 1 }, {}, ctx)).rejects.toMatchObject({ code: "state.locked" });
    expect(await runOperation(EdgeState, "unlock", { stateId: "cart", owner: "ann" }, {}, ctx)).toMatchObject({ version: 5 });
    await expect(runOperation(EdgeState, "increment", { stateId: "cart", key: "items" }, {}, ctx)).rejects.toMatchObject({ code: "state.wrong_type" });
    expect((await runOperation(EdgeState, "metadata", { stateId: "cart" }, {}, ctx)).metadata.version).toBe(5);
  });

  it("migrates, reports where, and redirects the old home", async () => {
    const { ctx, infrastructure } = context();
    expect((await runOperation(EdgeState, "set", { stateId: "doc", key: "k", value: 1, edgeId: "fra" }, {}, ctx)).home).toBe("fra");
    const where = await runOperation(EdgeState, "where", { stateId: "doc" }, {}, ctx);
    expect(where).toEqual({ home: "fra", leaseExpiresAt: 10_000, replicas: [] });
    expect(await runOperation(EdgeState, "migrate", { stateId: "doc", to: "nyc" }, {}, ctx)).toEqual({ from: "fra", home: "nyc", version: 1, path: "transfer", migrationId: null });
    await expect(runOperation(EdgeState, "get", { stateId: "doc", edgeId: "fra" }, {}, ctx)).rejects.toMatchObject({ code: "state.redirect", owner: "nyc" });
    expect((await runOperation(EdgeState, "get", { stateId: "doc", key: "k" }, {}, ctx)).value).toBe(1);
    expect(infrastructure.edges()).toHaveLength(2);
  });

  it("migrates through the migration engine when one is registered", async () => {
    const { ctx, infrastructure, clock } = context();
    infrastructure.register(MIGRATION_SERVICE, new MigrationService({ clock, adapter: new InMemoryWorkloadAdapter({ clock, edges: ["fra", "nyc"] }) }));
    await runOperation(EdgeState, "append", { stateId: "doc", key: "log", value: "a", edgeId: "fra" }, {}, ctx);
    const moved = await runOperation(EdgeState, "migrate", { stateId: "doc", to: "nyc" }, {}, ctx);
    expect(moved).toMatchObject({ from: "fra", home: "nyc", version: 1, path: "migration" });
    expect(moved.migrationId).toMatch(/^mig-/);
    expect((await runOperation(EdgeState, "get", { stateId: "doc", key: "log" }, {}, ctx)).value).toEqual(["a"]);
    await expect(runOperation(EdgeState, "set", { stateId: "doc", key: "k", value: 1, edgeId: "fra" }, {}, ctx)).rejects.toMatchObject({ code: "state.redirect", owner: "nyc" });
    expect(await runOperation(EdgeState, "migrate", { stateId: "doc", to: "nyc" }, {}, ctx)).toMatchObject({ path: "none", migrationId: null });
  });

  it("refuses bad config per field, naming it, and changes nothing", async () => {
    const { ctx } = context();
    await runOperation(EdgeState, "set", { stateId: "doc", key: "k", value: 1, edgeId: "fra" }, {}, ctx);
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ["get", { stateId: "" }, "stateId"],
      ["set", { stateId: "doc", key: "", value: 1 }, "key"],
      ["set", { stateId: "doc", key: "k", value: Number.NaN }, "value"],
      ["set", { stateId: "doc", key: "k", value: 2, lockOwner: " " }, "lockOwner"],
      ["set", { stateId: "doc", key: "k", value: 2, edgeId: "" }, "edgeId"],
      ["increment", { stateId: "doc", key: "k", by: Number.POSITIVE_INFINITY }, "by"],
      ["lock", { stateId: "doc", owner: "a", timeoutMs: 0 }, "timeoutMs"],
      ["unlock", { stateId: "doc", owner: "" }, "owner"],
      ["migrate", { stateId: "doc", to: "" }, "to"],
      ["where", {}, "stateId"],
    ];
    for (const [operation, config, field] of cases) {
      const error = await runOperation(EdgeState, operation as "get", config as { stateId: string }, {}, ctx).catch((e: unknown) => e);
      expect(error, `${operation} ${field}`).toMatchObject({ code: "validation" });
      expect(String((error as Error).message), `${operation} ${field}`).toContain(field);
    }
    expect(await runOperation(EdgeState, "get", { stateId: "doc" }, {}, ctx)).toMatchObject({ value: { k: 1 }, version: 1, home: "fra" });
  });

  it("runs in a workflow with typed outputs per operation", async () => {
    const clock = new ManualClock(0);
    const infrastructure = new ServiceRegistry();
    const registry = new NodeRegistry().register(EdgeState);
    const write = new WorkflowBuilder(registry)
      .addNode("EdgeState", "count", { operation: "increment", stateId: "visits", key: "n", by: 2, edgeId: "edge-1" })
      .build();
    const first = await new LocalRuntime({ registry, clock, infrastructure }).execute(write);
    const counted = first.results.count;
    if (counted?.status !== "completed") throw new Error("increment should complete");
    expect(counted.output.version).toBe(1);
    const read = new WorkflowBuilder(registry)
      .addNode("EdgeState", "read", { operation: "get", stateId: "visits", key: "n" })
      .addNode("EdgeState", "where", { operation: "where", stateId: "visits" })
      .build();
    const second = await new LocalRuntime({ registry, clock, infrastructure }).execute(read);
    const got = second.results.read;
    const home = second.results.where;
    if (got?.status !== "completed" || home?.status !== "completed") throw new Error("both nodes should complete");
    expect(got.output.value).toBe(2);
    expect(home.output.home).toBe("edge-1");
  });

  it("refuses malformed config", () => {
    expect(EdgeState.config.safeParse({ operation: "increment", stateId: "s" }).success).toBe(false);
    expect(EdgeState.config.safeParse({ operation: "fly", stateId: "s" }).success).toBe(false);
  });
});
