/**
 * One peer's send queue, held as encoded frames so its size is known in bytes, exactly.
 *
 * Each message is encoded once, when it is queued, and copied straight into the queue's storage:
 * small frames are packed back to back into shared buffers (no allocation per message), large ones
 * get an exactly sized buffer each. A message that would overflow the byte bound is refused with
 * nothing queued. (In shared-secret mode the connection adds a small tag frame per write; that is
 * not counted here.)
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

  /** Queued messages. */
  get messages(): number {
    return this.queuedMessages;
  }

  /** Queued bytes on the wire: bodies and their 4-byte length prefixes. */
  get bytes(): number {
    return this.queuedBytes;
  }

  /**
   * Adds `frame` (length prefix and body, the caller's to give away) to the end of the queue, unless
   * the queue would then hold more than `maxBytes`. A large frame is kept as it is; a small one is
   * copied next to the others, so a batch is a few large buffers rather than many small ones.
   * Returns whether it was queued; when not, the queue is unchanged.
   */
  pushFrame(frame: Buffer, maxBytes: number): boolean {
    const size = frame.length;
    if (this.queuedBytes + size > maxBytes) return false;
    if (size >= OWN_BUFFER_BYTES) {
      this.seal();
      this.sealed.push(frame);
    } else {
      if (this.buffer === undefined || this.buffer.length - this.offset < size) {
        this.seal();
        this.buffer = Buffer.allocUnsafe(BATCH_BUFFER_BYTES);
        this.start = this.offset = 0;
      }
      frame.copy(this.buffer, this.offset);
      this.offset += size;
    }
    this.queuedBytes += size;
    this.queuedMessages++;
    return true;
  }

  /** Frames `body` and queues it like {@link SendQueue.pushFrame}. */
  push(body: Uint8Array, maxBytes: number): boolean {
    const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + body.length);
    frame.writeUInt32BE(body.length, 0);
    frame.set(body, FRAME_HEADER_BYTES);
    return this.pushFrame(frame, maxBytes);
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
