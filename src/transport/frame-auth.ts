/**
 * Integrity of frames after a shared-secret handshake. Each direction of a connection has its own
 * key, derived with HKDF-SHA256 from the shared secret, both handshake nonces and the negotiated
 * suite. The sender follows every batch of frames it writes with a *tag frame*: a 128-bit MAC over
 * every byte of the batch's frames, length prefixes included, under an implicit 64-bit batch sequence
 * number. The receiver holds a batch's frames until its tag frame arrives and checks it; only then are
 * the frames delivered. Nothing about the sequence is sent: both ends count, so a frame injected,
 * modified, replayed, reordered or dropped by a man in the middle — or a whole batch moved to another
 * connection — fails a tag, and the connection is closed.
 *
 * Two suites, negotiated at the handshake (see `handshake.ts`, which binds the choice into both
 * proofs so that nobody in the middle can force the weaker one):
 * - `"aes-256-gcm"` (preferred): GMAC, i.e. AES-256-GCM with the batch as additional authenticated
 *   data and nothing encrypted. The 96-bit nonce is four zero bytes and the batch sequence number,
 *   so no nonce repeats under a key; the sequence never wraps, a side that would need nonce 2^64
 *   closes the connection instead. With AES-NI and carry-less multiply this runs several times
 *   faster than HMAC-SHA256 (measured in `bench/transport.bench.ts`); encrypting too was measured
 *   far slower in Node, because every `update` returns freshly allocated ciphertext.
 * - `"hmac-sha256"`: HMAC-SHA256 truncated to 128 bits (as in RFC 4868) over the sequence number and
 *   the batch, for machines without AES instructions.
 *
 * Tagging batches rather than single frames costs one MAC per socket write instead of one per
 * message, which is what keeps small messages cheap. A batch is cut after {@link TAG_INTERVAL_BYTES}
 * so that a receiver never holds more than that plus one frame unverified.
 *
 * This gives integrity and authenticity, not confidentiality: frames are readable on the wire. Use
 * TLS where what is said must stay private.
 *
 * @module
 */
import { createCipheriv, createHmac, createSecretKey, hkdfSync, timingSafeEqual, type CipherGCM, type Hmac, type KeyObject } from "node:crypto";
import type { NodeId } from "./types.js";

/** Bytes of a truncated tag. */
export const FRAME_TAG_BYTES = 16;
/** First byte of a tag frame's payload: 0xc1 is never used by MessagePack, so no message starts with it. */
export const TAG_FRAME_MARKER = 0xc1;
/** A tag frame's payload: the marker and the tag. */
export const TAG_FRAME_PAYLOAD_BYTES = 1 + FRAME_TAG_BYTES;
/** A batch is tagged once it holds this many bytes (at a frame boundary), and at its end. */
export const TAG_INTERVAL_BYTES = 256 * 1024;

/** How batches of frames are authenticated. */
export type FrameSuite = "aes-256-gcm" | "hmac-sha256";
/** Every suite, most preferred first: the default offer. */
export const FRAME_SUITES: readonly FrameSuite[] = ["aes-256-gcm", "hmac-sha256"];
/** The sequence number no batch may use: a counter that reaches it has run out of nonces. */
const SEQUENCE_LIMIT = 1n << 64n;

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

/** Derives the connection's keys from the secret, the handshake's nonces and ids, and the suite. */
export function deriveFrameKeys(
  secret: Buffer,
  role: "dialer" | "listener",
  fields: { readonly dialerNonce: string; readonly listenerNonce: string; readonly dialerId: NodeId; readonly listenerId: NodeId },
  suite: FrameSuite = "aes-256-gcm",
): FrameKeys {
  const salt = lengthPrefixed([fields.dialerNonce, fields.listenerNonce]);
  const key = (direction: string): Buffer => Buffer.from(hkdfSync("sha256", secret, salt, lengthPrefixed(["edgeflow-frame-v3", suite, direction, fields.dialerId, fields.listenerId]), 32));
  const dialerToListener = key("dialer->listener");
  const listenerToDialer = key("listener->dialer");
  return role === "dialer" ? { send: dialerToListener, receive: listenerToDialer } : { send: listenerToDialer, receive: dialerToListener };
}

/** Thrown by {@link FrameSealer.seal} when the batch counter has run out: the connection must close. */
export class SequenceExhaustedError extends Error {
  constructor() {
    super("the batch sequence number would wrap; the connection must be closed");
    this.name = "SequenceExhaustedError";
  }
}

