/**
 * {@link EdgeInfrastructure}: the shared context every workflow node receives. It is a
 * {@link ServiceRegistry} (so other engines publish their services on it under typed keys) that also
 * holds the registry of edges and answers discovery queries.
 *
 * @module
 */
import { freeze, produce } from "immer";
import { SystemClock, type Clock } from "../core/clock.js";
import { ConflictError, NotFoundError, ValidationError, type ValidationIssue } from "../core/errors.js";
import { TypedEmitter } from "../core/events.js";
import { serviceKey, ServiceRegistry, type ServiceKey } from "../core/services.js";
import { parseWith, requireId, requireObject } from "../core/validation.js";
import { InfrastructureUnavailableError } from "./errors.js";
import { edgePatchSchema, edgeQuerySchema, edgeRecordSchema, edgeSpecSchema, lifecycleStateSchema, healthSchema, partialResourcesSchema } from "./schemas.js";
import { matchesQueryChecked } from "./selector.js";
import type {
  EdgeHealthStatus,
  EdgeLifecycleState,
  EdgePatch,
  EdgeQuery,
  EdgeRecord,
  EdgeSpec,
  InfrastructureEvents,
  Resources,
} from "./types.js";

/** The key under which an {@link EdgeInfrastructure} registers itself (and can be found in a plain registry). */
export const EDGE_INFRASTRUCTURE: ServiceKey<EdgeInfrastructure> = serviceKey<EdgeInfrastructure>("infra.edges");

/** Options for {@link EdgeInfrastructure}. */
export interface EdgeInfrastructureOptions {
  /** Stamps `updatedAt`; defaults to the system clock. Pass the runtime's clock in simulations. */
  readonly clock?: Clock;
}

function zeroAllocation(capacity: Resources, allocated: Readonly<Record<string, number>> | undefined, path: string): Resources {
  const issues: ValidationIssue[] = [];
  const out: Record<string, number> = {};
  for (const resource of Object.keys(capacity)) out[resource] = 0;
  for (const [resource, amount] of Object.entries(allocated ?? {})) {
    if (!Object.hasOwn(capacity, resource)) {
      issues.push({ path: `${path}.allocated.${resource}`, message: `edge has no "${resource}" capacity`, code: "unknown_resource" });
    } else {
      out[resource] = amount;
    }
  }
  if (issues.length > 0) throw new ValidationError(issues);
  return out as Resources;
}

/**
 * The edge registry and service context. One instance per application, passed to every runtime that
 * should share it: two runtimes given the same instance see the same edges and services.
 *
 * Reads return deeply frozen snapshots; a snapshot never changes after it is handed out.
 *
 * @example
 * ```ts
 * const infrastructure = new EdgeInfrastructure();
 * infrastructure.registerEdge({
 *   id: "edge-eu-1", region: "eu-west", coordinates: { lat: 53.3, lon: -6.3 },
 *   capacity: { cpu: 8, memoryMb: 16_384 }, complianceZones: ["eu"], lifecycleState: "active",
 * });
 * infrastructure.findEdges({ complianceZones: ["eu"], lifecycleStates: ["active"] }); // [edge-eu-1]
 * const runtime = new LocalRuntime({ infrastructure });
 * ```
 */
export class EdgeInfrastructure extends ServiceRegistry {
  /** Change events: `edge:registered`, `edge:updated`, `edge:deregistered`. */
  readonly events = new TypedEmitter<InfrastructureEvents>();
  private readonly clock: Clock;
  private readonly records = new Map<string, EdgeRecord>();
  private cachedList: readonly EdgeRecord[] | undefined;
  private changeCount = 0;

  constructor(options: EdgeInfrastructureOptions = {}) {
    super();
    const { clock } = requireObject(options, "options") as EdgeInfrastructureOptions;
    if (clock !== undefined && typeof clock?.now !== "function") throw ValidationError.of("options.clock", "clock must implement Clock", "invalid_type");
    this.clock = clock ?? new SystemClock();
    this.register(EDGE_INFRASTRUCTURE, this);
  }

