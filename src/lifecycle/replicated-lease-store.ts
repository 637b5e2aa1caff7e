/**
 * {@link ReplicatedLeaseStore}: the {@link LeaseStore} contract over a linearizable key-value store
 * with compare-and-set — in practice Raft's `ReplicatedKV` — so leases and their fencing tokens survive
 * the loss of a minority of the cluster.
 *
 * Each lease is one key (`<prefix>lease/<resource>`, JSON); every change is a compare-and-set against
 * the value just read, so two holders can never both win. A released or expired lease leaves a
 * tombstone (the lease marked `ended`) rather than deleting the key: a key never returns to an earlier
 * value, so a compare-and-set prepared before others came and went cannot succeed (no ABA).
 *
 * Fencing tokens, on a store that reports revisions ({@link VersionedLeaseKV}, which `ReplicatedKV`
 * is): the token of a lease is the log index of the entry that granted it. The acquiring
 * compare-and-set is the only write, the state machine decides it, and log indexes only grow, so
 * tokens strictly increase across the whole cluster; many acquirers on one key cost one log entry each
 * and the losers learn the winner from their failed compare-and-set, without retrying. On a plain
 * {@link LeaseKV}, tokens come from one counter key advanced by compare-and-set (every acquire in the
 * cluster races on it). Stores sharing one key space must all use the same kind of key-value store.
 *
 * Time: expiry is judged on each member's injected clock. Members' clocks must agree to within a small
 * bound, and holders should renew well before `expiresAt` (e.g. at half the TTL) to stay clear of it.
 *
 * @module
 */
import { freeze } from "immer";
import { z } from "zod";
import type { Clock, TimerHandle } from "../core/clock.js";
import { ConflictError, ValidationError } from "../core/errors.js";
import { requireNumber, requireObject, requireString } from "../core/validation.js";
import { TypedEmitter } from "../core/events.js";
import { LeaseConflictError, LeaseNotHeldError, StaleFencingTokenError } from "./errors.js";
import { assertLeaseStoreOpen, parseLeaseArgs, requireClock, type LeaseStore } from "./lease-store.js";
import type { Lease, LeaseEvents } from "./types.js";

/** What the store needs from the replicated key-value store (`ReplicatedKV` has exactly this). */
export interface LeaseKV {
  /** Linearizable read; `null` when absent. */
  get(key: string): Promise<string | null>;
  /** Sets `key` to `value` (`null`: delete) only if it holds `expected` (`null`: absent). */
  compareAndSet(key: string, expected: string | null, value: string | null): Promise<boolean>;
}

/**
 * A {@link LeaseKV} that also reports revisions (`ReplicatedKV` has exactly this): with it, a lease
 * decision is one log entry and tokens are log indexes.
 */
export interface VersionedLeaseKV extends LeaseKV {
  /** Linearizable read with the revision of the value: the log index of its write (0: absent). */
  read(key: string): Promise<{ readonly value: string | null; readonly revision: number }>;
  /** Compare-and-set answering the value found and the log index the swap was decided at. */
  compareAndSwap(key: string, expected: string | null, value: string | null): Promise<{ readonly ok: boolean; readonly previous: string | null; readonly revision: number }>;
  /** Linearizable list of the keys starting with `prefix`. */
  keys(prefix: string): Promise<readonly string[]>;
}

export interface ReplicatedLeaseStoreOptions {
  /** The replicated store; on a Raft cluster, a member able to accept writes (the leader, or a router to it). */
  readonly kv: LeaseKV | VersionedLeaseKV;
  readonly clock: Clock;
  /** Key prefix, so several lease spaces can share one store (default `"edgeflow/"`). */
  readonly prefix?: string;
  /** Compare-and-set attempts before giving up on a contended key (default 16). */
  readonly maxAttempts?: number;
}

const leaseSchema = z.object({
  resource: z.string(),
  holder: z.string(),
  /** Absent on a record written by an acquire on a versioned store: its token is the record's revision. */
  token: z.number().int().positive().optional(),
  /** On such a record, the revision of the value it replaced, so two grants never write the same text. */
  replaces: z.number().int().min(0).optional(),
  ttlMs: z.number().int().positive(),
  acquiredAt: z.number(),
  expiresAt: z.number(),
  /** Set on the tombstone a released or expired lease leaves behind. */
  ended: z.enum(["released", "expired"]).optional(),
});

