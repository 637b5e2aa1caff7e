/**
 * The logical contents of a Raft store — hard state, snapshot metadata and the log after it — and the
 * rules that change them, shared by live writes and by replay of the WAL on open.
 *
 * @module
 */
import type { HardState, LogEntry, SnapshotMetadata } from "./types.js";

export const EMPTY_HARD_STATE: HardState = Object.freeze({ term: 0, vote: null, commit: 0 });
export const EMPTY_SNAPSHOT_METADATA: SnapshotMetadata = Object.freeze({ index: 0, term: 0, confState: Object.freeze({ voters: [], learners: [] }) });

export class LogState {
  hardState: HardState = EMPTY_HARD_STATE;
  snapshot: SnapshotMetadata = EMPTY_SNAPSHOT_METADATA;
  /** Entries `snapshot.index + 1 ..= lastIndex`. */
  entries: LogEntry[] = [];

  get lastIndex(): number {
    return this.snapshot.index + this.entries.length;
  }

  /** Term of the entry at `index`, the snapshot's term at its index, `undefined` when unknown. */
  termAt(index: number): number | undefined {
    if (index === this.snapshot.index) return this.snapshot.term;
    return this.entries[index - this.snapshot.index - 1]?.term;
  }

  /**
   * Appends with truncate-from semantics: everything from the first entry's index on is replaced.
   * Entries at or below the snapshot are already covered and skipped (replay meets them), but the
   * truncation they imply still applies. Returns a reason when they would leave a gap.
   */
  append(entries: readonly LogEntry[]): string | undefined {
    const first = entries[0];
    if (first === undefined) return undefined;
    if (first.index > this.lastIndex + 1) return `entry ${first.index} would leave a gap after the last index ${this.lastIndex}`;
    const base = this.snapshot.index;
    this.entries.length = Math.min(this.entries.length, Math.max(first.index, base + 1) - base - 1);
    for (const entry of entries) if (entry.index > base) this.entries.push(entry);
    return undefined;
  }

  /** Whether installing `metadata` keeps the log after it (it contains the snapshot's last entry). */
  matches(metadata: SnapshotMetadata): boolean {
    return this.termAt(metadata.index) === metadata.term;
  }

  /** Moves the snapshot to `metadata`, dropping covered entries and, unless `keep`, all later ones. */
  applySnapshot(metadata: SnapshotMetadata, keep: boolean): void {
    if (metadata.index > this.snapshot.index) {
      this.entries = keep ? this.entries.slice(metadata.index - this.snapshot.index) : [];
      this.snapshot = metadata;
    } else if (!keep) {
      this.entries = [];
    }
  }
}
