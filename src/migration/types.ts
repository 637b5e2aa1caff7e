/**
 * Types of the migration engine: requests, plans, phases, progress and history.
 *
 * @module
 */

/** How a migration moves state. See the README's migration section for when to pick which. */
export type MigrationStrategy = "live" | "staged" | "bulk" | "incremental" | "emergency";

/** Every strategy, in the order the planner considers them when recommending. */
export const MIGRATION_STRATEGIES: readonly MigrationStrategy[] = Object.freeze(["live", "incremental", "staged", "bulk", "emergency"]);

/** Phases of the executor's state machine. */
export type MigrationPhase =
  | "planning"
  | "pre_sync"
  | "sync"
  | "cutover"
  | "validation"
  | "cleanup"
  | "completed"
  | "failed"
  | "rolling_back"
  | "rolled_back";

/** Phases a migration never leaves. */
export const TERMINAL_PHASES: readonly MigrationPhase[] = Object.freeze(["completed", "rolled_back"]);

/** What the planner needs to know about one workload. */
export interface MigrationWorkload {
  readonly id: string;
  /** Size of its state in bytes (from the adapter when omitted). */
  readonly sizeBytes?: number;
  /** Rate at which it rewrites its state, bytes per second (default 0). */
  readonly dirtyRateBytesPerSec?: number;
  /** Resources it needs on the target (`cpu`, `memoryMb`, ...), checked against capacity. */
  readonly requests?: Readonly<Record<string, number>>;
  /** Compliance zones it may run in (e.g. `["eu"]`), checked through placement filters. */
  readonly residency?: readonly string[];
  /** Capabilities the target must have. */
  readonly capabilities?: readonly string[];
}

/** Tuning of transfer and pre-copy; every field has a default (see `DEFAULT_MIGRATION_OPTIONS`). */
export interface MigrationOptions {
  /** Link bandwidth between source and target, bytes per second. */
  readonly bandwidthBytesPerSec: number;
  /** Token-bucket burst, bytes. */
  readonly burstBytes: number;
  /** Compress chunks with zlib (raw and compressed bytes are both accounted). */
  readonly compression: boolean;
  /** Keys per transfer batch; pause and checkpoints take effect between batches. */
  readonly batchKeys: number;
  /** Stop-and-copy once the dirty remainder is at most this many bytes. */
  readonly stopCopyThresholdBytes: number;
  /** Stop-and-copy after this many pre-copy rounds even if not converged. */
  readonly maxRounds: number;
  /** Longest acceptable write pause at cutover, ms. */
  readonly downtimeBudgetMs: number;
  /** Checkpoint at least this often during sync, ms of clock time. */
  readonly checkpointIntervalMs: number;
  /** Workloads per wave for `staged`. */
  readonly waveSize: number;
  /** Pause between delta-sync rounds for `incremental`, ms. */
  readonly deltaIntervalMs: number;
  /** Timeout of a single adapter call, ms. */
  readonly callTimeoutMs: number;
  /** Attempts per adapter call before the migration fails (rollback steps retry the same way). */
  readonly maxAttempts: number;
  /** Backoff before the first retry, ms; doubles per attempt. */
  readonly retryBackoffMs: number;
  /** Lease TTL of the per-workload locks, ms. */
  readonly leaseTtlMs: number;
}

/** A request to migrate workloads from one edge to another. */
export interface MigrationRequest {
  readonly source: string;
  readonly target: string;
  readonly workloads: readonly MigrationWorkload[];
  readonly strategy: MigrationStrategy;
  /** Optional window the migration must fit in, clock ms. */
  readonly window?: { readonly start: number; readonly end: number };
  readonly options?: Partial<MigrationOptions>;
}

/** The iterative pre-copy model's prediction (Clark et al., NSDI 2005). */
export interface PreCopyEstimate {
  /** Pre-copy rounds before stop-and-copy, counting the first full copy. */
  readonly rounds: number;
  /** Whether the dirty remainder fell under the threshold (false: stopped by `maxRounds`). */
  readonly converged: boolean;
  /** Dirty rate ÷ bandwidth; pre-copy converges only below 1. */
  readonly dirtyRatio: number;
  /** Bytes left for stop-and-copy. */
  readonly stopCopyBytes: number;
  /** Time with writes paused, ms. */
  readonly downtimeMs: number;
  /** Time from start to cutover done, ms. */
  readonly totalMs: number;
  /** Bytes sent over the link in all. */
  readonly bytesSent: number;
  /** Bytes copied per round (the last entry is the stop-and-copy). */
  readonly roundBytes: readonly number[];
}

/** The planner's estimate for one strategy. */
export interface StrategyEstimate {
  readonly strategy: MigrationStrategy;
  readonly durationMs: number;
  readonly downtimeMs: number;
  readonly bytesSent: number;
  /** False when the strategy cannot finish (e.g. `incremental` never converging). */
  readonly feasible: boolean;
  /** Writes that may be lost, ms (only `emergency`). */
  readonly dataLossWindowMs: number;
  readonly notes: readonly string[];
}

