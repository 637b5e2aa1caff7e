/**
 * One peer's send queue, held as encoded frames so its size is known in bytes, exactly.
 *
 * Each message is encoded once, when it is queued, and copied from the encoder's scratch space into
 * slabs from a {@link SlabPool}, back to back (no allocation per message, and memory that is already
 * mapped); the socket writer gives the slabs back once they are written. Only a frame larger than a
 * slab comes from the encoder in a buffer of its own and is kept as it is. A message that would
 * overflow the byte bound is refused with nothing queued. (In shared-secret mode the connection adds
 * a small tag frame per write; that is not counted here.)
 *
 * A burst larger than a slab need not wait for its end: {@link SendQueue.takeFull} hands over the
 * slabs already filled, so the socket writes them (and gives them back to be filled again) while the
 * rest of the burst is still being encoded.
 *
 * @module
 * @internal
 */
import { encodeMessageFrameInto, OWNED_FRAME_BYTES } from "./codec.js";
import { copyFrame, NO_SPLICES, type EncodedFrame } from "./encoded-frame.js";
import { FRAME_HEADER_BYTES } from "./frame.js";
import { SlabPool } from "./slab-pool.js";

/** Slab size: the largest frame copied into a slab rather than kept in its own buffer. */
export const SLAB_BYTES = OWNED_FRAME_BYTES;
/** Idle slabs the process keeps for good: 16 MiB. */
export const SLABS_KEPT = 16;
/** Idle slabs kept between bursts: as many as one queue at the default byte bound (64 MiB) fills. */
export const SLABS_KEPT_IN_BURSTS = 64;
/** Quiet time after which the pool goes back to {@link SLABS_KEPT}. */
export const BURST_HOLD_MS = 1000;
/**
 * The pool every transport of the process draws from: a transport that replaces another (a restart,
 * a test) starts with memory already mapped, and idle memory is bounded once per process.
 */
export const sharedSlabPool = new SlabPool(SLAB_BYTES, SLABS_KEPT, { burstKept: SLABS_KEPT_IN_BURSTS, holdMs: BURST_HOLD_MS });

/** What {@link SendQueue.take} hands to the socket. */
export interface QueuedFrames {
  readonly buffers: Buffer[];
  readonly bytes: number;
  readonly messages: number;
  /** Pooled slabs the buffers lie in: give them back with {@link SendQueue.release} once written. */
  readonly slabs: Buffer[];
}

export class SendQueue {
  /** Finished buffers of whole frames (full slabs, frames of their own), oldest first. */
  private sealed: Buffer[] = [];
  /** Pooled slabs all of whose frames are in `sealed`. */
  private sealedSlabs: Buffer[] = [];
  private sealedBytes = 0;
  private sealedMessages = 0;
  /** The buffer being filled: frames `[start, offset)` of it are queued but not yet in `sealed`. */
  private buffer: Buffer | undefined;
  private start = 0;
  private offset = 0;
  private openMessages = 0;
  /** Whether `buffer` came from the pool (and goes back to it once written). */
  private pooled = false;
  /** Whether `buffer` already has frames in `sealed` (then it is listed in `sealedSlabs` once, when left). */
  private partlySealed = false;

  constructor(private readonly pool = sharedSlabPool) {}

  /** Queued messages. */
  get messages(): number {
    return this.sealedMessages + this.openMessages;
  }

  /** Queued bytes on the wire: bodies and their 4-byte length prefixes. */
  get bytes(): number {
    return this.sealedBytes + this.offset - this.start;
  }

  /** Whether whole slabs (or frames of their own) are ready for {@link SendQueue.takeFull}. */
  get hasFull(): boolean {
    return this.sealed.length > 0;
  }