/** A lease key's value (the lease, or its tombstone), its token resolved. */
type StoredLease = z.output<typeof leaseSchema> & { readonly token: number };
const indexSchema = z.array(z.string());

/**
 * Leases replicated through a linearizable key-value store.
 *
 * @example
 * ```ts
 * const leases = new ReplicatedLeaseStore({ kv: replicatedKv, clock });
 * const lease = await leases.acquire("edge:edge-1", "migrator-a", 10_000);
 * await leases.checkFence("edge:edge-1", lease.token); // on any member, after any minority fails
 * ```
 */
export class ReplicatedLeaseStore implements LeaseStore {
  readonly events = new TypedEmitter<LeaseEvents>();
  private readonly kv: LeaseKV;
  /** The same store when it reports revisions: then tokens are log indexes (see the module notes). */
  private readonly versioned: VersionedLeaseKV | undefined;
  private readonly clock: Clock;
  private readonly prefix: string;
  private readonly maxAttempts: number;
  private readonly timers = new Map<string, TimerHandle>();
  private closed = false;

  constructor(options: ReplicatedLeaseStoreOptions) {
    requireObject(options, "options");
    if (typeof options.kv?.get !== "function" || typeof options.kv.compareAndSet !== "function") throw ValidationError.of("options.kv", "kv must have get and compareAndSet", "invalid_type");
    requireClock(options.clock);
    this.kv = options.kv;
    this.versioned = isVersioned(options.kv) ? options.kv : undefined;
    this.clock = options.clock;
    this.prefix = options.prefix === undefined ? "edgeflow/" : requireString(options.prefix, "options.prefix", 1024);
    this.maxAttempts = options.maxAttempts === undefined ? 16 : requireNumber(options.maxAttempts, "options.maxAttempts", { integer: true, min: 1, max: 1_000 });
  }

