/**
 * The snapshot file: one framed JSON record, replaced atomically (temp file, fsync, rename, fsync dir).
 *
 * @module
 */
import { open, readFile, rename } from "node:fs/promises";
import { join } from "node:path";
import { StorageCorruptionError } from "./errors.js";
import { encodeFrame, scanFrames } from "./frame.js";
import { snapshotSchema } from "./schemas.js";
import { SNAPSHOT_FILE, syncDirectory, TEMP_SUFFIX } from "./segments.js";
import type { Snapshot } from "./types.js";

/** Reads the snapshot, `null` when there is none; damage of any kind is corruption (it was fsynced). */
export async function readSnapshotFile(dir: string): Promise<Snapshot | null> {
  const path = join(dir, SNAPSHOT_FILE);
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  const scan = scanFrames(buf, { syncedLength: buf.length, tornTailAllowed: false }, 0xffff_ffff);
  const frame = scan.frames[0];
  if (scan.kind !== "clean" || frame === undefined || scan.frames.length !== 1) {
    throw new StorageCorruptionError(path, scan.kind === "corrupt" ? scan.offset : 0, scan.kind === "corrupt" ? scan.reason : "expected exactly one record");
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(frame.payload.toString("utf8"));
  } catch {
    throw new StorageCorruptionError(path, 0, "snapshot record is not JSON");
  }
  const result = snapshotSchema.safeParse(parsed);
  if (!result.success) throw new StorageCorruptionError(path, 0, `snapshot record is malformed: ${result.error.issues[0]?.message ?? "invalid"}`);
  return result.data;
}

/** Durably replaces the snapshot file with `snapshot`. */
export async function writeSnapshotFile(dir: string, snapshot: Snapshot, sync: "datasync" | "fsync"): Promise<void> {
  const path = join(dir, SNAPSHOT_FILE);
  const temp = path + TEMP_SUFFIX;
  const handle = await open(temp, "w");
  try {
    const frame = encodeFrame(Buffer.from(JSON.stringify(snapshot), "utf8"));
    await handle.writeFile(frame);
    if (sync === "fsync") await handle.sync();
    else await handle.datasync();
  } finally {
    await handle.close();
  }
  await rename(temp, path);
  await syncDirectory(dir);
}
