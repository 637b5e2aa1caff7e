/**
 * edgeflow: an embeddable edge-orchestration SDK. Everything public is exported from here.
 *
 * @module edgeflow
 */
export * from "./core/index.js";
export * from "./transport/index.js";
export * from "./storage/index.js";
export * from "./consensus/index.js";
export * from "./workflow/index.js";
export * from "./infra/index.js";
export * from "./lifecycle/index.js";
export * from "./placement/index.js";
export * from "./monitoring/index.js";
export * from "./ordering/index.js";
export * from "./membership/index.js";
export * from "../nodes/index.js";
