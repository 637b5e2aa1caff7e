/**
 * The runtime's event emitter, which keeps whether `node:start` and `node:complete` have listeners as
 * two fields. The scheduler asks before every node's start and end, so that no payload is built for
 * nobody; asking the emitter each time was a map lookup per question, a few per cent of a trivial
 * node's cost. Every way of adding or removing a listener, including a `once` listener's removal as
 * it is called, goes through a method overridden here, which then reads the counts afresh.
 *
 * @module
 */
import { TypedEmitter, type Listener } from "../core/events.js";
import type { RuntimeEvents } from "./types.js";

type EventName = keyof RuntimeEvents & string;

export class RuntimeEmitter extends TypedEmitter<RuntimeEvents> {
  /** Whether `node:start` has a listener, as `listenerCount` would say. */
  startListened = false;
  /** Whether `node:complete` has a listener, as `listenerCount` would say. */
  completeListened = false;

  override on<K extends EventName>(event: K, listener: Listener<RuntimeEvents[K]>): this {
    super.on(event, listener);
    return this.recount();
  }

  override addListener<K extends EventName>(event: K, listener: Listener<RuntimeEvents[K]>): this {
    super.addListener(event, listener);
    return this.recount();
  }

  override once<K extends EventName>(event: K, listener: Listener<RuntimeEvents[K]>): this {
    super.once(event, listener);
    return this.recount();
  }

  override prependListener<K extends EventName>(event: K, listener: Listener<RuntimeEvents[K]>): this {
    super.prependListener(event, listener);
    return this.recount();
  }

  override prependOnceListener<K extends EventName>(event: K, listener: Listener<RuntimeEvents[K]>): this {
    super.prependOnceListener(event, listener);
    return this.recount();
  }

  override off<K extends EventName>(event: K, listener: Listener<RuntimeEvents[K]>): this {
    super.off(event, listener);
    return this.recount();
  }

  override removeListener<K extends EventName>(event: K, listener: Listener<RuntimeEvents[K]>): this {
    super.removeListener(event, listener);
    return this.recount();
  }

  override removeAllListeners(event?: EventName): this {
    super.removeAllListeners(event);
    return this.recount();
  }

  override emit<K extends EventName>(event: K, payload: RuntimeEvents[K]): boolean {
    // A `once` listener is removed as it is called. Until the recount a flag may say yes to nobody,
    // which only builds a payload in vain; it never says no while someone listens, as every addition recounts.
    const any = super.emit(event, payload);
    this.recount();
    return any;
  }

  private recount(): this {
    this.startListened = this.listenerCount("node:start") > 0;
    this.completeListened = this.listenerCount("node:complete") > 0;
    return this;
  }
}
