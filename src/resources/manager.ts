/**
 * {@link ResourcePoolManager}: many pools (regions, tenants, hardware classes) over many edges, with
 * placement, batch packing by first-fit or best-fit decreasing, and global utilisation and
 * fragmentation.
 *
 * @module
 */
import type { Clock } from "../core/clock.js";
import { ClosedError, NotFoundError, ValidationError } from "../core/errors.js";
import { serviceKey, type ServiceKey } from "../core/services.js";
import { parseWith } from "../core/validation.js";
import { fragmentationOf } from "./fragmentation.js";
import { ResourcePool } from "./pool.js";
import { allocationRequestSchema, type PoolConfigInput } from "./schemas.js";
import type { Allocation, AllocationExplanation, AllocationRequest, AllocationResult, EdgeUsage, FragmentationReport, ResourceDefinition, ResourceVector } from "./types.js";

/** The key under which nodes find the shared {@link ResourcePoolManager}. */
export const RESOURCE_POOLS: ServiceKey<ResourcePoolManager> = serviceKey<ResourcePoolManager>("resources.pools");

/** A placement made by the manager: the pool it landed in and the allocation. */
export type ManagedResult = (AllocationResult & { readonly ok: true; readonly pool: string }) | (AllocationResult & { readonly ok: false; readonly pool?: string });

/** Outcome of {@link ResourcePoolManager.pack}. */
export interface PackingResult {
  /** Requests placed, by input index. */
  readonly placed: readonly { readonly index: number; readonly pool: string; readonly allocation: Allocation }[];
  /** Requests that fit nowhere, by input index, each with its explanation. */
  readonly unplaced: readonly { readonly index: number; readonly explanation: AllocationExplanation }[];
  /** The order requests were considered in (largest first). */
  readonly order: readonly number[];
}

/** Global view over every pool. */
export interface GlobalUtilization {
  readonly capacity: ResourceVector;
  readonly allocated: ResourceVector;
  readonly reserved: ResourceVector;
  readonly free: ResourceVector;
  readonly utilization: ResourceVector;
  readonly allocations: number;
  readonly pools: Readonly<Record<string, ResourceVector>>;
}

/**
 * @example
 * ```ts
 * const manager = new ResourcePoolManager({ clock });
 * manager.addPool({ name: "eu", strategy: "best_fit", edges: [{ edgeId: "eu-1", capacity: { cpu: 16 } }] });
 * manager.place({ requester: "api", resources: { cpu: 2 } });          // first pool with room
 * manager.pack(requests, "bfd");                                        // best-fit decreasing over every edge
 * manager.fragmentation().strandedFraction;                             // share of free capacity nobody can use
 * ```
 */
export class ResourcePoolManager {
  private readonly pools = new Map<string, ResourcePool>();
  private readonly clock: Clock;
  private closed = false;

  constructor(options: { readonly clock: Clock }) {
    this.clock = options.clock;
  }

  /** Creates a pool; names are unique. */
  addPool(config: PoolConfigInput): ResourcePool {
    this.assertOpen();
    const name = config.name ?? "default";
    if (this.pools.has(name)) throw ValidationError.of("config.name", `pool "${name}" already exists`, "duplicate_pool");
    const pool = new ResourcePool(config, { clock: this.clock });
    const duplicate = pool.edgeIds().find((id) => [...this.pools.values()].some((p) => p.edgeIds().includes(id)));
    if (duplicate !== undefined) throw ValidationError.of("config.edges", `edge "${duplicate}" already belongs to another pool`, "duplicate_edge");
    this.pools.set(name, pool);
    return pool;
  }

  /** The pool named `name`. */
  pool(name: string): ResourcePool {
    const pool = this.pools.get(name);
    if (pool === undefined) throw new NotFoundError("pool", name);
    return pool;
  }

  /** Pool names in creation order. */
  poolNames(): string[] {
    return [...this.pools.keys()];
  }

  /** Places a request in the named pool, or the first pool (in creation order) that grants it. */
  place(request: AllocationRequest, options: { readonly pool?: string } = {}): ManagedResult {
    this.assertOpen();
    if (options.pool !== undefined) return { ...this.pool(options.pool).tryAllocate(request), pool: options.pool };
    if (this.pools.size === 0) throw ValidationError.of("pools", "the manager has no pool; add one first");
    let last: (AllocationResult & { readonly ok: false }) | undefined;
    for (const [name, pool] of this.pools) {
      if (request.edgeId !== undefined && !pool.edgeIds().includes(request.edgeId)) continue;
      const result = pool.tryAllocate(request);
      if (result.ok) return { ...result, pool: name };
      last = result;
    }
    if (last === undefined) throw ValidationError.of("request.edgeId", `no pool holds edge "${request.edgeId ?? ""}"`);
    return last;
  }

