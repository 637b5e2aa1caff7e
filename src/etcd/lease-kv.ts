/**
 * {@link EtcdLeaseStore}: the {@link LeaseStore} contract on an etcd cluster, for fleets that already
 * run etcd and will not operate edgeflow's embedded Raft as well.
 *
 * Layout under `prefix`: `lease/<resource>` holds the lease as JSON, attached to an etcd lease so etcd
 * deletes it when the holder stops renewing. The fencing token is the key's create revision: etcd's
 * revision only grows, every creation gets a new one, and renewals keep it, so tokens are strictly
 * increasing across every holder, resource and client, whichever member answers. (A counter key bumped
 * in the creating transaction gives the same guarantee but makes every acquire in the cluster race on
 * one key: 64 concurrent acquirers on distinct resources starved each other in the benchmark.)
 *
 * Round trips: an acquire is a lease grant and one transaction that creates the key if absent and
 * otherwise reads it back (no read first). A renewal through the store that acquired the lease, with
 * its TTL unchanged, is a keep-alive of its etcd lease and, at the same time, a transaction rewriting
 * the record if the key still carries the token and that etcd lease; otherwise it moves the lease to a
 * fresh etcd lease as before (read, grant, transaction, revoke).
 *
 * @module
 */
import { freeze } from "immer";
import { Etcd3, type IKeyValue, type Watcher } from "etcd3";
import { z } from "zod";
import type { Clock } from "../core/clock.js";
import { ConflictError, ValidationError } from "../core/errors.js";
import { TypedEmitter } from "../core/events.js";
import { requireObject } from "../core/validation.js";
import { LeaseConflictError, LeaseNotHeldError, StaleFencingTokenError } from "../lifecycle/errors.js";
import { assertLeaseStoreOpen, parseLeaseArgs, requireClock, type LeaseStore } from "../lifecycle/lease-store.js";
import type { Lease, LeaseEvents } from "../lifecycle/types.js";
import type { EtcdCallOptions } from "./call.js";
import { RequestDeadlines } from "./deadlines.js";

/** Settings of an {@link EtcdLeaseStore}. */
export interface EtcdLeaseStoreOptions {
  /** Time source for `acquiredAt`/`expiresAt` and for request timeouts. */
  readonly clock: Clock;
  /** Client URLs of the cluster's members, e.g. `["http://10.0.0.1:2379", ...]`. */
  readonly hosts: readonly string[];
  /** Key prefix shared by every store that should see the same leases (default `"edgeflow/"`). */
  readonly prefix?: string;
  /** Per-request timeout in ms (default 5 000). */
  readonly requestTimeoutMs?: number;
  /** Compare-and-swap attempts before giving up with a `ConflictError` under heavy contention (default 64). */
  readonly maxAttempts?: number;
}

const optionsSchema = z.object({
  hosts: z.array(z.string().url()).min(1, "must list at least one member"),
  prefix: z.string().min(1).max(512).optional(),
  requestTimeoutMs: z.number().int().positive().max(600_000).optional(),
  maxAttempts: z.number().int().positive().max(10_000).optional(),
});

const storedLeaseSchema = z.object({
  holder: z.string(),
  ttlMs: z.number().int().positive(),
  acquiredAt: z.number(),
  expiresAt: z.number(),
});

/**
 * Leases on etcd. A lease is live while its key exists: etcd removes it when its etcd lease (TTL
 * rounded up to whole seconds, as etcd counts) runs out, so `expiresAt` is this client's estimate and
 * etcd may keep the lease up to a second longer, never shorter. A lease this store handed out that
 * disappears without a `release` through it fires `lease:expired`.
 *
 * @example
 * ```ts
 * const leases = new EtcdLeaseStore({ clock: new SystemClock(), hosts: ["http://127.0.0.1:2379"] });
 * const lease = await leases.acquire("edge:edge-1", "migrator-a", 10_000);
 * await leases.checkFence("edge:edge-1", lease.token);
 * await leases.close();
 * ```
 */
