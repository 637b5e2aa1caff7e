/**
 * The contract every distributed engine talks through. Engines address peers by node id and exchange
 * plain JSON-able objects; a transport validates every received message against the engine's zod
 * schema before the engine sees it, so a bad frame never reaches engine code.
 *
 * @module
 */
import type { z } from "zod";
import { EdgeflowError } from "../core/errors.js";

/** A peer's address: its node id. */
export type NodeId = string;

/** Called for each received message that passed schema validation. */
export type MessageHandler<M> = (from: NodeId, message: M) => void;

/** Called when something goes wrong that no caller is waiting on (bad frame, refused peer, ...). */
export type TransportErrorHandler = (error: TransportError) => void;

/**
 * Sends and receives messages of type `M` for one node.
 *
 * Delivery is best effort: messages may be lost, duplicated, delayed or reordered (the simulated
 * network does all of these on purpose). Engines that need reliability build it on top (Raft does).
 */
export interface Transport<M = unknown> {
  /** This node's id. */
  readonly localId: NodeId;
  /**
   * Queues `message` for `to`. Never blocks. Throws a {@link TransportError} when the message cannot
   * even be queued (transport closed, unknown peer, send queue full).
   */
  send(to: NodeId, message: M): void;
  /** Subscribes to received (validated) messages; returns an unsubscribe function. */
  onMessage(handler: MessageHandler<M>): () => void;
  /** Subscribes to transport errors; returns an unsubscribe function. */
  onError(handler: TransportErrorHandler): () => void;
  /** Stops sending and receiving; queued messages are flushed where the transport can. */
  close(): Promise<void>;
}

/** The schema a transport validates received messages against. */
export type MessageSchema<M> = z.ZodType<M>;

/** What went wrong in a transport; `reason` is stable for branching. */
export type TransportErrorReason =
  | "closed"
  | "unknown_peer"
  | "backpressure"
  | "frame_too_large"
  | "bad_frame"
  | "invalid_message"
  | "auth_failed"
  | "integrity"
  | "protocol_version"
  | "connection"
  | "timeout";

export class TransportError extends EdgeflowError {
  readonly reason: TransportErrorReason;
  /** The peer involved, when known. */
  readonly peer: NodeId | undefined;

  constructor(reason: TransportErrorReason, message: string, options: { peer?: NodeId; cause?: unknown } = {}) {
    super(`transport.${reason}`, message, { cause: options.cause });
    this.reason = reason;
    this.peer = options.peer;
  }
}
