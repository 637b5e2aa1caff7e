/**
 * Subscriber lists shared by every transport: handlers are called in subscription order, and a
 * handler that unsubscribes (or subscribes another) during a call does not disturb that call.
 *
 * @module
 */
import { ValidationError } from "../core/errors.js";
import type { MessageHandler, NodeId, TransportError, TransportErrorHandler } from "./types.js";

/** An ordered list of subscribers with cheap, copy-on-write unsubscribe. */
export class HandlerList<H> {
  // Replaced, never mutated, so an emission in progress keeps iterating the list it started with.
  private list: readonly H[] = [];

  add(handler: H): () => void {
    if (typeof handler !== "function") throw ValidationError.of("handler", `must be a function, got ${typeof handler}`);
    this.list = [...this.list, handler];
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      const index = this.list.indexOf(handler);
      if (index >= 0) this.list = [...this.list.slice(0, index), ...this.list.slice(index + 1)];
    };
  }

  get handlers(): readonly H[] {
    return this.list;
  }

  get size(): number {
    return this.list.length;
  }

  clear(): void {
    this.list = [];
  }
}

/** Calls every message handler with `(from, message)`. */
export function emitMessage<M>(handlers: HandlerList<MessageHandler<M>>, from: NodeId, message: M): void {
  const list = handlers.handlers;
  for (let i = 0; i < list.length; i++) (list[i] as MessageHandler<M>)(from, message);
}

/** Calls every error handler; returns whether anyone was listening. */
export function emitError(handlers: HandlerList<TransportErrorHandler>, error: TransportError): boolean {
  const list = handlers.handlers;
  for (let i = 0; i < list.length; i++) (list[i] as TransportErrorHandler)(error);
  return list.length > 0;
}
