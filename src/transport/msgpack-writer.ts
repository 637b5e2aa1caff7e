/**
 * A MessagePack writer for the values engines send, byte for byte what the codec's msgpackr
 * instance writes for them (maps as map16, integers in the smallest int32 form, other numbers as
 * float64, `undefined` as fixext 1 of type 0), without msgpackr's per-call setup. Anything else —
 * class instances, `Map`, `Date`, bigints, typed arrays other than `Uint8Array`, nesting deeper
 * than {@link MAX_FAST_DEPTH} (cycles included) — it declines, and the caller packs the message with
 * msgpackr instead.
 *
 * @module
 * @internal
 */
import { NO_SPLICES, type Splice } from "./encoded-frame.js";
import { MAX_FAST_DEPTH } from "./msgpack-reader.js";

/** Buffer's own UTF-8 writer, under the argument checks of `Buffer.prototype.write` (not in Node's typings). */
interface NativeUtf8 {
  utf8Write(text: string, offset: number, length: number): number;
}

/** Thrown (and caught by {@link writeMessagePack}) when a value is left to msgpackr. */
class Declined extends Error {}
const DECLINED_ERROR = new Declined("left to msgpackr");
/** Thrown (and caught by {@link writeMessagePackWithin}) when the value does not fit before the limit. */
const NO_ROOM_ERROR = new Declined("no room before the limit");

/** Shorter strings are encoded in JavaScript; longer ones by Buffer's native UTF-8 encoder. */
const SHORT_STRING_UNITS = 64;

/**
 * Byte arrays from this size on are left out of the written bytes when splicing: below it, the
 * bookkeeping of a splice costs more than the copy it saves.
 */
export const SPLICE_MIN_BYTES = 4096;

let target: Buffer = Buffer.alloc(0);
let position = 0;
/** Bytes may be written up to here; past it the writer grows `target`, or gives up when it may not. */
let limit = 0;
/** Whether the writer may move to a larger buffer when `limit` is reached. */
let growable = true;
/** Byte arrays left out of this write, or `undefined` when every byte is written. */
let splices: Splice[] | undefined;

/**
 * Writes `value` into `buffer` from `start`; returns where the bytes end, or -1 when the value is
 * left to msgpackr. The bytes are in {@link writtenBuffer}: `buffer`, or a larger copy of it when
 * the value did not fit. With `splice`, byte arrays of {@link SPLICE_MIN_BYTES} or more are not
 * copied: only their headers are written, and {@link writtenSplices} says where their bytes go.
 */
export function writeMessagePack(value: unknown, buffer: Buffer, start: number, splice = false): number {
  return writeWithin(value, buffer, start, buffer.length, true, splice);
}

/** Returned by {@link writeMessagePackWithin} when the value does not fit before its limit. */
export const NO_ROOM = -2;

/**
 * Like {@link writeMessagePack}, but only into `buffer` from `start` up to `limit`, without
 * splicing: returns where the bytes end, -1 when the value is left to msgpackr, or {@link NO_ROOM}
 * when it does not fit. Bytes past `start` may have been written even when it returns less than 0.
 */
export function writeMessagePackWithin(value: unknown, buffer: Buffer, start: number, limit: number): number {
  return writeWithin(value, buffer, start, Math.min(limit, buffer.length), false, false);
}

function writeWithin(value: unknown, buffer: Buffer, start: number, end: number, grow: boolean, splice: boolean): number {
  target = buffer;
  position = start;
  limit = end;
  growable = grow;
  splices = splice ? pending : undefined;
  // Setting an array's length calls into V8's runtime: done every time, it made a 100-byte message's encoding a seventh slower.
  if (pending.length !== 0) pending.length = 0;
  try {
    write(value, 0);
    output = target;
    return position;
  } catch (error) {
    if (pending.length !== 0) pending.length = 0;
    if (error === DECLINED_ERROR) return -1;
    if (error === NO_ROOM_ERROR) return NO_ROOM;
    throw error;
  } finally {
    // A buffer grown for one huge message is not kept alive here after the caller is done with it.
    target = EMPTY;
    splices = undefined;
  }
}

