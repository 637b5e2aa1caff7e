/**
 * Framing of write-ahead-log records: `[payload length u32 LE][crc32 of payload u32 LE][payload]`,
 * and the scan that tells a torn final write (truncate it) from corruption (refuse).
 *
 * @module
 */
import { crc32 } from "./crc32.js";

/** Bytes before each payload. */
export const FRAME_HEADER_BYTES = 8;

/** Frames one payload. */
export function encodeFrame(payload: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  frame.writeUInt32LE(payload.length, 0);
  frame.writeUInt32LE(crc32(payload), 4);
  frame.set(payload, FRAME_HEADER_BYTES);
  return frame;
}

export interface ScannedFrame {
  /** Offset of the frame's header in the file. */
  readonly offset: number;
  readonly payload: Buffer;
}

/** Bytes the scan read or checksummed, for tests that prove opening is linear in the file size. */
export interface ScanCost {
  readonly checkedBytes: number;
}

export type ScanResult = (
  | { readonly kind: "clean"; readonly frames: readonly ScannedFrame[] }
  /** The file ends in a torn write at `validLength`; everything before it is intact. */
  | { readonly kind: "torn"; readonly frames: readonly ScannedFrame[]; readonly validLength: number; readonly reason: string }
  /** A damaged record at `offset` in data known to be durable, or in a sealed segment. */
  | { readonly kind: "corrupt"; readonly frames: readonly ScannedFrame[]; readonly offset: number; readonly reason: string }
) &
  ScanCost;

/** How much of a file is known good, and whether its end may hold a torn write. */
export interface ScanBounds {
  /** Bytes known to have been made durable (and acknowledged): damage below this is corruption. */
  readonly syncedLength: number;
  /** Whether damage at or past `syncedLength` is a torn write (only in the log's last segment). */
  readonly tornTailAllowed: boolean;
}

/** Why the frame at `offset` is not valid, or `undefined` if it is. `cost.bytes` counts what was read. */
function frameProblem(buf: Buffer, offset: number, maxPayloadBytes: number, cost: { bytes: number }): string | undefined {
  if (buf.length - offset < FRAME_HEADER_BYTES) return "incomplete record header";
  cost.bytes += FRAME_HEADER_BYTES;
  const length = buf.readUInt32LE(offset);
  // No record has an empty payload: zero-filled blocks left by a crash must not parse as records.
  if (length === 0) return "empty record";
  if (length > maxPayloadBytes) return `record length ${length} exceeds the limit of ${maxPayloadBytes}`;
  if (offset + FRAME_HEADER_BYTES + length > buf.length) return "incomplete record payload";
  const payload = buf.subarray(offset + FRAME_HEADER_BYTES, offset + FRAME_HEADER_BYTES + length);
  cost.bytes += length;
  if (crc32(payload) !== buf.readUInt32LE(offset + 4)) return "checksum mismatch";
  return undefined;
}

/**
 * Scans a file of frames in one pass: every byte is read at most once, so opening is linear in the
 * file size whatever junk its tail holds. Damage below `bounds.syncedLength` is corruption (those
 * records were acknowledged); damage past it is a torn write where `bounds.tornTailAllowed`, and the
 * file is cut there — no search for valid records after it is needed, since none of them was
 * acknowledged.
 */
export function scanFrames(buf: Buffer, bounds: ScanBounds, maxPayloadBytes: number): ScanResult {
  const frames: ScannedFrame[] = [];
  const cost = { bytes: 0 };
  let offset = 0;
  while (offset < buf.length) {
    const problem = frameProblem(buf, offset, maxPayloadBytes, cost);
    if (problem === undefined) {
      const length = buf.readUInt32LE(offset);
      frames.push({ offset, payload: buf.subarray(offset + FRAME_HEADER_BYTES, offset + FRAME_HEADER_BYTES + length) });
      offset += FRAME_HEADER_BYTES + length;
      continue;
    }
    if (offset < bounds.syncedLength) {
      return { kind: "corrupt", frames, offset, reason: `${problem} below the synced length ${bounds.syncedLength} (acknowledged data)`, checkedBytes: cost.bytes };
    }
    if (!bounds.tornTailAllowed) return { kind: "corrupt", frames, offset, reason: `${problem} in a sealed segment`, checkedBytes: cost.bytes };
    return { kind: "torn", frames, validLength: offset, reason: problem, checkedBytes: cost.bytes };
  }
  if (offset < bounds.syncedLength) {
    return { kind: "corrupt", frames, offset, reason: `the file ends at ${offset} bytes, below its synced length ${bounds.syncedLength} (truncated)`, checkedBytes: cost.bytes };
  }
  return { kind: "clean", frames, checkedBytes: cost.bytes };
}
