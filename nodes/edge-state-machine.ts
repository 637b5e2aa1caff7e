/**
 * The `EdgeStateMachine` node: reads and drives edge lifecycles (xstate machines owned by the shared
 * {@link EdgeLifecycle}) and takes, renews and releases leases on edges with fencing tokens.
 *
 * An edge registered in the {@link EdgeInfrastructure} but not yet tracked is adopted on first use in
 * the lifecycle state the registry lists for it. Leases are on the resource `edge:<edgeId>`.
 *
 * @module
 */
import { z } from "zod";
import type { ServiceRegistry } from "../src/core/services.js";
import { EDGE_INFRASTRUCTURE } from "../src/infra/infrastructure.js";
import { InMemoryLeaseStore, LEASE_STORE } from "../src/lifecycle/lease-store.js";
import { EDGE_LIFECYCLE, EdgeLifecycle } from "../src/lifecycle/lifecycle.js";
import { LIFECYCLE_EVENT_TYPES, type LifecycleEventType } from "../src/lifecycle/types.js";
import { defineNode, fromConfigOrInput, type NodeContext } from "../src/workflow/node.js";

/** Absent = taken from the `edgeId` input (e.g. an `EdgeAffinity` placement's chosen edge). */
const edgeId = z.string().trim().min(1).optional();
const holder = z.string().trim().min(1);
const token = z.number().int().positive();
const ttlMs = z.number().int().positive();

const config = z.discriminatedUnion("operation", [
  z.object({ operation: z.literal("get_state"), edgeId }),
  z.object({
    operation: z.literal("transition"),
    edgeId,
    event: z.enum(LIFECYCLE_EVENT_TYPES as [LifecycleEventType, ...LifecycleEventType[]]),
    /** Recorded with `FAIL`. */
    reason: z.string().optional(),
  }),
  z.object({ operation: z.literal("acquire_lease"), edgeId, holder, ttlMs: ttlMs.default(30_000) }),
  /** `token` may instead arrive on the `token` input (e.g. from an `acquire_lease` node). */
  z.object({ operation: z.literal("renew_lease"), edgeId, holder, token: token.optional(), ttlMs: ttlMs.optional() }),
  z.object({ operation: z.literal("release_lease"), edgeId, holder, token: token.optional() }),
  z.object({ operation: z.literal("list") }),
]);

const leaseSchema = z.object({
  resource: z.string(),
  holder: z.string(),
  token: z.number(),
  ttlMs: z.number(),
  acquiredAt: z.number(),
  expiresAt: z.number(),
});

/** The resource name leased for an edge. */
export function edgeLeaseResource(id: string): string {
  return `edge:${id}`;
}

function lifecycleOf(ctx: NodeContext): EdgeLifecycle {
  const registry: ServiceRegistry = ctx.infrastructure;
  return registry.getOrCreate(EDGE_LIFECYCLE, () => new EdgeLifecycle({ clock: ctx.clock, infrastructure: registry.tryGet(EDGE_INFRASTRUCTURE) }));
}

function tracked(ctx: NodeContext, lifecycle: EdgeLifecycle, id: string): void {
  if (lifecycle.has(id)) return;
  const known = ctx.infrastructure.tryGet(EDGE_INFRASTRUCTURE)?.tryGetEdge(id);
  if (known !== undefined) lifecycle.add(id, { initialState: known.lifecycleState });
}

export const EdgeStateMachine = defineNode({
  type: "EdgeStateMachine",
  description: "Reads and drives edge lifecycle state machines and manages fenced leases on edges.",
  config,
  inputs: z.object({
    /** Edge for any per-edge operation when the config has none. */
    edgeId: z.string().trim().min(1).nullable().optional(),
    /** Fencing token for `renew_lease` / `release_lease` when the config has none. */
    token: z.number().int().positive().optional(),
  }),
  outputs: z.object({
    /** The operation's result: a lifecycle snapshot, a lease, or `{ edges, leases }` for `list`. */
    result: z.unknown(),
    /** The edge's lifecycle state after the operation (absent for lease operations and `list`). */
    state: z.string().optional(),
    /** The lease after `acquire_lease` / `renew_lease` / `release_lease`. */
    lease: leaseSchema.optional(),
  }),
  run: async (ctx, cfg, inputs) => {
    const lifecycle = lifecycleOf(ctx);
    const leases = ctx.infrastructure.getOrCreate(LEASE_STORE, () => new InMemoryLeaseStore({ clock: ctx.clock }));
    const tokenOf = (configured: number | undefined): number => fromConfigOrInput(cfg.operation, "token", "a fencing token", configured, inputs.token);
    // A placement that found no edge outputs `edgeId: null`: that is no edge, not an edge named null.
    const edgeOf = (configured: string | undefined): string => fromConfigOrInput(cfg.operation, "edgeId", "an edgeId", configured, inputs.edgeId ?? undefined);
    switch (cfg.operation) {
      case "get_state": {
        const id = edgeOf(cfg.edgeId);
        tracked(ctx, lifecycle, id);
        const snapshot = lifecycle.get(id);
        return { result: snapshot, state: snapshot.state };
      }
      case "transition": {
        const id = edgeOf(cfg.edgeId);
        tracked(ctx, lifecycle, id);
        const snapshot = lifecycle.transition(id, cfg.reason === undefined ? { type: cfg.event } : { type: cfg.event, reason: cfg.reason });
        return { result: snapshot, state: snapshot.state };
      }
      case "acquire_lease": {
        const lease = await leases.acquire(edgeLeaseResource(edgeOf(cfg.edgeId)), cfg.holder, cfg.ttlMs);
        return { result: lease, lease };
      }
      case "renew_lease": {
        const lease = await leases.renew(edgeLeaseResource(edgeOf(cfg.edgeId)), cfg.holder, tokenOf(cfg.token), cfg.ttlMs);
        return { result: lease, lease };
      }
      case "release_lease": {
        const lease = await leases.release(edgeLeaseResource(edgeOf(cfg.edgeId)), cfg.holder, tokenOf(cfg.token));
        return { result: lease, lease };
      }
      case "list":
        return { result: { edges: lifecycle.list(), leases: await leases.list() } };
    }
  },
});
