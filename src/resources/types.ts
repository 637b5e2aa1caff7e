/**
 * Types of the resource engine: resource definitions with units, requests, allocations, reservations
 * and the explanation a refused request carries.
 *
 * @module
 */

/** The kind of a resource. `custom` resources carry their own unit (e.g. `"licences"`). */
export type ResourceKind = "cpu" | "memory" | "gpu" | "storage" | "network" | "custom";

/** A resource a pool accounts for, with the unit its amounts are in. */
export interface ResourceDefinition {
  /** Name used as the key in every {@link ResourceVector}, e.g. `"cpu"` or `"licences"`. */
  readonly name: string;
  readonly kind: ResourceKind;
  /** Unit of amounts, e.g. `"cores"`, `"MiB"`, `"Mbps"`. */
  readonly unit: string;
}

/** Amounts per resource name; a missing name means zero. */
export type ResourceVector = Readonly<Record<string, number>>;

/** How a pool chooses among its edges, and who yields when capacity runs out. */
export type AllocationStrategy = "first_fit" | "best_fit" | "worst_fit" | "round_robin" | "priority" | "fair_share";

/** A request for resources, validated by `allocationRequestSchema`. */
export interface AllocationRequest {
  /** Allocation id; generated when absent. Must be unique among live allocations. */
  readonly id?: string;
  /** Who asks (tenant, service): the unit of fairness for `fair_share`. */
  readonly requester: string;
  readonly resources: ResourceVector;
  /** Higher wins under `priority`; default 0. */
  readonly priority?: number;
  /** Whether a higher-priority (or fairer) request may evict this allocation; default true. */
  readonly preemptible?: boolean;
  /** Lifetime; the allocation is released on the clock this long after it is granted. */
  readonly durationMs?: number;
  /** Draw on this reservation (its holder must be the requester). */
  readonly reservationId?: string;
  /** Only this edge may hold the allocation. */
  readonly edgeId?: string;
  /** Overrides the pool's strategy for this request. */
  readonly strategy?: AllocationStrategy;
}

/** A granted allocation (an immutable snapshot). */
export interface Allocation {
  readonly id: string;
  readonly requester: string;
  readonly edgeId: string;
  readonly resources: ResourceVector;
  readonly priority: number;
  readonly preemptible: boolean;
  readonly grantedAt: number;
  /** When the clock releases it; absent = until released. */
  readonly expiresAt?: number;
  readonly reservationId?: string;
  readonly strategy: AllocationStrategy;
}

/** Capacity set aside for one holder on one edge, drawn on by allocations that cite it. */
export interface Reservation {
  readonly id: string;
  readonly holder: string;
  readonly edgeId: string;
  /** What was reserved. */
  readonly resources: ResourceVector;
  /** What is still unclaimed by allocations. */
  readonly remaining: ResourceVector;
  readonly createdAt: number;
  readonly expiresAt?: number;
}

/** One resource a refused request is short of. */
export interface Shortfall {
  readonly resource: string;
  readonly unit: string;
  readonly requested: number;
  /** What the closest edge could still give (capacity × oversubscription − used − reserved by others). */
  readonly available: number;
  /** `requested − available`, always > 0. */
  readonly shortBy: number;
}

/** Why a request was refused. */
export interface AllocationExplanation {
  /** `no_capacity`: no edge has room; `fragmented`: the pool as a whole has room but no single edge does;
   * `reservation`: the cited reservation cannot cover it; `edge`: the pinned edge has no room. */
  readonly reason: "no_capacity" | "fragmented" | "reservation" | "edge";
  /** The edge closest to fitting the request (smallest total relative shortfall), if any. */
  readonly closestEdgeId?: string;
  /** What that edge is short of, and by how much. */
  readonly shortfalls: readonly Shortfall[];
  /** Free amounts summed over all edges. */
  readonly poolFree: ResourceVector;
  /** A sentence for logs and users. */
  readonly message: string;
}

/** Outcome of a request: the allocation (and whom it evicted), or the explanation. */
export type AllocationResult =
  | { readonly ok: true; readonly allocation: Allocation; readonly preempted: readonly Allocation[] }
  | { readonly ok: false; readonly requester: string; readonly explanation: AllocationExplanation };

/** Capacity and usage of one edge of a pool. */
export interface EdgeUsage {
  readonly edgeId: string;
  readonly capacity: ResourceVector;
  /** `capacity × oversubscription`: the most that may ever be allocated. */
  readonly limit: ResourceVector;
  readonly allocated: ResourceVector;
  /** Unclaimed reservations. */
  readonly reserved: ResourceVector;
  /** `limit − allocated − reserved`. */
  readonly free: ResourceVector;
  /** Per resource, `(allocated + reserved) / capacity` (0 for zero capacity). */
  readonly utilization: ResourceVector;
}

/** Pool-wide utilisation. */
export interface PoolUtilization {
  readonly capacity: ResourceVector;
  readonly allocated: ResourceVector;
  readonly reserved: ResourceVector;
  readonly free: ResourceVector;
  /** Per resource, `(allocated + reserved) / capacity` (0 for zero capacity). */
  readonly utilization: ResourceVector;
  readonly allocations: number;
  readonly edges: readonly EdgeUsage[];
  /** Dominant share per requester (DRF), against pool capacity. */
  readonly dominantShares: Readonly<Record<string, number>>;
}

/** Fragmentation of free capacity. */
export interface FragmentationReport {
  readonly perResource: Readonly<
    Record<
      string,
      {
        readonly free: number;
        /** The largest free amount on any single edge. */
        readonly largestFree: number;
        /** `1 − largestFree / free` (0 when nothing is free): how scattered the free capacity is. */
        readonly fragmentation: number;
        /** Free on edges where some other resource is (almost) exhausted, so nothing can use it. */
        readonly stranded: number;
      }
    >
  >;
  /** Stranded free capacity as a share of all free capacity, averaged over resources with any free. */
  readonly strandedFraction: number;
}
