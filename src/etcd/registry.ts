/**
 * {@link EtcdEdgeRegistry}: an {@link EdgeInfrastructure}'s edges kept in etcd, and every other
 * service's changes to them brought in by a watch, so services sharing one etcd see one fleet.
 *
 * @module
 */
import { isDeepStrictEqual } from "node:util";
import { Etcd3, type IKeyValue, type IOptions, type Watcher } from "etcd3";
import { z } from "zod";
import { sleep, type Clock } from "../core/clock.js";
import { CancelledError, ClosedError, EdgeflowError, ValidationError } from "../core/errors.js";
import { TypedEmitter } from "../core/events.js";
import { serviceKey, type ServiceKey } from "../core/services.js";
import { parseWith } from "../core/validation.js";
import { EdgeInfrastructure } from "../infra/infrastructure.js";
import type { EdgeRecord } from "../infra/types.js";
import type { EtcdCallOptions } from "./call.js";
import { RequestDeadlines } from "./deadlines.js";
import { parseConnection, type EtcdConnectionOptions } from "./connection.js";
import { EtcdCompactedError, translateEtcdError } from "./errors.js";

/** Settings of an {@link EtcdEdgeRegistry}. */
export interface EtcdEdgeRegistryOptions extends EtcdConnectionOptions {
  /** The registry to keep in etcd; it holds the fleet locally, so reads stay synchronous. */
  readonly infrastructure: EdgeInfrastructure;
  /** First wait before writing again a change etcd did not take (unreachable, timed out); doubles up to `maxRetryDelayMs`. Default 100 ms. */
  readonly retryDelayMs?: number;
  /** Default 5 000 ms. */
  readonly maxRetryDelayMs?: number;
}

/** What an {@link EtcdEdgeRegistry} announces. */
export type EtcdEdgeRegistryEvents = {
  /**
   * A change made here lost to a concurrent change made elsewhere: the registry now holds etcd's
   * version of the edge (`kept`; `null` when etcd has none).
   */
  "registry:conflict": { readonly id: string; readonly change: "put" | "delete"; readonly discarded: EdgeRecord; readonly kept: EdgeRecord | null };
  /** The watch could not resume where it stopped (etcd compacted that history): the fleet was reloaded from etcd. */
  "registry:resynced": { readonly revision: number; readonly reason: EdgeflowError };
  /** A write or the watch failed; writes are retried and the watch resumes by itself. */
  "registry:error": { readonly error: EdgeflowError };
};

/** Where an {@link EtcdEdgeRegistry} publishes itself in its infrastructure, which then closes it. */
export const ETCD_EDGE_REGISTRY: ServiceKey<EtcdEdgeRegistry> = serviceKey<EtcdEdgeRegistry>("etcd.edge-registry");

const retrySchema = z.object({
  retryDelayMs: z.number().int().positive().max(600_000).default(100),
  maxRetryDelayMs: z.number().int().positive().max(3_600_000).default(5_000),
});

/** A local change waiting to reach etcd. `record` null: the edge was deregistered. */
interface Change {
  readonly id: string;
  readonly record: EdgeRecord | null;
  readonly last: EdgeRecord;
  /** The edge's epoch when the change was made: a change etcd overrode since then is discarded. */
  readonly epoch: number;
}

/**
 * Keeps `infrastructure` and etcd in step. Each edge is one key holding its record. A change made
 * through the infrastructure (by any node or engine) is written to etcd in the background, in order,
 * guarded by the mod revision of the version it was made on; a change made elsewhere arrives through
 * the watch and is installed as-is. When two services change one edge at once, the first to reach
 * etcd wins everywhere: the other service gets etcd's version back and a `registry:conflict` event.
 * So the local view may briefly run ahead of etcd (call {@link EtcdEdgeRegistry.flush} to wait for
 * it), and every service converges to etcd's order of changes.
 *
 * @example
 * ```ts
 * const infrastructure = new EdgeInfrastructure();
 * const registry = await EtcdEdgeRegistry.open({ clock: new SystemClock(), hosts: ["http://127.0.0.1:2379"], infrastructure });
 * infrastructure.registerEdge({ id: "edge-1", region: "eu-west", coordinates: { lat: 53.3, lon: -6.3 }, capacity: { cpu: 8, memoryMb: 16_384 } });
 * await registry.flush(); // now every service on this etcd has edge-1
 * await infrastructure.close(); // closes the registry too
 * ```
 */
