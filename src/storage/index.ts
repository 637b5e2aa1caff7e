/**
 * Durable storage for Raft: the {@link RaftStorage} contract and its implementations.
 *
 * @module
 */
export * from "./types.js";
export * from "./memory.js";
export { FileStorage, type FileStorageStats } from "./file-storage.js";
export type { FileStorageOptions } from "./schemas.js";
export { StorageCorruptionError, StorageError, StorageFailedError, type StoragePathReason } from "./errors.js";
