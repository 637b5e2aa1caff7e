/**
 * The ordering service between nodes: each ordering node publishes its own events to its peers over
 * a {@link Transport}, vouches for its stream with periodic heartbeats, and re-sends what a peer
 * reports missing. Every node runs a {@link GlobalOrderingService} over the same origins, so all
 * deliver the same order.
 *
 * @module
 */
import { z } from "zod";
import type { Clock, TimerHandle } from "../core/clock.js";
import { EdgeflowError, errorMessage, ValidationError } from "../core/errors.js";
import { TypedEmitter } from "../core/events.js";
import { parseWith } from "../core/validation.js";
import type { NodeId, Transport } from "../transport/types.js";
import { isValidNodeId } from "./hlc.js";
import { hlcTimestampSchema, orderingEventSchema } from "./schemas.js";
import type { GlobalOrderingService } from "./service.js";
import type { HlcTimestamp, OrderingEvent, PublishInput } from "./types.js";

const nodeId = z.string().refine(isValidNodeId, { message: "must be 1 to 128 printable ASCII characters without spaces" });
const seq = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** Messages ordering nodes exchange; transports validate received messages against it. */
export const orderingMessageSchema = z.discriminatedUnion("type", [
  /** New or re-sent events of the sender's own stream. */
  z.object({ type: z.literal("events"), events: z.array(orderingEventSchema).min(1).max(10_000) }),
  /** "My events up to `seq` are all I stamped at or below `hlc`." */
  z.object({ type: z.literal("heartbeat"), origin: nodeId, seq, hlc: hlcTimestampSchema }),
  /** "Please re-send your events `fromSeq`..`toSeq`." */
  z.object({ type: z.literal("resend"), fromSeq: seq, toSeq: seq }),
]);

/** A message between ordering nodes. */
export type OrderingMessage =
  | { readonly type: "events"; readonly events: readonly OrderingEvent[] }
  | { readonly type: "heartbeat"; readonly origin: string; readonly seq: number; readonly hlc: HlcTimestamp }
  | { readonly type: "resend"; readonly fromSeq: number; readonly toSeq: number };

/** The tunable options of an {@link OrderingNode}, with their defaults. */
export const orderingNodeOptionsSchema = z.object({
  /** Every node to send to; defaults to the service's origins other than this one. */
  peers: z.array(nodeId).max(1024).optional(),
  /** How often this node vouches for its stream, in ms. */
  heartbeatIntervalMs: z.number().int().min(1).max(3_600_000).default(200),
  /** Own events kept for re-sending (at least this many, at most twice). A peer missing an older one reports it as a gap. */
  outboxLimit: z.number().int().min(1).max(10_000_000).default(100_000),
  /** Largest number of events in one re-send message. */
  maxBatch: z.number().int().min(1).max(10_000).default(500),
});

/** Options of an {@link OrderingNode}. */
export type OrderingNodeOptions<P> = z.input<typeof orderingNodeOptionsSchema> & {
  readonly service: GlobalOrderingService<P>;
  readonly transport: Transport<OrderingMessage>;
  readonly clock: Clock;
};

/** Why a received message or event was not taken. */
export interface RefusedMessage {
  readonly from: NodeId;
  readonly error: EdgeflowError;
}

/** Events of an {@link OrderingNode}. */
export type OrderingNodeEvents = {
  /** A received event was refused (clock skew, full buffer, invalid); its origin re-sends it later. */
  "event:refused": RefusedMessage;
  /** Sending to a peer failed; anti-entropy repairs what was lost. */
  "send:failed": RefusedMessage;
};

/**
 * One ordering node in a distributed deployment.
 *
 * Delivery needs every origin's stream, so an unreachable origin pauses delivery (not acceptance) on
 * the others until it is reachable again; after a partition heals, heartbeats reveal the gaps and
 * the origins re-send, and every node converges on the same order.
 *
 * @example
 * ```ts
 * const service = new GlobalOrderingService({ nodeId: "edge-a", origins: ["edge-a", "edge-b"], clock });
 * const node = new OrderingNode({ service, clock, transport: network.endpoint("edge-a", { schema: orderingMessageSchema }) });
 * node.start();
 * node.publish({ key: "route/eu", payload: "edge-b" });
 * service.on("event:delivered", (entry) => apply(entry));
 * ```
 */
