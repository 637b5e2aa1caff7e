/**
 * {@link EdgeStates}: the registry of state objects one process knows, each at its current home.
 * Nodes share one through {@link EDGE_STATES}.
 *
 * @module
 */
import { z } from "zod";
import type { Clock } from "../core/clock.js";
import { ClosedError, ValidationError } from "../core/errors.js";
import { parseWith } from "../core/validation.js";
import { serviceKey, type ServiceKey } from "../core/services.js";
import type { EdgeInfrastructure } from "../infra/infrastructure.js";
import type { LeaseStore } from "../lifecycle/lease-store.js";
import type { WorkloadAdapter } from "../migration/adapter.js";
import type { MigrationRequestInput } from "../migration/schemas.js";
import type { MigrationService } from "../migration/service.js";
import type { AffinityPlacer } from "../placement/placer.js";
import { StateMigrationFailedError } from "./errors.js";
import { chooseHome, type HomeRequest } from "./home.js";
import { StateMigrationAdapter, stateWorkloadId } from "./migration-adapter.js";
import { EdgeStateObject, stateLeaseResource } from "./object.js";
import type { StateStore } from "./store.js";

/** Where an object lives. */
export interface StateWhere {
  /** The home edge, or `null` when no edge holds the lease at this instant. */
  readonly home: string | null;
  /** When the home lease lapses unless renewed, or `null` without a home. */
  readonly leaseExpiresAt: number | null;
  /** Where the data is replicated: the store's replicas (empty for a process-local store). */
  readonly replicas: readonly string[];
}

/** Options of {@link EdgeStates}. */
export interface EdgeStatesOptions {
  readonly clock: Clock;
  readonly leases: LeaseStore;
  readonly store: StateStore;
  /** With it, homes are chosen by placement among its edges. */
  readonly infrastructure?: EdgeInfrastructure;
  readonly placer?: AffinityPlacer;
  /** Home lease length (default 10 000 ms). */
  readonly leaseTtlMs?: number;
  /** Replicas reported by `where`, overriding what the store reports (see {@link StateStore.replicas}). */
  readonly replicas?: readonly string[];
  /**
   * The migration engine: given the state objects' workload adapter, the engine that moves them (e.g.
   * `(adapter) => new MigrationService({ clock, adapter })`). Without it, `migrate` is a direct
   * ownership transfer.
   */
  readonly migrations?: (adapter: WorkloadAdapter) => StateMigrationEngine;
  /** Migration options of every state migration (e.g. `maxAttempts`, `callTimeoutMs`). */
  readonly migrationOptions?: MigrationRequestInput["options"];
}

/** The part of the migration engine state objects use. */
export type StateMigrationEngine = Pick<MigrationService, "plan" | "execute">;

/** How {@link EdgeStates.migrate} moved an object. */
export interface StateMigrationResult {
  /** The instance at the object's home afterwards. */
  readonly object: EdgeStateObject;
  /** `migration`: through the migration engine; `transfer`: a direct handover; `none`: already there. */
  readonly path: "migration" | "transfer" | "none";
  /** The migration engine's id of the migration, or `null` without one. */
  readonly migrationId: string | null;
}

/** A state or edge id as `migrate` accepts it. */
const nonEmptyName = z.string().trim().min(1);

/** The key under which nodes find the shared {@link StateStore}; register a durable one here first. */
export const STATE_STORE: ServiceKey<StateStore> = serviceKey<StateStore>("state.store");

/** The key under which nodes find the shared {@link EdgeStates}. */
export const EDGE_STATES: ServiceKey<EdgeStates> = serviceKey<EdgeStates>("state.objects");

/** Every state object this process drives, at its current home. */
export class EdgeStates {
  private readonly options: EdgeStatesOptions;
  private readonly homes = new Map<string, EdgeStateObject>();
  /** Instances a running migration works with, by state id then edge, so each pair is one instance. */
  private readonly moving = new Map<string, Map<string, EdgeStateObject>>();
  private engine: StateMigrationEngine | undefined;
  private closed = false;

  constructor(options: EdgeStatesOptions) {
    if (typeof options !== "object" || options === null) throw ValidationError.of("options", "is required", "required");
    this.options = options;
  }

