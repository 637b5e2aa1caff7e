/**
 * A MessagePack reader for the values engines send (maps with string keys, arrays, strings, numbers,
 * booleans, nil, `undefined` and byte arrays), written for small messages: msgpackr's per-call setup
 * (a DataView attached to every source, a native string extractor crossed into for each string) costs
 * more than a 100-byte message's whole decoding. Anything it does not handle exactly as msgpackr
 * would — 64-bit integers, extension types, non-string keys, nesting deeper than {@link MAX_FAST_DEPTH}
 * — it declines, and the caller decodes the payload with msgpackr instead, so the two agree on every
 * input (a property test holds them to it).
 *
 * Bounds are checked before every read: a declared length beyond the payload is declined, never
 * allocated for. A key named `__proto__` becomes an own property, never a prototype.
 *
 * @module
 * @internal
 */

/** Deeper values are declined (msgpackr decodes them, to the depth the stack allows). */
export const MAX_FAST_DEPTH = 256;

/** Returned when the reader does not decode the payload itself. */
export const DECLINED: unique symbol = Symbol("declined");

/** Shorter strings are decoded in JavaScript; longer ones by Buffer's native UTF-8 decoder. */
const SHORT_STRING_BYTES = 16;

/** Buffer's own UTF-8 decoder, under the argument checks of `Buffer.prototype.toString` (not in Node's typings). */
interface NativeUtf8 {
  utf8Slice(start: number, end: number): string;
}

let src: Buffer = Buffer.alloc(0);
let position = 0;
let end = 0;
let declined = false;

/**
 * The value encoded in bytes `[from, to)` of `bytes`, or {@link DECLINED} when it uses anything this
 * reader leaves to msgpackr, is malformed, or does not end exactly at `to`.
 */
export function readMessagePack(bytes: Buffer, from = 0, to = bytes.length): unknown {
  src = bytes;
  position = from;
  end = to;
  declined = false;
  const value = read(0);
  const ok = !declined && position === end;
  // Not kept alive until the next message.
  src = EMPTY;
  return ok ? value : DECLINED;
}

const EMPTY = Buffer.alloc(0);

function decline(): undefined {
  declined = true;
  position = end;
  return undefined;
}

function read(depth: number): unknown {
  if (position >= end) return decline();
  const byte = src[position++] as number;
  if (byte < 0x80) return byte;
  if (byte >= 0xe0) return byte - 0x100;
  if (byte >= 0xa0 && byte < 0xc0) return (byte & 0x1f) < SHORT_STRING_BYTES ? readShortString(byte & 0x1f) : readString(byte & 0x1f);
  if (byte < 0x90) return readMap(byte & 0x0f, depth);
  if (byte < 0xa0) return readArray(byte & 0x0f, depth);
  switch (byte) {
    case 0xc0:
      return null;
    case 0xc2:
      return false;
    case 0xc3:
      return true;
    case 0xcc:
      return position + 1 <= end ? (src[position++] as number) : decline();
    case 0xcd:
      return need(2) ? uint16(position - 2) : undefined;
    case 0xce:
      return need(4) ? uint32(position - 4) : undefined;
    case 0xd0:
      return need(1) ? src.readInt8(position - 1) : undefined;
    case 0xd1:
      return need(2) ? src.readInt16BE(position - 2) : undefined;
    case 0xd2:
      return need(4) ? src.readInt32BE(position - 4) : undefined;
    case 0xca:
      return need(4) ? src.readFloatBE(position - 4) : undefined;
    case 0xcb:
      return need(8) ? src.readDoubleBE(position - 8) : undefined;
    case 0xd9:
      return need(1) ? readString(src[position - 1] as number) : undefined;
    case 0xda:
      return need(2) ? readString(uint16(position - 2)) : undefined;
    case 0xdb:
      return need(4) ? readString(uint32(position - 4)) : undefined;
    case 0xc4:
      return need(1) ? readBytes(src[position - 1] as number) : undefined;
    case 0xc5:
      return need(2) ? readBytes(uint16(position - 2)) : undefined;
    case 0xc6:
      return need(4) ? readBytes(uint32(position - 4)) : undefined;
    case 0xdc:
      return need(2) ? readArray(uint16(position - 2), depth) : undefined;
    case 0xdd:
      return need(4) ? readArray(uint32(position - 4), depth) : undefined;
    case 0xde:
      return need(2) ? readMap(uint16(position - 2), depth) : undefined;
    case 0xdf:
      return need(4) ? readMap(uint32(position - 4), depth) : undefined;
    case 0xd4:
      // fixext 1 of type 0 is `undefined` (msgpackr's and notepack's convention); other types are declined.
      if (position + 2 > end || src[position] !== 0) return decline();
      position += 2;
      return undefined;
    default:
      return decline();
  }
}

