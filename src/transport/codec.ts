/**
 * The binary message codec of the TCP transport: MessagePack (msgpackr), each frame self-contained.
 *
 * Why MessagePack through msgpackr: measured in `bench/transport.bench.ts` against JSON and cbor-x,
 * it encodes and decodes 64 KiB string payloads about 2.5× faster than JSON, is on par with or ahead
 * of cbor-x, and carries `Uint8Array` payloads (snapshot chunks, migration data) as raw bytes, with
 * no base64 and no string copy. Records (msgpackr's shared structures) would be faster still for
 * repeated shapes, but they make each frame depend on the frames before it on the same stream, which
 * does not survive frames encoded before a connection exists or resent after a reconnect.
 *
 * The values engines send (plain objects, arrays, strings, numbers, booleans, nil, `undefined`,
 * byte arrays) are written and read by hand (`msgpack-writer.ts`, `msgpack-reader.ts`): the same
 * bytes as msgpackr, without its per-call setup, which for a 100-byte message cost more than the
 * decoding itself. Anything else goes through msgpackr, so the wire format is unchanged.
 *
 * Hostile input never crashes the decoder: truncated or malformed bytes, absurd lengths and deep
 * nesting become a `bad_frame` {@link TransportError}, and keys are data — a key named `__proto__`
 * decodes as an own property (msgpackr on its own would rename it), never touching a prototype.
 * Every decoded value still goes through the engine's schema before an engine sees it.
 *
 * @module
 */
import { Packr, RESERVE_START_SPACE, REUSE_BUFFER_MODE, Unpackr } from "msgpackr";
import { copyFrame, NO_SPLICES, type EncodedFrame, type Splice } from "./encoded-frame.js";
import { FRAME_HEADER_BYTES } from "./frame.js";
import { DECLINED, readMessagePack } from "./msgpack-reader.js";
import { writeMessagePack, writeMessagePackWithin, writtenBuffer, writtenSplices } from "./msgpack-writer.js";
import { TransportError, type NodeId } from "./types.js";

const packr = new Packr({ useRecords: false, moreTypes: false, bundleStrings: false });
/**
 * Every message is encoded at the start of one scratch buffer, so the encoder always writes into
 * memory that is already mapped and warm, and the caller copies the frame away. Writing each large
 * frame into fresh memory instead (a new multi-MiB slab now and then) was measured to cost more in
 * page faults than the copy: the kernel has to map and zero every page of it first.
 */
const SCRATCH_BYTES = 1024 * 1024;
/** A scratch buffer msgpackr grew beyond this for a huge message is not kept. */
const SCRATCH_KEPT_BYTES = 4 * SCRATCH_BYTES;
let scratch: Buffer | undefined;

/** A buffer the encoder wrote into, with where the message lies in it (msgpackr's convention). */
type Packed = Buffer & { start: number; end: number };

/**
 * Encodes `message` at the start of the scratch buffer; the bytes are `[start, end)` of the buffer
 * returned, with the byte arrays {@link writtenSplices} lists (only if `splice`) still to be written in between.
 */
function packAtStart(message: unknown, reserve: number, splice: boolean): Packed {
  if (scratch === undefined) {
    scratch = Buffer.allocUnsafe(SCRATCH_BYTES);
    packr.useBuffer(scratch);
  }
  // The common values are written by hand, the same bytes msgpackr would write, without its setup per call.
  const end = writeMessagePack(message, scratch, reserve, splice);
  if (end >= 0) {
    const target = writtenBuffer() as Packed;
    if (target !== scratch && target.length <= SCRATCH_KEPT_BYTES) {
      scratch = target;
      packr.useBuffer(scratch);
    }
    target.start = 0;
    target.end = end;
    return target;
  }
  packr.position = 0;
  // REUSE_BUFFER_MODE returns the buffer itself with the message's bounds, not a new view of it.
  const target = packr.pack(message, REUSE_BUFFER_MODE | RESERVE_START_SPACE | reserve) as Packed;
  if (target !== scratch) {
    // msgpackr moved to a larger buffer for a message that did not fit.
    if (target.length <= SCRATCH_KEPT_BYTES) scratch = target;
    else packr.useBuffer(scratch);
  }
  return target;
}

const objectsUnpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, moreTypes: false });
const mapsUnpackr = new Unpackr({ useRecords: false, mapsAsObjects: false, moreTypes: false });
const PROTO_KEY = Buffer.from("__proto__", "utf8");

/**
 * Encodes `message`. The result is a view into the encoder's scratch space, valid only until the
 * next call: copy it before encoding again. Throws an `invalid_message` {@link TransportError} when
 * the value cannot be encoded.
 */
export function encodeMessage(message: unknown, peer?: NodeId): Uint8Array {
  try {
    const target = packAtStart(message, 0, false);
    return target.subarray(target.start, target.end);
  } catch (error) {
    throw new TransportError("invalid_message", "message cannot be encoded", { peer, cause: error });
  }
}

export type { EncodedFrame } from "./encoded-frame.js";

/**
 * From this size on an encoded frame gets memory of its own, so the send queue keeps it without
 * another copy. Smaller frames are copied into the send queue's recycled slabs, which is cheaper
 * than a fresh buffer even for one copy more: first writes to fresh memory cost far more than copies.
 */
export const OWNED_FRAME_BYTES = 1024 * 1024;

