/**
 * Encoded sizes of what Raft sends and persists, so no message outgrows the transport's frame limit
 * and no write outgrows the storage's record limit. Sizes are of the JSON encoding in UTF-8: the
 * largest encoding a transport or the write-ahead log uses for these records.
 *
 * @module
 */
import type { LogEntry } from "../storage/types.js";

/** Default frame limit of the TCP transport (16 MiB). */
export const DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
/** Default record limit of `FileStorage` (64 MiB). */
export const DEFAULT_MAX_RECORD_BYTES = 64 * 1024 * 1024;
/**
 * Room kept for everything around the entries of one message or record: the envelope (type, ids of
 * up to 256 characters, terms and indexes), a hard state, snapshot metadata of a small cluster.
 */
export const ENVELOPE_RESERVE_BYTES = 4 * 1024;
/** An entry's fields besides its data, as JSON: `{"term":…,"index":…,"type":"conf_change","data":…},`. */
const ENTRY_FIELDS_BYTES = 96;

const utf8 = new TextEncoder();

/** UTF-8 bytes of `text` without allocating when it is plain ASCII. */
export function utf8Bytes(text: string): number {
  let ascii = true;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 0x7f) {
      ascii = false;
      break;
    }
  }
  return ascii ? text.length : utf8.encode(text).length;
}

/** Bytes of `text` as a JSON string literal (quotes and escapes included). */
export function jsonStringBytes(text: string): number {
  return utf8Bytes(JSON.stringify(text));
}

const entryBytesCache = new WeakMap<LogEntry, number>();

/** Encoded size of an entry of `data`, with room for its numeric fields and a separator. */
export function entryBytesOf(data: string): number {
  return jsonStringBytes(data) + ENTRY_FIELDS_BYTES;
}

/** Encoded size of `entry` (cached per entry object: replication asks again for every message). */
export function entryBytes(entry: LogEntry): number {
  let size = entryBytesCache.get(entry);
  if (size === undefined) {
    size = entryBytesOf(entry.data);
    entryBytesCache.set(entry, size);
  }
  return size;
}

/** The largest entry that fits alone in one message of `maxMessageBytes` and one record of `maxRecordBytes`. */
export function defaultMaxEntryBytes(maxMessageBytes: number, maxRecordBytes: number): number {
  return Math.min(maxMessageBytes, maxRecordBytes) - ENVELOPE_RESERVE_BYTES;
}
