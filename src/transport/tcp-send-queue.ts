/**
 * One peer's send queue, held as encoded frames so its size is known in bytes, exactly.
 *
 * Each message is encoded once, when it is queued, and copied from the encoder's scratch space into
 * slabs from a {@link SlabPool}, back to back (no allocation per message, and memory that is already
 * mapped); the socket writer gives the slabs back once they are written. Only a frame larger than a
 * slab comes from the encoder in a buffer of its own and is kept as it is. A message that would
 * overflow the byte bound is refused with nothing queued. (In shared-secret mode the connection adds a small tag frame per write; that is
 * not counted here.)
 *
 * @module
 * @internal
 */
import { OWNED_FRAME_BYTES, type EncodedFrame } from "./codec.js";
import { FRAME_HEADER_BYTES } from "./frame.js";
import { SlabPool } from "./slab-pool.js";

/** Slab size: the largest frame copied into a slab rather than kept in its own buffer. */
export const SLAB_BYTES = OWNED_FRAME_BYTES;
/** Idle slabs a transport's pool keeps: 16 MiB. */
export const SLABS_KEPT = 16;

/** What {@link SendQueue.take} hands to the socket. */
export interface QueuedFrames {
  readonly buffers: Buffer[];
  readonly bytes: number;
  readonly messages: number;
  /** Pooled slabs the buffers lie in: give them back with {@link SendQueue.release} once written. */
  readonly slabs: Buffer[];
}

export class SendQueue {
  private sealed: Buffer[] = [];
  private buffer: Buffer | undefined;
  private start = 0;
  private offset = 0;
  private queuedMessages = 0;
  private queuedBytes = 0;
  private slabs: Buffer[] = [];

  constructor(private readonly pool = new SlabPool(SLAB_BYTES, SLABS_KEPT)) {}

  /** Queued messages. */
  get messages(): number {
    return this.queuedMessages;
  }

  /** Queued bytes on the wire: bodies and their 4-byte length prefixes. */
  get bytes(): number {
    return this.queuedBytes;
  }

  /**
   * Adds an encoded frame to the end of the queue, unless the queue would then hold more than
   * `maxBytes`. A frame the caller owns is kept as it is; any other is copied next to the others,
   * so a batch is a few large buffers rather than many small ones. Returns whether it was queued;
   * when not, the queue is unchanged.
   */
  pushEncoded(frame: EncodedFrame, maxBytes: number): boolean {
    const size = frame.end - frame.start;
    if (this.queuedBytes + size > maxBytes) return false;
    if (frame.owned) {
      this.seal();
      this.sealed.push(frame.bytes.subarray(frame.start, frame.end));
    } else {
      if (this.buffer === undefined || this.buffer.length - this.offset < size) {
        this.seal();
        this.buffer = size <= this.pool.slabBytes ? this.pool.take() : Buffer.allocUnsafe(size);
        if (this.buffer.length === this.pool.slabBytes) this.slabs.push(this.buffer);
        this.start = this.offset = 0;
      }
      frame.bytes.copy(this.buffer, this.offset, frame.start, frame.end);
      this.offset += size;
    }
    this.queuedBytes += size;
    this.queuedMessages++;
    return true;
  }

  /** Frames `body` and queues it like {@link SendQueue.pushEncoded}. */
  push(body: Uint8Array, maxBytes: number): boolean {
    const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + body.length);
    frame.writeUInt32BE(body.length, 0);
    frame.set(body, FRAME_HEADER_BYTES);
    return this.pushEncoded({ bytes: frame, start: 0, end: frame.length, owned: frame.length >= OWNED_FRAME_BYTES }, maxBytes);
  }

  /** Everything queued, in order, as buffers of whole frames for one socket write; the queue is left empty. */
  take(): QueuedFrames {
    this.seal();
    const taken: QueuedFrames = { buffers: this.sealed, bytes: this.queuedBytes, messages: this.queuedMessages, slabs: this.slabs };
    this.sealed = [];
    this.slabs = [];
    // The written part now belongs to the socket; a fresh buffer next time keeps the two apart.
    this.buffer = undefined;
    this.start = this.offset = 0;
    this.queuedBytes = 0;
    this.queuedMessages = 0;
    return taken;
  }

  /** Returns the slabs of a batch the socket has finished writing, for later batches to reuse. */
  release(slabs: readonly Buffer[]): void {
    this.pool.release(slabs);
  }

  private seal(): void {
    if (this.buffer !== undefined && this.offset > this.start) this.sealed.push(this.buffer.subarray(this.start, this.offset));
    this.start = this.offset;
  }
}