/**
 * Encodes `message` as a whole frame: the 4-byte big-endian length, then the body, written straight
 * after room msgpackr reserves for the prefix. Byte arrays of 4 KiB or more are spliced (see
 * `encoded-frame.ts`) rather than copied into the scratch space. Throws like {@link encodeMessage}.
 */
export function encodeMessageFrame(message: unknown, peer?: NodeId): EncodedFrame {
  let target: Packed;
  try {
    target = packAtStart(message, FRAME_HEADER_BYTES, true);
  } catch (error) {
    throw new TransportError("invalid_message", "message cannot be encoded", { peer, cause: error });
  }
  const { start, end } = target;
  // Empty unless the hand-written writer spliced (msgpackr copies every byte itself).
  const splices = writtenSplices();
  let length = end - start;
  for (let i = 0; i < splices.length; i++) length += (splices[i] as Splice).bytes.length;
  target.writeUInt32BE(length - FRAME_HEADER_BYTES, start);
  const frame: EncodedFrame = { bytes: target, start, end, splices, length, owned: false };
  if (length < OWNED_FRAME_BYTES) return frame;
  const own = Buffer.allocUnsafe(length);
  copyFrame(frame, own, 0);
  return { bytes: own, start: 0, end: length, splices: NO_SPLICES, length, owned: true };
}

/**
 * Encodes `message` as a whole frame straight into `buffer` at `start`, only if the hand-written
 * writer handles it and the frame ends by `limit`: returns where the frame ends, or -1 when it was
 * not written (bytes from `start` on may have changed); then {@link encodeMessageFrame} encodes it.
 * Writing where the frame is kept, rather than into the scratch space and copying it from there,
 * spares a copy and an allocation per message: a 100-byte message is queued in about 0.55 of the time.
 * Throws an `invalid_message` {@link TransportError} as {@link encodeMessage} does (a getter that throws).
 */
export function encodeMessageFrameInto(message: unknown, buffer: Buffer, start: number, limit: number, peer?: NodeId): number {
  let end: number;
  try {
    end = writeMessagePackWithin(message, buffer, start + FRAME_HEADER_BYTES, limit);
  } catch (error) {
    throw new TransportError("invalid_message", "message cannot be encoded", { peer, cause: error });
  }
  if (end < 0) return -1;
  const body = end - start - FRAME_HEADER_BYTES;
  buffer[start] = body >>> 24;
  buffer[start + 1] = (body >>> 16) & 0xff;
  buffer[start + 2] = (body >>> 8) & 0xff;
  buffer[start + 3] = body & 0xff;
  return end;
}

/** Decodes one frame payload; anything malformed is a `bad_frame` error, never an exception. */
export function decodeMessage(payload: Uint8Array, peer?: NodeId): { ok: true; value: unknown } | { ok: false; error: TransportError } {
  // Payloads from the frame decoder are Buffers already: no view is made for them per message.
  const bytes = payload instanceof Buffer ? payload : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  const value = decodeMessageAt(bytes, 0, bytes.length, peer);
  return value instanceof DecodeFailure ? { ok: false, error: value.error } : { ok: true, value };
}

/** What {@link decodeMessageAt} returns for a payload it cannot decode. */
export class DecodeFailure {
  constructor(readonly error: TransportError) {}
}

/**
 * Decodes the payload of `length` bytes from `start` of `bytes`: the value, or a
 * {@link DecodeFailure} holding the `bad_frame` error. Takes a range and returns the bare value,
 * since a view and a result object per message were a measurable part of receiving small ones.
 */
export function decodeMessageAt(bytes: Buffer, start: number, length: number, peer?: NodeId): unknown {
  try {
    const fast = readMessagePack(bytes, start, start + length);
    if (fast !== DECLINED) return fast;
    // What the hand-written reader declines, msgpackr decodes (or refuses). Its fast object path
    // renames a `__proto__` key, so payloads that may hold one are decoded as maps and rebuilt.
    const payload = bytes.subarray(start, start + length);
    return payload.indexOf(PROTO_KEY) !== -1 ? mapsToObjects(mapsUnpackr.unpack(payload)) : objectsUnpackr.unpack(payload);
  } catch (error) {
    const reason = error instanceof RangeError ? "nested too deeply or truncated" : "not valid MessagePack";
    return new DecodeFailure(new TransportError("bad_frame", `frame payload of ${length} bytes is ${reason}`, { peer, cause: error }));
  }
}

/** Sets an own property, even one named `__proto__` (plain assignment would change the prototype). */
function put(holder: Record<string, unknown> | unknown[], key: string | number, value: unknown): void {
  if (Array.isArray(holder)) holder[key as number] = value;
  else Object.defineProperty(holder, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Turns decoded `Map`s into plain objects with own properties (iteratively: depth is the peer's to choose). */
function mapsToObjects(root: unknown): unknown {
  const top: unknown[] = [root];
  const stack: Array<{ readonly holder: Record<string, unknown> | unknown[]; readonly key: string | number; readonly value: unknown }> = [{ holder: top, key: 0, value: root }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    const { holder, key, value } = item;
    if (value instanceof Map) {
      const object: Record<string, unknown> = {};
      for (const [k, v] of value as Map<unknown, unknown>) {
        if (typeof k !== "string" && typeof k !== "number") throw new TypeError("map keys must be strings or numbers");
        put(object, String(k), v);
        stack.push({ holder: object, key: String(k), value: v });
      }
      put(holder, key, object);
    } else if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) stack.push({ holder: value, key: i, value: value[i] });
    }
  }
  return top[0];
}
