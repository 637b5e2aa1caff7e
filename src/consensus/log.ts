/**
 * The engine's in-memory view of the replicated log: a snapshot followed by entries, the commit
 * and apply points, and which part has not yet been handed to the host for persisting.
 *
 * @module
 */
import type { LogEntry, PersistedState, Snapshot } from "../storage/types.js";
import { RaftUsageError } from "./errors.js";
import { entryBytes } from "./sizes.js";


export class RaftLog {
  /** The latest snapshot known (persisted or pending), or `null`. */
  snapshot: Snapshot | null;
  /** A snapshot received from the leader and not yet handed to the host. */
  pendingSnapshot: Snapshot | null = null;
  committed: number;
  applied: number;
  /** First index not yet handed to the host in a `Ready`. */
  unstableFrom: number;
  private snapIndex: number;
  private snapTerm: number;
  private entries: LogEntry[];

  constructor(state: PersistedState) {
    this.snapshot = state.snapshot;
    this.snapIndex = state.snapshot?.metadata.index ?? 0;
    this.snapTerm = state.snapshot?.metadata.term ?? 0;
    this.entries = state.entries.filter((e) => e.index > this.snapIndex);
    for (let i = 0; i < this.entries.length; i++) {
      if ((this.entries[i] as LogEntry).index !== this.snapIndex + 1 + i) throw new RaftUsageError("persisted entries are not contiguous after the snapshot");
    }
    this.committed = Math.min(Math.max(state.hardState.commit, this.snapIndex), this.lastIndex());
    this.applied = this.snapIndex;
    this.unstableFrom = this.lastIndex() + 1;
  }

  firstIndex(): number {
    return this.snapIndex + 1;
  }

  lastIndex(): number {
    return this.snapIndex + this.entries.length;
  }

  /** Term of the entry at `index`; `undefined` when compacted away or beyond the end. */
  term(index: number): number | undefined {
    if (index === this.snapIndex) return this.snapTerm;
    if (index < this.snapIndex || index > this.lastIndex()) return undefined;
    return (this.entries[index - this.snapIndex - 1] as LogEntry).term;
  }

  lastTerm(): number {
    return this.term(this.lastIndex()) ?? 0;
  }

  matchTerm(index: number, term: number): boolean {
    return this.term(index) === term;
  }

