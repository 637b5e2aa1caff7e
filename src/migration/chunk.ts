/**
 * Transfer chunks: a batch of state entries framed, optionally compressed (node:zlib), and sealed with
 * the SHA-256 of the raw frame, so the receiver detects any corruption before applying anything.
 * `node:zlib` is loaded on first use ({@link loadZlibCodec}), so importing the engine does not load it.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { ChecksumMismatchError } from "./errors.js";
import type { StateEntry } from "./adapter.js";

/** A sealed batch of entries as it crosses the link. */
export interface Chunk {
  readonly seq: number;
  readonly compressed: boolean;
  /** Frame size before compression. */
  readonly rawBytes: number;
  /** Bytes on the wire (`payload.length`). */
  readonly wireBytes: number;
  /** SHA-256 (hex) of the raw frame. */
  readonly sha256: string;
  readonly payload: Uint8Array;
}

/** Compression of chunk payloads. */
export interface ChunkCodec {
  deflate(data: Uint8Array): Uint8Array;
  inflate(data: Uint8Array): Uint8Array;
}

let zlibCodec: Promise<ChunkCodec> | undefined;

/** The zlib codec (raw deflate, level 1: fast, and most of the gain on typical state), loaded once. */
export function loadZlibCodec(): Promise<ChunkCodec> {
  zlibCodec ??= import("node:zlib").then((zlib) => ({
    deflate: (data: Uint8Array) => zlib.deflateRawSync(data, { level: 1 }),
    inflate: (data: Uint8Array) => zlib.inflateRawSync(data),
  }));
  return zlibCodec;
}

const NO_TTL = -1;

/** Frames entries: per entry `keyLen u32, key, flag u8 (0 absent, 1 present), ttlMs f64, valueLen u32, value`. */
export function encodeEntries(entries: readonly StateEntry[]): Buffer {
  const keys = entries.map((e) => Buffer.from(e.key, "utf8"));
  let size = 0;
  entries.forEach((e, i) => {
    size += 4 + (keys[i] as Buffer).length + 1 + 8 + 4 + (e.value?.length ?? 0);
  });
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  entries.forEach((e, i) => {
    const key = keys[i] as Buffer;
    at = out.writeUInt32BE(key.length, at);
    at += key.copy(out, at);
    at = out.writeUInt8(e.value === null ? 0 : 1, at);
    at = out.writeDoubleBE(e.ttlMs ?? NO_TTL, at);
    const value = e.value ?? new Uint8Array(0);
    at = out.writeUInt32BE(value.length, at);
    out.set(value, at);
    at += value.length;
  });
  return out;
}

/** Inverse of {@link encodeEntries}; throws on a malformed frame. */
export function decodeEntries(frame: Uint8Array): StateEntry[] {
  const buf = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
  const entries: StateEntry[] = [];
  let at = 0;
  while (at < buf.length) {
    const keyLen = buf.readUInt32BE(at);
    at += 4;
    if (at + keyLen > buf.length) throw new RangeError("truncated key");
    const key = buf.toString("utf8", at, at + keyLen);
    at += keyLen;
    const present = buf.readUInt8(at) === 1;
    at += 1;
    const ttl = buf.readDoubleBE(at);
    at += 8;
    const valueLen = buf.readUInt32BE(at);
    at += 4;
    if (at + valueLen > buf.length) throw new RangeError("truncated value");
    // A view, not a copy: each frame is decoded once and owned by its chunk.
    const value = present ? new Uint8Array(buf.buffer, buf.byteOffset + at, valueLen) : null;
    at += valueLen;
    entries.push(ttl === NO_TTL ? { key, value } : { key, value, ttlMs: ttl });
  }
  return entries;
}

/** SHA-256 hex of bytes. */
export function sha256Hex(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** Frames, compresses when given a codec, and seals a batch. */
export function sealChunk(seq: number, entries: readonly StateEntry[], codec: ChunkCodec | null): Chunk {
  const raw = encodeEntries(entries);
  const payload = codec === null ? raw : codec.deflate(raw);
  return { seq, compressed: codec !== null, rawBytes: raw.length, wireBytes: payload.length, sha256: sha256Hex(raw), payload };
}

/**
 * Opens a chunk: decompresses, checks its SHA-256, decodes. Any corruption (including one that breaks
 * decompression or framing) is a {@link ChecksumMismatchError}.
 */
export function openChunk(chunk: Chunk, codec: ChunkCodec | null): StateEntry[] {
  let raw: Uint8Array;
  try {
    if (chunk.compressed && codec === null) throw new Error("compressed chunk without a codec");
    raw = chunk.compressed && codec !== null ? codec.inflate(chunk.payload) : chunk.payload;
  } catch {
    throw new ChecksumMismatchError(`chunk ${chunk.seq} does not decompress`, chunk.sha256, "(undecodable)");
  }
  const actual = sha256Hex(raw);
  if (actual !== chunk.sha256) throw new ChecksumMismatchError(`chunk ${chunk.seq}`, chunk.sha256, actual);
  return decodeEntries(raw);
}

/**
 * Incremental SHA-256 over a whole state: entries must be fed in key order. The digest is the same
 * on every edge holding the same state, whichever adapter computes it.
 */
export class StateHasher {
  private readonly hash = createHash("sha256");
  private readonly header = Buffer.alloc(8);

  /** Adds one present entry (absent keys are not part of a state). */
  add(key: string, value: Uint8Array): this {
    const k = Buffer.from(key, "utf8");
    this.header.writeUInt32BE(k.length, 0);
    this.header.writeUInt32BE(value.length, 4);
    this.hash.update(this.header).update(k).update(value);
    return this;
  }

  digest(): string {
    return this.hash.digest("hex");
  }
}
