/**
 * Service keys under which workflow nodes find the ordering engine in the infrastructure.
 *
 * @module
 */
import { serviceKey } from "../core/services.js";
import type { OrderingNode } from "./ordering-node.js";
import type { GlobalOrderingService } from "./service.js";

/**
 * The in-process ordering service. When absent, the `GlobalOrdering` node creates a single-origin
 * service named `"local"` on the workflow's clock.
 */
export const orderingServiceKey = serviceKey<GlobalOrderingService>("ordering.service");

/** A distributed ordering node; when registered, `GlobalOrdering` publishes through it and reads its service. */
export const orderingNodeKey = serviceKey<OrderingNode>("ordering.node");
