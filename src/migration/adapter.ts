/**
 * {@link WorkloadAdapter}: everything the executor does to a workload goes through this interface, so
 * users plug in their platform (a key-value store, a container runtime with a volume, a VM).
 *
 * @module
 */

/** A workload on an edge. */
export interface WorkloadRef {
  readonly workloadId: string;
  readonly edgeId: string;
}

/** One key of a workload's state; `value: null` means the key is absent (deleted). */
export interface StateEntry {
  readonly key: string;
  readonly value: Uint8Array | null;
  /** Remaining time to live, ms, when the platform expires keys. */
  readonly ttlMs?: number;
}

/** One page of a snapshot scan. */
export interface SnapshotPage {
  readonly keys: readonly string[];
  /** Cursor of the next page, `null` when the scan is complete. */
  readonly next: string | null;
}

/** A copy of a workload kept elsewhere, usable by `emergency`. */
export interface ReplicaInfo {
  readonly edgeId: string;
  /** Clock time up to which the replica holds the workload's writes. */
  readonly asOf: number;
}

/**
 * Platform operations the executor needs. Contract, relied on for zero data loss:
 * - Every method is idempotent: a retry after a failure or a timeout is harmless.
 * - Change tracking is two-stage: {@link WorkloadAdapter.changes} returns every key written since
 *   tracking began and not yet acknowledged; {@link WorkloadAdapter.ackChanges} forgets keys once
 *   copied (a key written again after `changes` returned it stays pending). So a crash between the
 *   two loses nothing: the restarted executor is handed the same keys again.
 * - After {@link WorkloadAdapter.drain} resolves, no write is accepted on that edge and every write
 *   acknowledged before is visible to `changes` and `read`.
 * - {@link WorkloadAdapter.snapshot} returns, over a full scan, every key present for the whole scan
 *   (keys written during it are caught by change tracking, started before the scan).
 */
export interface WorkloadAdapter {
  /** Bytes of state the workload holds on the edge. */
  size(ref: WorkloadRef): Promise<number>;
  /** One page of keys, starting at `cursor` (`null` for the first page). */
  snapshot(ref: WorkloadRef, cursor: string | null, limit: number): Promise<SnapshotPage>;
  /** Current entries of `keys` (absent keys as `value: null`). */
  read(ref: WorkloadRef, keys: readonly string[]): Promise<StateEntry[]>;
  /** Writes entries (deleting those with `value: null`). */
  apply(ref: WorkloadRef, entries: readonly StateEntry[]): Promise<void>;
  /** Starts recording written keys; idempotent. */
  trackChanges(ref: WorkloadRef): Promise<void>;
  /** Whether changes are being recorded (false after an adapter restart: the executor then re-copies). */
  isTracking(ref: WorkloadRef): Promise<boolean>;
  /** Keys written since tracking began and not acknowledged. */
  changes(ref: WorkloadRef): Promise<string[]>;
  /** Forgets keys that have been copied. */
  ackChanges(ref: WorkloadRef, keys: readonly string[]): Promise<void>;
  /** Stops recording. */
  untrackChanges(ref: WorkloadRef): Promise<void>;
  /** SHA-256 (hex) of the whole state, keys in order (see `StateHasher`). */
  checksum(ref: WorkloadRef): Promise<string>;
  /** Runs the workload on the edge (without routing traffic to it). */
  start(ref: WorkloadRef): Promise<void>;
  /** Stops the workload on the edge. */
  stop(ref: WorkloadRef): Promise<void>;
  /** Stops accepting writes and waits for in-flight writes to finish. */
  drain(ref: WorkloadRef): Promise<void>;
  /** Accepts writes again after {@link WorkloadAdapter.drain}. */
  undrain(ref: WorkloadRef): Promise<void>;
  /** Routes the workload's traffic to `edgeId`. */
  switchTraffic(workloadId: string, edgeId: string): Promise<void>;
  /** Removes the workload's state from the edge. */
  delete(ref: WorkloadRef): Promise<void>;
  /** Whether the edge answers. */
  healthy(edgeId: string): Promise<boolean>;
  /** Copies of the workload on other edges, freshest first (for `emergency`); empty when none. */
  replicas(workloadId: string): Promise<ReplicaInfo[]>;
}