// By hand: Buffer's readers check their arguments on every call, and these run for every map and array.
function uint16(at: number): number {
  return ((src[at] as number) << 8) | (src[at + 1] as number);
}

function uint32(at: number): number {
  return (((src[at] as number) << 24) >>> 0) + (((src[at + 1] as number) << 16) | ((src[at + 2] as number) << 8) | (src[at + 3] as number));
}

/** Consumes `n` bytes, or declines when fewer are left. */
function need(n: number): boolean {
  if (position + n > end) {
    decline();
    return false;
  }
  position += n;
  return true;
}

function readString(length: number): string | undefined {
  const start = position;
  const stop = start + length;
  if (stop > end) return decline();
  position = stop;
  if (length < SHORT_STRING_BYTES) {
    let text = "";
    for (let i = start; i < stop; i++) {
      const code = src[i] as number;
      // Non-ASCII goes to the native decoder, which replaces invalid UTF-8 as msgpackr does.
      if (code >= 0x80) return (src as unknown as NativeUtf8).utf8Slice(start, stop);
      text += String.fromCharCode(code);
    }
    return text;
  }
  return (src as unknown as NativeUtf8).utf8Slice(start, stop);
}

function readBytes(length: number): Buffer | undefined {
  if (position + length > end) return decline();
  // A view, as msgpackr returns without `copyBuffers`: the payload's memory is not reused.
  return src.subarray(position, (position += length));
}

function readArray(length: number, depth: number): unknown[] | undefined {
  // Every element takes at least a byte: a longer claim is malformed, and is not allocated for.
  if (length > end - position || depth >= MAX_FAST_DEPTH) return decline();
  const array = new Array<unknown>(length);
  for (let i = 0; i < length; i++) {
    array[i] = read(depth + 1);
    if (declined) return undefined;
  }
  return array;
}

function readMap(size: number, depth: number): Record<string, unknown> | undefined {
  if (size * 2 > end - position || depth >= MAX_FAST_DEPTH) return decline();
  const object: Record<string, unknown> = {};
  for (let i = 0; i < size; i++) {
    const key = readKey();
    if (key === undefined) return decline();
    const value = read(depth + 1);
    if (declined) return undefined;
    if (key === "__proto__") Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
    // One store site per position for the first few keys: a site that always sees the same key
    // (messages of a kind keep their keys in order) adds the property along a shape it has cached,
    // where a site shared by every key searches V8's megamorphic cache; decoding a two-key message
    // took 0.78 of the CPU time (no better or worse once the sites had seen other kinds too).
    else if (i === 0) object[key] = value;
    else if (i === 1) object[key] = value;
    else if (i === 2) object[key] = value;
    else if (i === 3) object[key] = value;
    else object[key] = value;
  }
  return object;
}

/** A string key; any other key type is declined (msgpackr turns it into a string its own way). */
function readKey(): string | undefined {
  if (position >= end) return undefined;
  const byte = src[position++] as number;
  if (byte >= 0xa0 && byte < 0xc0) return (byte & 0x1f) < SHORT_STRING_BYTES ? readShortString(byte & 0x1f) : readString(byte & 0x1f);
  if (byte === 0xd9) return need(1) ? readString(src[position - 1] as number) : undefined;
  if (byte === 0xda) return need(2) ? readString(uint16(position - 2)) : undefined;
  if (byte === 0xdb) return need(4) ? readString(uint32(position - 4)) : undefined;
  return undefined;
}

/**
 * Recently seen short ASCII strings (keys above all, and values such as node ids and message types),
 * by a hash of their bytes. Handing out the same string for the same bytes spares building it and,
 * for a key, V8 looking a fresh string up in its table of property names for every property of
 * every message.
 */
const STRING_CACHE_SIZE = 4096;
const stringCache: Array<string | undefined> = new Array<string | undefined>(STRING_CACHE_SIZE).fill(undefined);

function readShortString(length: number): string | undefined {
  const start = position;
  const stop = start + length;
  if (stop > end) return decline();
  let hash = length;
  for (let i = start; i < stop; i++) hash = (Math.imul(hash, 31) + (src[i] as number)) | 0;
  const slot = hash & (STRING_CACHE_SIZE - 1);
  const cached = stringCache[slot];
  if (cached !== undefined && cached.length === length) {
    let same = true;
    for (let i = 0; i < length; i++) {
      if (cached.charCodeAt(i) !== src[start + i]) {
        same = false;
        break;
      }
    }
    if (same) {
      position = stop;
      return cached;
    }
  }
  const text = readString(length);
  // Only ASCII strings are kept: their UTF-16 units are their bytes, which the comparison above relies on.
  if (text !== undefined && text.length === length) stringCache[slot] = text;
  return text;
}
