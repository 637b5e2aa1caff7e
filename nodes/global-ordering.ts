/**
 * The `GlobalOrdering` node: submits events to the shared ordering service and reads its ordered
 * log and status.
 *
 * @module
 */
import { z } from "zod";
import type { Clock } from "../src/core/clock.js";
import type { ServiceRegistry } from "../src/core/services.js";
import { orderingNodeKey, orderingServiceKey } from "../src/ordering/keys.js";
import { GlobalOrderingService } from "../src/ordering/service.js";
import type { OrderedEntry, OrderingEvent, OrderingStatus } from "../src/ordering/types.js";
import { defineNode, enginePort, fromConfigOrInput } from "../src/workflow/node.js";

const eventId = z.string().min(1).max(256);

function orderingService(infrastructure: ServiceRegistry, clock: Clock): GlobalOrderingService {
  const node = infrastructure.tryGet(orderingNodeKey);
  if (node !== undefined) return node.service;
  return infrastructure.getOrCreate(orderingServiceKey, () => new GlobalOrderingService({ nodeId: "local", clock }));
}

export const GlobalOrdering = defineNode({
  type: "GlobalOrdering",
  description: "Submits events to the global ordering service and reads the causally consistent order, deduplicated and with conflicts resolved.",
  inputs: z.object({
    /** Payload for `submit` when the config has none. */
    payload: z.unknown().optional(),
    /** Cursor for `ordered_since` when the config has none (e.g. the previous page's `next`). */
    cursor: z.number().int().min(0).optional(),
  }),
  operations: {
    submit: {
      description: "Publishes an event; it is delivered once its causal dependencies are.",
      config: z.object({
        /** Defaults to `"<origin>:<seq>"`. */
        id: eventId.optional(),
        /** The key this event writes; concurrent writes to it are resolved by the service's policy. */
        key: z.string().min(1).max(1024).optional(),
        /** Ids of events this one causally follows. */
        deps: z.array(eventId).max(1024).optional(),
        /** The payload; absent = taken from the `payload` input. */
        payload: z.unknown().optional(),
      }),
      outputs: z.object({
        /** The event as published, with its HLC timestamp. */
        event: enginePort<OrderingEvent>("an ordering event"),
      }),
      run: async (ctx, cfg, inputs) => {
        const service = orderingService(ctx.infrastructure, ctx.clock);
        // `null` is a payload like any other: only an absent one falls back to the input.
        const payload = fromConfigOrInput(cfg.operation, "payload", "a payload", cfg.payload, inputs.payload);
        const input = { id: cfg.id, key: cfg.key, deps: cfg.deps, payload };
        const node = ctx.infrastructure.tryGet(orderingNodeKey);
        return { event: node !== undefined ? node.publish(input) : service.publish(input) };
      },
    },
    ordered_since: {
      description: "Reads the delivered order from a cursor.",
      config: z.object({
        /** Position to read from; absent = the `cursor` input, else 0. */
        cursor: z.number().int().min(0).optional(),
        limit: z.number().int().min(1).max(100_000).default(1000),
      }),
      outputs: z.object({
        entries: z.array(enginePort<OrderedEntry>("an ordered entry")),
        /** The cursor to pass next time. */
        next: z.number().int().min(0),
      }),
      run: async (ctx, cfg, inputs) => {
        const page = orderingService(ctx.infrastructure, ctx.clock).orderedSince(cfg.cursor ?? inputs.cursor ?? 0, cfg.limit);
        return { entries: [...page.entries], next: page.next };
      },
    },
    status: {
      config: z.object({}),
      outputs: z.object({ status: enginePort<OrderingStatus>("an ordering status") }),
      run: async (ctx) => ({ status: orderingService(ctx.infrastructure, ctx.clock).status() }),
    },
  },
});