  /**
   * The {@link EdgeInfrastructure} behind a node's `ctx.infrastructure`: the registry itself when it is
   * one, else the one registered under {@link EDGE_INFRASTRUCTURE}.
   *
   * @throws InfrastructureUnavailableError when the runtime was given a plain registry without one.
   * @example
   * ```ts
   * run: async (ctx) => EdgeInfrastructure.from(ctx.infrastructure).findEdges({ regions: ["eu-west"] })
   * ```
   */
  static from(registry: ServiceRegistry): EdgeInfrastructure {
    if (!(registry instanceof ServiceRegistry)) throw ValidationError.of("registry", "must be a ServiceRegistry", "invalid_type");
    if (registry instanceof EdgeInfrastructure) return registry;
    const found = registry.tryGet(EDGE_INFRASTRUCTURE);
    if (found instanceof EdgeInfrastructure) return found;
    throw new InfrastructureUnavailableError();
  }

  /** Increases on every change to any edge; lets callers cache derived views. */
  get version(): number {
    return this.changeCount;
  }

  /** Registers a new edge; a duplicate id is a {@link ConflictError}. */
  registerEdge(spec: EdgeSpec): EdgeRecord {
    const parsed = parseWith(edgeSpecSchema, spec, "edge");
    if (this.records.has(parsed.id)) throw new ConflictError(`edge "${parsed.id}" is already registered`);
    const record: EdgeRecord = freeze(
      {
        id: parsed.id,
        region: parsed.region,
        coordinates: parsed.coordinates,
        capacity: parsed.capacity as Resources,
        allocated: zeroAllocation(parsed.capacity as Resources, parsed.allocated, "edge"),
        costPerHour: parsed.costPerHour ?? 0,
        labels: parsed.labels ?? {},
        capabilities: [...new Set(parsed.capabilities ?? [])],
        complianceZones: [...new Set(parsed.complianceZones ?? [])],
        health: parsed.health ?? "healthy",
        lifecycleState: parsed.lifecycleState ?? "initialized",
        revision: 1,
        updatedAt: this.clock.now(),
      },
      true,
    );
    this.records.set(record.id, record);
    this.changed();
    this.events.emit("edge:registered", { edge: record });
    return record;
  }

  /**
   * Installs `record` exactly as another registry holds it, revision and `updatedAt` included: how a
   * replica of a shared registry (such as `EtcdEdgeRegistry` in `edgeflow/etcd`) takes in a change
   * made elsewhere. Announced as `edge:registered` for a new id, `edge:updated` otherwise.
   */
  restoreEdge(record: EdgeRecord): EdgeRecord {
    const parsed = parseWith(edgeRecordSchema, record, "edge");
    const capacity = parsed.capacity as Resources;
    const restored: EdgeRecord = freeze(
      {
        ...parsed,
        capacity,
        allocated: zeroAllocation(capacity, parsed.allocated, "edge"),
        capabilities: [...new Set(parsed.capabilities)],
        complianceZones: [...new Set(parsed.complianceZones)],
      },
      true,
    );
    const previous = this.records.get(restored.id);
    if (previous !== undefined) return this.store(restored, previous);
    this.records.set(restored.id, restored);
    this.changed();
    this.events.emit("edge:registered", { edge: restored });
    return restored;
  }

  /** Removes an edge; returns its last snapshot. */
  deregisterEdge(id: string): EdgeRecord {
    requireId(id, "id");
    const record = this.getEdge(id);
    this.records.delete(id);
    this.changed();
    this.events.emit("edge:deregistered", { edge: record });
    return record;
  }

  /** Applies a validated patch atomically (all fields or none); returns the new snapshot. */
  updateEdge(id: string, patch: EdgePatch): EdgeRecord {
    requireId(id, "id");
    const parsed = parseWith(edgePatchSchema, patch, "patch");
    const previous = this.getEdge(id);
    const capacity = (parsed.capacity ?? previous.capacity) as Resources;
    const allocated =
      parsed.allocated !== undefined || parsed.capacity !== undefined
        ? zeroAllocation(
            capacity,
            // A resource dropped from capacity drops its allocation; the others carry over.
            { ...Object.fromEntries(Object.entries(previous.allocated).filter(([r]) => Object.hasOwn(capacity, r))), ...parsed.allocated },
            "patch",
          )
        : previous.allocated;
    const next = produce(previous, (draft) => {
      if (parsed.region !== undefined) draft.region = parsed.region;
      if (parsed.coordinates !== undefined) draft.coordinates = parsed.coordinates;
      if (parsed.costPerHour !== undefined) draft.costPerHour = parsed.costPerHour;
      if (parsed.labels !== undefined) draft.labels = parsed.labels;
      if (parsed.capabilities !== undefined) draft.capabilities = [...new Set(parsed.capabilities)];
      if (parsed.complianceZones !== undefined) draft.complianceZones = [...new Set(parsed.complianceZones)];
      if (parsed.health !== undefined) draft.health = parsed.health;
      if (parsed.lifecycleState !== undefined) draft.lifecycleState = parsed.lifecycleState;
      draft.capacity = capacity;
      draft.allocated = allocated;
      draft.revision = previous.revision + 1;
      draft.updatedAt = this.clock.now();
    });
    return this.store(next, previous);
  }