  async acquire(resource: string, holder: string, ttlMs: number): Promise<Lease> {
    assertLeaseStoreOpen(this.closed, "ReplicatedLeaseStore");
    parseLeaseArgs({ resource, holder, ttlMs });
    if (this.versioned !== undefined) return this.acquireVersioned(this.versioned, resource, holder, ttlMs);
    await this.index(resource);
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      const { raw, stored } = await this.load(resource);
      const now = this.clock.now();
      const current = liveLease(stored, now);
      if (current !== undefined) {
        if (current.holder !== holder) throw new LeaseConflictError(resource, current.holder, current.expiresAt);
        const extended: Lease = freeze({ ...current, ttlMs, expiresAt: now + ttlMs });
        if (await this.kv.compareAndSet(this.key(resource), raw, JSON.stringify(extended))) return this.granted(extended, "lease:renewed");
        continue;
      }
      // Drawn after reading `raw`, so larger than any token the key has ever held; and the key never
      // returns to `raw` once changed, so this write succeeds only if nobody got in between.
      const token = await this.nextToken();
      const lease: Lease = freeze({ resource, holder, token, ttlMs, acquiredAt: now, expiresAt: now + ttlMs });
      if (await this.kv.compareAndSet(this.key(resource), raw, JSON.stringify(lease))) {
        if (stored !== undefined && stored.ended === undefined) this.events.emit("lease:expired", plain(stored));
        return this.granted(lease, "lease:acquired");
      }
    }
    throw new ConflictError(`resource "${resource}" is contended: ${this.maxAttempts} compare-and-set attempts failed`);
  }

  /**
   * One read and one compare-and-set: the grant carries no token, its log index is the token. A
   * caller that loses the race reads the winner from the failed compare-and-set and is refused at
   * once; it tries again only if what it lost to is not a live lease of someone else.
   */
  private async acquireVersioned(kv: VersionedLeaseKV, resource: string, holder: string, ttlMs: number): Promise<Lease> {
    const key = this.key(resource);
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      const { raw, stored, revision } = await this.load(resource);
      const now = this.clock.now();
      const current = liveLease(stored, now);
      if (current !== undefined) {
        if (current.holder !== holder) throw new LeaseConflictError(resource, current.holder, current.expiresAt);
        const extended: Lease = freeze({ ...current, ttlMs, expiresAt: now + ttlMs });
        if (await this.kv.compareAndSet(key, raw, JSON.stringify(extended))) return this.granted(extended, "lease:renewed");
        continue;
      }
      const grant = { resource, holder, replaces: revision, ttlMs, acquiredAt: now, expiresAt: now + ttlMs };
      const swap = await kv.compareAndSwap(key, raw, JSON.stringify(grant));
      if (swap.ok) {
        if (stored !== undefined && stored.ended === undefined) this.events.emit("lease:expired", plain(stored));
        return this.granted(freeze({ resource, holder, token: swap.revision, ttlMs, acquiredAt: now, expiresAt: now + ttlMs }), "lease:acquired");
      }
      // The winner's token is unknown here (its revision was not returned), and not needed to refuse.
      const winner = liveLease(decode(swap.previous, Number.MAX_SAFE_INTEGER), this.clock.now());
      if (winner !== undefined && winner.holder !== holder) throw new LeaseConflictError(resource, winner.holder, winner.expiresAt);
    }
    throw new ConflictError(`resource "${resource}" is contended: ${this.maxAttempts} compare-and-set attempts failed`);
  }

  async renew(resource: string, holder: string, token: number, ttlMs?: number): Promise<Lease> {
    assertLeaseStoreOpen(this.closed, "ReplicatedLeaseStore");
    parseLeaseArgs({ resource, holder, token, ttlMs }, ["ttlMs"]);
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      const { raw, lease } = await this.held(resource, holder, token);
      const ttl = ttlMs ?? lease.ttlMs;
      const extended: Lease = freeze({ ...lease, ttlMs: ttl, expiresAt: this.clock.now() + ttl });
      if (await this.kv.compareAndSet(this.key(resource), raw, JSON.stringify(extended))) return this.granted(extended, "lease:renewed");
    }
    throw new ConflictError(`resource "${resource}" is contended: ${this.maxAttempts} compare-and-set attempts failed`);
  }

  async release(resource: string, holder: string, token: number): Promise<Lease> {
    assertLeaseStoreOpen(this.closed, "ReplicatedLeaseStore");
    parseLeaseArgs({ resource, holder, token });
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      const { raw, lease } = await this.held(resource, holder, token);
      if (await this.kv.compareAndSet(this.key(resource), raw, JSON.stringify({ ...lease, ended: "released" }))) {
        this.disarm(resource);
        this.events.emit("lease:released", lease);
        return lease;
      }
    }
    throw new ConflictError(`resource "${resource}" is contended: ${this.maxAttempts} compare-and-set attempts failed`);
  }

  async get(resource: string): Promise<Lease | undefined> {
    assertLeaseStoreOpen(this.closed, "ReplicatedLeaseStore");
    parseLeaseArgs({ resource });
    return liveLease((await this.load(resource)).stored, this.clock.now());
  }

  /** Live leases on every resource ever leased through this key space, by resource. */
  async list(): Promise<readonly Lease[]> {
    assertLeaseStoreOpen(this.closed, "ReplicatedLeaseStore");
    const resources =
      this.versioned === undefined ? parseIndex(await this.kv.get(this.indexKey())) : (await this.versioned.keys(this.key(""))).map((k) => k.slice(this.key("").length));
    const out: Lease[] = [];
    for (const resource of [...resources].sort()) {
      const lease = await this.get(resource);
      if (lease !== undefined) out.push(lease);
    }
    return freeze(out);
  }

  async checkFence(resource: string, token: number): Promise<void> {
    assertLeaseStoreOpen(this.closed, "ReplicatedLeaseStore");
    parseLeaseArgs({ resource, token });
    const current = await this.get(resource);
    if (current === undefined || current.token !== token) throw new StaleFencingTokenError(resource, token, current?.token ?? null);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers.values()) this.clock.clearTimer(timer);
    this.timers.clear();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** The key's value and what it decodes to, with its revision when the store reports them (else 0). */
  private async load(resource: string): Promise<{ raw: string | null; stored: StoredLease | undefined; revision: number }> {
    if (this.versioned === undefined) {
      const raw = await this.kv.get(this.key(resource));
      return { raw, stored: decode(raw, 0), revision: 0 };
    }
    const { value, revision } = await this.versioned.read(this.key(resource));
    return { raw: value, stored: decode(value, revision), revision };
  }

  private async held(resource: string, holder: string, token: number): Promise<{ raw: string; lease: Lease }> {
    const { raw, stored } = await this.load(resource);
    const lease = liveLease(stored, this.clock.now());
    if (raw === null || lease === undefined) {
      throw new LeaseNotHeldError(resource, holder, token, "no live lease (expired or released)");
    }
    if (lease.holder !== holder || lease.token !== token) {
      throw new LeaseNotHeldError(resource, holder, token, `the live lease belongs to "${lease.holder}" with token ${lease.token}`);
    }
    return { raw, lease };
  }

  private granted(lease: Lease, event: "lease:acquired" | "lease:renewed"): Lease {
    this.disarm(lease.resource);
    // Granted by a call that began before close(): the lease stands, but no timer outlives the store.
    if (this.closed) {
      this.events.emit(event, lease);
      return lease;
    }
    this.timers.set(
      lease.resource,
      this.clock.setTimer(Math.max(0, lease.expiresAt - this.clock.now()), () => {
        this.timers.delete(lease.resource);
        // Expiry is also enforced on every read, so a cleanup that fails (no leader just now) only
        // delays the event and the key's removal; it never lets a stale holder back in.
        this.expire(lease).catch(() => undefined);
      }, { background: true }),
    );
    this.events.emit(event, lease);
    return lease;
  }

  private async expire(lease: Lease): Promise<void> {
    const { raw, stored: current } = await this.load(lease.resource);
    if (current === undefined || current.ended !== undefined || current.token !== lease.token || this.clock.now() < current.expiresAt) return;
    if (await this.kv.compareAndSet(this.key(lease.resource), raw, JSON.stringify({ ...current, ended: "expired" }))) {
      this.events.emit("lease:expired", plain(current));
    }
  }

  private disarm(resource: string): void {
    const timer = this.timers.get(resource);
    if (timer !== undefined) this.clock.clearTimer(timer);
    this.timers.delete(resource);
  }

  private async nextToken(): Promise<number> {
    for (let attempt = 0; attempt < this.maxAttempts * 4; attempt++) {
      const raw = await this.kv.get(this.tokenKey());
      const last = raw === null ? 0 : Number(raw);
      if (await this.kv.compareAndSet(this.tokenKey(), raw, String(last + 1))) return last + 1;
    }
    throw new ConflictError("the fencing-token counter is contended");
  }

  private async index(resource: string): Promise<void> {
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      const raw = await this.kv.get(this.indexKey());
      const resources = parseIndex(raw);
      if (resources.includes(resource)) return;
      if (await this.kv.compareAndSet(this.indexKey(), raw, JSON.stringify([...resources, resource]))) return;
    }
    throw new ConflictError("the lease index is contended");
  }

  private key(resource: string): string {
    return `${this.prefix}lease/${resource}`;
  }

  private tokenKey(): string {
    return `${this.prefix}lease-token`;
  }

  private indexKey(): string {
    return `${this.prefix}lease-index`;
  }
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * A malformed value reads as no lease; any write still has to compare-and-set against it. A record
 * without a token takes `revision`, the log index of the entry that wrote it (0: unknown, so invalid).
 */
