/**
 * Edge state objects: single-writer keyed state with one home edge, fenced leases and a pluggable store.
 *
 * @module
 */
export * from "./errors.js";
export * from "./home.js";
export * from "./object.js";
export * from "./store.js";
export * from "./types.js";
export * from "./states.js";
export * from "./replicated-store.js";
