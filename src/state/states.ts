/**
 * {@link EdgeStates}: the registry of state objects one process knows, each at its current home.
 * Nodes share one through {@link EDGE_STATES}.
 *
 * @module
 */
import type { Clock } from "../core/clock.js";
import { ClosedError, ValidationError } from "../core/errors.js";
import { serviceKey, type ServiceKey } from "../core/services.js";
import type { EdgeInfrastructure } from "../infra/infrastructure.js";
import type { LeaseStore } from "../lifecycle/lease-store.js";
import type { AffinityPlacer } from "../placement/placer.js";
import { chooseHome, type HomeRequest } from "./home.js";
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
  /** Replicas reported by `where` (e.g. the Raft cluster's members behind the store). */
  readonly replicas?: readonly string[];
}

/** The key under which nodes find the shared {@link StateStore}; register a durable one here first. */
export const STATE_STORE: ServiceKey<StateStore> = serviceKey<StateStore>("state.store");

/** The key under which nodes find the shared {@link EdgeStates}. */
export const EDGE_STATES: ServiceKey<EdgeStates> = serviceKey<EdgeStates>("state.objects");

/** Every state object this process drives, at its current home. */
export class EdgeStates {
  private readonly options: EdgeStatesOptions;
  private readonly homes = new Map<string, EdgeStateObject>();
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

  /** Moves `id` to `edgeId` (direct ownership transfer); returns the new home's instance. */
  async migrate(id: string, edgeId: string): Promise<EdgeStateObject> {
    const from = await this.object(id);
    if (from.edgeId === edgeId) return from;
    const to = await from.transfer(edgeId);
    this.homes.set(id, to);
    return to;
  }

  /** Where `id` lives now. */
  async where(id: string): Promise<StateWhere> {
    if (this.closed) throw new ClosedError("EdgeStates");
    const lease = await this.options.leases.get(stateLeaseResource(id));
    return { home: lease?.holder ?? null, leaseExpiresAt: lease?.expiresAt ?? null, replicas: [...(this.options.replicas ?? [])] };
  }

  /** Releases every home lease this registry holds. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const o of this.homes.values()) await o.close();
    this.homes.clear();
  }

  /** Same as {@link EdgeStates.close}, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private make(id: string, edgeId: string): EdgeStateObject {
    const { clock, leases, store, leaseTtlMs } = this.options;
    return new EdgeStateObject({ id, edgeId, clock, leases, store, ...(leaseTtlMs === undefined ? {} : { leaseTtlMs }) });
  }
}
