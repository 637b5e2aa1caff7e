/**
 * Recovery on open: reads the snapshot, the sync marker and every WAL segment, replays the records,
 * and finds a torn tail — without modifying anything, so a corruption error leaves the disk exactly
 * as it was.
 *
 * What is trusted, and why:
 * - Every segment starts with a header naming its sequence number and the log index before it; the
 *   sequence numbers on disk must be contiguous. A duplicated, renamed or missing segment is
 *   corruption, never a silent rollback of term, vote or log.
 * - The sync marker says how far the log was durable. Damage below it, or a segment it names that
 *   is gone, is corruption; only what lies past it (never acknowledged, or acknowledged in the
 *   instant before a crash) may be cut off as a torn write.
 * - A snapshot newer than what remains of the log (its file is written before its log record) is
 *   reconciled: the log restarts after it unless it continues the snapshot, and the commit index is
 *   raised to it, since a snapshot holds committed entries only.
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { StorageCorruptionError } from "./errors.js";
import { scanFrames, type ScannedFrame } from "./frame.js";
import { LogState } from "./log-state.js";
import { walRecordSchema, type WalRecord } from "./schemas.js";
import { listSegments, segmentName, type SegmentInfo } from "./segments.js";
import { readSnapshotFile } from "./snapshot-file.js";
import { readSyncMarker, SYNC_MARKER_FILE, type SyncedPosition } from "./sync-marker.js";
import type { Snapshot } from "./types.js";

export interface Recovered {
  readonly state: LogState;
  readonly snapshot: Snapshot | null;
  readonly segments: SegmentInfo[];
  /** The sync marker's counter and position, or `null` for a new directory (no marker, no segments). */
  readonly marker: { readonly counter: number; readonly position: SyncedPosition } | null;
  /** A record to append on open so that replay reaches the reconciled state again (see module notes). */
  readonly reconciliation?: WalRecord;
  /** A torn final write to cut off the last segment before appending. */
  readonly torn?: { readonly path: string; readonly validLength: number; readonly reason: string };
  /** Bytes read or checksummed while scanning segments (linear in their size). */
  readonly checkedBytes: number;
}

function decodeRecord(path: string, frame: ScannedFrame): WalRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(frame.payload.toString("utf8"));
  } catch {
    throw new StorageCorruptionError(path, frame.offset, "record is not JSON (valid checksum: written by something else?)");
  }
  const result = walRecordSchema.safeParse(parsed);
  if (!result.success) throw new StorageCorruptionError(path, frame.offset, `malformed record: ${result.error.issues[0]?.message ?? "invalid"}`);
  return result.data;
}

/** Applies one record in the order a live save does: snapshot, then entries, then hard state. */
export function applyRecord(state: LogState, record: WalRecord): string | undefined {
  if (record.s !== undefined) {
    if (record.s.m.index > state.snapshot.index) return `record installs a snapshot at index ${record.s.m.index}, newer than the snapshot file (${state.snapshot.index})`;
    state.applySnapshot(record.s.m, record.s.k);
  }
  if (record.e !== undefined) {
    const problem = state.append(record.e);
    if (problem !== undefined) return problem;
  }
  if (record.h !== undefined) state.hardState = record.h;
  return undefined;
}

/** Checks a segment's header against its file name and the log replayed so far. */
function headerProblem(seq: number, record: WalRecord | undefined, state: LogState): string | undefined {
  const header = record?.g;
  if (header === undefined) return "the segment does not start with a segment header";
  if (header.q !== seq) return `the segment's header says it is segment ${header.q}, but its file name says ${seq} (copied or renamed segment)`;
  // Entries at or below the snapshot are skipped in replay, so the log before it ends at the snapshot at least.
  const expected = Math.max(header.i, state.snapshot.index);
  if (expected !== state.lastIndex) return `the segment continues a log ending at index ${header.i}, but the log before it ends at ${state.lastIndex} (segment missing, duplicated or out of order)`;
  return undefined;
}

