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

export type ScanResult =
  | { readonly kind: "clean"; readonly frames: readonly ScannedFrame[] }
  /** The file ends in a torn write at `validLength`; everything before it is intact. */
  | { readonly kind: "torn"; readonly frames: readonly ScannedFrame[]; readonly validLength: number; readonly reason: string }
  /** A damaged record at `offset` with valid data after it, or damage where no write can be torn. */
  | { readonly kind: "corrupt"; readonly frames: readonly ScannedFrame[]; readonly offset: number; readonly reason: string };

/** Why the frame at `offset` is not valid, or `undefined` if it is. */
function frameProblem(buf: Buffer, offset: number, maxPayloadBytes: number): string | undefined {
  if (buf.length - offset < FRAME_HEADER_BYTES) return "incomplete record header";
  const length = buf.readUInt32LE(offset);
  // No record has an empty payload: zero-filled blocks left by a crash must not parse as records.
  if (length === 0) return "empty record";
  if (length > maxPayloadBytes) return `record length ${length} exceeds the limit of ${maxPayloadBytes}`;
  if (offset + FRAME_HEADER_BYTES + length > buf.length) return "incomplete record payload";
  const payload = buf.subarray(offset + FRAME_HEADER_BYTES, offset + FRAME_HEADER_BYTES + length);
  if (crc32(payload) !== buf.readUInt32LE(offset + 4)) return "checksum mismatch";
  return undefined;
}

/** Whether any valid frame starts at an offset in `[from, buf.length)`. */
function validFrameAfter(buf: Buffer, from: number, maxPayloadBytes: number): boolean {
  for (let p = from; p + FRAME_HEADER_BYTES < buf.length; p++) {
    const length = buf.readUInt32LE(p);
    // Cheap rejections first: most offsets read a length far beyond the file.
    if (length === 0 || length > maxPayloadBytes || p + FRAME_HEADER_BYTES + length > buf.length) continue;
    if (frameProblem(buf, p, maxPayloadBytes) === undefined) return true;
  }
  return false;
}

/**
 * Scans a segment. In the last segment, a damaged final stretch with no valid record after it is a
 * torn write; anywhere else damage is corruption.
 */
export function scanFrames(buf: Buffer, isLastSegment: boolean, maxPayloadBytes: number): ScanResult {
  const frames: ScannedFrame[] = [];
  let offset = 0;
  while (offset < buf.length) {
    const problem = frameProblem(buf, offset, maxPayloadBytes);
    if (problem === undefined) {
      const length = buf.readUInt32LE(offset);
      frames.push({ offset, payload: buf.subarray(offset + FRAME_HEADER_BYTES, offset + FRAME_HEADER_BYTES + length) });
      offset += FRAME_HEADER_BYTES + length;
      continue;
    }
    if (!isLastSegment) return { kind: "corrupt", frames, offset, reason: `${problem} in a sealed segment` };
    if (validFrameAfter(buf, offset + 1, maxPayloadBytes)) return { kind: "corrupt", frames, offset, reason: `${problem}, followed by valid records` };
    return { kind: "torn", frames, validLength: offset, reason: problem };
  }
  return { kind: "clean", frames };
}
