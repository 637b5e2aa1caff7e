/**
 * Types of the edge lifecycle engine: events, snapshots and leases.
 *
 * @module
 */
import type { EdgeLifecycleState } from "../infra/types.js";

export type { EdgeLifecycleState } from "../infra/types.js";

/** Metadata kept per edge by the lifecycle engine: small scalar facts (version, owner, reason, ...). */
export type EdgeMetadata = Readonly<Record<string, string | number | boolean>>;

/** Events a caller may send to an edge's lifecycle. */
export type LifecycleEventType = "WARM" | "READY" | "DRAIN" | "TERMINATE" | "FAIL" | "RECOVER";

/** Every caller-visible event type. */
export const LIFECYCLE_EVENT_TYPES: readonly LifecycleEventType[] = Object.freeze(["WARM", "READY", "DRAIN", "TERMINATE", "FAIL", "RECOVER"]);

/** A caller's request to move an edge; `reason` is recorded for `FAIL`. */
export interface LifecycleEvent {
  readonly type: LifecycleEventType;
  readonly reason?: string;
}

/** Per-edge timing and recovery settings. */
export interface LifecycleSettings {
  /** How long `warming` may last before the edge is marked `failed` (default 60 s). */
  readonly warmupTimeoutMs: number;
  /** How long `draining` may last before the edge is forced to `terminated` (default 300 s). */
  readonly drainTimeoutMs: number;
  /** How many `RECOVER`s are allowed between two visits to `active` (default 3). */
  readonly maxRecoveryAttempts: number;
}

/** One edge's lifecycle, frozen. */
export interface EdgeLifecycleSnapshot {
  readonly edgeId: string;
  readonly state: EdgeLifecycleState;
  readonly metadata: EdgeMetadata;
  /** `RECOVER`s since the edge was last `active`. */
  readonly recoveryAttempts: number;
  /** Deadline of the current state (`warming`, `draining`) on the injected clock, else `null`. */
  readonly expiresAt: number | null;
  /** Why the edge last failed, else `null`. */
  readonly failureReason: string | null;
  /** Clock time the current state was entered. */
  readonly enteredAt: number;
  readonly settings: LifecycleSettings;
}

/** A recorded state change. */
export interface LifecycleTransition {
  readonly edgeId: string;
  readonly from: EdgeLifecycleState;
  readonly to: EdgeLifecycleState;
  /** The event type, or `"DEADLINE"` when a state's deadline passed. */
  readonly event: LifecycleEventType | "DEADLINE";
  readonly at: number;
}

/** Events of the lifecycle engine. */
export type LifecycleEvents = {
  "lifecycle:transition": LifecycleTransition;
};

/** A lease on a named resource, as its holder was told. */
export interface Lease {
  readonly resource: string;
  readonly holder: string;
  /** Fencing token: strictly greater than every token issued before it by the same store. */
  readonly token: number;
  readonly ttlMs: number;
  readonly acquiredAt: number;
  /** The lease is held while `clock.now() < expiresAt`. */
  readonly expiresAt: number;
}

/** Events of a lease store. */
export type LeaseEvents = {
  "lease:acquired": Lease;
  "lease:renewed": Lease;
  "lease:released": Lease;
  /** The TTL passed without a renewal; the resource is free again. */
  "lease:expired": Lease;
};
