import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { ValidationError } from "../../src/core/errors.js";
import { EdgeInfrastructure } from "../../src/infra/infrastructure.js";
import { InvalidTransitionError, LeaseConflictError, StaleFencingTokenError } from "../../src/lifecycle/errors.js";
import { LEASE_STORE } from "../../src/lifecycle/lease-store.js";
import { EdgeStateMachine } from "../../nodes/edge-state-machine.js";
import { runOperation } from "../../src/workflow/run-node.js";
import { testNodeContext } from "../support/node-context.js";

function context() {
  const clock = new ManualClock(0);
  const infrastructure = new EdgeInfrastructure({ clock });
  infrastructure.registerEdge({ id: "edge-1", region: "eu", coordinates: { lat: 50, lon: 8 }, capacity: { cpu: 4, memoryMb: 4096 }, lifecycleState: "active" });
  return { clock, infrastructure, ctx: testNodeContext({ clock, infrastructure }) };
}


describe("EdgeStateMachine node", () => {
  it("adopts a registered edge in its registry state, transitions it, and mirrors the state back", async () => {
    const { ctx, infrastructure } = context();
    expect((await runOperation(EdgeStateMachine, "get_state", { edgeId: "edge-1" }, {}, ctx)).state).toBe("active");
    expect((await runOperation(EdgeStateMachine, "transition", { edgeId: "edge-1", event: "DRAIN" }, {}, ctx)).state).toBe("draining");
    expect(infrastructure.getEdge("edge-1").lifecycleState).toBe("draining");
    await expect(runOperation(EdgeStateMachine, "transition", { edgeId: "edge-1", event: "READY" }, {}, ctx)).rejects.toBeInstanceOf(InvalidTransitionError);
  });

  it("acquires, renews (token from the input port) and releases leases with fencing", async () => {
    const { ctx, clock, infrastructure } = context();
    const acquired = await runOperation(EdgeStateMachine, "acquire_lease", { edgeId: "edge-1", holder: "migrator", ttlMs: 1_000 }, {}, ctx);
    const token = acquired.lease.token;
    expect(acquired.lease).toMatchObject({ resource: "edge:edge-1", holder: "migrator", expiresAt: 1_000 });
    await expect(runOperation(EdgeStateMachine, "acquire_lease", { edgeId: "edge-1", holder: "other" }, {}, ctx)).rejects.toBeInstanceOf(LeaseConflictError);
    clock.advance(500);
    const renewed = await runOperation(EdgeStateMachine, "renew_lease", { edgeId: "edge-1", holder: "migrator" }, { token }, ctx);
    expect(renewed.lease.expiresAt).toBe(1_500);
    const listed = await runOperation(EdgeStateMachine, "list", {}, {}, ctx);
    expect(listed.leases).toHaveLength(1);
    await runOperation(EdgeStateMachine, "release_lease", { edgeId: "edge-1", holder: "migrator", token }, {}, ctx);
    await expect(infrastructure.get(LEASE_STORE).checkFence("edge:edge-1", token)).rejects.toBeInstanceOf(StaleFencingTokenError);
    await expect(runOperation(EdgeStateMachine, "renew_lease", { edgeId: "edge-1", holder: "migrator" }, {}, ctx)).rejects.toBeInstanceOf(ValidationError);
  });

  it("takes the edge from the edgeId input when the config names none, and refuses when neither does", async () => {
    const { ctx } = context();
    const acquired = await runOperation(EdgeStateMachine, "acquire_lease", { holder: "placer" }, { edgeId: "edge-1" }, ctx);
    expect(acquired.lease.resource).toBe("edge:edge-1");
    expect((await runOperation(EdgeStateMachine, "get_state", {}, { edgeId: "edge-1" }, ctx)).state).toBe("active");
    const missing = await runOperation(EdgeStateMachine, "get_state", {}, { edgeId: null }, ctx).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ValidationError);
    expect((missing as ValidationError).issues[0]?.path).toBe("edgeId");
  });

  it("refuses malformed config", () => {
    expect(EdgeStateMachine.config.safeParse({ operation: "transition", edgeId: "edge-1", event: "EXPLODE" }).success).toBe(false);
    expect(EdgeStateMachine.config.safeParse({ operation: "fly" }).success).toBe(false);
  });
});