/** Reused between writes: most messages have no splice, and then nothing is allocated for them. */
const pending: Splice[] = [];

/**
 * The byte arrays the last successful {@link writeMessagePack} left out, in order; handed over
 * once (the writer keeps no reference to the caller's arrays).
 */
export function writtenSplices(): readonly Splice[] {
  if (pending.length === 0) return NO_SPLICES;
  const taken = pending.slice();
  pending.length = 0;
  return taken;
}

/** The buffer the last successful {@link writeMessagePack} wrote into; handed over once. */
export function writtenBuffer(): Buffer {
  const buffer = output;
  output = EMPTY;
  return buffer;
}

const EMPTY = Buffer.alloc(0);
let output: Buffer = EMPTY;

/** Makes room for `bytes` more bytes, moving what is written to a buffer twice as large as needed. */
function reserve(bytes: number): void {
  if (position + bytes <= limit) return;
  if (!growable) throw NO_ROOM_ERROR;
  const grown = Buffer.allocUnsafe(Math.max(2 * target.length, 2 * (position + bytes)));
  target.copy(grown, 0, 0, position);
  target = grown;
  limit = grown.length;
}

function write(value: unknown, depth: number): void {
  switch (typeof value) {
    case "string":
      return writeString(value);
    case "number":
      return writeNumber(value);
    case "boolean":
      reserve(1);
      target[position++] = value ? 0xc3 : 0xc2;
      return;
    case "undefined":
      reserve(3);
      target[position++] = 0xd4;
      target[position++] = 0;
      target[position++] = 0;
      return;
    case "object":
      if (value === null) {
        reserve(1);
        target[position++] = 0xc0;
        return;
      }
      if (depth >= MAX_FAST_DEPTH) throw DECLINED_ERROR;
      if (Array.isArray(value)) {
        // Array subclasses may carry extensions msgpackr knows of.
        if (value.constructor !== Array) throw DECLINED_ERROR;
        return writeArray(value, depth);
      }
      if (value instanceof Uint8Array) {
        if (value.constructor !== Uint8Array && value.constructor !== Buffer) throw DECLINED_ERROR;
        return writeBytes(value);
      }
      if (Object.getPrototypeOf(value) !== Object.prototype || typeof (value as { toJSON?: unknown }).toJSON === "function") throw DECLINED_ERROR;
      return writeObject(value as Record<string, unknown>, depth);
    default:
      throw DECLINED_ERROR;
  }
}

function writeNumber(value: number): void {
  reserve(9);
  if (value >>> 0 === value) {
    if (value < 0x80) target[position++] = value;
    else if (value < 0x100) {
      target[position++] = 0xcc;
      target[position++] = value;
    } else if (value < 0x10000) {
      target[position++] = 0xcd;
      target[position++] = value >> 8;
      target[position++] = value & 0xff;
    } else {
      target[position++] = 0xce;
      position = target.writeUInt32BE(value, position);
    }
  } else if (value >> 0 === value) {
    if (value >= -0x20) target[position++] = 0x100 + value;
    else if (value >= -0x80) {
      target[position++] = 0xd0;
      target[position++] = value + 0x100;
    } else if (value >= -0x8000) {
      target[position++] = 0xd1;
      position = target.writeInt16BE(value, position);
    } else {
      target[position++] = 0xd2;
      position = target.writeInt32BE(value, position);
    }
  } else {
    target[position++] = 0xcb;
    position = target.writeDoubleBE(value, position);
  }
}