export class EtcdEdgeRegistry {
  readonly events = new TypedEmitter<EtcdEdgeRegistryEvents>();
  readonly infrastructure: EdgeInfrastructure;
  private readonly clock: Clock;
  private readonly client: Etcd3;
  private readonly prefix: string;
  private readonly timeoutMs: number;
  private readonly deadlines: RequestDeadlines;
  private readonly retryDelayMs: number;
  private readonly maxRetryDelayMs: number;
  /** Per edge, the etcd mod revision of the version the infrastructure holds (absent: not in etcd as far as we know). */
  private readonly known = new Map<string, number>();
  private readonly epochs = new Map<string, number>();
  private readonly stopping = new AbortController();
  private readonly listeners: Array<() => void> = [];
  private inflight: Change | undefined;
  private queue: Promise<void>;
  private startQueue: () => void = () => undefined;
  private watcher: Watcher | undefined;
  private resyncing: Promise<void> | undefined;
  /** Set while installing etcd's changes, so they are not written back. */
  private applying = false;
  private closed = false;

  /**
   * Loads the fleet from etcd into `infrastructure` (etcd's version wins for edges on both sides;
   * edges only in `infrastructure` are written to etcd), then follows both. Rejects with
   * `etcd.unavailable`, `timeout` or `cancelled` when it cannot load.
   */
  static async open(options: EtcdEdgeRegistryOptions, callOptions: EtcdCallOptions = {}): Promise<EtcdEdgeRegistry> {
    const registry = new EtcdEdgeRegistry(options);
    try {
      await registry.start(callOptions.signal);
    } catch (error) {
      await registry.close();
      throw error;
    }
    return registry;
  }

  private constructor(options: EtcdEdgeRegistryOptions) {
    const parsed = parseConnection(options);
    if (!(options.infrastructure instanceof EdgeInfrastructure)) throw ValidationError.of("options.infrastructure", "must be an EdgeInfrastructure", "invalid_type");
    const retry = parseWith(retrySchema, { retryDelayMs: options.retryDelayMs, maxRetryDelayMs: options.maxRetryDelayMs }, "options");
    this.infrastructure = options.infrastructure;
    this.clock = parsed.clock;
    this.prefix = `${parsed.prefix}edges/`;
    this.timeoutMs = parsed.requestTimeoutMs;
    this.deadlines = new RequestDeadlines(this.clock, this.timeoutMs);
    this.retryDelayMs = retry.retryDelayMs;
    this.maxRetryDelayMs = retry.maxRetryDelayMs;
    this.infrastructure.register(ETCD_EDGE_REGISTRY, this);
    this.client = new Etcd3({ hosts: parsed.hosts, dialTimeout: this.timeoutMs, faultHandling: { watchBackoff: doublingBackoff(this.retryDelayMs, this.maxRetryDelayMs) } });
    this.queue = new Promise((resolve) => (this.startQueue = resolve));
    this.listen("edge:registered", ({ edge }) => this.enqueue(edge.id, edge, edge));
    this.listen("edge:updated", ({ edge }) => this.enqueue(edge.id, edge, edge));
    this.listen("edge:deregistered", ({ edge }) => this.enqueue(edge.id, null, edge));
  }

  /** Resolves once every change made through the infrastructure so far is in etcd (or lost a conflict). */
  async flush(options: EtcdCallOptions = {}): Promise<void> {
    if (this.closed) throw new ClosedError("EtcdEdgeRegistry");
    await untilSettled(this.queue, options.signal);
  }