  /** Whether a log ending at (`lastIndex`, `lastTerm`) is at least as up to date as this one (§5.4.1). */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const myTerm = this.lastTerm();
    return lastTerm > myTerm || (lastTerm === myTerm && lastIndex >= this.lastIndex());
  }

  entryAt(index: number): LogEntry | undefined {
    if (index <= this.snapIndex || index > this.lastIndex()) return undefined;
    return this.entries[index - this.snapIndex - 1];
  }

  /**
   * Entries in `[lo, hi)` (hi exclusive), at most `maxCount` and at most `maxBytes` encoded (but always
   * at least one); `undefined` when `lo` is compacted away.
   */
  slice(lo: number, hi: number, maxCount = Infinity, maxBytes = Infinity): LogEntry[] | undefined {
    if (lo <= this.snapIndex) return undefined;
    const end = Math.min(hi, this.lastIndex() + 1, lo + maxCount);
    if (end <= lo) return [];
    const from = lo - this.snapIndex - 1;
    const to = end - this.snapIndex - 1;
    if (maxBytes === Infinity) return this.entries.slice(from, to);
    const out: LogEntry[] = [];
    let bytes = 0;
    for (let i = from; i < to; i++) {
      const entry = this.entries[i] as LogEntry;
      bytes += entryBytes(entry);
      if (out.length > 0 && bytes > maxBytes) break;
      out.push(entry);
    }
    return out;
  }

  /** Appends entries, truncating a conflicting suffix first. Never touches committed entries. */
  append(entries: readonly LogEntry[]): void {
    const first = entries[0];
    if (first === undefined) return;
    if (first.index <= this.committed) throw new RaftUsageError(`refusing to overwrite committed entry ${first.index} (commit ${this.committed})`);
    if (first.index > this.lastIndex() + 1) throw new RaftUsageError(`gap in log: appending ${first.index} after ${this.lastIndex()}`);
    if (first.index <= this.lastIndex()) {
      this.entries.length = first.index - this.snapIndex - 1;
      this.unstableFrom = Math.min(this.unstableFrom, first.index);
    }
    for (const entry of entries) this.entries.push(entry);
  }

  /**
   * The follower side of AppendEntries: if the log matches at (`prevIndex`, `prevTerm`), appends
   * what is new and advances commit; returns the last index now known to match, or `undefined`.
   */
  maybeAppend(prevIndex: number, prevTerm: number, leaderCommit: number, entries: readonly LogEntry[]): number | undefined {
    if (!this.matchTerm(prevIndex, prevTerm)) return undefined;
    const lastNew = prevIndex + entries.length;
    let conflictAt = -1;
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i] as LogEntry;
      if (!this.matchTerm(entry.index, entry.term)) {
        conflictAt = i;
        break;
      }
    }
    if (conflictAt >= 0) this.append(conflictAt === 0 ? entries : entries.slice(conflictAt));
    this.commitTo(Math.min(leaderCommit, lastNew));
    return lastNew;
  }

  commitTo(index: number): void {
    if (index <= this.committed) return;
    if (index > this.lastIndex()) throw new RaftUsageError(`commit ${index} is beyond the last index ${this.lastIndex()}`);
    this.committed = index;
  }

  /** Commits `index` if it is in `term` (only current-term entries commit by counting, §5.4.2). */
  maybeCommit(index: number, term: number): boolean {
    if (index > this.committed && this.term(index) === term) {
      this.committed = index;
      return true;
    }
    return false;
  }

  /** Replaces the log with a snapshot from the leader. */
  restore(snapshot: Snapshot): void {
    this.snapshot = snapshot;
    this.pendingSnapshot = snapshot;
    this.snapIndex = snapshot.metadata.index;
    this.snapTerm = snapshot.metadata.term;
    this.entries = [];
    this.committed = snapshot.metadata.index;
    this.unstableFrom = this.snapIndex + 1;
  }

  /** Discards entries through `snapshot.metadata.index`, which must be applied and persisted. */
  compact(snapshot: Snapshot): void {
    const index = snapshot.metadata.index;
    if (index <= this.snapIndex) return;
    if (index > this.applied) throw new RaftUsageError(`cannot compact to ${index}: only ${this.applied} is applied`);
    if (index >= this.unstableFrom) throw new RaftUsageError(`cannot compact to ${index}: not yet persisted`);
    const term = this.term(index);
    if (term !== snapshot.metadata.term) throw new RaftUsageError(`snapshot term ${snapshot.metadata.term} does not match log term ${String(term)} at ${index}`);
    this.entries.splice(0, index - this.snapIndex);
    this.snapIndex = index;
    this.snapTerm = term;
    this.snapshot = snapshot;
  }

  /** Entries not yet handed to the host. */
  unstableEntries(): LogEntry[] {
    return this.unstableFrom > this.lastIndex() ? [] : (this.slice(this.unstableFrom, this.lastIndex() + 1) ?? []);
  }

  /** Where applying resumes: after the applied index or after a snapshot about to be installed. */
  applyFrom(): number {
    return Math.max(this.applied, this.pendingSnapshot?.metadata.index ?? 0) + 1;
  }

  hasNextCommitted(): boolean {
    return this.committed >= this.applyFrom();
  }

  /** Committed entries not yet handed out for applying, at most `maxCount`. */
  nextCommitted(maxCount: number): LogEntry[] {
    const from = this.applyFrom();
    if (this.committed < from) return [];
    return this.slice(from, this.committed + 1, maxCount) ?? [];
  }
}