  /**
   * Adds an encoded frame to the end of the queue, unless the queue would then hold more than
   * `maxBytes`. A frame the caller owns is kept as it is; any other is copied next to the others,
   * so a batch is a few large buffers rather than many small ones; its spliced byte arrays are
   * copied with it, so that changing them afterwards changes nothing queued. Returns whether it was
   * queued; when not, the queue is unchanged.
   */
  pushEncoded(frame: EncodedFrame, maxBytes: number): boolean {
    const size = frame.length;
    if (this.bytes + size > maxBytes) return false;
    if (frame.owned) {
      this.seal();
      this.sealed.push(frame.bytes.subarray(frame.start, frame.end));
      this.sealedBytes += size;
      this.sealedMessages++;
      return true;
    }
    if (this.buffer === undefined || this.buffer.length - this.offset < size) {
      this.leave();
      this.pooled = size <= this.pool.slabBytes;
      this.buffer = this.pooled ? this.pool.take() : Buffer.allocUnsafe(size);
      this.start = this.offset = 0;
    }
    copyFrame(frame, this.buffer, this.offset);
    this.offset += size;
    this.openMessages++;
    return true;
  }

  /**
   * Encodes `message` as a frame straight into the buffer being filled, if it fits there, its body
   * within `maxBodyBytes` and the queue within `maxBytes`: returns whether it was queued. When not,
   * nothing is queued, and the caller encodes the message with `encodeMessageFrame` and offers it
   * to {@link SendQueue.pushEncoded}, which sizes the queue's memory for it (or refuses it) as for
   * any frame. Throws like `encodeMessageFrameInto`.
   */
  pushMessage(message: unknown, maxBytes: number, maxBodyBytes: number, peer?: string): boolean {
    if (this.buffer === undefined) {
      this.buffer = this.pool.take();
      this.pooled = true;
      this.start = this.offset = 0;
    }
    const room = Math.min(this.buffer.length - this.offset, maxBytes - this.bytes, FRAME_HEADER_BYTES + maxBodyBytes);
    if (room <= FRAME_HEADER_BYTES) return false;
    const end = encodeMessageFrameInto(message, this.buffer, this.offset, this.offset + room, peer);
    if (end < 0) return false;
    this.offset = end;
    this.openMessages++;
    return true;
  }

  /** Frames `body` and queues it like {@link SendQueue.pushEncoded}. */
  push(body: Uint8Array, maxBytes: number): boolean {
    const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + body.length);
    frame.writeUInt32BE(body.length, 0);
    frame.set(body, FRAME_HEADER_BYTES);
    return this.pushEncoded({ bytes: frame, start: 0, end: frame.length, splices: NO_SPLICES, length: frame.length, owned: frame.length >= OWNED_FRAME_BYTES }, maxBytes);
  }

  /** Everything queued, in order, as buffers of whole frames for one socket write; the queue is left empty. */
  take(): QueuedFrames {
    // The written part now belongs to the socket; a fresh buffer next time keeps the two apart.
    this.leave();
    return this.takeSealed();
  }

  /**
   * The frames before the buffer being filled (whole slabs, frames of their own), in order, for one
   * socket write; what is still being filled stays queued, after them. Nothing if {@link SendQueue.hasFull} is false.
   */
  takeFull(): QueuedFrames {
    return this.takeSealed();
  }

  /** Returns the slabs of a batch the socket has finished writing, for later batches to reuse. */
  release(slabs: readonly Buffer[]): void {
    this.pool.release(slabs);
  }

  private takeSealed(): QueuedFrames {
    const taken: QueuedFrames = { buffers: this.sealed, bytes: this.sealedBytes, messages: this.sealedMessages, slabs: this.sealedSlabs };
    this.sealed = [];
    this.sealedSlabs = [];
    this.sealedBytes = 0;
    this.sealedMessages = 0;
    return taken;
  }

  /** Moves the open frames of the buffer being filled to `sealed`; the buffer stays open for more. */
  private seal(): void {
    if (this.buffer !== undefined && this.offset > this.start) {
      this.sealed.push(this.buffer.subarray(this.start, this.offset));
      this.sealedBytes += this.offset - this.start;
      this.sealedMessages += this.openMessages;
      this.partlySealed = true;
    }
    this.start = this.offset;
    this.openMessages = 0;
  }

  /** Seals the buffer being filled and stops filling it: it goes back to the pool with the last batch that holds its frames. */
  private leave(): void {
    this.seal();
    if (this.buffer !== undefined && this.pooled) {
      if (this.partlySealed) this.sealedSlabs.push(this.buffer);
      // Taken for a message that was then queued another way: it never held a frame.
      else this.pool.release([this.buffer]);
    }
    this.buffer = undefined;
    this.start = this.offset = 0;
    this.pooled = false;
    this.partlySealed = false;
  }
}
