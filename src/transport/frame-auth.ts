/**
 * Integrity of frames after a shared-secret handshake: each direction of a connection has its own
 * key, derived with HKDF-SHA256 from the shared secret and both handshake nonces, and every frame
 * carries an HMAC-SHA256 tag (truncated to 128 bits, as in RFC 4868) over an implicit 64-bit
 * sequence number and the frame's body. The sequence number is never sent: both ends count, so a
 * frame injected, modified, replayed, reordered, dropped or moved to another connection fails its
 * tag, and the connection is closed.
 *
 * This gives integrity and authenticity, not confidentiality: frames are readable on the wire. Use
 * TLS where what is said must stay private.
 *
 * @module
 */
import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto";
import type { NodeId } from "./types.js";

/** Bytes of the tag after each frame body. */
export const FRAME_TAG_BYTES = 16;

/** The two keys of a connection, from this side's point of view. */
export interface FrameKeys {
  readonly send: Buffer;
  readonly receive: Buffer;
}

function lengthPrefixed(parts: readonly string[]): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const bytes = Buffer.from(part, "utf8");
    const length = Buffer.allocUnsafe(4);
    length.writeUInt32BE(bytes.length, 0);
    chunks.push(length, bytes);
  }
  return Buffer.concat(chunks);
}

/** Derives the connection's keys from the secret and the handshake's nonces and ids. */
export function deriveFrameKeys(
  secret: Buffer,
  role: "dialer" | "listener",
  fields: { readonly dialerNonce: string; readonly listenerNonce: string; readonly dialerId: NodeId; readonly listenerId: NodeId },
): FrameKeys {
  const salt = lengthPrefixed([fields.dialerNonce, fields.listenerNonce]);
  const key = (direction: string): Buffer => Buffer.from(hkdfSync("sha256", secret, salt, lengthPrefixed(["edgeflow-frame-v2", direction, fields.dialerId, fields.listenerId]), 32));
  const dialerToListener = key("dialer->listener");
  const listenerToDialer = key("listener->dialer");
  return role === "dialer" ? { send: dialerToListener, receive: listenerToDialer } : { send: listenerToDialer, receive: dialerToListener };
}

/** One direction's running tag computation. */
class Direction {
  private seq = 0n;
  private readonly seqBytes = Buffer.alloc(8);

  constructor(private readonly key: Buffer) {}

  /** The tag of the next frame with `body`; advances the sequence number. */
  tag(body: Uint8Array): Buffer {
    this.seqBytes.writeBigUInt64BE(this.seq, 0);
    this.seq++;
    return createHmac("sha256", this.key).update(this.seqBytes).update(body).digest().subarray(0, FRAME_TAG_BYTES);
  }
}

/** Tags outgoing frames in place. */
export class FrameSealer {
  private readonly direction: Direction;

  constructor(key: Buffer) {
    this.direction = new Direction(key);
  }

  /**
   * Writes the tag of every frame in `buffers`, which hold whole frames back to back, each
   * `[u32 BE length][body][tag]` with room for the tag already counted in the length.
   */
  sealAll(buffers: readonly Buffer[]): void {
    for (const buffer of buffers) {
      let offset = 0;
      while (offset < buffer.length) {
        const length = buffer.readUInt32BE(offset);
        const bodyStart = offset + 4;
        const tagStart = bodyStart + length - FRAME_TAG_BYTES;
        this.direction.tag(buffer.subarray(bodyStart, tagStart)).copy(buffer, tagStart);
        offset = bodyStart + length;
      }
    }
  }
}

/** Checks incoming frames. */
export class FrameOpener {
  private readonly direction: Direction;

  constructor(key: Buffer) {
    this.direction = new Direction(key);
  }

  /** The body of `payload` (body then tag) if its tag is right for the next sequence number, else `undefined`. */
  open(payload: Buffer): Buffer | undefined {
    if (payload.length < FRAME_TAG_BYTES) return undefined;
    const body = payload.subarray(0, payload.length - FRAME_TAG_BYTES);
    const expected = this.direction.tag(body);
    return timingSafeEqual(expected, payload.subarray(payload.length - FRAME_TAG_BYTES)) ? body : undefined;
  }
}
