/**
 * One peer's send queue, held as encoded frames so its size is known in bytes, exactly.
 *
 * Each message is encoded once, when it is queued, and copied straight into the queue's storage:
 * small frames are packed back to back into shared buffers (no allocation per message), large ones
 * get an exactly sized buffer each. Frames leave room for their integrity tag (see `frame-auth.ts`),
 * written when they are handed to a connection, since the tag depends on the connection's sequence
 * number. A message that would overflow the byte bound is refused with nothing queued.
 *
 * @module
 * @internal
 */
import { FRAME_HEADER_BYTES } from "./frame.js";

const BATCH_BUFFER_BYTES = 256 * 1024;
/** From this many bytes on, a frame gets its own buffer. */
const OWN_BUFFER_BYTES = 16 * 1024;

/** What {@link SendQueue.take} hands to the socket. */
export interface QueuedFrames {
  readonly buffers: Buffer[];
  readonly bytes: number;
  readonly messages: number;
}

export class SendQueue {
  private sealed: Buffer[] = [];
  private buffer: Buffer | undefined;
  private start = 0;
  private offset = 0;
  private queuedMessages = 0;
  private queuedBytes = 0;

  /** @param tagBytes Room left after each body for its integrity tag (0 when frames carry none). */
  constructor(private readonly tagBytes: number) {}

  /** Queued messages. */
  get messages(): number {
    return this.queuedMessages;
  }

  /** Queued bytes on the wire: bodies, tags and 4-byte length prefixes. */
  get bytes(): number {
    return this.queuedBytes;
  }

  /** Wire size of a frame with a body of `bodyBytes`. */
  frameBytes(bodyBytes: number): number {
    return FRAME_HEADER_BYTES + bodyBytes + this.tagBytes;
  }

  /**
   * Copies `body` as a frame to the end of the queue, unless the queue would then hold more than
   * `maxBytes`. Returns whether it was queued; when not, the queue is unchanged.
   */
  push(body: Uint8Array, maxBytes: number): boolean {
    const size = this.frameBytes(body.length);
    if (this.queuedBytes + size > maxBytes) return false;
    let target: Buffer;
    let at: number;
    if (size >= OWN_BUFFER_BYTES) {
      this.seal();
      target = Buffer.allocUnsafe(size);
      at = 0;
      this.sealed.push(target);
    } else {
      if (this.buffer === undefined || this.buffer.length - this.offset < size) {
        this.seal();
        this.buffer = Buffer.allocUnsafe(BATCH_BUFFER_BYTES);
        this.start = this.offset = 0;
      }
      target = this.buffer;
      at = this.offset;
      this.offset += size;
    }
    target.writeUInt32BE(size - FRAME_HEADER_BYTES, at);
    target.set(body, at + FRAME_HEADER_BYTES);
    this.queuedBytes += size;
    this.queuedMessages++;
    return true;
  }

  /** Everything queued, in order, as buffers of whole frames for one socket write; the queue is left empty. */
  take(): QueuedFrames {
    this.seal();
    const taken: QueuedFrames = { buffers: this.sealed, bytes: this.queuedBytes, messages: this.queuedMessages };
    this.sealed = [];
    // The written part now belongs to the socket; a fresh buffer next time keeps the two apart.
    this.buffer = undefined;
    this.start = this.offset = 0;
    this.queuedBytes = 0;
    this.queuedMessages = 0;
    return taken;
  }

  private seal(): void {
    if (this.buffer !== undefined && this.offset > this.start) this.sealed.push(this.buffer.subarray(this.start, this.offset));
    this.start = this.offset;
  }
}
