/**
 * Durable state for Raft, as plain JSON-able records.
 *
 * The Raft engine keeps its log in memory; a {@link RaftStorage} makes it durable. The host calls
 * {@link RaftStorage.save} with what `Ready` says to persist and waits for the promise *before* it
 * sends the messages of that `Ready`: a resolved `save` means the data survives a crash.
 *
 * @module
 */

/** A node id (same as the transport's address). */
export type MemberId = string;

/** What Raft must persist before answering any message (Raft paper, figure 2). */
export interface HardState {
  readonly term: number;
  /** Candidate voted for in `term`, or `null`. */
  readonly vote: MemberId | null;
  readonly commit: number;
}

/** Cluster membership. */
export interface ConfState {
  readonly voters: readonly MemberId[];
  /** Non-voting members that receive the log (and catch up before promotion). */
  readonly learners: readonly MemberId[];
}

/** Kinds of log entries. */
export type EntryType = "normal" | "conf_change";

/** One log entry. `data` is opaque to Raft (an encoded command or configuration change). */
export interface LogEntry {
  readonly term: number;
  readonly index: number;
  readonly type: EntryType;
  readonly data: string;
}

export interface SnapshotMetadata {
  /** Index of the last entry the snapshot covers. */
  readonly index: number;
  /** Term of that entry. */
  readonly term: number;
  /** Membership as of `index`. */
  readonly confState: ConfState;
}

/** A point-in-time image of the application state machine, replacing the log up to `metadata.index`. */
export interface Snapshot {
  readonly metadata: SnapshotMetadata;
  /** Opaque application state (produced by the user's `snapshot()` hook). */
  readonly data: string;
}

/** Everything recovered from storage on start. */
export interface PersistedState {
  readonly hardState: HardState;
  /** Latest snapshot, or `null` if none was ever taken. */
  readonly snapshot: Snapshot | null;
  /** Log entries after the snapshot (or from index 1), contiguous and ascending. */
  readonly entries: readonly LogEntry[];
}

/** One atomic write. */
export interface StorageWrite {
  /** New hard state, if it changed. */
  readonly hardState?: HardState;
  /**
   * Entries to append. If the first entry's index is at or below the last stored index, the stored
   * log is truncated from that index first (a follower overwriting a conflicting suffix).
   */
  readonly entries?: readonly LogEntry[];
  /** A snapshot to install: replaces the stored log up to its index (entries beyond it are kept only if they match). */
  readonly snapshot?: Snapshot;
}

/**
 * Durable storage for one Raft member. Implementations: `MemoryStorage` (tests; can simulate a crash
 * that loses unsynced writes) and `FileStorage` (append-only write-ahead log with checksums).
 */
export interface RaftStorage {
  /** Reads what was persisted; an empty store yields term 0, no vote, commit 0, no snapshot, no entries. */
  load(): Promise<PersistedState>;
  /**
   * Persists `write` atomically and durably (fsync) before resolving. Concurrent calls may be
   * coalesced into one sync (group commit) but resolve in call order.
   */
  save(write: StorageWrite): Promise<void>;
  /**
   * Records that the application's state through `snapshot.metadata.index` is captured in `snapshot`
   * and discards log entries up to that index. A snapshot holds committed entries only, so a commit
   * index below it is raised to it.
   */
  compact(snapshot: Snapshot): Promise<void>;
  /** Flushes and releases resources. */
  close(): Promise<void>;
}