  /**
   * The instance of `id` on `edgeId`, or when omitted on its current home (chosen by placement for a
   * new object when an infrastructure is given; otherwise `edgeId` is required).
   */
  async object(id: string, request: Omit<HomeRequest, "id"> & { edgeId?: string } = {}): Promise<EdgeStateObject> {
    if (this.closed) throw new ClosedError("EdgeStates");
    const known = this.homes.get(id);
    if (request.edgeId !== undefined) return known?.edgeId === request.edgeId ? known : this.make(id, request.edgeId);
    const live = await this.options.leases.get(stateLeaseResource(id));
    // The home may have moved through another instance (expiry, a direct call): follow the lease.
    if (known !== undefined && (live === undefined || live.holder === known.edgeId)) return known;
    let edgeId = live?.holder;
    if (edgeId === undefined && this.options.infrastructure !== undefined) {
      edgeId = chooseHome(this.options.infrastructure.edges(), { id, ...request }, this.options.placer);
    }
    if (edgeId === undefined) throw ValidationError.of("edgeId", `state "${id}" has no home yet and no infrastructure to place it: give an edgeId`, "required");
    const made = this.make(id, edgeId);
    this.homes.set(id, made);
    return made;
  }

  /**
   * Moves `id` to `edgeId`. With a migration engine (option `migrations`) it is a live migration:
   * pre-copy to the target, a drained final copy, a checksum of both copies, then a fenced lease
   * handover; on any failure the engine rolls it back and this throws `state.migration_failed`, the
   * object keeping its old home, data and lease. Without one, a direct ownership transfer.
   */
  async migrate(id: string, edgeId: string, options: { signal?: AbortSignal } = {}): Promise<StateMigrationResult> {
    const target = parseWith(nonEmptyName, edgeId, "edgeId");
    const from = await this.object(parseWith(nonEmptyName, id, "id"));
    if (from.edgeId === target) return { object: from, path: "none", migrationId: null };
    const engine = this.migrationEngine();
    if (engine === undefined) {
      const to = await from.transfer(target);
      this.homes.set(id, to);
      return { object: to, path: "transfer", migrationId: null };
    }
    // The source must hold the lease before the engine looks at it (a redirect otherwise).
    await from.metadata();
    const signal = options.signal === undefined ? {} : { signal: options.signal };
    const plan = await engine.plan(
      { source: from.edgeId, target, workloads: [{ id: stateWorkloadId(id) }], strategy: "live", ...(this.options.migrationOptions === undefined ? {} : { options: this.options.migrationOptions }) },
      signal,
    );
    const final = await engine.execute(plan, signal);
    if (final.phase === "completed" || final.phase === "rolled_back") this.moving.delete(id);
    if (final.phase !== "completed") throw new StateMigrationFailedError(id, final.id, final.paused ? "paused" : final.phase, final.failure?.message ?? null);
    const home = this.homes.get(id);
    if (home === undefined || home.edgeId !== target) throw new StateMigrationFailedError(id, final.id, "completed without a handover", null);
    return { object: home, path: "migration", migrationId: final.id };
  }

  /** Where `id` lives now, and where its data is replicated (the option, else the store's replicas). */
  async where(id: string): Promise<StateWhere> {
    if (this.closed) throw new ClosedError("EdgeStates");
    const lease = await this.options.leases.get(stateLeaseResource(id));
    const replicas = this.options.replicas ?? (await this.options.store.replicas?.()) ?? [];
    return { home: lease?.holder ?? null, leaseExpiresAt: lease?.expiresAt ?? null, replicas: [...replicas] };
  }

  /** Releases every home lease this registry holds. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const o of this.homes.values()) await o.close();
    for (const byEdge of this.moving.values()) for (const o of byEdge.values()) await o.close();
    this.homes.clear();
    this.moving.clear();
  }

  /** Same as {@link EdgeStates.close}, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private migrationEngine(): StateMigrationEngine | undefined {
    const factory = this.options.migrations;
    if (factory === undefined) return undefined;
    this.engine ??= factory(
      new StateMigrationAdapter({
        home: (id) => this.homes.get(id),
        instance: (id, edgeId) => this.instance(id, edgeId),
        moved: (object) => this.homes.set(object.id, object),
        healthy: (edgeId) => this.healthy(edgeId),
      }),
    );
    return this.engine;
  }

  private instance(id: string, edgeId: string): EdgeStateObject {
    const home = this.homes.get(id);
    if (home?.edgeId === edgeId) return home;
    let byEdge = this.moving.get(id);
    if (byEdge === undefined) this.moving.set(id, (byEdge = new Map()));
    const known = byEdge.get(edgeId);
    if (known !== undefined) return known;
    const made = this.make(id, edgeId);
    byEdge.set(edgeId, made);
    return made;
  }

  private healthy(edgeId: string): boolean {
    const infrastructure = this.options.infrastructure;
    if (infrastructure === undefined) return true;
    const edge = infrastructure.edges().find((e) => e.id === edgeId);
    return edge !== undefined && edge.health !== "unhealthy";
  }

  private make(id: string, edgeId: string): EdgeStateObject {
    const { clock, leases, store, leaseTtlMs } = this.options;
    return new EdgeStateObject({ id, edgeId, clock, leases, store, ...(leaseTtlMs === undefined ? {} : { leaseTtlMs }) });
  }
}
