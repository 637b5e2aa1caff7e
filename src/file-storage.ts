/**
 * `edgeflow/file-storage`: Raft storage on disk, an append-only write-ahead log with checksummed
 * records and snapshots. Kept out of the root entry point so that a process that never touches the
 * disk does not load `node:fs`, `node:zlib` and the recovery code.
 *
 * @example
 * ```ts
 * import { FileStorage } from "edgeflow/file-storage";
 * const storage = await FileStorage.open("/var/lib/edgeflow/alpha");
 * ```
 *
 * @module edgeflow/file-storage
 */
export { FileStorage, type FileStorageStats } from "./storage/file-storage.js";
export type { FileStorageOptions } from "./storage/schemas.js";