/** A validated, estimated migration. */
export interface MigrationPlan {
  readonly request: MigrationRequest & { readonly options: MigrationOptions };
  readonly totalBytes: number;
  readonly estimate: StrategyEstimate;
  /** Per-workload pre-copy predictions (for `live` / `incremental` / `staged`). */
  readonly preCopy: Readonly<Record<string, PreCopyEstimate>>;
  /** A strategy that meets the downtime budget when the requested one cannot, else `null`. */
  readonly recommendation: MigrationStrategy | null;
  readonly alternatives: readonly StrategyEstimate[];
  readonly warnings: readonly string[];
  readonly plannedAt: number;
}

/** Where one workload is in its migration; persisted, so a restarted executor resumes from it. */
export interface WorkloadProgress {
  readonly workloadId: string;
  /**
   * `pending` → `copying` (snapshot) → `syncing` (rounds) → `verified` (final checksum matched, writes
   * paused) → `switched` (traffic on the target) → `validated` → `cleaned`.
   */
  readonly stage: "pending" | "copying" | "syncing" | "verified" | "switched" | "validated" | "cleaned";
  /** Edge the state is copied from: the source, or a replica for `emergency`. */
  readonly copyFrom: string;
  /** Snapshot scan cursor; `null` before the first page. */
  readonly cursor: string | null;
  readonly round: number;
  readonly keysCopied: number;
  /** Rollback done for this workload. */
  readonly rolledBack: boolean;
  /** Fencing token of its lease. */
  readonly leaseToken: number | null;
}

/** One pre-copy round as executed. */
export interface RoundRecord {
  readonly workloadId: string;
  readonly round: number;
  readonly keys: number;
  readonly bytes: number;
  /** The final copy with writes paused (its time is downtime). */
  readonly stopAndCopy: boolean;
  readonly startedAt: number;
  readonly endedAt: number;
}

/** Bytes moved, raw and on the wire. */
export interface TransferTotals {
  readonly rawBytes: number;
  readonly wireBytes: number;
  readonly chunks: number;
}

/** The executor's persisted state: everything needed to continue after a crash. */
export interface MigrationState {
  readonly id: string;
  readonly plan: MigrationPlan;
  readonly phase: MigrationPhase;
  /** Wave index for `staged` (0 otherwise). */
  readonly wave: number;
  readonly paused: boolean;
  /** `incremental` only: the caller asked for cutover. */
  readonly cutoverRequested: boolean;
  readonly workloads: Readonly<Record<string, WorkloadProgress>>;
  readonly rounds: readonly RoundRecord[];
  readonly transfer: TransferTotals;
  /** Clock time writes were paused with no edge serving, or `null`. */
  readonly outageStartedAt: number | null;
  /** Downtime accumulated so far, ms. */
  readonly downtimeMs: number;
  readonly dataLossWindowMs: number;
  readonly failure: { readonly code: string; readonly message: string; readonly phase: MigrationPhase } | null;
  /** Things the caller should know (a target left to clean, writes lost with a dead target, ...). */
  readonly warnings: readonly string[];
  readonly checkpoints: number;
  readonly lastCheckpointAt: number;
  readonly startedAt: number;
  readonly finishedAt: number | null;
  /** Revision of the persisted record; bumped on every save. */
  readonly revision: number;
}

/** A progress report. */
export interface MigrationProgress {
  readonly migrationId: string;
  readonly phase: MigrationPhase;
  readonly paused: boolean;
  /** 0–100. */
  readonly percent: number;
  readonly bytesTransferred: number;
  readonly wireBytes: number;
  readonly totalBytes: number;
  /** Estimated ms to completion at the current rate, `null` when unknown. */
  readonly etaMs: number | null;
  readonly at: number;
}

/** A finished migration, as kept in history. */
export interface MigrationRecord {
  readonly migrationId: string;
  readonly strategy: MigrationStrategy;
  readonly source: string;
  readonly target: string;
  readonly workloads: readonly string[];
  readonly outcome: "completed" | "rolled_back";
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly durationMs: number;
  readonly downtimeMs: number;
  readonly dataLossWindowMs: number;
  readonly rounds: number;
  readonly rawBytes: number;
  readonly wireBytes: number;
  readonly failure: { readonly code: string; readonly message: string; readonly phase: MigrationPhase } | null;
  readonly warnings: readonly string[];
}

/** Aggregates over finished migrations. */
export interface MigrationMetrics {
  readonly started: number;
  readonly completed: number;
  readonly rolledBack: number;
  readonly active: number;
  /** Completed ÷ finished, or `null` before any finished. */
  readonly successRate: number | null;
  readonly meanDurationMs: number | null;
  readonly meanDowntimeMs: number | null;
  readonly rawBytes: number;
  readonly wireBytes: number;
  /** Wire ÷ raw bytes, or `null` before any transfer. */
  readonly compressionRatio: number | null;
}

/** Events of the migration engine. */
export interface MigrationEvents {
  readonly "migration:progress": MigrationProgress;
  readonly "migration:phase": { readonly migrationId: string; readonly from: MigrationPhase; readonly to: MigrationPhase; readonly at: number };
  readonly "migration:checkpoint": { readonly migrationId: string; readonly phase: MigrationPhase; readonly revision: number; readonly at: number };
  readonly "migration:finished": MigrationRecord;
  [event: string]: unknown;
}
