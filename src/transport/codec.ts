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
 * Hostile input never crashes the decoder: truncated or malformed bytes, absurd lengths and deep
 * nesting become a `bad_frame` {@link TransportError}, and keys are data — a key named `__proto__`
 * decodes as an own property (msgpackr on its own would rename it), never touching a prototype.
 * Every decoded value still goes through the engine's schema before an engine sees it.
 *
 * @module
 */
import { Packr, RESERVE_START_SPACE, Unpackr } from "msgpackr";
import { FRAME_HEADER_BYTES } from "./frame.js";
import { TransportError, type NodeId } from "./types.js";

const packr = new Packr({ useRecords: false, moreTypes: false, bundleStrings: false });
/**
 * msgpackr writes each message after the last one in its buffer and, near the end, starts a new
 * buffer of the same size and grows it by copying: for messages of tens of KiB that is two
 * allocations and a copy each (measured 8x slower than writing into room already there). So it
 * gets a large slab, and a fresh one once less than {@link SLAB_RESERVE_BYTES} is left.
 */
const SLAB_BYTES = 4 * 1024 * 1024;
const SLAB_RESERVE_BYTES = 512 * 1024;
let slab = Buffer.allocUnsafe(SLAB_BYTES);
packr.useBuffer(slab);

/** Where msgpackr will write next in its buffer. */
function packrOffset(): number {
  return (packr as unknown as { readonly offset: number }).offset;
}

function refreshSlab(last: Uint8Array): void {
  if (last.buffer !== slab.buffer || SLAB_BYTES - packrOffset() < SLAB_RESERVE_BYTES) {
    slab = Buffer.allocUnsafe(SLAB_BYTES);
    packr.useBuffer(slab);
  }
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
    const body = packr.pack(message);
    refreshSlab(body);
    return body;
  } catch (error) {
    throw new TransportError("invalid_message", "message cannot be encoded", { peer, cause: error });
  }
}

/**
 * Encodes `message` as a whole frame: the 4-byte big-endian length, then the body. msgpackr writes
 * it straight after the reserved prefix and never writes over memory it has returned, so the frame
 * is the caller's without a copy. Throws like {@link encodeMessage}.
 */
export function encodeMessageFrame(message: unknown, peer?: NodeId): Buffer {
  let frame: Buffer;
  try {
    frame = packr.pack(message, RESERVE_START_SPACE | FRAME_HEADER_BYTES);
    refreshSlab(frame);
  } catch (error) {
    throw new TransportError("invalid_message", "message cannot be encoded", { peer, cause: error });
  }
  frame.writeUInt32BE(frame.length - FRAME_HEADER_BYTES, 0);
  return frame;
}

/** Decodes one frame payload; anything malformed is a `bad_frame` error, never an exception. */
export function decodeMessage(payload: Uint8Array, peer?: NodeId): { ok: true; value: unknown } | { ok: false; error: TransportError } {
  try {
    // The common case takes msgpackr's fast object path; only payloads that may hold a `__proto__`
    // key are decoded as maps and rebuilt with own properties.
    const hasProtoKey = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).indexOf(PROTO_KEY) !== -1;
    const value: unknown = hasProtoKey ? mapsToObjects(mapsUnpackr.unpack(payload)) : objectsUnpackr.unpack(payload);
    return { ok: true, value };
  } catch (error) {
    const reason = error instanceof RangeError ? "nested too deeply or truncated" : "not valid MessagePack";
    return { ok: false, error: new TransportError("bad_frame", `frame payload of ${payload.length} bytes is ${reason}`, { peer, cause: error }) };
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
