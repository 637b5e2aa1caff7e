/**
 * {@link RedisWorkloadAdapter}: live-migrates a workload's keys between two `redis-server`s. A workload
 * is the set of keys matching its pattern (default `<workloadId>:*`). Pre-copy pages through `SCAN`
 * and moves values with `DUMP`/`RESTORE` (TTLs kept); written keys are tracked through keyspace
 * notifications; cutover pauses writes (the router's gate plus `CLIENT PAUSE WRITE` on the source).
 *
 * @module
 */
import type { Redis } from "ioredis";
import type { Clock } from "../../core/clock.js";
import { EdgeflowError } from "../../core/errors.js";
import type { ReplicaInfo, SnapshotPage, StateEntry, WorkloadAdapter, WorkloadRef } from "../adapter.js";
import { StateHasher } from "../chunk.js";
import { connect, ready, type RedisEdgeAddress } from "./connections.js";
import { RedisRouter } from "./router.js";

/** Options of {@link RedisWorkloadAdapter}. */
export interface RedisWorkloadAdapterOptions {
  readonly clock: Clock;
  /** Edge id → where its Redis listens. */
  readonly edges: Readonly<Record<string, RedisEdgeAddress>>;
  /** Glob of a workload's keys (default `<workloadId>:*`). Must not overlap between workloads. */
  readonly keyPattern?: (workloadId: string) => string;
  /**
   * Upper bound of the server-side write pause, ms (default 30 s). Redis lifts it by itself after
   * this, so a crashed migrator cannot leave the source frozen.
   */
  readonly maxPauseMs?: number;
  /**
   * At the switch, disconnect the old edge's other clients (default true), so writes a client sent
   * around the router and that are held by the pause fail instead of landing after the final copy.
   */
  readonly fenceClientsOnSwitch?: boolean;
  /** Commands wait this long for a (re)connection before failing, ms (default 2 s). */
  readonly connectTimeoutMs?: number;
  /** `healthy()` gives up after this long, ms (default 1 s). */
  readonly healthTimeoutMs?: number;
  /** Known replicas per workload, for `emergency`. */
  readonly replicas?: Readonly<Record<string, readonly ReplicaInfo[]>>;
}

interface Tracking {
  readonly dirty: Map<string, number>;
  readonly handed: Map<string, number>;
  readonly channel: string;
  lost: boolean;
}

interface EdgeConnections {
  readonly admin: Redis;
  subscriber: Redis | undefined;
}

/** A Redis edge refused or failed a command. */
export class RedisEdgeError extends EdgeflowError {
  constructor(edgeId: string, message: string, cause?: unknown) {
    super("migration.redis_edge", `edge "${edgeId}": ${message}`, { cause });
  }
}

/**
 * @example
 * ```ts
 * const adapter = new RedisWorkloadAdapter({ clock: new SystemClock(), edges: {
 *   "edge-a": { host: "10.0.0.1", port: 6379 }, "edge-b": { host: "10.0.0.2", port: 6379 } } });
 * adapter.router.setRoute("cart", "edge-a");
 * const executor = new MigrationExecutor({ adapter, clock });
 * ```
 */
export class RedisWorkloadAdapter implements WorkloadAdapter {
  /** Writers send commands through this to follow the migration's routing and pauses. */
  readonly router: RedisRouter;
  private readonly options: RedisWorkloadAdapterOptions;
  private readonly pattern: (workloadId: string) => string;
  private readonly connections = new Map<string, EdgeConnections>();
  private readonly tracking = new Map<string, Tracking>();
  private readonly pausedFor = new Map<string, Set<string>>();
  private readonly running = new Set<string>();
  private seq = 0;

  constructor(options: RedisWorkloadAdapterOptions) {
    this.options = options;
    this.pattern = options.keyPattern ?? ((id) => `${id}:*`);
    this.router = new RedisRouter(options.edges);
  }

  async size(ref: WorkloadRef): Promise<number> {
    let bytes = 0;
    for (const key of await this.allKeys(ref)) {
      const dump = await (await this.conn(ref.edgeId)).dumpBuffer(key);
      if (dump !== null) bytes += Buffer.byteLength(key) + dump.length;
    }
    return bytes;
  }

  async snapshot(ref: WorkloadRef, cursor: string | null, limit: number): Promise<SnapshotPage> {
    const [next, keys] = await (await this.conn(ref.edgeId)).scan(cursor ?? "0", "MATCH", this.pattern(ref.workloadId), "COUNT", limit);
    return { keys, next: next === "0" ? null : next };
  }

