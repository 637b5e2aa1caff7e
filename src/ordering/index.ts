/**
 * Global ordering: Hybrid Logical Clocks, causal delivery, deduplication and conflict resolution,
 * in-process ({@link GlobalOrderingService}) or between nodes over a Transport ({@link OrderingNode}).
 *
 * @module
 */
export { HybridLogicalClock, compareHlc, isValidNodeId, assertHlc, MAX_LOGICAL, MAX_WALL, DEFAULT_MAX_OFFSET_MS } from "./hlc.js";
export { encodeHlc, decodeHlc, encodeHlcBinary, decodeHlcBinary } from "./hlc-codec.js";
export { ClockSkewError, OrderingBackpressureError, CursorExpiredError } from "./errors.js";
export { GlobalOrderingService } from "./service.js";
export type { GlobalOrderingOptions } from "./service.js";
export type { ResolvedValue } from "./conflicts.js";
export { hlcTimestampSchema, orderingEventSchema, publishInputSchema, orderingOptionsSchema } from "./schemas.js";
export type {
  HlcTimestamp,
  HlcOptions,
  OrderingEvent,
  PublishInput,
  ConflictPolicy,
  ConflictResolution,
  OrderedEntry,
  OrderedPage,
  MissingDependency,
  RejectionReason,
  OrderingStatus,
  OrderingEvents,
} from "./types.js";
export { OrderingNode, orderingMessageSchema, orderingNodeOptionsSchema } from "./ordering-node.js";
export type { OrderingMessage, OrderingNodeOptions, OrderingNodeEvents, RefusedMessage } from "./ordering-node.js";
export { orderingServiceKey, orderingNodeKey } from "./keys.js";