/** Reads and replays everything in `dir`. Throws {@link StorageCorruptionError} on damage that is not a torn tail. */
export async function recover(dir: string, maxRecordBytes: number): Promise<Recovered> {
  const snapshot = await readSnapshotFile(dir);
  const marker = await readSyncMarker(dir);
  const state = new LogState();
  // Replay starts from the snapshot: records' entries it covers are skipped.
  if (snapshot !== null) state.snapshot = snapshot.metadata;
  const seqs = await listSegments(dir);
  checkSegmentSet(dir, seqs, marker?.position, snapshot !== null);
  const synced = marker?.position ?? { seq: 0, length: 0 };
  const segments: SegmentInfo[] = [];
  let torn: Recovered["torn"];
  let checkedBytes = 0;
  // The term of the latest entry replayed at the snapshot's index: does the log continue the snapshot?
  let termAtSnapshot: number | undefined;
  for (const [i, seq] of seqs.entries()) {
    const path = join(dir, segmentName(seq));
    const buf = await readFile(path);
    const isLast = i === seqs.length - 1;
    const syncedLength = seq < synced.seq ? buf.length : seq === synced.seq ? synced.length : 0;
    const scan = scanFrames(buf, { syncedLength, tornTailAllowed: isLast }, maxRecordBytes);
    checkedBytes += scan.checkedBytes;
    if (scan.kind === "corrupt") throw new StorageCorruptionError(path, scan.offset, scan.reason);
    const segment: SegmentInfo = { seq, path, size: buf.length, maxIndex: 0 };
    for (const [n, frame] of scan.frames.entries()) {
      const record = decodeRecord(path, frame);
      if (n === 0) {
        const problem = headerProblem(seq, record, state);
        if (problem !== undefined) throw new StorageCorruptionError(path, frame.offset, problem);
      } else if (record.g !== undefined) {
        throw new StorageCorruptionError(path, frame.offset, "a segment header in the middle of a segment");
      }
      const problem = applyRecord(state, record);
      if (problem !== undefined) throw new StorageCorruptionError(path, frame.offset, problem);
      // Once the snapshot's own record is replayed, the log after it is what that record left.
      if (record.s !== undefined && record.s.m.index === state.snapshot.index) termAtSnapshot = undefined;
      for (const entry of record.e ?? []) if (entry.index === state.snapshot.index) termAtSnapshot = entry.term;
      const last = record.e?.[record.e.length - 1];
      if (last !== undefined) segment.maxIndex = Math.max(segment.maxIndex, last.index);
    }
    if (scan.kind === "torn") {
      segment.size = scan.validLength;
      torn = { path, validLength: scan.validLength, reason: scan.reason };
    }
    segments.push(segment);
  }
  const reconciliation = reconcileWithSnapshot(state, termAtSnapshot);
  return { state, snapshot, segments, marker, checkedBytes, ...(torn === undefined ? {} : { torn }), ...(reconciliation === undefined ? {} : { reconciliation }) };
}

/** Refuses a set of segment files that cannot be the log the marker and snapshot describe. */
function checkSegmentSet(dir: string, seqs: readonly number[], synced: SyncedPosition | undefined, hasSnapshot: boolean): void {
  const first = seqs[0];
  const last = seqs[seqs.length - 1];
  if (synced === undefined) {
    if (first !== undefined) throw new StorageCorruptionError(join(dir, SYNC_MARKER_FILE), 0, `the sync marker is missing but ${seqs.length} WAL segment(s) exist`);
    if (hasSnapshot) throw new StorageCorruptionError(join(dir, SYNC_MARKER_FILE), 0, "a snapshot exists but the sync marker and every WAL segment are missing");
    return;
  }
  for (let i = 1; i < seqs.length; i++) {
    if ((seqs[i] as number) !== (seqs[i - 1] as number) + 1) {
      throw new StorageCorruptionError(join(dir, segmentName((seqs[i - 1] as number) + 1)), 0, `WAL segments are not contiguous: ${seqs[i - 1]} is followed by ${seqs[i]}`);
    }
  }
  // The marker's segment held acknowledged records: it may not be gone (an empty marker was never acknowledged).
  if (synced.length > 0 && (last === undefined || last < synced.seq || (first as number) > synced.seq)) {
    throw new StorageCorruptionError(join(dir, segmentName(synced.seq)), 0, `segment ${synced.seq} holds ${synced.length} synced bytes but is missing`);
  }
  if (first !== undefined && first > 1 && !hasSnapshot) {
    throw new StorageCorruptionError(join(dir, segmentName(1)), 0, `the log starts at segment ${first}, but there is no snapshot covering the segments before it`);
  }
}

/**
 * Applies the snapshot-before-log rules of a crash between writing the snapshot file and its log
 * record. Returns the record that makes the change durable when anything changed.
 */
function reconcileWithSnapshot(state: LogState, termAtSnapshot: number | undefined): WalRecord | undefined {
  const snapshot = state.snapshot;
  const first = state.entries[0];
  // The log after the snapshot continues it only if it held the snapshot's last entry with its term.
  const discard = first !== undefined && (first.term < snapshot.term || (termAtSnapshot !== undefined && termAtSnapshot !== snapshot.term));
  const raise = state.hardState.commit < snapshot.index;
  if (!discard && !raise) return undefined;
  if (discard) state.entries = [];
  if (raise) state.hardState = { ...state.hardState, commit: snapshot.index };
  const m = { index: snapshot.index, term: snapshot.term, confState: { voters: [...snapshot.confState.voters], learners: [...snapshot.confState.learners] } };
  return { s: { m, k: !discard }, h: state.hardState };
}