  /** Records an edge's health (from monitoring). */
  setHealth(id: string, health: EdgeHealthStatus): EdgeRecord {
    requireId(id, "id");
    return this.updateEdge(id, { health: parseWith(healthSchema, health, "health") });
  }

  /** Records an edge's lifecycle state (from the lifecycle engine). */
  setLifecycleState(id: string, state: EdgeLifecycleState): EdgeRecord {
    requireId(id, "id");
    return this.updateEdge(id, { lifecycleState: parseWith(lifecycleStateSchema, state, "lifecycleState") });
  }

  /**
   * Commits `request` to an edge's allocation, or throws {@link ConflictError} (changing nothing) if
   * any resource would exceed capacity.
   */
  allocate(id: string, request: Partial<Resources>): EdgeRecord {
    return this.adjustAllocation(id, request, 1);
  }

  /** Returns `request` to an edge's free capacity (never below zero). */
  free(id: string, request: Partial<Resources>): EdgeRecord {
    return this.adjustAllocation(id, request, -1);
  }

  /** The snapshot of one edge; {@link NotFoundError} when unknown. */
  getEdge(id: string): EdgeRecord {
    requireId(id, "id");
    const record = this.records.get(id);
    if (record === undefined) throw new NotFoundError("edge", id);
    return record;
  }

  /** The snapshot of one edge, or `undefined` when unknown. */
  tryGetEdge(id: string): EdgeRecord | undefined {
    requireId(id, "id");
    return this.records.get(id);
  }

  /** Whether an edge with this id is registered. */
  hasEdge(id: string): boolean {
    requireId(id, "id");
    return this.records.has(id);
  }

  /** Every edge, sorted by id; the same frozen array until the next change. */
  edges(): readonly EdgeRecord[] {
    if (this.cachedList === undefined) {
      this.cachedList = freeze([...this.records.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)));
    }
    return this.cachedList;
  }

  /** Edges matching every given criterion (label selector, regions, capabilities, zones, health, state), by id. */
  findEdges(query: EdgeQuery = {}): readonly EdgeRecord[] {
    const parsed = parseWith(edgeQuerySchema, query, "query");
    return freeze(this.edges().filter((edge) => matchesQueryChecked(edge, parsed)));
  }

  private adjustAllocation(id: string, request: Partial<Resources>, sign: 1 | -1): EdgeRecord {
    requireId(id, "id");
    const parsed = parseWith(partialResourcesSchema, request, "request");
    const previous = this.getEdge(id);
    const issues: ValidationIssue[] = [];
    const allocated: Record<string, number> = { ...previous.allocated };
    for (const [resource, amount] of Object.entries(parsed)) {
      const capacity = previous.capacity[resource];
      if (capacity === undefined) {
        issues.push({ path: `request.${resource}`, message: `edge "${id}" has no "${resource}" capacity`, code: "unknown_resource" });
        continue;
      }
      const next = (allocated[resource] ?? 0) + sign * amount;
      if (sign === 1 && next > capacity) {
        throw new ConflictError(`edge "${id}" cannot take ${amount} more ${resource}: ${allocated[resource] ?? 0} of ${capacity} already allocated`);
      }
      allocated[resource] = Math.max(0, next);
    }
    if (issues.length > 0) throw new ValidationError(issues);
    const next = produce(previous, (draft) => {
      draft.allocated = allocated as Resources;
      draft.revision = previous.revision + 1;
      draft.updatedAt = this.clock.now();
    });
    return this.store(next, previous);
  }

  private store(next: EdgeRecord, previous: EdgeRecord): EdgeRecord {
    const frozen = freeze(next, true);
    this.records.set(frozen.id, frozen);
    this.changed();
    this.events.emit("edge:updated", { edge: frozen, previous });
    return frozen;
  }

  private changed(): void {
    this.changeCount++;
    this.cachedList = undefined;
  }
}