/** One direction's batch counter and running MAC. */
abstract class Direction {
  /** The next batch's sequence number. */
  protected seq: bigint;
  /** Imported once: a raw key would be parsed again for every batch's MAC. */
  protected readonly key: KeyObject;

  constructor(key: Buffer, firstSequence: bigint) {
    this.key = createSecretKey(key);
    this.seq = firstSequence;
  }

  /** Whether the counter has a number left for another batch. */
  get exhausted(): boolean {
    return this.seq >= SEQUENCE_LIMIT;
  }

  /** Adds bytes to the current batch. */
  abstract update(bytes: Uint8Array): void;

  /** Ends the batch: its tag, and the next batch gets the next sequence number. */
  finish(): Buffer {
    if (this.exhausted) throw new SequenceExhaustedError();
    const tag = this.digest();
    this.seq++;
    return tag;
  }

  protected abstract digest(): Buffer;
}

class HmacDirection extends Direction {
  private hmac: Hmac | undefined;

  update(bytes: Uint8Array): void {
    if (this.hmac === undefined) {
      const seq = Buffer.allocUnsafe(8);
      seq.writeBigUInt64BE(this.seq, 0);
      this.hmac = createHmac("sha256", this.key).update(seq);
    }
    this.hmac.update(bytes);
  }

  protected digest(): Buffer {
    const hmac = this.hmac ?? createHmac("sha256", this.key).update(sequenceBytes(this.seq));
    this.hmac = undefined;
    return hmac.digest().subarray(0, FRAME_TAG_BYTES);
  }
}

class GmacDirection extends Direction {
  private gcm: CipherGCM | undefined;

  update(bytes: Uint8Array): void {
    // Several AAD updates before any data give the same tag as one over their concatenation.
    (this.gcm ??= this.start()).setAAD(bytes);
  }

  protected digest(): Buffer {
    const gcm = this.gcm ?? this.start();
    this.gcm = undefined;
    gcm.final();
    return gcm.getAuthTag();
  }

  private start(): CipherGCM {
    if (this.exhausted) throw new SequenceExhaustedError();
    return createCipheriv("aes-256-gcm", this.key, gcmNonce(this.seq), { authTagLength: FRAME_TAG_BYTES });
  }
}

/** The 96-bit GCM nonce of batch `seq`: four zero bytes, then the 64-bit sequence number. */
export function gcmNonce(seq: bigint): Buffer {
  const nonce = Buffer.alloc(12);
  nonce.writeBigUInt64BE(seq, 4);
  return nonce;
}

function sequenceBytes(seq: bigint): Buffer {
  const bytes = Buffer.allocUnsafe(8);
  bytes.writeBigUInt64BE(seq, 0);
  return bytes;
}

function direction(suite: FrameSuite, key: Buffer, firstSequence: bigint): Direction {
  return suite === "aes-256-gcm" ? new GmacDirection(key, firstSequence) : new HmacDirection(key, firstSequence);
}

function tagFrame(tag: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(4 + TAG_FRAME_PAYLOAD_BYTES);
  frame.writeUInt32BE(TAG_FRAME_PAYLOAD_BYTES, 0);
  frame[4] = TAG_FRAME_MARKER;
  tag.copy(frame, 5);
  return frame;
}

/** Tags outgoing batches. */
export class FrameSealer {
  private readonly direction: Direction;

  /** @param firstSequence The first batch's number: 0 on a connection; other values only to test the counter's end. */
  constructor(key: Buffer, suite: FrameSuite = "aes-256-gcm", firstSequence = 0n) {
    this.direction = direction(suite, key, firstSequence);
  }

  /**
   * The buffers to write for `buffers` (each holding whole frames): the same buffers with a tag
   * frame after every {@link TAG_INTERVAL_BYTES} or so, and one at the end. Throws a
   * {@link SequenceExhaustedError}, tagging nothing, when the counter has no number left for a batch.
   */
  seal(buffers: readonly Buffer[]): Buffer[] {
    if (this.direction.exhausted) throw new SequenceExhaustedError();
    const out: Buffer[] = [];
    let batched = 0;
    for (const buffer of buffers) {
      this.direction.update(buffer);
      out.push(buffer);
      batched += buffer.length;
      if (batched >= TAG_INTERVAL_BYTES) {
        out.push(tagFrame(this.direction.finish()));
        batched = 0;
      }
    }
    if (batched > 0) out.push(tagFrame(this.direction.finish()));
    return out;
  }
}

