/**
 * Typed errors of durable storage.
 *
 * @module
 */
import { EdgeflowError } from "../core/errors.js";

/**
 * The write-ahead log or snapshot on disk is damaged in a way that is not a torn final write: a bad
 * record followed by valid ones, a record that fails its checksum in an older segment, or records that
 * contradict each other. Nothing on disk is modified when this is thrown; an operator must decide.
 * Code `storage.corruption`.
 *
 * @example
 * ```ts
 * const storage = await FileStorage.open(dir).catch((error: unknown) => {
 *   if (error instanceof StorageCorruptionError) console.error(`damaged: ${error.file} at byte ${error.offset}`);
 *   throw error;
 * });
 * ```
 */
export class StorageCorruptionError extends EdgeflowError {
  /** The damaged file. */
  readonly file: string;
  /** Byte offset of the first damaged record in `file`. */
  readonly offset: number;
  /** What is wrong, e.g. `"checksum mismatch"`. */
  readonly reason: string;

  constructor(file: string, offset: number, reason: string) {
    super("storage.corruption", `corrupted storage: ${file} at byte ${offset}: ${reason}`);
    this.file = file;
    this.offset = offset;
    this.reason = reason;
  }
}

/**
 * A write or sync failed. After a failed fsync the kernel may have dropped the dirty pages, so the
 * storage refuses every later call: reopen it to recover from what is really on disk. Code `storage.failed`.
 *
 * @example
 * ```ts
 * if (isEdgeflowError(error, "storage.failed")) storage = await FileStorage.open(dir);
 * ```
 */
export class StorageFailedError extends EdgeflowError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("storage.failed", message, options);
  }
}
