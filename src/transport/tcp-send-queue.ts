/**
 * One peer's send queue, held as encoded frames so its size is known in bytes, exactly.
 *
 * Each message is encoded once, when it is queued (not at flush time), straight into the queue's
 * storage, so the UTF-8 byte count comes out of that single pass instead of a separate
 * `Buffer.byteLength` pass. Small frames are packed back to back into shared buffers (written into
 * worst-case room, three bytes per UTF-16 unit, so no allocation per message); large ones get an
 * exactly sized buffer each. A message that would overflow the byte bound is refused with nothing
 * queued: its frame is written past the end of the queued bytes and simply not kept.
 *
 * @module
 * @internal
 */
import { encodeBatch, FRAME_HEADER_BYTES } from "./frame.js";

const BATCH_BUFFER_BYTES = 256 * 1024;
/** From this many UTF-16 units on, a frame gets its own buffer (as in `encodeBatch`, which encodes it). */
const OWN_BUFFER_UNITS = 16 * 1024;

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

  /** Queued messages. */
  get messages(): number {
    return this.queuedMessages;
  }

  /** Queued bytes on the wire: UTF-8 payloads plus their 4-byte length prefixes. */
  get bytes(): number {
    return this.queuedBytes;
  }

  /**
   * Encodes `text` as a frame at the end of the queue, unless the queue would then hold more than
   * `maxBytes`. Returns whether it was queued; when not, the queue is unchanged.
   */
  push(text: string, maxBytes: number): boolean {
    // UTF-8 takes at least one byte per UTF-16 unit: past the bound already, there is nothing to encode.
    if (this.queuedBytes + FRAME_HEADER_BYTES + text.length > maxBytes) return false;
    if (text.length >= OWN_BUFFER_UNITS) {
      const frame = encodeBatch([text]).buffers[0] as Buffer;
      if (this.queuedBytes + frame.length > maxBytes) return false;
      this.seal();
      this.sealed.push(frame);
      this.queuedBytes += frame.length;
      this.queuedMessages++;
      return true;
    }
    const room = FRAME_HEADER_BYTES + 3 * text.length;
    let buffer = this.buffer;
    if (buffer === undefined || buffer.length - this.offset < room) {
      this.seal();
      buffer = this.buffer = Buffer.allocUnsafe(BATCH_BUFFER_BYTES);
      this.start = this.offset = 0;
    }
    const written = buffer.write(text, this.offset + FRAME_HEADER_BYTES, "utf8");
    const frameBytes = FRAME_HEADER_BYTES + written;
    if (this.queuedBytes + frameBytes > maxBytes) return false;
    buffer.writeUInt32BE(written, this.offset);
    this.offset += frameBytes;
    this.queuedBytes += frameBytes;
    this.queuedMessages++;
    return true;
  }

  /** Everything queued, in order, as buffers for one socket write; the queue is left empty. */
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
