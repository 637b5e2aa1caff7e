/**
 * The runtime's event emitter, which keeps whether `node:start` and `node:complete` have listeners as
 * two fields. The scheduler asks before every node's start and end, so that no payload is built for
 * nobody; asking the emitter each time was a map lookup per question, a few per cent of a trivial
 * node's cost. The emitter reports every change to its listeners, a `once` listener's removal
 * included, and the fields are read afresh then.
 *
 * @module
 */
import { TypedEmitter } from "../core/events.js";
import type { RuntimeEvents } from "./types.js";

export class RuntimeEmitter extends TypedEmitter<RuntimeEvents> {
  /** Whether `node:start` has a listener, as `listenerCount` would say. */
  startListened = false;
  /** Whether `node:complete` has a listener, as `listenerCount` would say. */
  completeListened = false;

  protected override listenersChanged(): void {
    this.startListened = this.listenerCount("node:start") > 0;
    this.completeListened = this.listenerCount("node:complete") > 0;
  }
}
