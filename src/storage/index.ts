/**
 * Durable storage for Raft: the {@link RaftStorage} contract and the in-memory implementation. The
 * write-ahead log on disk is `FileStorage`, from the `edgeflow/file-storage` entry point.
 *
 * @module
 */
export * from "./types.js";
export * from "./memory.js";
export { StorageCorruptionError, StorageFailedError } from "./errors.js";