function writeString(value: string): void {
  const units = value.length;
  // UTF-8 takes at most three bytes per UTF-16 unit; the header is sized for that many bytes at once.
  reserve(5 + 3 * units);
  const headerBytes = units < 0x20 ? 1 : units < 0x100 ? 2 : units < 0x10000 ? 3 : 5;
  const start = position + headerBytes;
  let length: number;
  if (units < SHORT_STRING_UNITS) length = writeShortUtf8(value, start);
  else length = (target as unknown as NativeUtf8).utf8Write(value, start, limit - start);
  // More bytes than units: the header may need to grow, moving the text after it.
  const needed = length < 0x20 ? 1 : length < 0x100 ? 2 : length < 0x10000 ? 3 : 5;
  if (needed > headerBytes) target.copyWithin(position + needed, start, start + length);
  if (length < 0x20) target[position++] = 0xa0 | length;
  else if (needed === 2) {
    target[position++] = 0xd9;
    target[position++] = length;
  } else if (needed === 3) {
    target[position++] = 0xda;
    target[position++] = length >> 8;
    target[position++] = length & 0xff;
  } else {
    target[position++] = 0xdb;
    position = target.writeUInt32BE(length, position);
  }
  position += length;
}

/** UTF-8 of a short string at `at`, as msgpackr writes it (a lone surrogate becomes U+FFFD); returns its length. */
function writeShortUtf8(value: string, at: number): number {
  let out = at;
  const units = value.length;
  for (let i = 0; i < units; i++) {
    let code = value.charCodeAt(i);
    if (code < 0x80) target[out++] = code;
    else if (code < 0x800) {
      target[out++] = (code >> 6) | 0xc0;
      target[out++] = (code & 0x3f) | 0x80;
    } else if ((code & 0xfc00) === 0xd800 && (value.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      code = 0x10000 + ((code & 0x03ff) << 10) + (value.charCodeAt(++i) & 0x03ff);
      target[out++] = (code >> 18) | 0xf0;
      target[out++] = ((code >> 12) & 0x3f) | 0x80;
      target[out++] = ((code >> 6) & 0x3f) | 0x80;
      target[out++] = (code & 0x3f) | 0x80;
    } else if ((code & 0xf800) === 0xd800) {
      target[out++] = 0xef;
      target[out++] = 0xbf;
      target[out++] = 0xbd;
    } else {
      target[out++] = (code >> 12) | 0xe0;
      target[out++] = ((code >> 6) & 0x3f) | 0x80;
      target[out++] = (code & 0x3f) | 0x80;
    }
  }
  return out - at;
}

function writeBytes(bytes: Uint8Array): void {
  const length = bytes.length;
  const spliced = length >= SPLICE_MIN_BYTES ? splices : undefined;
  reserve(spliced === undefined ? 5 + length : 5);
  if (length < 0x100) {
    target[position++] = 0xc4;
    target[position++] = length;
  } else if (length < 0x10000) {
    target[position++] = 0xc5;
    target[position++] = length >> 8;
    target[position++] = length & 0xff;
  } else {
    target[position++] = 0xc6;
    position = target.writeUInt32BE(length, position);
  }
  if (spliced !== undefined) {
    spliced.push({ at: position, bytes });
    return;
  }
  target.set(bytes, position);
  position += length;
}

function writeArray(array: readonly unknown[], depth: number): void {
  const length = array.length;
  reserve(5);
  if (length < 0x10) target[position++] = 0x90 | length;
  else if (length < 0x10000) {
    target[position++] = 0xdc;
    target[position++] = length >> 8;
    target[position++] = length & 0xff;
  } else {
    target[position++] = 0xdd;
    position = target.writeUInt32BE(length, position);
  }
  for (let i = 0; i < length; i++) write(array[i], depth + 1);
}

const hasOwn = Object.prototype.hasOwnProperty;

function writeObject(object: Record<string, unknown>, depth: number): void {
  reserve(3);
  // map16 with the size filled in afterwards, as msgpackr does: one pass over the keys.
  target[position++] = 0xde;
  const sizeAt = position;
  position += 2;
  let size = 0;
  for (const key in object) {
    if (!hasOwn.call(object, key)) continue;
    writeString(key);
    write(object[key], depth + 1);
    size++;
  }
  if (size > 0xffff) throw DECLINED_ERROR;
  target[sizeAt] = size >> 8;
  target[sizeAt + 1] = size & 0xff;
}
