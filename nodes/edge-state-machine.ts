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
import { InMemoryLeaseStore, LEASE_STORE, type LeaseStore } from "../src/lifecycle/lease-store.js";
import { EDGE_LIFECYCLE, EdgeLifecycle } from "../src/lifecycle/lifecycle.js";
import { LIFECYCLE_EVENT_TYPES, type EdgeLifecycleSnapshot, type LifecycleEventType } from "../src/lifecycle/types.js";
import { defineNode, enginePort, fromConfigOrInput, type NodeContext } from "../src/workflow/node.js";

/** Absent = taken from the `edgeId` input (e.g. an `EdgeAffinity` placement's chosen edge). */
const edgeId = z.string().trim().min(1).optional();
const holder = z.string().trim().min(1);
const token = z.number().int().positive();
const ttlMs = z.number().int().positive();

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

interface Services {
  readonly lifecycle: EdgeLifecycle;
  readonly leases: LeaseStore;
}

function services(ctx: NodeContext): Services {
  return { lifecycle: lifecycleOf(ctx), leases: ctx.infrastructure.getOrCreate(LEASE_STORE, () => new InMemoryLeaseStore({ clock: ctx.clock })) };
}

// A placement that found no edge outputs `edgeId: null`: that is no edge, not an edge named null.
function edgeOf(operation: string, configured: string | undefined, input: string | null | undefined): string {
  return fromConfigOrInput(operation, "edgeId", "an edgeId", configured, input ?? undefined);
}

const snapshotOutputs = z.object({
  /** The edge's lifecycle snapshot: state, history, deadlines. */
  snapshot: enginePort<EdgeLifecycleSnapshot>("a lifecycle snapshot"),
  /** The edge's lifecycle state after the operation. */
  state: z.string(),
});
const leaseOutputs = z.object({
  lease: leaseSchema,
  /** The lease's fencing token, ready to wire into a downstream `renew_lease` / `release_lease`. */
  token: z.number().int(),
});

export const EdgeStateMachine = defineNode({
  type: "EdgeStateMachine",
  description: "Reads and drives edge lifecycle state machines and manages fenced leases on edges.",
  inputs: z.object({
    /** Edge for any per-edge operation when the config has none. */
    edgeId: z.string().trim().min(1).nullable().optional(),
    /** Fencing token for `renew_lease` / `release_lease` when the config has none. */
    token: z.number().int().positive().optional(),
  }),
  operations: {
    get_state: {
      config: z.object({ edgeId }),
      outputs: snapshotOutputs,
      run: async (ctx, cfg, inputs) => {
        const { lifecycle } = services(ctx);
        const id = edgeOf(cfg.operation, cfg.edgeId, inputs.edgeId);
        tracked(ctx, lifecycle, id);
        const snapshot = lifecycle.get(id);
        return { snapshot, state: snapshot.state };
      },
    },
    transition: {
      config: z.object({
        edgeId,
        event: z.enum(LIFECYCLE_EVENT_TYPES as [LifecycleEventType, ...LifecycleEventType[]]),
        /** Recorded with `FAIL`. */
        reason: z.string().optional(),
      }),
      outputs: snapshotOutputs,
      run: async (ctx, cfg, inputs) => {
        const { lifecycle } = services(ctx);
        const id = edgeOf(cfg.operation, cfg.edgeId, inputs.edgeId);
        tracked(ctx, lifecycle, id);
        const snapshot = lifecycle.transition(id, cfg.reason === undefined ? { type: cfg.event } : { type: cfg.event, reason: cfg.reason });
        return { snapshot, state: snapshot.state };
      },
    },
    acquire_lease: {
      config: z.object({ edgeId, holder, ttlMs: ttlMs.default(30_000) }),
      outputs: leaseOutputs,
      run: async (ctx, cfg, inputs) => {
        const lease = await services(ctx).leases.acquire(edgeLeaseResource(edgeOf(cfg.operation, cfg.edgeId, inputs.edgeId)), cfg.holder, cfg.ttlMs);
        return { lease, token: lease.token };
      },
    },
    renew_lease: {
      /** `token` may instead arrive on the `token` input (e.g. from an `acquire_lease` node). */
      config: z.object({ edgeId, holder, token: token.optional(), ttlMs: ttlMs.optional() }),
      outputs: leaseOutputs,
      run: async (ctx, cfg, inputs) => {
        const fencing = fromConfigOrInput(cfg.operation, "token", "a fencing token", cfg.token, inputs.token);
        const lease = await services(ctx).leases.renew(edgeLeaseResource(edgeOf(cfg.operation, cfg.edgeId, inputs.edgeId)), cfg.holder, fencing, cfg.ttlMs);
        return { lease, token: lease.token };
      },
    },
    release_lease: {
      config: z.object({ edgeId, holder, token: token.optional() }),
      outputs: leaseOutputs,
      run: async (ctx, cfg, inputs) => {
        const fencing = fromConfigOrInput(cfg.operation, "token", "a fencing token", cfg.token, inputs.token);
        const lease = await services(ctx).leases.release(edgeLeaseResource(edgeOf(cfg.operation, cfg.edgeId, inputs.edgeId)), cfg.holder, fencing);
        return { lease, token: lease.token };
      },
    },
    list: {
      config: z.object({}),
      outputs: z.object({
        edges: z.array(enginePort<EdgeLifecycleSnapshot>("a lifecycle snapshot")),
        leases: z.array(leaseSchema),
      }),
      run: async (ctx) => {
        const { lifecycle, leases } = services(ctx);
        return { edges: [...lifecycle.list()], leases: [...(await leases.list())] };
      },
    },
  },
});