/** What {@link FrameOpener.accept} makes of one received frame. */
export type OpenResult =
  /** Part of a batch not yet verified: held. */
  | { readonly kind: "held" }
  /** A tag frame that verified its batch: these frames' payloads may be delivered, in order. */
  | { readonly kind: "verified"; readonly payloads: readonly Buffer[] }
  /** A tag that does not match, or too much held unverified: the connection must be closed. */
  | { readonly kind: "failed"; readonly reason: string };

/** {@link FrameOpener.acceptAt}: the frame is part of a batch not yet verified, and is held. */
export const FRAME_HELD = 0;
/** {@link FrameOpener.acceptAt}: a tag frame verified its batch; its frames may be delivered (see {@link FrameOpener.verifiedCount}). */
export const BATCH_VERIFIED = 1;
/** {@link FrameOpener.acceptAt}: a tag did not match, or too much was held unverified ({@link FrameOpener.failure} says which): close the connection. */
export const BATCH_FAILED = 2;
export type AcceptOutcome = typeof FRAME_HELD | typeof BATCH_VERIFIED | typeof BATCH_FAILED;

/** Checks incoming batches. */
export class FrameOpener {
  private readonly direction: Direction;
  /** The frames held, as ranges of the memory they arrived in: `heldLength[i]` bytes from `heldAt[i]` of `heldIn[i]`. */
  private readonly heldIn: Buffer[] = [];
  private readonly heldAt: number[] = [];
  private readonly heldLength: number[] = [];
  private heldCount = 0;
  private heldBytes = 0;
  private verified = 0;
  private failedWith = "";
  private readonly header = Buffer.allocUnsafe(4);
  /** The run of adjacent frames (prefixes included) received but not yet fed to the MAC: `[runStart, runEnd)` of `runMemory`. */
  private runMemory: ArrayBufferLike | undefined;
  private runView: DataView | undefined;
  /**
   * The last buffer hashed and where it lies in `runMemory`: a chunk's frames come in the same
   * Buffer, and its `buffer` and `byteOffset` getters, called for every frame, were a measurable part of receiving a small one.
   */
  private runBuffer: Buffer = EMPTY;
  private runBufferOffset = 0;
  private runStart = 0;
  private runEnd = 0;

  /**
   * @param maxHeldBytes Most unverified bytes held before the batch counts as an attack.
   * @param firstSequence As for {@link FrameSealer}.
   */
  constructor(
    key: Buffer,
    private readonly maxHeldBytes: number,
    suite: FrameSuite = "aes-256-gcm",
    firstSequence = 0n,
  ) {
    this.direction = direction(suite, key, firstSequence);
  }

  /**
   * Takes the payload of the next received frame. Payloads as {@link FrameDecoder.next} returns
   * them, with their length prefix just before them in memory, are hashed in place, a whole run
   * of adjacent frames at once; any other payload is hashed with a prefix written for it. Frames
   * are hashed as they come, soon after their bytes were written (rather than all at the tag, when
   * a megabyte later they may have left the cache), but held, and delivered only once their
   * batch's tag has verified.
   */
  accept(payload: Buffer): OpenResult {
    const outcome = this.acceptAt(payload, 0, payload.length);
    if (outcome === FRAME_HELD) return HELD;
    if (outcome === BATCH_FAILED) return { kind: "failed", reason: this.failedWith };
    const payloads: Buffer[] = [];
    for (let i = 0; i < this.verified; i++) payloads.push(this.verifiedBuffer(i).subarray(this.verifiedStart(i), this.verifiedStart(i) + this.verifiedLength(i)));
    this.delivered();
    return { kind: "verified", payloads };
  }

