/**
 * A typed event emitter on eventemitter3: one payload per event, names and payload types checked.
 *
 * @module
 */
import { EventEmitter } from "eventemitter3";

/** Maps event names to their payload types. */
export type EventMap = { [event: string]: unknown };

/** A listener for one event. */
export type Listener<T> = (payload: T) => void;

/**
 * @example
 * ```ts
 * const events = new TypedEmitter<{ "lease:expired": { edgeId: string } }>();
 * const off = events.on("lease:expired", ({ edgeId }) => console.log(edgeId));
 * events.emit("lease:expired", { edgeId: "edge-1" });
 * off();
 * ```
 */
export class TypedEmitter<E extends EventMap> {
  private readonly emitter = new EventEmitter();

  /** Subscribes; returns a function that unsubscribes. */
  on<K extends keyof E & string>(event: K, listener: Listener<E[K]>): () => void {
    this.emitter.on(event, listener);
    return () => {
      this.emitter.off(event, listener);
    };
  }

  /** Subscribes for the next emission only; returns a function that unsubscribes. */
  once<K extends keyof E & string>(event: K, listener: Listener<E[K]>): () => void {
    this.emitter.once(event, listener);
    return () => {
      this.emitter.off(event, listener);
    };
  }

  off<K extends keyof E & string>(event: K, listener: Listener<E[K]>): void {
    this.emitter.off(event, listener);
  }

  /** Calls every listener of `event` synchronously, in subscription order. */
  emit<K extends keyof E & string>(event: K, payload: E[K]): boolean {
    return this.emitter.emit(event, payload);
  }

  listenerCount(event: keyof E & string): number {
    return this.emitter.listenerCount(event);
  }

  removeAllListeners(event?: keyof E & string): void {
    this.emitter.removeAllListeners(event);
  }
}
