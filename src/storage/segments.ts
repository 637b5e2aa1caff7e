/**
 * File names and small durable-IO helpers for the storage directory.
 *
 * @module
 */
import { open, readdir } from "node:fs/promises";
import { join } from "node:path";

export const SNAPSHOT_FILE = "snapshot.bin";
export const TEMP_SUFFIX = ".tmp";
const SEGMENT_PATTERN = /^wal-(\d{16})\.log$/;

/** What the storage knows about one segment file. */
export interface SegmentInfo {
  readonly seq: number;
  readonly path: string;
  size: number;
  /** Highest log index any record in the segment wrote (0 if none); decides when it can be deleted. */
  maxIndex: number;
}

export function segmentName(seq: number): string {
  return `wal-${String(seq).padStart(16, "0")}.log`;
}

/** Segment sequence numbers present in `dir`, ascending. */
export async function listSegments(dir: string): Promise<number[]> {
  const names = await readdir(dir);
  const seqs: number[] = [];
  for (const name of names) {
    const match = SEGMENT_PATTERN.exec(name);
    if (match?.[1] !== undefined) seqs.push(Number(match[1]));
  }
  return seqs.sort((a, b) => a - b);
}

/** Leftover temporary files (a snapshot write interrupted before its rename). */
export async function listTempFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.endsWith(TEMP_SUFFIX)).map((name) => join(dir, name));
}

/** Makes a directory's entries (created, renamed, deleted files) durable. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
