/**
 * Wire framing of the TCP transport: each frame is a 4-byte big-endian payload length followed by
 * that many bytes — JSON for the handshake's messages, then MessagePack (see `codec.ts`). The
 * decoder is a pure state machine over byte chunks, so it can be fuzzed without sockets.
 *
 * @module
 */
import { TransportError, type NodeId } from "./types.js";

/** Bytes of the length prefix. */
export const FRAME_HEADER_BYTES = 4;
/** Default maximum payload size: 16 MiB. */
export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;
/** Largest payload the 4-byte prefix can describe. */
export const MAX_FRAME_LIMIT = 0xffff_ffff;

/**
 * The JSON text of `message`, checked against the frame limit. Throws a {@link TransportError}:
 * `"invalid_message"` if it is not JSON-serializable, `"frame_too_large"` if it exceeds the limit.
 */
export function serializeMessage(message: unknown, maxFrameBytes: number, peer?: NodeId): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(message);
  } catch (error) {
    throw new TransportError("invalid_message", "message is not JSON-serializable", { peer, cause: error });
  }
  if (text === undefined) throw new TransportError("invalid_message", "message is not JSON-serializable", { peer });
  // UTF-8 needs at least one byte and at most three per UTF-16 unit: count exactly only in between.
  if (text.length * 3 > maxFrameBytes) {
    const length = Buffer.byteLength(text, "utf8");
    if (length > maxFrameBytes) {
      throw new TransportError("frame_too_large", `message of ${length} bytes exceeds the maximum frame size of ${maxFrameBytes} bytes`, { peer });
    }
  }
  return text;
}

/** Encodes `message` as one frame; throws like {@link serializeMessage}. */
export function encodeFrame(message: unknown, maxFrameBytes: number, peer?: NodeId): Buffer {
  const text = serializeMessage(message, maxFrameBytes, peer);
  const length = Buffer.byteLength(text, "utf8");
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + length);
  frame.writeUInt32BE(length, 0);
  frame.write(text, FRAME_HEADER_BYTES, length, "utf8");
  return frame;
}

const EMPTY = Buffer.alloc(0);

/**
 * Splits a byte stream into frame payloads. Once it reports a `frame_too_large` error the stream
 * cannot be resynchronised: the decoder stays failed and the connection must be closed.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  /** Read position inside `chunks[0]`: consumed bytes are skipped, not re-sliced. */
  private offset = 0;
  private buffered = 0;
  private failed: TransportError | undefined;
  private foundIn: Buffer = EMPTY;
  private foundAt = 0;

  constructor(
    private maxFrameBytes: number,
    private readonly peer?: NodeId,
  ) {}

  /** Changes the limit (e.g. from the small pre-authentication limit to the configured one). */
  setMaxFrameBytes(max: number): void {
    this.maxFrameBytes = max;
  }

  /** Bytes received but not yet part of a complete frame. */
  get pendingBytes(): number {
    return this.buffered;
  }

  /** Adds received bytes; call {@link FrameDecoder.next} to take the frames they complete. */
  push(chunk: Buffer): void {
    if (this.failed !== undefined || chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /**
   * The next complete payload, or `undefined` when more bytes are needed. The payload is a view
   * whose 4 bytes just before it, in the same memory, are its length prefix. Throws a
   * {@link TransportError} (`frame_too_large`) when a length prefix exceeds the limit, and keeps
   * throwing it afterwards. Frames are taken one at a time so the limit can change between them.
   */
  next(): Buffer | undefined {
    const length = this.nextLength();
    return length < 0 ? undefined : this.foundIn.subarray(this.foundAt, this.foundAt + length);
  }

  /**
   * Like {@link FrameDecoder.next}, without making a view: the next payload's length, or -1 when more
   * bytes are needed; the payload is then `[payloadStart, payloadStart + length)` of `payloadBuffer`,
   * until the next call. A view per frame was a measurable part of receiving a small message.
   */
  nextLength(): number {
    if (this.failed !== undefined) throw this.failed;
    if (this.buffered < FRAME_HEADER_BYTES) return -1;
    const first = this.chunks[0] as Buffer;
    const offset = this.offset;
    const length = first.length - offset >= FRAME_HEADER_BYTES ? first.readUInt32BE(offset) : this.copy(FRAME_HEADER_BYTES, false).readUInt32BE(0);
    if (length > this.maxFrameBytes) {
      this.failed = new TransportError("frame_too_large", `frame of ${length} bytes exceeds the maximum of ${this.maxFrameBytes} bytes`, { peer: this.peer });
      this.chunks = [];
      this.offset = 0;
      this.buffered = 0;
      throw this.failed;
    }
    const total = FRAME_HEADER_BYTES + length;
    if (this.buffered < total) return -1;
    if (first.length - offset >= total) {
      // The common case: the whole frame sits in one chunk, and the payload is read where it lies.
      this.foundIn = first;
      this.foundAt = offset + FRAME_HEADER_BYTES;
      this.buffered -= total;
      if (first.length - offset > total) this.offset = offset + total;
      else {
        this.chunks.shift();
        this.offset = 0;
      }
      return length;
    }
    // Copied with its length prefix, so that every payload handed out is preceded by its prefix in
    // memory and a run of frames can be hashed as one range (see `frame-auth.ts`).
    this.foundIn = this.copy(total, true);
    this.foundAt = FRAME_HEADER_BYTES;
    return length;
  }

  /** The buffer the payload {@link FrameDecoder.nextLength} last found lies in. */
  get payloadBuffer(): Buffer {
    return this.foundIn;
  }

  /** Where in {@link FrameDecoder.payloadBuffer} that payload starts. */
  get payloadStart(): number {
    return this.foundAt;
  }

  /** Call at end of stream: a partial frame left over is a truncated frame. */
  end(): TransportError | undefined {
    if (this.failed !== undefined || this.buffered === 0) return undefined;
    const left = this.buffered;
    this.chunks = [];
    this.offset = 0;
    this.buffered = 0;
    return new TransportError("bad_frame", `connection ended inside a frame (${left} bytes left over)`, { peer: this.peer });
  }

  /** Skips `n` buffered bytes. */
  private advance(n: number): void {
    this.buffered -= n;
    let left = n;
    while (left > 0) {
      const first = this.chunks[0] as Buffer;
      const available = first.length - this.offset;
      if (available > left) {
        this.offset += left;
        return;
      }
      left -= available;
      this.chunks.shift();
      this.offset = 0;
    }
  }

  /** Copies the next `n` buffered bytes (consuming them if `consume`). */
  private copy(n: number, consume: boolean): Buffer {
    const out = Buffer.allocUnsafe(n);
    let written = 0;
    let index = 0;
    let offset = this.offset;
    while (written < n) {
      const chunk = this.chunks[index] as Buffer;
      const count = Math.min(n - written, chunk.length - offset);
      chunk.copy(out, written, offset, offset + count);
      written += count;
      index++;
      offset = 0;
    }
    if (consume) this.advance(n);
    return out;
  }
}

/** Parses a payload as JSON; a payload that is not UTF-8 JSON is a `bad_frame` error. */
export function parsePayload(payload: Buffer, peer?: NodeId): { ok: true; value: unknown } | { ok: false; error: TransportError } {
  try {
    return { ok: true, value: JSON.parse(payload.toString("utf8")) };
  } catch (error) {
    return { ok: false, error: new TransportError("bad_frame", `frame payload of ${payload.length} bytes is not JSON`, { peer, cause: error }) };
  }
}
