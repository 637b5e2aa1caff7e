/**
 * The vocabulary of the edge registry: what an edge is, how it is found, and what changes are announced.
 *
 * @module
 */

/** A point on Earth in decimal degrees (WGS 84). */
export interface Coordinates {
  /** Latitude in [-90, 90]. */
  readonly lat: number;
  /** Longitude in [-180, 180]. */
  readonly lon: number;
}

/**
 * Amounts of resources: `cpu` (cores) and `memoryMb` always, plus any extended resource by name
 * (`gpu`, `storageGb`, `bandwidthMbps`, ...), in the manner of Kubernetes extended resources.
 */
export type Resources = {
  readonly cpu: number;
  readonly memoryMb: number;
  readonly [resource: string]: number;
};

/** Health as last reported by monitoring. */
export type EdgeHealthStatus = "healthy" | "degraded" | "unhealthy" | "unknown";

/** The lifecycle states an edge moves through (driven by `src/lifecycle`). */
export type EdgeLifecycleState = "initialized" | "warming" | "active" | "draining" | "terminated" | "failed";

/** Every lifecycle state, in lifecycle order. */
export const EDGE_LIFECYCLE_STATES: readonly EdgeLifecycleState[] = Object.freeze([
  "initialized",
  "warming",
  "active",
  "draining",
  "terminated",
  "failed",
]);

/** Every health value. */
export const EDGE_HEALTH_VALUES: readonly EdgeHealthStatus[] = Object.freeze(["healthy", "degraded", "unhealthy", "unknown"]);

/** What a caller supplies to register an edge; omitted fields take the defaults noted. */
export interface EdgeSpec {
  /** Unique id, e.g. `"edge-eu-west-1a"`. */
  readonly id: string;
  /** Region name, e.g. `"eu-west"`. */
  readonly region: string;
  readonly coordinates: Coordinates;
  /** Total allocatable resources. */
  readonly capacity: Resources;
  /** Resources already committed to workloads (default: zero of each capacity resource). */
  readonly allocated?: Partial<Resources>;
  /** Price of running the edge for an hour, in any single currency used across the fleet (default 0). */
  readonly costPerHour?: number;
  /** Free-form labels for selectors (default none). */
  readonly labels?: Readonly<Record<string, string>>;
  /** What the edge can do, e.g. `"gpu"`, `"wasm"` (default none). */
  readonly capabilities?: readonly string[];
  /** Compliance / data-residency zones the edge belongs to, e.g. `"eu"`, `"gdpr"` (default none). */
  readonly complianceZones?: readonly string[];
  /** Default `"healthy"`. */
  readonly health?: EdgeHealthStatus;
  /** Default `"initialized"`. */
  readonly lifecycleState?: EdgeLifecycleState;
}

/** An edge as the registry holds it: every field present, deeply frozen. */
export interface EdgeRecord {
  readonly id: string;
  readonly region: string;
  readonly coordinates: Coordinates;
  readonly capacity: Resources;
  readonly allocated: Resources;
  readonly costPerHour: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly capabilities: readonly string[];
  readonly complianceZones: readonly string[];
  readonly health: EdgeHealthStatus;
  readonly lifecycleState: EdgeLifecycleState;
  /** Bumped on every change to this edge, starting at 1. */
  readonly revision: number;
  /** Clock time of the last change. */
  readonly updatedAt: number;
}

/** Fields of an edge that may change after registration (the id never does). */
export type EdgePatch = Partial<Omit<EdgeSpec, "id">>;

/** A Kubernetes-style set-based requirement on one label. */
export interface LabelRequirement {
  readonly key: string;
  readonly operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
  /** Required for `In` / `NotIn`. */
  readonly values?: readonly string[];
}

/** Labels an edge must carry: every `matchLabels` pair and every `matchExpressions` requirement. */
export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly LabelRequirement[];
}

/** Discovery criteria; every given criterion must hold (logical AND). */
export interface EdgeQuery {
  readonly selector?: LabelSelector;
  /** Any of these regions. */
  readonly regions?: readonly string[];
  /** Every one of these capabilities. */
  readonly capabilities?: readonly string[];
  /** At least one of these compliance zones. */
  readonly complianceZones?: readonly string[];
  /** Any of these health values. */
  readonly health?: readonly EdgeHealthStatus[];
  /** Any of these lifecycle states. */
  readonly lifecycleStates?: readonly EdgeLifecycleState[];
}

/** Change events announced by the registry; payloads are frozen snapshots. */
export type InfrastructureEvents = {
  "edge:registered": { readonly edge: EdgeRecord };
  "edge:updated": { readonly edge: EdgeRecord; readonly previous: EdgeRecord };
  "edge:deregistered": { readonly edge: EdgeRecord };
};
