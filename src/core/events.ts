/**
 * A typed event emitter: one payload per event, names and payload types checked. It speaks Node's
 * `EventEmitter` protocol (`on`/`addListener`/`once`/`off`/`removeListener`/`prependListener`...), so
 * `node:events` helpers work on it: `events.once(emitter, name)` and `for await (const [payload] of
 * events.on(emitter, name, { signal }))`.
 *
 * A listener that throws (or returns a promise that rejects) never reaches the code that emitted: the
 * error goes to the emitter's `onListenerError` handler and the remaining listeners still run. An
 * observer's bug must not break the engine it observes.
 *
 * @module
 */

/** Maps event names to their payload types. */
export type EventMap = { [event: string]: unknown };

/** A listener for one event. */
export type Listener<T> = (payload: T) => void;

/** Receives what a listener threw, with the name of the event it was listening to. */
export type ListenerErrorHandler = (error: unknown, event: string) => void;

/** Options of a {@link TypedEmitter}. */
export interface TypedEmitterOptions {
  /**
   * Called with whatever a listener threw or rejected with. Default: a process warning
   * (`process.emitWarning`, type `EdgeflowListenerError`), which Node prints to stderr without exiting.
   */
  readonly onListenerError?: ListenerErrorHandler;
}

/** The default {@link ListenerErrorHandler}: a process warning, never an exception. */
export const warnListenerError: ListenerErrorHandler = (error, event) => {
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.emitWarning(`a listener of "${event}" threw: ${detail}`, { type: "EdgeflowListenerError" });
};

interface Registration {
  readonly listener: (...args: never[]) => unknown;
  readonly once: boolean;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function";
}

/**
 * @example
 * ```ts
 * const events = new TypedEmitter<{ "lease:expired": { edgeId: string } }>();
 * const onExpired = ({ edgeId }: { edgeId: string }) => console.log(edgeId);
 * events.on("lease:expired", onExpired);
 * events.emit("lease:expired", { edgeId: "edge-1" });
 * events.off("lease:expired", onExpired);
 *
 * // With node:events, until the signal aborts:
 * for await (const [lease] of on(events, "lease:expired", { signal })) console.log(lease);
 * ```
 */
export class TypedEmitter<E extends EventMap> {
  // Arrays are replaced, never mutated, so an emit in progress is unaffected by (un)subscriptions.
  private readonly registrations = new Map<string | symbol, readonly Registration[]>();
  private readonly onListenerError: ListenerErrorHandler;
  private maxListeners = 0;

  constructor(options: TypedEmitterOptions = {}) {
    this.onListenerError = options.onListenerError ?? warnListenerError;
  }

  /** Subscribes `listener` to `event`, after the listeners already there. */
  on<K extends keyof E & string>(event: K, listener: Listener<E[K]>): this {
    return this.add(event, { listener, once: false }, false);
  }

  /** Same as {@link TypedEmitter.on}. */
  addListener<K extends keyof E & string>(event: K, listener: Listener<E[K]>): this {
    return this.on(event, listener);
  }

  /** Subscribes for the next emission only. */
  once<K extends keyof E & string>(event: K, listener: Listener<E[K]>): this {
    return this.add(event, { listener, once: true }, false);
  }

  /** Subscribes `listener` before the listeners already there. */
  prependListener<K extends keyof E & string>(event: K, listener: Listener<E[K]>): this {
    return this.add(event, { listener, once: false }, true);
  }

  /** Subscribes `listener`, before the others, for the next emission only. */
  prependOnceListener<K extends keyof E & string>(event: K, listener: Listener<E[K]>): this {
    return this.add(event, { listener, once: true }, true);
  }

  /** Removes the most recently added subscription of `listener` to `event`, if any. */
  off<K extends keyof E & string>(event: K, listener: Listener<E[K]>): this {
    const current = this.registrations.get(event);
    if (current === undefined) return this;
    const index = current.findLastIndex((r) => r.listener === listener);
    if (index >= 0) this.replace(event, current.filter((_, i) => i !== index));
    return this;
  }

  /** Same as {@link TypedEmitter.off}. */
  removeListener<K extends keyof E & string>(event: K, listener: Listener<E[K]>): this {
    return this.off(event, listener);
  }

  /** Removes every listener of `event`, or of every event. */
  removeAllListeners(event?: keyof E & string): this {
    if (event === undefined) this.registrations.clear();
    else this.registrations.delete(event);
    this.listenersChanged();
    return this;
  }

  /**
   * Calls every listener of `event` synchronously, in subscription order; returns whether there was
   * any. A listener's error is handed to `onListenerError` and does not stop the others.
   */
  emit<K extends keyof E & string>(event: K, payload: E[K]): boolean {
    const current = this.registrations.get(event);
    if (current === undefined) return false;
    for (const registration of current) {
      if (registration.once) this.removeRegistration(event, registration);
      this.call(event, registration, payload);
    }
    return true;
  }

  /** Number of listeners of `event` (only those that are `listener`, when given). */
  listenerCount<K extends keyof E & string>(event: K, listener?: Listener<E[K]>): number {
    const current = this.registrations.get(event);
    if (current === undefined) return 0;
    return listener === undefined ? current.length : current.filter((r) => r.listener === listener).length;
  }

  /** The listeners of `event`, in call order. */
  listeners<K extends keyof E & string>(event: K): Array<Listener<E[K]>> {
    return (this.registrations.get(event) ?? []).map((r) => r.listener as Listener<E[K]>);
  }

  /** Same as {@link TypedEmitter.listeners}: no wrappers are ever installed. */
  rawListeners<K extends keyof E & string>(event: K): Array<Listener<E[K]>> {
    return this.listeners(event);
  }

  /** Names of the events that have listeners. */
  eventNames(): Array<keyof E & string> {
    return [...this.registrations.keys()] as Array<keyof E & string>;
  }

  /** Kept for Node's protocol; a typed emitter never warns about listener counts. */
  setMaxListeners(n: number): this {
    this.maxListeners = n;
    return this;
  }

  /** The value last given to {@link TypedEmitter.setMaxListeners} (0: unlimited). */
  getMaxListeners(): number {
    return this.maxListeners;
  }

  /**
   * Called after every change to the listeners, subscriptions and removals alike (a `once` listener's
   * included, which happens just before it is called): what a subclass derives from its listeners is
   * kept here, exact at every moment, instead of being asked of the emitter on a hot path.
   */
  protected listenersChanged(): void {
    // Nothing derived here.
  }

  private add(event: string | symbol, registration: Registration, first: boolean): this {
    const current = this.registrations.get(event) ?? [];
    this.replace(event, first ? [registration, ...current] : [...current, registration]);
    return this;
  }

  private removeRegistration(event: string | symbol, registration: Registration): void {
    const current = this.registrations.get(event);
    if (current !== undefined) this.replace(event, current.filter((r) => r !== registration));
  }

  private replace(event: string | symbol, next: readonly Registration[]): void {
    if (next.length === 0) this.registrations.delete(event);
    else this.registrations.set(event, next);
    this.listenersChanged();
  }

  private call(event: string, registration: Registration, payload: unknown): void {
    try {
      const result = (registration.listener as (payload: unknown) => unknown).call(this, payload);
      if (isThenable(result)) result.then(undefined, (error: unknown) => this.report(error, event));
    } catch (error) {
      this.report(error, event);
    }
  }

  private report(error: unknown, event: string): void {
    try {
      this.onListenerError(error, event);
    } catch (handlerError) {
      // The handler is user code too: its failure must not escape into the emitting engine either.
      warnListenerError(handlerError, event);
    }
  }
}