  async read(ref: WorkloadRef, keys: readonly string[]): Promise<StateEntry[]> {
    if (keys.length === 0) return [];
    const pipe = (await this.conn(ref.edgeId)).pipeline();
    for (const key of keys) pipe.dumpBuffer(key).pttl(key);
    const replies = await this.exec(ref.edgeId, pipe);
    return keys.map((key, i) => {
      const dump = replies[2 * i] as Buffer | null;
      const ttl = replies[2 * i + 1] as number;
      if (dump === null) return { key, value: null };
      return ttl > 0 ? { key, value: new Uint8Array(dump), ttlMs: ttl } : { key, value: new Uint8Array(dump) };
    });
  }

  async apply(ref: WorkloadRef, entries: readonly StateEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const pipe = (await this.conn(ref.edgeId)).pipeline();
    for (const e of entries) {
      if (e.value === null) pipe.del(e.key);
      else pipe.restore(e.key, Math.max(0, Math.ceil(e.ttlMs ?? 0)), Buffer.from(e.value), "REPLACE");
    }
    await this.exec(ref.edgeId, pipe);
  }

  async trackChanges(ref: WorkloadRef): Promise<void> {
    const id = this.trackingKey(ref);
    const existing = this.tracking.get(id);
    if (existing !== undefined && !existing.lost) return;
    const admin = await this.conn(ref.edgeId);
    const [, flags] = (await admin.config("GET", "notify-keyspace-events")) as [string, string];
    if (!(flags.includes("K") && (flags.includes("A") || ["g", "$", "x", "e"].every((f) => flags.includes(f))))) {
      await admin.config("SET", "notify-keyspace-events", `${flags}KA`);
    }
    const subscriber = await this.subscriber(ref.edgeId);
    const channel = `__keyspace@${this.options.edges[ref.edgeId]?.db ?? 0}__:${this.pattern(ref.workloadId)}`;
    this.tracking.set(id, { dirty: new Map(), handed: new Map(), channel, lost: false });
    await subscriber.psubscribe(channel);
    // Once PSUBSCRIBE is answered, every later write produces a notification on this connection.
  }

  async isTracking(ref: WorkloadRef): Promise<boolean> {
    const t = this.tracking.get(this.trackingKey(ref));
    return t !== undefined && !t.lost;
  }

  async changes(ref: WorkloadRef): Promise<string[]> {
    const t = this.tracking.get(this.trackingKey(ref));
    if (t === undefined || t.lost) throw new RedisEdgeError(ref.edgeId, `changes of "${ref.workloadId}" are not being tracked`);
    // The subscriber's PING is answered after every notification queued before it, so every write
    // acknowledged before this call is in `dirty` when the ping returns.
    await (await this.subscriber(ref.edgeId)).ping();
    if (t.lost) throw new RedisEdgeError(ref.edgeId, "keyspace notifications were interrupted");
    for (const [k, s] of t.dirty) t.handed.set(k, s);
    return [...t.dirty.keys()].sort();
  }

  async ackChanges(ref: WorkloadRef, keys: readonly string[]): Promise<void> {
    const t = this.tracking.get(this.trackingKey(ref));
    if (t === undefined) return;
    for (const k of keys) {
      const handed = t.handed.get(k);
      if (handed !== undefined && t.dirty.get(k) === handed) t.dirty.delete(k);
      t.handed.delete(k);
    }
  }

  async untrackChanges(ref: WorkloadRef): Promise<void> {
    const id = this.trackingKey(ref);
    const t = this.tracking.get(id);
    if (t === undefined) return;
    this.tracking.delete(id);
    const subscriber = this.connections.get(ref.edgeId)?.subscriber;
    if (subscriber !== undefined && ![...this.tracking.values()].some((o) => o.channel === t.channel)) await subscriber.punsubscribe(t.channel);
  }

  async checksum(ref: WorkloadRef): Promise<string> {
    const keys = await this.allKeys(ref);
    const hasher = new StateHasher();
    for (let i = 0; i < keys.length; i += 500) {
      const batch = keys.slice(i, i + 500);
      const pipe = (await this.conn(ref.edgeId)).pipeline();
      for (const key of batch) pipe.dumpBuffer(key);
      const replies = await this.exec(ref.edgeId, pipe);
      batch.forEach((key, j) => {
        const dump = replies[j] as Buffer | null;
        if (dump !== null) hasher.add(key, dump);
      });
    }
    return hasher.digest();
  }

  async start(ref: WorkloadRef): Promise<void> {
    await (await this.conn(ref.edgeId)).ping();
    this.running.add(this.trackingKey(ref));
  }

  async stop(ref: WorkloadRef): Promise<void> {
    this.running.delete(this.trackingKey(ref));
  }

  async drain(ref: WorkloadRef): Promise<void> {
    await this.router.close(ref.workloadId, ref.edgeId);
    const paused = this.pausedFor.get(ref.edgeId) ?? new Set<string>();
    await (await this.conn(ref.edgeId)).call("CLIENT", "PAUSE", String(this.options.maxPauseMs ?? 30_000), "WRITE");
    paused.add(ref.workloadId);
    this.pausedFor.set(ref.edgeId, paused);
  }