  /**
   * {@link FrameOpener.accept} for the payload of `length` bytes from `start` of `buffer`, without a
   * view of it or a result object per frame: what a small message costs to receive is mostly such
   * allocations. After {@link BATCH_VERIFIED}, the batch's frames are {@link FrameOpener.verifiedCount}
   * ranges, readable until the next call.
   */
  acceptAt(buffer: Buffer, start: number, length: number): AcceptOutcome {
    this.verified = 0;
    if (length === TAG_FRAME_PAYLOAD_BYTES && buffer[start] === TAG_FRAME_MARKER) {
      const count = this.heldCount;
      this.heldCount = 0;
      this.heldBytes = 0;
      if (this.direction.exhausted) return this.fail("the batch sequence number would wrap");
      this.flushRun();
      this.runMemory = this.runView = undefined;
      this.runBuffer = EMPTY;
      const expected = this.direction.finish();
      if (count === 0 || !timingSafeEqual(expected, buffer.subarray(start + 1, start + TAG_FRAME_PAYLOAD_BYTES))) {
        return this.fail("a batch of frames failed its integrity check (injected, modified, replayed, reordered or dropped)");
      }
      this.verified = count;
      return BATCH_VERIFIED;
    }
    if (length > 0 && buffer[start] === TAG_FRAME_MARKER) return this.fail("a malformed tag frame");
    // A batch's first frame starts its MAC, under a nonce the counter must still have.
    if (this.heldCount === 0 && this.direction.exhausted) return this.fail("the batch sequence number would wrap");
    const index = this.heldCount++;
    if (index < this.heldIn.length) {
      this.heldIn[index] = buffer;
      this.heldAt[index] = start;
      this.heldLength[index] = length;
    } else {
      this.heldIn.push(buffer);
      this.heldAt.push(start);
      this.heldLength.push(length);
    }
    this.heldBytes += 4 + length;
    if (this.heldBytes > this.maxHeldBytes) return this.fail(`more than ${this.maxHeldBytes} bytes of frames without an integrity tag`);
    this.hash(buffer, start, length);
    return FRAME_HELD;
  }

  /** Frames of the batch the last {@link FrameOpener.acceptAt} verified (0 after any other outcome). */
  get verifiedCount(): number {
    return this.verified;
  }

  /** The buffer verified frame `i` lies in. */
  verifiedBuffer(i: number): Buffer {
    return this.heldIn[i] as Buffer;
  }

  /** Where in {@link FrameOpener.verifiedBuffer} frame `i`'s payload starts. */
  verifiedStart(i: number): number {
    return this.heldAt[i] as number;
  }

  /** Bytes of verified frame `i`'s payload. */
  verifiedLength(i: number): number {
    return this.heldLength[i] as number;
  }

  /** Says the verified frames were delivered: the opener lets go of the memory they lie in, which an idle connection would otherwise keep alive. */
  delivered(): void {
    this.heldIn.fill(EMPTY, 0, this.verified);
    this.verified = 0;
  }

  /** Why the last {@link FrameOpener.acceptAt} returned {@link BATCH_FAILED}. */
  get failure(): string {
    return this.failedWith;
  }

  private fail(reason: string): AcceptOutcome {
    this.failedWith = reason;
    return BATCH_FAILED;
  }

  /**
   * Feeds a frame, prefix included, to the MAC. One update per run of frames that lie back to
   * back in one piece of memory instead of two per frame: for small messages the calls into the
   * hash, not the hashing, are what costs. A run is fed once it reaches {@link HASH_RUN_BYTES}, so
   * large frames are hashed soon after they arrive.
   */
  private hash(buffer: Buffer, start: number, length: number): void {
    if (buffer !== this.runBuffer) {
      const memory = buffer.buffer;
      if (memory !== this.runMemory) {
        this.flushRun();
        this.runMemory = memory;
        this.runView = new DataView(memory);
        this.runStart = this.runEnd = 0;
      }
      this.runBuffer = buffer;
      this.runBufferOffset = buffer.byteOffset;
    }
    const at = this.runBufferOffset + start;
    const prefixAt = at - 4;
    const end = at + length;
    if (prefixAt >= 0 && (this.runView as DataView).getUint32(prefixAt) === length) {
      if (prefixAt !== this.runEnd) {
        this.flushRun();
        this.runStart = prefixAt;
      }
      this.runEnd = end;
      if (this.runEnd - this.runStart >= HASH_RUN_BYTES) this.flushRun();
      return;
    }
    this.flushRun();
    this.header.writeUInt32BE(length, 0);
    this.direction.update(this.header);
    this.direction.update(buffer.subarray(start, start + length));
  }

  /** Feeds the pending run to the MAC; the next adjacent frame starts a new one. */
  private flushRun(): void {
    if (this.runMemory !== undefined && this.runEnd > this.runStart) this.direction.update(new Uint8Array(this.runMemory, this.runStart, this.runEnd - this.runStart));
    this.runStart = this.runEnd;
  }
}

const EMPTY = Buffer.alloc(0);
/** The one "held" result: no allocation per held frame. */
const HELD: OpenResult = Object.freeze({ kind: "held" });
/** A run of adjacent frames is fed to the MAC once it holds this many bytes. */
const HASH_RUN_BYTES = 64 * 1024;