export class EtcdLeaseStore implements LeaseStore {
  readonly events = new TypedEmitter<LeaseEvents>();
  private readonly clock: Clock;
  private readonly client: Etcd3;
  private readonly prefix: string;
  private readonly timeoutMs: number;
  private readonly deadlines: RequestDeadlines;
  private readonly maxAttempts: number;
  /** Leases handed out through this store and not released by it, to notice their loss. */
  private readonly mine = new Map<string, Lease>();
  /** The etcd lease each of {@link EtcdLeaseStore.mine} is attached to, to renew it by keep-alive. */
  private readonly etcdLeaseOf = new Map<string, { readonly token: number; readonly id: string; readonly ttlSeconds: number }>();
  private readonly watcher: Promise<Watcher | undefined>;
  private closed = false;

  constructor(options: EtcdLeaseStoreOptions) {
    const raw = requireObject(options, "options");
    requireClock(raw["clock"]);
    const parsed = optionsSchema.safeParse({ hosts: raw["hosts"], prefix: raw["prefix"], requestTimeoutMs: raw["requestTimeoutMs"], maxAttempts: raw["maxAttempts"] });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw ValidationError.of(`options.${issue?.path.join(".") ?? ""}`, issue?.message ?? "invalid");
    }
    this.clock = options.clock;
    this.prefix = parsed.data.prefix ?? "edgeflow/";
    this.timeoutMs = parsed.data.requestTimeoutMs ?? 5_000;
    this.deadlines = new RequestDeadlines(this.clock, this.timeoutMs);
    this.maxAttempts = parsed.data.maxAttempts ?? 64;
    this.client = new Etcd3({ hosts: [...parsed.data.hosts], dialTimeout: this.timeoutMs });
    this.watcher = this.watchLosses();
  }

  async acquire(resource: string, holder: string, ttlMs: number, options: EtcdCallOptions = {}): Promise<Lease> {
    assertLeaseStoreOpen(this.closed, "EtcdLeaseStore");
    parseLeaseArgs({ resource, holder, ttlMs });
    const signal = options.signal;
    let granted: string | undefined;
    try {
      for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
        granted ??= await this.grant(ttlMs, signal);
        const now = this.clock.now();
        const record = { holder, ttlMs, acquiredAt: now, expiresAt: now + ttlMs };
        const leaseId = granted;
        const key = this.leaseKey(resource);
        // Create if absent, else read what is there: one round trip either way.
        const result = await this.call("acquire", () =>
          this.client.if(key, "Create", "==", 0).then(this.client.put(key).value(JSON.stringify(record)).lease(leaseId)).else(this.client.get(key)).commit(), signal);
        if (result.succeeded) {
          granted = undefined;
          // The put is the transaction's only write, so its revision is the key's create revision.
          const lease: Lease = freeze({ resource, token: Number(result.header.revision), ...record });
          this.remember(lease, leaseId);
          this.events.emit("lease:acquired", lease);
          return lease;
        }
        const kv = result.responses[0]?.response_range.kvs[0];
        if (kv === undefined) continue; // gone between the compare and the read
        const current = this.decode(resource, kv);
        if (current.holder !== holder) throw new LeaseConflictError(resource, current.holder, current.expiresAt);
        const extended = await this.extend(current, kv, ttlMs, signal);
        if (extended !== undefined) return extended;
      }
      throw new ConflictError(`acquiring "${resource}" lost ${this.maxAttempts} compare-and-swap races in a row`);
    } finally {
      if (granted !== undefined) this.revoke(granted);
    }
  }

  async renew(resource: string, holder: string, token: number, ttlMs?: number, options: EtcdCallOptions = {}): Promise<Lease> {
    assertLeaseStoreOpen(this.closed, "EtcdLeaseStore");
    parseLeaseArgs({ resource, holder, token, ttlMs }, ["ttlMs"]);
    const kept = await this.renewByKeepAlive(resource, holder, token, ttlMs, options.signal);
    if (kept !== undefined) return kept;
    const current = await this.held(resource, holder, token, options.signal);
    const extended = await this.extend(current.lease, current.kv, ttlMs ?? current.lease.ttlMs, options.signal);
    if (extended === undefined) throw new LeaseNotHeldError(resource, holder, token, "the lease changed while it was being renewed");
    return extended;
  }

  async release(resource: string, holder: string, token: number, options: EtcdCallOptions = {}): Promise<Lease> {
    assertLeaseStoreOpen(this.closed, "EtcdLeaseStore");
    parseLeaseArgs({ resource, holder, token });
    const current = await this.held(resource, holder, token, options.signal);
    // Forget it first so the watcher does not report our own delete as a loss.
    this.forget(resource);
    const result = await this.call("release", () =>
      this.client.if(this.leaseKey(resource), "Mod", "==", current.kv.mod_revision).then(this.client.delete().key(this.leaseKey(resource))).commit(), options.signal);
    if (!result.succeeded) throw new LeaseNotHeldError(resource, holder, token, "the lease changed while it was being released");
    this.revoke(current.kv.lease);
    this.events.emit("lease:released", current.lease);
    return current.lease;
  }

  async get(resource: string, options: EtcdCallOptions = {}): Promise<Lease | undefined> {
    assertLeaseStoreOpen(this.closed, "EtcdLeaseStore");
    parseLeaseArgs({ resource });
    return (await this.read(resource, options.signal))?.lease;
  }

  async list(options: EtcdCallOptions = {}): Promise<readonly Lease[]> {
    assertLeaseStoreOpen(this.closed, "EtcdLeaseStore");
    const response = await this.call("list", () => this.client.getAll().prefix(this.leaseKey("")).sort("Key", "Ascend").exec(), options.signal);
    return freeze(response.kvs.map((kv) => this.decode(kv.key.toString().slice(this.leaseKey("").length), kv)));
  }

  async checkFence(resource: string, token: number, options: EtcdCallOptions = {}): Promise<void> {
    assertLeaseStoreOpen(this.closed, "EtcdLeaseStore");
    parseLeaseArgs({ resource, token });
    const current = await this.read(resource, options.signal);
    if (current === undefined || current.lease.token !== token) throw new StaleFencingTokenError(resource, token, current?.lease.token ?? null);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const watcher = await this.watcher;
    await watcher?.cancel().catch(() => undefined);
    this.client.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private leaseKey(resource: string): string {
    return `${this.prefix}lease/${resource}`;
  }

  private call<T>(what: string, request: () => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    return this.deadlines.run(what, request, signal);
  }

  private decode(resource: string, kv: IKeyValue): Lease {
    const parsed = storedLeaseSchema.safeParse(JSON.parse(kv.value.toString()));
    if (!parsed.success) throw ValidationError.of(`etcd:${kv.key.toString()}`, "stored lease is not a lease record");
    return freeze({ resource, token: Number(kv.create_revision), ...parsed.data });
  }

  private async read(resource: string, signal: AbortSignal | undefined): Promise<{ lease: Lease; kv: IKeyValue } | undefined> {
    const response = await this.call("get lease", () => this.client.get(this.leaseKey(resource)).exec(), signal);
    const kv = response.kvs[0];
    return kv === undefined ? undefined : { lease: this.decode(resource, kv), kv };
  }

  private async held(resource: string, holder: string, token: number, signal: AbortSignal | undefined): Promise<{ lease: Lease; kv: IKeyValue }> {
    const current = await this.read(resource, signal);
    if (current === undefined) throw new LeaseNotHeldError(resource, holder, token, "no live lease (expired or released)");
    if (current.lease.holder !== holder || current.lease.token !== token) {
      throw new LeaseNotHeldError(resource, holder, token, `the live lease belongs to "${current.lease.holder}" with token ${current.lease.token}`);
    }
    return current;
  }

  private async grant(ttlMs: number, signal: AbortSignal | undefined): Promise<string> {
    const response = await this.call("grant lease", () => this.client.leaseClient.leaseGrant({ TTL: ttlSeconds(ttlMs), ID: 0 }), signal);
    return response.ID;
  }

  /** Best effort: an unrevoked etcd lease only delays nothing but its own expiry. */
  private revoke(id: string): void {
    if (id === "0") return;
    this.call("revoke lease", () => this.client.leaseClient.leaseRevoke({ ID: id }), undefined).catch(() => undefined);
  }

  /**
   * Moves the lease onto a fresh etcd lease of `ttlMs`, keeping its token; `undefined` when the key
   * changed since `kv` was read (the caller re-reads).
   */
  private async extend(current: Lease, kv: IKeyValue, ttlMs: number, signal: AbortSignal | undefined): Promise<Lease | undefined> {
    const id = await this.grant(ttlMs, signal);
    const lease: Lease = freeze({ ...current, ttlMs, expiresAt: this.clock.now() + ttlMs });
    let succeeded = false;
    try {
      const result = await this.call("renew", () =>
        this.client.if(this.leaseKey(current.resource), "Mod", "==", kv.mod_revision).then(this.client.put(this.leaseKey(current.resource)).value(encode(lease)).lease(id)).commit(), signal);
      succeeded = result.succeeded;
    } finally {
      this.revoke(succeeded ? kv.lease : id);
    }
    if (!succeeded) return undefined;
    this.remember(lease, id);
    this.events.emit("lease:renewed", lease);
    return lease;
  }

  private remember(lease: Lease, etcdLeaseId: string): void {
    this.mine.set(lease.resource, lease);
    this.etcdLeaseOf.set(lease.resource, { token: lease.token, id: etcdLeaseId, ttlSeconds: ttlSeconds(lease.ttlMs) });
  }

  private forget(resource: string): void {
    this.mine.delete(resource);
    this.etcdLeaseOf.delete(resource);
  }

  /**
   * The cheap renewal, when this store attached the lease to its etcd lease with the same TTL: a
   * keep-alive of that etcd lease alongside a transaction that rewrites the record only if the key
   * still has this token and etcd lease. `undefined` when it does not apply; the caller takes the
   * general path, which also says why a lease is not held.
   */
  private async renewByKeepAlive(resource: string, holder: string, token: number, ttlMs: number | undefined, signal: AbortSignal | undefined): Promise<Lease | undefined> {
    const known = this.etcdLeaseOf.get(resource);
    const mine = this.mine.get(resource);
    if (known === undefined || mine === undefined || known.token !== token || mine.holder !== holder) return undefined;
    const ttl = ttlMs ?? mine.ttlMs;
    if (ttlSeconds(ttl) !== known.ttlSeconds) return undefined;
    const lease: Lease = freeze({ ...mine, ttlMs: ttl, expiresAt: this.clock.now() + ttl });
    const key = this.leaseKey(resource);
    const [alive, rewrite] = await Promise.all([
      this.keepAlive(known.id, signal),
      this.call("renew", () =>
        this.client.if(key, "Create", "==", token).and(key, "Lease", "==", known.id).then(this.client.put(key).value(encode(lease)).lease(known.id)).commit(), signal),
    ]);
    if (!alive || !rewrite.succeeded) return undefined;
    this.mine.set(resource, lease);
    this.events.emit("lease:renewed", lease);
    return lease;
  }

  /** One keep-alive of etcd lease `id`; false when etcd no longer has it. */
  private keepAlive(id: string, signal: AbortSignal | undefined): Promise<boolean> {
    return this.call("keep lease alive", async () => {
      // gRPC's own deadline (real time) only reclaims a stream left behind by a request bound that fired.
      const stream = await this.client.leaseClient.leaseKeepAlive({ deadline: Date.now() + this.timeoutMs });
      try {
        const answer = await new Promise<{ TTL: string }>((resolve, reject) => {
          stream.on("data", resolve);
          stream.on("error", reject);
          stream.on("end", () => reject(new Error("keep-alive stream ended without an answer")));
          stream.write({ ID: id });
        });
        return Number(answer.TTL) > 0;
      } finally {
        stream.end();
      }
    }, signal);
  }

  private async watchLosses(): Promise<Watcher | undefined> {
    try {
      const watcher = await this.client.watch().prefix(this.leaseKey("")).withPreviousKV().create();
      watcher.on("delete", (kv) => {
        const resource = kv.key.toString().slice(this.leaseKey("").length);
        const lost = this.mine.get(resource);
        if (lost === undefined) return;
        this.forget(resource);
        this.events.emit("lease:expired", lost);
      });
      // Reconnects are the client's business; an error here must not crash the process.
      watcher.on("error", () => undefined);
      return watcher;
    } catch {
      return undefined;
    }
  }
}

/** etcd counts lease TTLs in whole seconds; rounding up keeps a lease at least as long as asked. */
function ttlSeconds(ttlMs: number): number {
  return Math.ceil(ttlMs / 1000);
}

function encode(lease: Lease): string {
  return JSON.stringify({ holder: lease.holder, ttlMs: lease.ttlMs, acquiredAt: lease.acquiredAt, expiresAt: lease.expiresAt });
}