  /**
   * Stops following etcd and closes the client. Changes not yet written are dropped: call
   * {@link EtcdEdgeRegistry.flush} first to keep them. Idempotent.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const off of this.listeners.splice(0)) off();
    if (this.infrastructure.tryGet(ETCD_EDGE_REGISTRY) === this) this.infrastructure.unregister(ETCD_EDGE_REGISTRY);
    this.stopping.abort(new ClosedError("EtcdEdgeRegistry"));
    this.startQueue();
    const watcher = this.watcher;
    this.watcher = undefined;
    if (watcher !== undefined) await this.call("cancel watch", () => watcher.cancel(), undefined).catch(() => undefined);
    this.client.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private listen<E extends "edge:registered" | "edge:updated" | "edge:deregistered">(event: E, listener: (payload: { readonly edge: EdgeRecord }) => void): void {
    const events = this.infrastructure.events;
    events.on(event, listener);
    this.listeners.push(() => events.off(event, listener));
  }

  private async start(signal: AbortSignal | undefined): Promise<void> {
    const revision = await this.reload(signal);
    for (const edge of this.infrastructure.edges()) if (!this.known.has(edge.id)) this.enqueue(edge.id, edge, edge);
    this.startQueue();
    await this.watchFrom(revision + 1, signal);
  }

  private call<T>(what: string, request: () => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    return this.deadlines.run(what, request, signal);
  }

  private keyOf(id: string): string {
    return this.prefix + encodeURIComponent(id);
  }

  private idOf(kv: IKeyValue): string {
    return decodeURIComponent(kv.key.toString().slice(this.prefix.length));
  }

  private epochOf(id: string): number {
    return this.epochs.get(id) ?? 0;
  }

  private enqueue(id: string, record: EdgeRecord | null, last: EdgeRecord): void {
    if (this.applying || this.closed) return;
    const change: Change = { id, record, last, epoch: this.epochOf(id) };
    this.queue = this.queue.then(() => this.publish(change));
  }

  /** Writes `change`, retrying while etcd cannot be reached; never rejects. */
  private async publish(change: Change): Promise<void> {
    for (let delay = this.retryDelayMs; !this.closed; delay = Math.min(delay * 2, this.maxRetryDelayMs)) {
      if (this.epochOf(change.id) !== change.epoch) {
        this.events.emit("registry:conflict", { id: change.id, change: change.record === null ? "delete" : "put", discarded: change.last, kept: this.infrastructure.tryGetEdge(change.id) ?? null });
        return;
      }
      try {
        await this.publishOnce(change);
        return;
      } catch (error) {
        if (this.closed) return;
        const failure = translateEtcdError(error, "write edge", this.timeoutMs);
        this.events.emit("registry:error", { error: failure });
        // Anything but an unreachable or slow cluster would fail again the same way.
        if (failure.code !== "etcd.unavailable" && failure.code !== "timeout") return;
        await sleep(this.clock, delay, this.stopping.signal).catch(() => undefined);
      }
    }
  }

  private async publishOnce(change: Change): Promise<void> {
    const key = this.keyOf(change.id);
    const expected = this.known.get(change.id);
    const guard = expected === undefined ? this.client.if(key, "Create", "==", 0) : this.client.if(key, "Mod", "==", expected);
    const write = change.record === null ? this.client.delete().key(key) : this.client.put(key).value(JSON.stringify(change.record));
    this.inflight = change;
    try {
      const result = await this.call("write edge", () => guard.then(write).else(this.client.get(key)).commit(), undefined);
      if (result.succeeded) return this.written(change.id, change.record === null ? undefined : Number(result.header.revision));
      const current = result.responses[0]?.response_range.kvs[0];
      // An earlier attempt whose answer was lost may have landed: etcd then holds exactly this change.
      if (change.record === null ? current === undefined : current !== undefined && isDeepStrictEqual(decode(current), change.record)) {
        return this.written(change.id, current === undefined ? undefined : Number(current.mod_revision));
      }
      this.adopt(change.id, current);
      this.events.emit("registry:conflict", { id: change.id, change: change.record === null ? "delete" : "put", discarded: change.last, kept: this.infrastructure.tryGetEdge(change.id) ?? null });
    } finally {
      this.inflight = undefined;
    }
  }

  private written(id: string, revision: number | undefined): void {
    if (revision === undefined) this.known.delete(id);
    else this.known.set(id, Math.max(revision, this.known.get(id) ?? 0));
  }

  /** Installs etcd's version of edge `id` (`undefined`: it has none) and discards pending changes made on the old one. */
  private adopt(id: string, kv: IKeyValue | undefined): void {
    this.epochs.set(id, this.epochOf(id) + 1);
    this.applying = true;
    try {
      if (kv === undefined) {
        this.known.delete(id);
        if (this.infrastructure.hasEdge(id)) this.infrastructure.deregisterEdge(id);
      } else {
        this.infrastructure.restoreEdge(decode(kv));
        this.known.set(id, Number(kv.mod_revision));
      }
    } catch (error) {
      this.events.emit("registry:error", { error: error instanceof EdgeflowError ? error : ValidationError.of(`etcd:${kv?.key.toString() ?? id}`, "stored edge is not an edge record") });
    } finally {
      this.applying = false;
    }
  }

  private onRemotePut(kv: IKeyValue): void {
    const id = this.idOf(kv);
    const revision = Number(kv.mod_revision);
    if ((this.known.get(id) ?? 0) >= revision) return;
    let record: unknown;
    try {
      record = decode(kv);
    } catch {
      record = undefined;
    }
    // Our own write, seen before its answer: the infrastructure already holds it.
    const local = this.infrastructure.tryGetEdge(id);
    if ((this.inflight?.id === id && isDeepStrictEqual(record, this.inflight.record)) || (local !== undefined && isDeepStrictEqual(record, local))) {
      this.known.set(id, revision);
      return;
    }
    this.adopt(id, kv);
  }

