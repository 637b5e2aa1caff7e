/**
 * Typed errors of durable storage. Every one names the file or directory involved, so an operator
 * can act on the message alone.
 *
 * @module
 */
import { EdgeflowError, errorMessage } from "../core/errors.js";

/** Why the storage directory could not be used. */
export type StoragePathReason = "not_a_directory" | "not_found" | "permission_denied" | "resources_exhausted" | "io";

/**
 * The storage directory (or a file in it) could not be opened: a file where a directory is expected,
 * a parent that cannot be created, missing permissions, no file descriptors left, or another I/O error.
 * `code` is `storage.<reason>`; `cause` holds the operating system's error.
 */
export class StorageError extends EdgeflowError {
  /** The path that could not be used. */
  readonly path: string;
  /** Stable reason for branching. */
  readonly reason: StoragePathReason;

  constructor(path: string, reason: StoragePathReason, message: string, options?: { cause?: unknown }) {
    super(`storage.${reason}`, message, options);
    this.path = path;
    this.reason = reason;
  }

  /** Wraps an operating-system error met while `action` on `path`. Edgeflow errors pass through unchanged. */
  static wrap(error: unknown, path: string, action: string): EdgeflowError {
    if (error instanceof EdgeflowError) return error;
    const reason = reasonOf((error as NodeJS.ErrnoException | undefined)?.code);
    return new StorageError(path, reason, `cannot ${action} ${path}: ${describe(reason)} (${errorMessage(error)})`, { cause: error });
  }
}

function reasonOf(errno: string | undefined): StoragePathReason {
  switch (errno) {
    case "ENOTDIR":
    case "EEXIST":
    case "EISDIR":
      return "not_a_directory";
    case "ENOENT":
      return "not_found";
    case "EACCES":
    case "EPERM":
    case "EROFS":
      return "permission_denied";
    case "EMFILE":
    case "ENFILE":
    case "ENOSPC":
      return "resources_exhausted";
    default:
      return "io";
  }
}

function describe(reason: StoragePathReason): string {
  switch (reason) {
    case "not_a_directory":
      return "a path component is a file, not a directory";
    case "not_found":
      return "a path component does not exist";
    case "permission_denied":
      return "permission denied";
    case "resources_exhausted":
      return "out of file descriptors or disk space";
    case "io":
      return "I/O error";
  }
}

/**
 * The write-ahead log or snapshot on disk is damaged in a way that is not a torn final write: a bad
 * record followed by valid ones, a record that fails its checksum in an older segment, damage below
 * the length the log had made durable, a missing or duplicated segment, or records that contradict
 * each other. Nothing on disk is modified when this is thrown; an operator must decide.
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
