/**
 * zod schemas for what storage accepts from callers and reads back from disk.
 *
 * @module
 */
import { z } from "zod";

const index = z.number().int().nonnegative();

export const hardStateSchema = z.object({ term: index, vote: z.string().nullable(), commit: index }).strict();

export const logEntrySchema = z
  .object({ term: index, index: z.number().int().positive(), type: z.enum(["normal", "conf_change"]), data: z.string() })
  .strict();

export const confStateSchema = z.object({ voters: z.array(z.string()), learners: z.array(z.string()) }).strict();

export const snapshotMetadataSchema = z.object({ index, term: index, confState: confStateSchema }).strict();

export const snapshotSchema = z.object({ metadata: snapshotMetadataSchema, data: z.string() }).strict();

/** Entries must be consecutive; checked here so the error names the offending element. */
const entriesSchema = z.array(logEntrySchema).superRefine((entries, ctx) => {
  for (let i = 1; i < entries.length; i++) {
    const previous = entries[i - 1];
    const entry = entries[i];
    if (previous !== undefined && entry !== undefined && entry.index !== previous.index + 1) {
      ctx.addIssue({ code: "custom", path: [i, "index"], message: `entries must be consecutive: index ${entry.index} follows ${previous.index}` });
    }
  }
});

export const storageWriteSchema = z
  .object({ hardState: hardStateSchema.optional(), entries: entriesSchema.optional(), snapshot: snapshotSchema.optional() })
  .strict();

/**
 * One WAL record (one `save`, or a snapshot marker). Keys are short because every save writes them.
 * `s` records where a snapshot took effect: `k` says whether the log after it was kept (`compact`,
 * or an installed snapshot matching the log) or discarded. `g` is the segment header, the first
 * record of every segment: its sequence number `q` and the last log index `i` before it, so a
 * segment copied, renamed or replayed out of order is caught instead of rolling the state back.
 */
export const walRecordSchema = z
  .object({
    g: z.object({ q: z.number().int().positive(), i: index }).strict().optional(),
    h: hardStateSchema.optional(),
    e: entriesSchema.optional(),
    s: z.object({ m: snapshotMetadataSchema, k: z.boolean() }).strict().optional(),
  })
  .strict();

export type WalRecord = z.infer<typeof walRecordSchema>;

/** Options of `FileStorage.open`. */
export interface FileStorageOptions {
  /** A segment is sealed and a new one started once it reaches this many bytes. Default 64 MiB. */
  readonly segmentBytes?: number;
  /** Largest record accepted on `save` (and believed when reading a length back). Default 64 MiB. */
  readonly maxRecordBytes?: number;
  /** `"datasync"` (fdatasync, the default) or `"fsync"` (also flushes metadata such as mtime). */
  readonly sync?: "datasync" | "fsync";
}

export const fileStorageOptionsSchema = z
  .object({
    segmentBytes: z.number().int().min(1).default(64 * 1024 * 1024),
    maxRecordBytes: z.number().int().min(64).max(0xffff_ffff).default(64 * 1024 * 1024),
    sync: z.enum(["datasync", "fsync"]).default("datasync"),
  })
  .strict();

export type ResolvedFileStorageOptions = z.output<typeof fileStorageOptionsSchema>;
