/**
 * Resource pools (allocation strategies, oversubscription, reservations, expiry, preemption, DRF),
 * the manager across edges, and the resource analyzer.
 *
 * @module
 */
export * from "./schemas.js";
export type * from "./types.js";
export * from "./analyzer-schemas.js";
export { ResourcePool } from "./pool.js";
export { ResourcePoolManager, RESOURCE_POOLS } from "./manager.js";
export { ResourceAnalyzer, RESOURCE_ANALYZER, analyzerConfigSchema } from "./analyzer.js";
export { ResourceExhaustedError } from "./errors.js";
export { drfAllocate } from "./drf.js";
