/**
 * Recovery on open: reads the snapshot and every WAL segment, replays the records, and finds a torn
 * tail — without modifying anything, so a corruption error leaves the disk exactly as it was.
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
import type { Snapshot } from "./types.js";

export interface Recovered {
  readonly state: LogState;
  readonly snapshot: Snapshot | null;
  readonly segments: SegmentInfo[];
  /** A torn final write to cut off the last segment before appending. */
  readonly torn?: { readonly path: string; readonly validLength: number; readonly reason: string };
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

/** Reads and replays everything in `dir`. Throws {@link StorageCorruptionError} on damage that is not a torn tail. */
export async function recover(dir: string, maxRecordBytes: number): Promise<Recovered> {
  const snapshot = await readSnapshotFile(dir);
  const state = new LogState();
  // Replay starts from the snapshot: records' entries it covers are skipped.
  if (snapshot !== null) state.snapshot = snapshot.metadata;
  const seqs = await listSegments(dir);
  const segments: SegmentInfo[] = [];
  let torn: Recovered["torn"];
  for (const [i, seq] of seqs.entries()) {
    const path = join(dir, segmentName(seq));
    const buf = await readFile(path);
    const scan = scanFrames(buf, i === seqs.length - 1, maxRecordBytes);
    if (scan.kind === "corrupt") throw new StorageCorruptionError(path, scan.offset, scan.reason);
    const segment: SegmentInfo = { seq, path, size: buf.length, maxIndex: 0 };
    for (const frame of scan.frames) {
      const record = decodeRecord(path, frame);
      const problem = applyRecord(state, record);
      if (problem !== undefined) throw new StorageCorruptionError(path, frame.offset, problem);
      const last = record.e?.[record.e.length - 1];
      if (last !== undefined) segment.maxIndex = Math.max(segment.maxIndex, last.index);
    }
    if (scan.kind === "torn") {
      segment.size = scan.validLength;
      torn = { path, validLength: scan.validLength, reason: scan.reason };
    }
    segments.push(segment);
  }
  // A snapshot whose marker never reached the WAL (crash in between) may sit in front of a log suffix
  // from an older term that the leader discarded; no valid log has a term below the snapshot's after it.
  const first = state.entries[0];
  if (first !== undefined && first.term < state.snapshot.term) state.entries = [];
  return torn === undefined ? { state, snapshot, segments } : { state, snapshot, segments, torn };
}
