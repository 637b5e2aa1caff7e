import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { ValidationError } from "../../src/core/errors.js";
import { EdgeInfrastructure } from "../../src/infra/infrastructure.js";
import { InvalidTransitionError, LeaseConflictError, StaleFencingTokenError } from "../../src/lifecycle/errors.js";
import { LEASE_STORE } from "../../src/lifecycle/lease-store.js";
import { EdgeStateMachine } from "../../nodes/edge-state-machine.js";
import { testNodeContext } from "../support/node-context.js";

function context() {
  const clock = new ManualClock(0);
  const infrastructure = new EdgeInfrastructure({ clock });
  infrastructure.registerEdge({ id: "edge-1", region: "eu", coordinates: { lat: 50, lon: 8 }, capacity: { cpu: 4, memoryMb: 4096 }, lifecycleState: "active" });
  return { clock, infrastructure, ctx: testNodeContext({ clock, infrastructure }) };
}

const run = (ctx: ReturnType<typeof context>["ctx"], config: unknown, inputs: Record<string, unknown> = {}) =>
  EdgeStateMachine.run(ctx, EdgeStateMachine.config.parse(config), EdgeStateMachine.inputs.parse(inputs));

describe("EdgeStateMachine node", () => {
  it("adopts a registered edge in its registry state, transitions it, and mirrors the state back", async () => {
    const { ctx, infrastructure } = context();
    expect((await run(ctx, { operation: "get_state", edgeId: "edge-1" })).state).toBe("active");
    expect((await run(ctx, { operation: "transition", edgeId: "edge-1", event: "DRAIN" })).state).toBe("draining");
    expect(infrastructure.getEdge("edge-1").lifecycleState).toBe("draining");
    await expect(run(ctx, { operation: "transition", edgeId: "edge-1", event: "READY" })).rejects.toBeInstanceOf(InvalidTransitionError);
  });

  it("acquires, renews (token from the input port) and releases leases with fencing", async () => {
    const { ctx, clock, infrastructure } = context();
    const acquired = await run(ctx, { operation: "acquire_lease", edgeId: "edge-1", holder: "migrator", ttlMs: 1_000 });
    const token = acquired.lease?.token ?? 0;
    expect(acquired.lease).toMatchObject({ resource: "edge:edge-1", holder: "migrator", expiresAt: 1_000 });
    await expect(run(ctx, { operation: "acquire_lease", edgeId: "edge-1", holder: "other" })).rejects.toBeInstanceOf(LeaseConflictError);
    clock.advance(500);
    const renewed = await run(ctx, { operation: "renew_lease", edgeId: "edge-1", holder: "migrator" }, { token });
    expect(renewed.lease?.expiresAt).toBe(1_500);
    const listed = (await run(ctx, { operation: "list" })).result as { leases: unknown[] };
    expect(listed.leases).toHaveLength(1);
    await run(ctx, { operation: "release_lease", edgeId: "edge-1", holder: "migrator", token });
    await expect(infrastructure.get(LEASE_STORE).checkFence("edge:edge-1", token)).rejects.toBeInstanceOf(StaleFencingTokenError);
    await expect(run(ctx, { operation: "renew_lease", edgeId: "edge-1", holder: "migrator" })).rejects.toBeInstanceOf(ValidationError);
  });

  it("takes the edge from the edgeId input when the config names none, and refuses when neither does", async () => {
    const { ctx } = context();
    const acquired = await run(ctx, { operation: "acquire_lease", holder: "placer" }, { edgeId: "edge-1" });
    expect(acquired.lease?.resource).toBe("edge:edge-1");
    expect((await run(ctx, { operation: "get_state" }, { edgeId: "edge-1" })).state).toBe("active");
    const missing = await run(ctx, { operation: "get_state" }, { edgeId: null }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ValidationError);
    expect((missing as ValidationError).issues[0]?.path).toBe("edgeId");
  });

  it("refuses malformed config", () => {
    expect(EdgeStateMachine.config.safeParse({ operation: "transition", edgeId: "edge-1", event: "EXPLODE" }).success).toBe(false);
    expect(EdgeStateMachine.config.safeParse({ operation: "fly" }).success).toBe(false);
  });
});
