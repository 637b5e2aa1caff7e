/**
 * CRC-32 (IEEE 802.3, the zlib/PNG polynomial) over bytes.
 *
 * Node's own `zlib.crc32` (Node ≥ 20.15 / 22.2) is used when present; older Node 20 releases fall back
 * to a table-driven implementation with the same results.
 *
 * @module
 */
import * as zlib from "node:zlib";

let table: Uint32Array | undefined;

function fallbackCrc32(data: Uint8Array): number {
  if (table === undefined) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = (table[(crc ^ (data[i] as number)) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

const native = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;

/** The CRC-32 of `data`, as an unsigned 32-bit integer. */
export const crc32: (data: Uint8Array) => number = typeof native === "function" ? (data) => native(data) >>> 0 : fallbackCrc32;

/** Exposed for tests that compare the fallback with Node's implementation. */
export const crc32Fallback = fallbackCrc32;
