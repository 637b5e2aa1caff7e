/**
 * The `EdgeState` node: single-writer keyed state objects with a home edge (see {@link EdgeStates}).
 *
 * `update` takes `{ key, value }` and merges: when both the current value and `value` are JSON
 * objects, `value`'s fields are merged over the current ones (shallow); otherwise `value` replaces
 * the current value. (A workflow config is JSON, so it cannot carry the engine's pure function.)
 * Errors: `state.wrong_type`, `state.locked`, `state.redirect` (with the owning edge), `validation`.
 *
 * @module
 */
import { z } from "zod";
import { EDGE_INFRASTRUCTURE } from "../src/infra/infrastructure.js";
import { InMemoryLeaseStore, LEASE_STORE } from "../src/lifecycle/lease-store.js";
import { MIGRATION_ADAPTER, MIGRATION_SERVICE, MigrationService } from "../src/migration/service.js";
import { EDGE_STATES, EdgeStates, STATE_STORE } from "../src/state/states.js";
import { InMemoryStateStore } from "../src/state/store.js";
import { jsonValueSchema, stateMetadataSchema, type JsonValue } from "../src/state/types.js";
import { defineNode, type NodeContext } from "../src/workflow/node.js";

const stateId = z.string().trim().min(1);
const key = z.string().min(1);
/** Send the operation to this edge; absent = the object's current home (placed on first use). */
const edgeId = z.string().trim().min(1).optional();
const lockOwner = z.string().trim().min(1).optional();
const userSchema = z.object({ lat: z.number(), lon: z.number(), weight: z.number().positive().optional() });
const placement = {
  /** Where the object's users are, for choosing a new object's home. */
  users: z.array(userSchema).optional(),
  /** Compliance zones the data may live in. */
  residency: z.array(z.string()).optional(),
};
const versionOut = z.object({ version: z.number().int(), home: z.string() });

function states(ctx: NodeContext): EdgeStates {
  const registry = ctx.infrastructure;
  return registry.getOrCreate(EDGE_STATES, () => {
    const infrastructure = registry.tryGet(EDGE_INFRASTRUCTURE);
    // The migration engine is present when the application registered one for the EdgeMigration
    // node; state objects then move through their own engine instance over the state adapter.
    const engine = registry.tryGet(MIGRATION_SERVICE) ?? registry.tryGet(MIGRATION_ADAPTER);
    return new EdgeStates({
      clock: ctx.clock,
      leases: registry.getOrCreate(LEASE_STORE, () => new InMemoryLeaseStore({ clock: ctx.clock })),
      store: registry.getOrCreate(STATE_STORE, () => new InMemoryStateStore()),
      ...(infrastructure === undefined ? {} : { infrastructure }),
      ...(engine === undefined ? {} : { migrations: (adapter) => new MigrationService({ clock: ctx.clock, adapter }) }),
    });
  });
}

interface Target {
  readonly stateId: string;
  readonly edgeId?: string | undefined;
  readonly users?: ReadonlyArray<z.infer<typeof userSchema>> | undefined;
  readonly residency?: readonly string[] | undefined;
}

async function objectFor(ctx: NodeContext, cfg: Target) {
  return states(ctx).object(cfg.stateId, {
    ...(cfg.edgeId === undefined ? {} : { edgeId: cfg.edgeId }),
    ...(cfg.users === undefined ? {} : { users: cfg.users }),
    ...(cfg.residency === undefined ? {} : { residency: cfg.residency }),
  });
}

