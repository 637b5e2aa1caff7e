/**
 * The Redis adapter of the migration engine, a separate entry point (`edgeflow/migration/redis`) so
 * that only users who migrate Redis keyspaces load `ioredis`.
 *
 * @module
 */
export { RedisWorkloadAdapter, RedisEdgeError, type RedisWorkloadAdapterOptions } from "./adapter.js";
export { RedisRouter } from "./router.js";
export type { RedisEdgeAddress } from "./connections.js";