function decode(raw: string | null, revision: number): StoredLease | undefined {
  if (raw === null) return undefined;
  const parsed = leaseSchema.safeParse(parseJson(raw));
  if (!parsed.success) return undefined;
  const token = parsed.data.token ?? revision;
  return token > 0 ? { ...parsed.data, token } : undefined;
}

function isVersioned(kv: LeaseKV): kv is VersionedLeaseKV {
  const v = kv as Partial<VersionedLeaseKV>;
  return typeof v.read === "function" && typeof v.compareAndSwap === "function" && typeof v.keys === "function";
}

/** The lease as its holder sees it, without the tombstone marker. */
function plain(stored: StoredLease): Lease {
  const { resource, holder, token, ttlMs, acquiredAt, expiresAt } = stored;
  return freeze({ resource, holder, token, ttlMs, acquiredAt, expiresAt });
}

/** The stored lease if it is live at `now` (not a tombstone, not past its expiry). */
function liveLease(stored: StoredLease | undefined, now: number): Lease | undefined {
  return stored !== undefined && stored.ended === undefined && now < stored.expiresAt ? plain(stored) : undefined;
}

function parseIndex(raw: string | null): string[] {
  if (raw === null) return [];
  const parsed = indexSchema.safeParse(parseJson(raw));
  return parsed.success ? parsed.data : [];
}