function isRecord(v: JsonValue | undefined): v is { [key: string]: JsonValue } {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const target = { stateId, edgeId, ...placement };

export const EdgeState = defineNode({
  type: "EdgeState",
  description: "Reads and writes single-writer keyed state objects that live on one home edge and move with it.",
  inputs: z.object({}),
  operations: {
    get: {
      /** `key` absent = every key. */
      config: z.object({ ...target, key: key.optional() }),
      outputs: z.object({ value: jsonValueSchema.nullable(), found: z.boolean(), version: z.number().int(), home: z.string() }),
      run: async (ctx, cfg) => {
        const o = await objectFor(ctx, cfg);
        const { value, version } = await o.get(cfg.key);
        return { value: value ?? null, found: value !== undefined, version, home: o.edgeId };
      },
    },
    set: {
      config: z.object({ ...target, key, value: jsonValueSchema, lockOwner }),
      outputs: versionOut,
      run: async (ctx, cfg) => {
        const o = await objectFor(ctx, cfg);
        return { version: await o.set(cfg.key, cfg.value, cfg.lockOwner === undefined ? {} : { lockOwner: cfg.lockOwner }), home: o.edgeId };
      },
    },
    update: {
      config: z.object({ ...target, key, value: jsonValueSchema, lockOwner }),
      outputs: versionOut,
      run: async (ctx, cfg) => {
        const o = await objectFor(ctx, cfg);
        const merge = (current: JsonValue | undefined): JsonValue => (isRecord(current) && isRecord(cfg.value) ? { ...current, ...cfg.value } : cfg.value);
        return { version: await o.update(cfg.key, merge, cfg.lockOwner === undefined ? {} : { lockOwner: cfg.lockOwner }), home: o.edgeId };
      },
    },
    delete: {
      config: z.object({ ...target, key, lockOwner }),
      outputs: versionOut,
      run: async (ctx, cfg) => {
        const o = await objectFor(ctx, cfg);
        return { version: await o.delete(cfg.key, cfg.lockOwner === undefined ? {} : { lockOwner: cfg.lockOwner }), home: o.edgeId };
      },
    },
    increment: {
      config: z.object({ ...target, key, by: z.number().finite().default(1), lockOwner }),
      outputs: versionOut,
      run: async (ctx, cfg) => {
        const o = await objectFor(ctx, cfg);
        return { version: await o.increment(cfg.key, cfg.by, cfg.lockOwner === undefined ? {} : { lockOwner: cfg.lockOwner }), home: o.edgeId };
      },
    },
    append: {
      config: z.object({ ...target, key, value: jsonValueSchema, lockOwner }),
      outputs: versionOut,
      run: async (ctx, cfg) => {
        const o = await objectFor(ctx, cfg);
        return { version: await o.append(cfg.key, cfg.value, cfg.lockOwner === undefined ? {} : { lockOwner: cfg.lockOwner }), home: o.edgeId };
      },
    },
    lock: {
      config: z.object({ ...target, owner: z.string().trim().min(1), timeoutMs: z.number().int().positive().default(30_000) }),
      outputs: versionOut.extend({ lockExpiresAt: z.number() }),
      run: async (ctx, cfg) => {
        const o = await objectFor(ctx, cfg);
        const { version, lock } = await o.lock(cfg.owner, cfg.timeoutMs);
        return { version, home: o.edgeId, lockExpiresAt: lock.expiresAt };
      },
    },
    unlock: {
      config: z.object({ ...target, owner: z.string().trim().min(1) }),
      outputs: versionOut,
      run: async (ctx, cfg) => {
        const o = await objectFor(ctx, cfg);
        return { version: await o.unlock(cfg.owner), home: o.edgeId };
      },
    },
    metadata: {
      config: z.object(target),
      outputs: z.object({ metadata: stateMetadataSchema, home: z.string() }),
      run: async (ctx, cfg) => {
        const o = await objectFor(ctx, cfg);
        return { metadata: await o.metadata(), home: o.edgeId };
      },
    },
    migrate: {
      /**
       * Through the migration engine when one is registered (`path: "migration"`, with its id; a
       * failure rolls back and throws `state.migration_failed`), otherwise a direct ownership
       * transfer (`path: "transfer"`); `path: "none"` when the object already lives on `to`.
       */
      config: z.object({ stateId, to: z.string().trim().min(1) }),
      outputs: z.object({
        from: z.string().nullable(),
        home: z.string(),
        version: z.number().int(),
        path: z.enum(["migration", "transfer", "none"]),
        migrationId: z.string().nullable(),
      }),
      run: async (ctx, cfg) => {
        const registry = states(ctx);
        const from = (await registry.where(cfg.stateId)).home;
        const moved = await registry.migrate(cfg.stateId, cfg.to, { signal: ctx.signal });
        return { from, home: moved.object.edgeId, version: (await moved.object.metadata()).version, path: moved.path, migrationId: moved.migrationId };
      },
    },
    where: {
      config: z.object({ stateId }),
      outputs: z.object({ home: z.string().nullable(), leaseExpiresAt: z.number().nullable(), replicas: z.array(z.string()) }),
      run: async (ctx, cfg) => {
        const w = await states(ctx).where(cfg.stateId);
        return { home: w.home, leaseExpiresAt: w.leaseExpiresAt, replicas: [...w.replicas] };
      },
    },
  },
});