  async undrain(ref: WorkloadRef): Promise<void> {
    await this.liftPause(ref.edgeId, ref.workloadId);
    this.router.open(ref.workloadId, ref.edgeId);
  }

  async switchTraffic(workloadId: string, edgeId: string): Promise<void> {
    const previous = this.router.route(workloadId);
    this.router.setRoute(workloadId, edgeId);
    if (previous !== undefined && previous !== edgeId && this.pausedFor.get(previous)?.has(workloadId) === true) {
      if (this.options.fenceClientsOnSwitch ?? true) await (await this.conn(previous)).call("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes");
      await this.liftPause(previous, workloadId);
    }
  }

  async delete(ref: WorkloadRef): Promise<void> {
    const keys = await this.allKeys(ref);
    for (let i = 0; i < keys.length; i += 500) await (await this.conn(ref.edgeId)).unlink(...keys.slice(i, i + 500));
    this.running.delete(this.trackingKey(ref));
  }

  async healthy(edgeId: string): Promise<boolean> {
    const admin = this.connections.get(edgeId)?.admin ?? this.admin(edgeId);
    try {
      await ready(admin, this.options.clock, this.options.healthTimeoutMs ?? 1_000);
      return (await admin.ping()) === "PONG";
    } catch {
      return false;
    }
  }

  async replicas(workloadId: string): Promise<ReplicaInfo[]> {
    return [...(this.options.replicas?.[workloadId] ?? [])];
  }

  /** Closes every connection (the router's too). */
  async close(): Promise<void> {
    await this.router.closeAll();
    for (const c of this.connections.values()) {
      c.admin.disconnect();
      c.subscriber?.disconnect();
    }
    this.connections.clear();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private async liftPause(edgeId: string, workloadId: string): Promise<void> {
    const paused = this.pausedFor.get(edgeId);
    if (paused === undefined || !paused.has(workloadId)) return;
    paused.delete(workloadId);
    // The pause is server-wide: lift it only when no other workload on this edge is draining.
    if (paused.size === 0) await (await this.conn(edgeId)).call("CLIENT", "UNPAUSE");
  }

  private trackingKey(ref: WorkloadRef): string {
    return `${ref.edgeId}\u0000${ref.workloadId}`;
  }

  private async allKeys(ref: WorkloadRef): Promise<string[]> {
    const keys = new Set<string>();
    let cursor: string | null = null;
    do {
      const page: SnapshotPage = await this.snapshot(ref, cursor, 1_000);
      for (const k of page.keys) keys.add(k);
      cursor = page.next;
    } while (cursor !== null);
    return [...keys].sort();
  }

  private async exec(edgeId: string, pipe: ReturnType<Redis["pipeline"]>): Promise<unknown[]> {
    const results = (await pipe.exec()) ?? [];
    return results.map(([error, reply]) => {
      if (error !== null) throw new RedisEdgeError(edgeId, error.message, error);
      return reply;
    });
  }

  /** The edge's command connection, once ready (commands are not queued while disconnected). */
  private async conn(edgeId: string): Promise<Redis> {
    const admin = this.admin(edgeId);
    await ready(admin, this.options.clock, this.options.connectTimeoutMs ?? 2_000);
    return admin;
  }

  private admin(edgeId: string): Redis {
    let c = this.connections.get(edgeId);
    if (c === undefined) {
      const address = this.options.edges[edgeId];
      if (address === undefined) throw new RedisEdgeError(edgeId, "unknown edge");
      c = { admin: connect(address), subscriber: undefined };
      this.connections.set(edgeId, c);
    }
    return c.admin;
  }

  private async subscriber(edgeId: string): Promise<Redis> {
    this.admin(edgeId);
    const c = this.connections.get(edgeId) as EdgeConnections;
    if (c.subscriber === undefined) {
      const address = this.options.edges[edgeId] as RedisEdgeAddress;
      const subscriber = connect(address, { autoResubscribe: false });
      subscriber.on("pmessage", (pattern: string, channel: string) => this.noteWrite(edgeId, pattern, channel));
      // Notifications sent while disconnected are gone: tracking on this edge can no longer be trusted.
      subscriber.on("close", () => {
        for (const [id, t] of this.tracking) if (id.startsWith(`${edgeId}\u0000`)) t.lost = true;
      });
      c.subscriber = subscriber;
      await ready(subscriber, this.options.clock);
    }
    return c.subscriber;
  }

  private noteWrite(edgeId: string, pattern: string, channel: string): void {
    const key = channel.slice(channel.indexOf("__:") + 3);
    for (const [id, t] of this.tracking) {
      if (t.channel === pattern && id.startsWith(`${edgeId}\u0000`)) t.dirty.set(key, ++this.seq);
    }
  }
}