  /** The pool holding `allocationId`, or undefined. */
  poolOf(allocationId: string): ResourcePool | undefined {
    for (const pool of this.pools.values()) if (pool.allocation(allocationId) !== undefined) return pool;
    return undefined;
  }

  /**
   * Packs a batch over every edge of every pool: requests sorted by decreasing size (dominant share
   * of the global capacity, ties in input order), each put on the first edge with room (`ffd`) or on
   * the edge left with the least room (`bfd`). Requests that fit nowhere are reported, not thrown.
   */
  pack(requests: readonly AllocationRequest[], mode: "ffd" | "bfd"): PackingResult {
    this.assertOpen();
    if (!Array.isArray(requests)) throw ValidationError.of("requests", "requests must be an array");
    const parsed = requests.map((r, i) => parseWith(allocationRequestSchema, r, `requests[${i}]`));
    const capacity = this.utilization().capacity;
    const size = (v: ResourceVector): number => Math.max(0, ...Object.entries(v).map(([k, a]) => ((capacity[k] ?? 0) > 0 ? a / (capacity[k] ?? 1) : 0)));
    const order = parsed.map((_r, i) => i).sort((a, b) => size(parsed[b]?.resources ?? {}) - size(parsed[a]?.resources ?? {}) || a - b);
    const placed: { index: number; pool: string; allocation: Allocation }[] = [];
    const unplaced: { index: number; explanation: AllocationExplanation }[] = [];
    for (const index of order) {
      const request = parsed[index];
      if (request === undefined) continue;
      let target: { pool: string; edgeId: string; leftover: number } | undefined;
      for (const [name, pool] of this.pools) {
        const probe = pool.probe(request.resources, mode === "ffd" ? "first" : "best");
        if (probe === undefined) continue;
        if (target === undefined || (mode === "bfd" && probe.leftover < target.leftover)) target = { pool: name, ...probe };
        if (mode === "ffd") break;
      }
      if (target === undefined) {
        const first = this.pools.values().next().value;
        const refusal = first?.tryAllocate({ ...request, strategy: "first_fit" } as AllocationRequest);
        unplaced.push({ index, explanation: refusal !== undefined && !refusal.ok ? refusal.explanation : { reason: "no_capacity", shortfalls: [], poolFree: this.utilization().free, message: "no pool has room" } });
        continue;
      }
      const result = this.pool(target.pool).tryAllocate({ ...request, edgeId: target.edgeId, strategy: mode === "ffd" ? "first_fit" : "best_fit" } as AllocationRequest);
      if (result.ok) placed.push({ index, pool: target.pool, allocation: result.allocation });
      else unplaced.push({ index, explanation: result.explanation });
    }
    return { placed, unplaced, order };
  }

  /** Totals over every pool, and utilisation per pool. */
  utilization(): GlobalUtilization {
    const capacity: Record<string, number> = {};
    const allocated: Record<string, number> = {};
    const reserved: Record<string, number> = {};
    const free: Record<string, number> = {};
    const pools: Record<string, ResourceVector> = {};
    let allocations = 0;
    for (const [name, pool] of this.pools) {
      const u = pool.utilization();
      pools[name] = u.utilization;
      allocations += u.allocations;
      for (const [k, v] of Object.entries(u.capacity)) capacity[k] = (capacity[k] ?? 0) + v;
      for (const [k, v] of Object.entries(u.allocated)) allocated[k] = (allocated[k] ?? 0) + v;
      for (const [k, v] of Object.entries(u.reserved)) reserved[k] = (reserved[k] ?? 0) + v;
      for (const [k, v] of Object.entries(u.free)) free[k] = (free[k] ?? 0) + v;
    }
    const utilization: Record<string, number> = {};
    for (const [k, cap] of Object.entries(capacity)) utilization[k] = cap > 0 ? ((allocated[k] ?? 0) + (reserved[k] ?? 0)) / cap : 0;
    return { capacity, allocated, reserved, free, utilization, allocations, pools };
  }

  /** Fragmentation over every edge of every pool. */
  fragmentation(strandThreshold = 0.05): FragmentationReport {
    const edges: EdgeUsage[] = [];
    const resources = new Map<string, ResourceDefinition>();
    for (const pool of this.pools.values()) {
      edges.push(...pool.utilization().edges);
      for (const r of pool.resources) resources.set(r.name, r);
    }
    return fragmentationOf(edges, [...resources.values()], strandThreshold);
  }

  /** Closes every pool. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const pool of this.pools.values()) await pool.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new ClosedError("resource pool manager");
  }
}
