/**
 * Encodings of {@link HlcTimestamp}: a compact string and a binary form. Both sort like the
 * timestamps themselves (string comparison, byte-wise comparison) and round-trip exactly.
 *
 * String: 12 lowercase hex digits of `wall`, 4 of `logical`, then `nodeId`
 * (`"018f3a2b4c5d0000edge-a"`). Binary: 6 bytes of `wall` and 2 of `logical`, big-endian, then the
 * ASCII bytes of `nodeId`; its length is the rest of the array.
 *
 * @module
 */
import { ValidationError } from "../core/errors.js";
import { assertHlc, isValidNodeId, MAX_LOGICAL, MAX_WALL } from "./hlc.js";
import type { HlcTimestamp } from "./types.js";

const HEX_PREFIX = 16;
const BINARY_PREFIX = 8;
const hexPattern = /^[0-9a-f]{16}$/;
const HEX2 = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
let lastWall = -1;
let lastWallHex = "";
let lastNodeId: string | undefined;

/** The cheap check of the common case; `assertHlc` explains anything it does not accept. */
function isWellFormed(ts: HlcTimestamp): boolean {
  if (typeof ts !== "object" || ts === null) return false;
  const { wall, logical, nodeId } = ts;
  if (!(Number.isInteger(wall) && wall >= 0 && wall <= MAX_WALL && Number.isInteger(logical) && logical >= 0 && logical <= MAX_LOGICAL)) return false;
  // A clock encodes its own node id over and over: remember the last one that passed.
  if (nodeId === lastNodeId) return true;
  if (!isValidNodeId(nodeId)) return false;
  lastNodeId = nodeId;
  return true;
}

/**
 * The compact, lexicographically sortable string form of `ts`.
 *
 * @example
 * ```ts
 * encodeHlc({ wall: 1700000000000, logical: 3, nodeId: "edge-a" }); // "018bcfe568000003edge-a"
 * ```
 */
export function encodeHlc(ts: HlcTimestamp): string {
  if (!isWellFormed(ts)) assertHlc(ts, "timestamp");
  // Consecutive timestamps mostly share their wall: reuse its 12 digits.
  if (ts.wall !== lastWall) {
    lastWall = ts.wall;
    lastWallHex = ts.wall.toString(16).padStart(12, "0");
  }
  const logical = ts.logical;
  return lastWallHex + (HEX2[logical >>> 8] as string) + (HEX2[logical & 0xff] as string) + ts.nodeId;
}

/** Parses {@link encodeHlc}'s output; throws a `ValidationError` for anything else. */
export function decodeHlc(text: string): HlcTimestamp {
  if (typeof text !== "string" || text.length <= HEX_PREFIX || !hexPattern.test(text.slice(0, HEX_PREFIX))) {
    throw ValidationError.of("text", `not an encoded timestamp: expected 16 lowercase hex digits then a node id, got ${JSON.stringify(text)}`, "invalid_encoding");
  }
  const ts = { wall: parseInt(text.slice(0, 12), 16), logical: parseInt(text.slice(12, HEX_PREFIX), 16), nodeId: text.slice(HEX_PREFIX) };
  assertHlc(ts, "text");
  return ts;
}

/** The binary form of `ts`: 8 + `nodeId.length` bytes. */
export function encodeHlcBinary(ts: HlcTimestamp): Uint8Array {
  if (!isWellFormed(ts)) assertHlc(ts, "timestamp");
  const bytes = new Uint8Array(BINARY_PREFIX + ts.nodeId.length);
  // 48-bit wall as 16 high bits and 32 low bits: bitwise operators only reach 32 bits.
  const high = Math.floor(ts.wall / 0x1_0000_0000);
  const low = ts.wall >>> 0;
  bytes[0] = high >>> 8;
  bytes[1] = high & 0xff;
  bytes[2] = low >>> 24;
  bytes[3] = (low >>> 16) & 0xff;
  bytes[4] = (low >>> 8) & 0xff;
  bytes[5] = low & 0xff;
  bytes[6] = ts.logical >>> 8;
  bytes[7] = ts.logical & 0xff;
  for (let i = 0; i < ts.nodeId.length; i++) bytes[BINARY_PREFIX + i] = ts.nodeId.charCodeAt(i);
  return bytes;
}

/** Parses {@link encodeHlcBinary}'s output; throws a `ValidationError` for anything else. */
export function decodeHlcBinary(bytes: Uint8Array): HlcTimestamp {
  if (!(bytes instanceof Uint8Array) || bytes.length <= BINARY_PREFIX) {
    throw ValidationError.of("bytes", `an encoded timestamp has more than ${BINARY_PREFIX} bytes`, "invalid_encoding");
  }
  const b = (i: number): number => bytes[i] ?? 0;
  const wall = ((b(0) << 8) | b(1)) * 0x1_0000_0000 + ((b(2) << 24) >>> 0) + ((b(3) << 16) | (b(4) << 8) | b(5));
  const logical = (b(6) << 8) | b(7);
  let nodeId = "";
  for (let i = BINARY_PREFIX; i < bytes.length; i++) nodeId += String.fromCharCode(b(i));
  if (!isValidNodeId(nodeId) || logical > MAX_LOGICAL) {
    throw ValidationError.of("bytes", `the node id bytes are not 1 to 128 printable ASCII characters`, "invalid_encoding");
  }
  return { wall, logical, nodeId };
}