export class OrderingNode<P = unknown> extends TypedEmitter<OrderingNodeEvents> {
  readonly service: GlobalOrderingService<P>;
  private readonly transport: Transport<OrderingMessage>;
  private readonly clock: Clock;
  private readonly peers: readonly string[];
  private readonly options: z.output<typeof orderingNodeOptionsSchema>;
  private readonly isOrigin: boolean;
  private outbox: OrderingEvent<P>[] = [];
  private outboxStart = 1;
  private timer: TimerHandle | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(options: OrderingNodeOptions<P>) {
    super();
    const { service, transport, clock, ...rest } = options;
    this.options = parseWith(orderingNodeOptionsSchema, rest, "options");
    if (typeof service?.receive !== "function") throw ValidationError.of("options.service", "service must be a GlobalOrderingService", "invalid_type");
    if (typeof transport?.send !== "function" || typeof transport.onMessage !== "function") throw ValidationError.of("options.transport", "transport must implement Transport", "invalid_type");
    if (typeof clock?.now !== "function" || typeof clock.setTimer !== "function") throw ValidationError.of("options.clock", "clock must implement Clock", "invalid_type");
    if (transport.localId !== service.nodeId) {
      throw ValidationError.of("options.transport", `transport is for "${transport.localId}" but the service is "${service.nodeId}"`, "node_mismatch");
    }
    this.service = service;
    this.transport = transport;
    this.clock = clock;
    this.peers = (this.options.peers ?? service.originIds).filter((p) => p !== service.nodeId);
    this.isOrigin = service.originIds.includes(service.nodeId);
  }

  /** Starts listening and heartbeating. */
  start(): void {
    if (this.unsubscribe !== undefined) return;
    this.unsubscribe = this.transport.onMessage((from, message) => this.handle(from, message));
    this.tick();
  }

  /** Stops heartbeating and listening; the transport stays open (its owner closes it). */
  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timer = undefined;
  }

  /** Publishes an event of this node and sends it to every peer. */
  publish(input: PublishInput<P>): OrderingEvent<P> {
    const event = this.service.publish(input);
    this.outbox.push(event);
    // Trim in batches: shifting a large array one element at a time is linear each time.
    if (this.outbox.length >= 2 * this.options.outboxLimit) {
      const drop = this.outbox.length - this.options.outboxLimit;
      this.outbox = this.outbox.slice(drop);
      this.outboxStart += drop;
    }
    for (const peer of this.peers) this.send(peer, { type: "events", events: [event] });
    return event;
  }

  private tick(): void {
    if (this.isOrigin) {
      const seqSoFar = this.service.expectedSeq(this.service.nodeId) - 1;
      // Stamped after every event so far, so it vouches for all of them and nothing later.
      const message: OrderingMessage = { type: "heartbeat", origin: this.service.nodeId, seq: seqSoFar, hlc: this.service.hlc.now() };
      for (const peer of this.peers) this.send(peer, message);
    }
    this.timer = this.clock.setTimer(this.options.heartbeatIntervalMs, () => this.tick(), { background: true });
  }

  private handle(from: NodeId, message: OrderingMessage): void {
    switch (message.type) {
      case "events":
        this.receiveEvents(from, message.events as OrderingEvent<P>[]);
        return;
      case "heartbeat":
        if (message.origin !== from) return;
        try {
          const missing = this.service.heartbeat(message.origin, message.seq, message.hlc);
          if (missing !== undefined) this.send(from, { type: "resend", fromSeq: missing.from, toSeq: missing.to });
        } catch (error) {
          this.refuse(from, error);
          // A heartbeat too far ahead is refused, but the events it announces may be old enough to take.
          if (!this.service.originIds.includes(message.origin)) return;
          const expected = this.service.expectedSeq(message.origin);
          if (expected <= message.seq) this.send(from, { type: "resend", fromSeq: expected, toSeq: message.seq });
        }
        return;
      case "resend":
        this.resend(from, message.fromSeq, message.toSeq);
        return;
    }
  }

  private receiveEvents(from: NodeId, events: readonly OrderingEvent<P>[]): void {
    for (const event of events) {
      // Only origins send their own streams; anything else is a confused or hostile peer.
      if (event.origin !== from) {
        this.refuse(from, ValidationError.of("event.origin", `"${from}" sent an event of "${event.origin}"`, "origin_mismatch"));
        continue;
      }
      try {
        this.service.receive(event);
      } catch (error) {
        // Refused events are re-sent once the next heartbeat shows the gap.
        this.refuse(from, error);
      }
    }
  }

  private resend(to: NodeId, fromSeq: number, toSeq: number): void {
    const first = Math.max(fromSeq, this.outboxStart);
    const last = Math.min(toSeq, this.outboxStart + this.outbox.length - 1, first + this.options.maxBatch - 1);
    if (last < first) return;
    const events = this.outbox.slice(first - this.outboxStart, last - this.outboxStart + 1);
    this.send(to, { type: "events", events });
  }

  private send(to: NodeId, message: OrderingMessage): void {
    try {
      this.transport.send(to, message);
    } catch (error) {
      this.emit("send:failed", { from: to, error: asEdgeflowError(error) });
    }
  }

  private refuse(from: NodeId, error: unknown): void {
    this.emit("event:refused", { from, error: asEdgeflowError(error) });
  }
}

function asEdgeflowError(error: unknown): EdgeflowError {
  return error instanceof EdgeflowError ? error : new EdgeflowError("ordering.internal", errorMessage(error), { cause: error });
}