  private onRemoteDelete(kv: IKeyValue): void {
    const id = this.idOf(kv);
    if (!this.known.has(id)) return;
    if (this.inflight?.id === id && this.inflight.record === null) {
      this.known.delete(id);
      return;
    }
    this.adopt(id, undefined);
  }

  /** Brings the infrastructure to etcd's current fleet; returns the revision it reflects. */
  private async reload(signal: AbortSignal | undefined): Promise<number> {
    const response = await this.call("load edges", () => this.client.getAll().prefix(this.prefix).exec(), signal);
    const present = new Set<string>();
    for (const kv of response.kvs) {
      present.add(this.idOf(kv));
      this.onRemotePut(kv);
    }
    for (const id of [...this.known.keys()]) if (!present.has(id)) this.adopt(id, undefined);
    return Number(response.header.revision);
  }

  private async watchFrom(revision: number, signal: AbortSignal | undefined): Promise<void> {
    const watcher = await this.call("watch edges", () => this.client.watch().prefix(this.prefix).startRevision(String(revision)).create(), signal);
    if (this.closed) {
      await this.call("cancel watch", () => watcher.cancel(), undefined).catch(() => undefined);
      return;
    }
    this.watcher = watcher;
    watcher.on("put", (kv) => this.onRemotePut(kv));
    watcher.on("delete", (kv) => this.onRemoteDelete(kv));
    // The client reconnects by itself and resumes from the last revision it saw.
    watcher.on("disconnected", (error) => this.events.emit("registry:error", { error: translateEtcdError(error, "watch edges", this.timeoutMs) }));
    // etcd ended the watch, typically because the revision to resume from was compacted.
    watcher.on("error", (error) => {
      if (this.watcher === watcher) this.resync(watchEnded(error, this.timeoutMs));
    });
  }

  private resync(reason: EdgeflowError): void {
    this.resyncing ??= (async () => {
      // etcd has already ended this watch: cancelling it again would wait for an answer that never comes.
      this.watcher?.removeAllListeners();
      this.watcher = undefined;
      for (let delay = this.retryDelayMs; !this.closed; delay = Math.min(delay * 2, this.maxRetryDelayMs)) {
        try {
          const revision = await this.reload(this.stopping.signal);
          await this.watchFrom(revision + 1, this.stopping.signal);
          this.events.emit("registry:resynced", { revision, reason });
          return;
        } catch (error) {
          if (this.closed) return;
          this.events.emit("registry:error", { error: translateEtcdError(error, "reload edges", this.timeoutMs) });
          await sleep(this.clock, delay, this.stopping.signal).catch(() => undefined);
        }
      }
    })().finally(() => (this.resyncing = undefined));
  }
}

type WatchBackoff = NonNullable<NonNullable<IOptions["faultHandling"]>["watchBackoff"]>;

/**
 * The watch reconnects after `initialMs`, doubling up to `maxMs`: the client's default lets the
 * wait grow to 30 s, during which this service's view of the fleet would stay stale.
 */
function doublingBackoff(initialMs: number, maxMs: number): WatchBackoff {
  const after = (ms: number): WatchBackoff => ({ duration: ms, next: () => after(Math.min(ms * 2, maxMs)) });
  return { duration: initialMs, next: () => after(initialMs) };
}

/** etcd 3.4 cancels a watch without a reason when the revision it would resume from was compacted. */
function watchEnded(error: unknown, timeoutMs: number): EdgeflowError {
  const message = error instanceof Error ? error.message : String(error);
  if (/^Watcher canceled:\s*$/.test(message) || /compact/i.test(message)) {
    return new EtcdCompactedError("etcd compacted the history the edge watch would resume from", { cause: error });
  }
  return translateEtcdError(error, "watch edges", timeoutMs);
}

function decode(kv: IKeyValue): EdgeRecord {
  return JSON.parse(kv.value.toString()) as EdgeRecord;
}

/** Waits for `work` to settle, or rejects with `CancelledError` when `signal` aborts first. */
function untilSettled(work: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (signal === undefined) return work;
  if (signal.aborted) return Promise.reject(new CancelledError("waiting for the edge registry cancelled", { cause: signal.reason }));
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(new CancelledError("waiting for the edge registry cancelled", { cause: signal.reason }));
    signal.addEventListener("abort", onAbort, { once: true });
    void work.finally(() => signal.removeEventListener("abort", onAbort)).then(resolve);
  });
}
