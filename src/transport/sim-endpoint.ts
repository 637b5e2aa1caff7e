/**
 * One node's {@link Transport} on a `SimNetwork`.
 *
 * @module
 */
import { ValidationError } from "../core/errors.js";
import { emitMessage, HandlerList } from "./handlers.js";
import { checkInbound } from "./inbound.js";
import { TransportError, type MessageHandler, type MessageSchema, type NodeId, type Transport, type TransportErrorHandler } from "./types.js";

/** What an endpoint needs from its network. */
export interface EndpointHost {
  transmit(from: NodeId, to: NodeId, message: unknown): void;
  detach(id: NodeId, endpoint: object): void;
}

export class SimEndpoint<M> implements Transport<M> {
  readonly messageHandlers = new HandlerList<MessageHandler<M>>();
  readonly errorHandlers = new HandlerList<TransportErrorHandler>();
  closed = false;

  constructor(
    private readonly network: EndpointHost,
    readonly localId: NodeId,
    readonly schema: MessageSchema<M> | undefined,
  ) {}

  send(to: NodeId, message: M): void {
    if (typeof to !== "string" || to === "") throw ValidationError.of("to", "must be a non-empty node id");
    if (this.closed) throw new TransportError("closed", `endpoint "${this.localId}" is closed`, { peer: to });
    this.network.transmit(this.localId, to, message);
  }

  onMessage(handler: MessageHandler<M>): () => void {
    return this.messageHandlers.add(handler);
  }

  onError(handler: TransportErrorHandler): () => void {
    return this.errorHandlers.add(handler);
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.network.detach(this.localId, this);
    }
    return Promise.resolve();
  }

  /** Same as {@link SimEndpoint.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  receive(from: NodeId, value: unknown): TransportError | undefined {
    if (this.schema === undefined) {
      emitMessage(this.messageHandlers, from, value as M);
      return undefined;
    }
    const checked = checkInbound(this.schema, value, from);
    if (!checked.ok) return checked.error;
    emitMessage(this.messageHandlers, from, checked.message);
    return undefined;
  }
}

/** The JSON text of `message`; a message that would not survive a real wire fails here. */
export function serialize(message: unknown, from: NodeId, to: NodeId): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(message);
  } catch (error) {
    throw new TransportError("invalid_message", `message from "${from}" to "${to}" is not JSON-serializable`, { peer: to, cause: error });
  }
  if (text === undefined) throw new TransportError("invalid_message", `message from "${from}" to "${to}" is not JSON-serializable`, { peer: to });
  return text;
}
