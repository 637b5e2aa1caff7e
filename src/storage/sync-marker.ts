/**
 * The sync marker: a small file beside the WAL that says how far the log is known to be durable
 * (segment and byte length). It is what tells a torn final write — which can only lie beyond the
 * marker — from damage to records that were acknowledged, which is corruption.
 *
 * The file has two fixed 32-byte slots, written alternately; each carries a counter and a checksum,
 * and the valid slot with the highest counter wins, so a write torn by a crash leaves the other slot
 * (one step older) in force.
 *
 * ```
 * slot: magic u32 | counter u48 | segment seq u48 | synced length u48 | reserved u16 | crc32 u32  (LE)
 * ```
 *
 * @module
 */
import { open, readFile, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { crc32 } from "./crc32.js";
import { StorageCorruptionError } from "./errors.js";

export const SYNC_MARKER_FILE = "SYNCED";
const SLOT_BYTES = 32;
const MAGIC = 0x45465331; // "EFS1"

/** Where the log is known to be durable: `length` bytes of segment `seq` (and everything before it). */
export interface SyncedPosition {
  readonly seq: number;
  readonly length: number;
}

function encodeSlot(counter: number, position: SyncedPosition): Buffer {
  const slot = Buffer.alloc(SLOT_BYTES);
  slot.writeUInt32LE(MAGIC, 0);
  slot.writeUIntLE(counter, 4, 6);
  slot.writeUIntLE(position.seq, 10, 6);
  slot.writeUIntLE(position.length, 16, 6);
  slot.writeUInt32LE(crc32(slot.subarray(0, 28)), 28);
  return slot;
}

function decodeSlot(bytes: Buffer): { counter: number; position: SyncedPosition } | undefined {
  if (bytes.length < SLOT_BYTES || bytes.readUInt32LE(0) !== MAGIC) return undefined;
  if (crc32(bytes.subarray(0, 28)) !== bytes.readUInt32LE(28)) return undefined;
  return { counter: bytes.readUIntLE(4, 6), position: { seq: bytes.readUIntLE(10, 6), length: bytes.readUIntLE(16, 6) } };
}

/** Reads the marker: `null` when the file does not exist; corruption when neither slot is valid. */
export async function readSyncMarker(dir: string): Promise<{ counter: number; position: SyncedPosition } | null> {
  const path = join(dir, SYNC_MARKER_FILE);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  const a = decodeSlot(bytes.subarray(0, SLOT_BYTES));
  const b = decodeSlot(bytes.subarray(SLOT_BYTES, 2 * SLOT_BYTES));
  if (a === undefined && b === undefined) throw new StorageCorruptionError(path, 0, "neither slot of the sync marker is valid");
  if (a === undefined) return b ?? null;
  if (b === undefined) return a;
  return a.counter >= b.counter ? a : b;
}

/**
 * The open marker file. {@link SyncMarker.record} is meant to run beside the next WAL write, so
 * keeping it current costs no latency: it trails the log by at most one group commit.
 */
export class SyncMarker {
  private constructor(
    private readonly handle: FileHandle,
    private counter: number,
    private readonly sync: "datasync" | "fsync",
  ) {}

  /** Opens the marker, creating it durably (both slots) at `initial` when it does not exist. */
  static async open(dir: string, initial: SyncedPosition, existing: number | null, sync: "datasync" | "fsync"): Promise<SyncMarker> {
    const path = join(dir, SYNC_MARKER_FILE);
    if (existing !== null) return new SyncMarker(await open(path, "r+"), existing, sync);
    const handle = await open(path, "w+");
    try {
      await handle.write(Buffer.concat([encodeSlot(0, initial), encodeSlot(0, initial)]), 0, 2 * SLOT_BYTES, 0);
      await handle.sync();
    } catch (error) {
      await handle.close();
      throw error;
    }
    return new SyncMarker(handle, 0, sync);
  }

  /** Durably records `position` (in the slot not holding the newest value). */
  async record(position: SyncedPosition): Promise<void> {
    const counter = this.counter + 1;
    await this.handle.write(encodeSlot(counter, position), 0, SLOT_BYTES, (counter % 2) * SLOT_BYTES);
    if (this.sync === "fsync") await this.handle.sync();
    else await this.handle.datasync();
    this.counter = counter;
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

/** Test support: overwrites the marker as a crash at an earlier point would have left it. */
export async function rewriteSyncMarker(dir: string, position: SyncedPosition): Promise<void> {
  const handle = await open(join(dir, SYNC_MARKER_FILE), "w");
  try {
    await handle.write(Buffer.concat([encodeSlot(0, position), encodeSlot(0, position)]));
    await handle.sync();
  } finally {
    await handle.close();
  }
}
