/**
 * {@link EdgeStateObject}: single-writer keyed state with one home edge. The home holds a lease with a
 * fencing token; every write checks the lease and carries the token to the {@link StateStore}, which
 * refuses tokens older than one that already wrote. An edge whose lease lapsed or moved answers
 * {@link StateRedirectError} naming the current holder.
 *
 * @module
 */
import { z } from "zod";
import type { Clock } from "../core/clock.js";
import { ClosedError, ValidationError } from "../core/errors.js";
import { parseWith } from "../core/validation.js";
import { LeaseConflictError } from "../lifecycle/errors.js";
import type { LeaseStore } from "../lifecycle/lease-store.js";
import type { Lease } from "../lifecycle/types.js";
import { StateConflictError, StateLockedError, StateRedirectError, StateWrongTypeError } from "./errors.js";
import type { StateStore } from "./store.js";
import { jsonValueSchema, type JsonValue, type StateLock, type StateMetadata, type StoredState } from "./types.js";

/** Options of {@link EdgeStateObject}. */
export interface EdgeStateObjectOptions {
  /** The state id, shared by every instance of the object. */
  readonly id: string;
  /** The edge this instance runs on. */
  readonly edgeId: string;
  readonly clock: Clock;
  readonly leases: LeaseStore;
  readonly store: StateStore;
  /** Lease length; the home renews on each operation (default 10 000 ms). */
  readonly leaseTtlMs?: number;
}

/** Options every write accepts. */
export interface WriteOptions {
  /** Who writes; must match the lock owner while the object is locked. */
  readonly lockOwner?: string;
}

const optionsSchema = z.object({
  id: z.string().trim().min(1),
  edgeId: z.string().trim().min(1),
  leaseTtlMs: z.number().int().positive().max(2_147_483_647).optional(),
});
const keySchema = z.string().min(1, "must not be empty").max(1024);

/** The resource name the object's home leases. */
export function stateLeaseResource(id: string): string {
  return `state:${id}`;
}

function typeOf(value: JsonValue | undefined): string {
  if (value === undefined) return "missing value";
  if (value === null) return "null";
  return Array.isArray(value) ? "list" : typeof value;
}

function key(value: unknown, path = "key"): string {
  return parseWith(keySchema, value, path);
}

function json(value: unknown, path: string): JsonValue {
  return parseWith(jsonValueSchema, value, path);
}

/**
 * One instance of a state object on one edge. Operations are serialised per instance.
 *
 * @example
 * ```ts
 * const counter = new EdgeStateObject({ id: "cart:42", edgeId: "fra-1", clock, leases, store });
 * await counter.increment("items", 2); // 1 (the version after the change)
 * ```
 */
export class EdgeStateObject {
  readonly id: string;
  readonly edgeId: string;
  private readonly clock: Clock;
  private readonly leases: LeaseStore;
  private readonly store: StateStore;
  private readonly ttlMs: number;
  private state: StoredState | undefined;
  private lease: Lease | undefined;
  private lockState: StateLock | undefined;
  /** Set while a migration holds the object still for its final copy: writes are refused. */
  private drainedBy: string | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(options: EdgeStateObjectOptions) {
    const parsed = parseWith(optionsSchema, options, "options");
    for (const field of ["clock", "leases", "store"] as const) {
      if (typeof options[field] !== "object" || options[field] === null) throw ValidationError.of(`options.${field}`, "is required", "required");
    }
    this.id = parsed.id;
    this.edgeId = parsed.edgeId;
    this.clock = options.clock;
    this.leases = options.leases;
    this.store = options.store;
    this.ttlMs = parsed.leaseTtlMs ?? 10_000;
  }

  /** The value under `key`, or every key when omitted (a copy). */
  async get(k?: string): Promise<{ value: JsonValue | undefined; version: number }> {
    const checked = k === undefined ? undefined : key(k);
    return this.serial(async () => {
      const state = await this.primary();
      this.state = { data: state.data, metadata: { ...state.metadata, accessCount: state.metadata.accessCount + 1 } };
      const value = checked === undefined ? structuredClone(state.data as Record<string, JsonValue>) : structuredClone(state.data[checked]);
      return { value, version: state.metadata.version };
    });
  }

  /** Sets `key` to `value`; returns the version after the change. */
  async set(k: string, value: JsonValue, options: WriteOptions = {}): Promise<number> {
    const checked = key(k);
    const v = json(value, "value");
    return this.write(options, (data) => ({ ...data, [checked]: v }));
  }

  /**
   * Replaces `key` with `fn(current)`. `fn` must be pure: it sees a copy and may be retried.
   * Returns the version after the change.
   */
  async update(k: string, fn: (current: JsonValue | undefined) => JsonValue, options: WriteOptions = {}): Promise<number> {
    const checked = key(k);
    if (typeof fn !== "function") throw ValidationError.of("fn", "must be a function", "invalid_type");
    return this.write(options, (data) => ({ ...data, [checked]: json(fn(structuredClone(data[checked])), "fn(result)") }));
  }

  /** Removes `key` (a missing key is fine); returns the version after the change. */
  async delete(k: string, options: WriteOptions = {}): Promise<number> {
    const checked = key(k);
    return this.write(options, (data) => {
      const next = { ...data };
      delete next[checked];
      return next;
    });
  }

  /** Adds `by` (default 1) to a number (a missing key counts as 0). Throws `state.wrong_type`. */
  async increment(k: string, by = 1, options: WriteOptions = {}): Promise<number> {
    const checked = key(k);
    const delta = parseWith(z.number().finite(), by, "by");
    return this.write(options, (data) => {
      const current = data[checked] ?? 0;
      if (typeof current !== "number") throw new StateWrongTypeError(checked, "number", typeOf(current));
      return { ...data, [checked]: current + delta };
    });
  }

  /** Appends `value` to a list (a missing key counts as empty). Throws `state.wrong_type`. */
  async append(k: string, value: JsonValue, options: WriteOptions = {}): Promise<number> {
    const checked = key(k);
    const v = json(value, "value");
    return this.write(options, (data) => {
      const current = data[checked] ?? [];
      if (!Array.isArray(current)) throw new StateWrongTypeError(checked, "list", typeOf(current));
      return { ...data, [checked]: [...current, v] };
    });
  }

  /**
   * Locks the object for `owner` for `timeoutMs`; re-locking by the same owner extends it. While
   * locked, writes without that `lockOwner` throw `state.locked`. Returns the (unchanged) version.
   */
  async lock(owner: string, timeoutMs: number): Promise<{ version: number; lock: StateLock }> {
    const who = key(owner, "owner");
    const ms = parseWith(z.number().int().positive().max(2_147_483_647), timeoutMs, "timeoutMs");
    return this.serial(async () => {
      const state = await this.primary();
      const held = this.liveLock();
      if (held !== undefined && held.owner !== who) throw new StateLockedError(this.id, held.owner, held.expiresAt);
      this.lockState = { owner: who, expiresAt: this.clock.now() + ms };
      return { version: state.metadata.version, lock: this.lockState };
    });
  }

  /** Releases the lock held by `owner` (no lock is fine). Throws `state.locked` for another owner's lock. */
  async unlock(owner: string): Promise<number> {
    const who = key(owner, "owner");
    return this.serial(async () => {
      const state = await this.primary();
      const held = this.liveLock();
      if (held !== undefined && held.owner !== who) throw new StateLockedError(this.id, held.owner, held.expiresAt);
      this.lockState = undefined;
      return state.metadata.version;
    });
  }

  /** Metadata, without counting as an access. */
  async metadata(): Promise<StateMetadata> {
    return this.serial(async () => (await this.primary()).metadata);
  }

  /** The home lease this instance holds (after making sure it still holds it). */
  async where(): Promise<{ home: string; leaseExpiresAt: number; token: number }> {
    return this.serial(async () => {
      await this.primary();
      const lease = this.lease;
      if (lease === undefined) throw new StateRedirectError(this.id, this.edgeId, null);
      return { home: lease.holder, leaseExpiresAt: lease.expiresAt, token: lease.token };
    });
  }

  /**
   * Hands the object to `edgeId`: persists, releases the lease, and returns the new home's instance
   * (already primary). Afterwards this instance answers `state.redirect` naming the new home.
   */
  async transfer(edgeId: string): Promise<EdgeStateObject> {
    const target = key(edgeId, "edgeId");
    return this.serial(async () => {
      await this.primary();
      const lease = this.lease;
      if (lease !== undefined) await this.leases.release(lease.resource, lease.holder, lease.token);
      this.lease = undefined;
      this.state = undefined;
      const next = new EdgeStateObject({ id: this.id, edgeId: target, clock: this.clock, leases: this.leases, store: this.store, leaseTtlMs: this.ttlMs });
      await next.metadata();
      return next;
    });
  }

  /**
   * The object's record as this home holds it (a copy; not counted as an access). For a migration's
   * copy of the object; throws `state.redirect` when this instance is not the home.
   */
  async snapshot(): Promise<StoredState> {
    return this.serial(async () => structuredClone(await this.primary()));
  }

  /**
   * Refuses writes (`state.locked`, naming `owner`) until {@link EdgeStateObject.undrain}, once the
   * writes already queued have finished; reads are still served. A migration's cutover uses it so the
   * last copy to the target is the last difference.
   */
  async drain(owner: string): Promise<void> {
    const who = key(owner, "owner");
    await this.serial(async () => {
      this.drainedBy = who;
    });
  }

  /** Accepts writes again after {@link EdgeStateObject.drain}. */
  async undrain(): Promise<void> {
    await this.serial(async () => {
      this.drainedBy = undefined;
    });
  }

  /** Whether writes are refused by {@link EdgeStateObject.drain}. */
  get drained(): boolean {
    return this.drainedBy !== undefined;
  }

  /**
   * Gives up the home lease (fenced on its token) so another edge can take the object. Afterwards
   * this instance answers `state.redirect` to whoever holds it, or takes it back on its next
   * operation if nobody did.
   */
  async resign(): Promise<void> {
    await this.serial(async () => {
      const lease = this.lease;
      this.lease = undefined;
      this.state = undefined;
      this.lockState = undefined;
      if (lease !== undefined) await this.releaseQuietly(lease);
    });
  }

  /**
   * Becomes the home with a record copied from the previous home: takes the lease (a new fencing
   * token) and claims the object in the store with `copy`, which must carry the stored version
   * (`state.conflict` otherwise: the copy is stale). The stored access count is kept, since reads
   * are only counted in the store by writes. On failure the lease is given back and nothing changed.
   */
  async adopt(copy: Pick<StoredState, "data"> & { readonly metadata: Omit<StateMetadata, "accessCount"> }): Promise<number> {
    return this.serial(async () => {
      const lease = await this.acquireHome(stateLeaseResource(this.id));
      try {
        const stored = await this.store.load(this.id);
        const storedVersion = stored?.metadata.version ?? 0;
        if (copy.metadata.version !== storedVersion) throw new StateConflictError(this.id, copy.metadata.version, storedVersion);
        const record: StoredState = {
          data: structuredClone(copy.data),
          metadata: { ...copy.metadata, accessCount: stored?.metadata.accessCount ?? 0 },
        };
        await this.store.save(this.id, record, lease.token);
        this.state = record;
        this.lease = lease;
        this.lockState = undefined;
        this.drainedBy = undefined;
        return lease.token;
      } catch (error) {
        this.state = undefined;
        this.lease = undefined;
        await this.releaseQuietly(lease);
        throw error;
      }
    });
  }

  /** Gives up the lease (if held). The data stays in the store. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue.catch(() => undefined);
    const lease = this.lease;
    this.lease = undefined;
    if (lease !== undefined) await this.releaseQuietly(lease);
  }

  /** Same as {@link EdgeStateObject.close}, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private liveLock(): StateLock | undefined {
    if (this.lockState !== undefined && this.clock.now() >= this.lockState.expiresAt) this.lockState = undefined;
    return this.lockState;
  }

  /** Takes (or extends) the home lease; another edge holding it is a redirect to that edge. */
  private async acquireHome(resource: string): Promise<Lease> {
    try {
      return await this.leases.acquire(resource, this.edgeId, this.ttlMs);
    } catch (error) {
      if (error instanceof LeaseConflictError) throw new StateRedirectError(this.id, this.edgeId, error.holder);
      throw error;
    }
  }

  /** Gives `lease` back; a lease already lost or taken over needs nothing more, so errors are dropped. */
  private async releaseQuietly(lease: Lease): Promise<void> {
    await this.leases.release(lease.resource, lease.holder, lease.token).catch(() => undefined);
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new ClosedError(`EdgeStateObject "${this.id}"`));
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Makes sure this instance is the live primary and returns its state. A lapsed lease nobody else
   * took is re-acquired, and the state reloaded, since a successor may have written meanwhile.
   */
  private async primary(): Promise<StoredState> {
    const resource = stateLeaseResource(this.id);
    const live = await this.leases.get(resource);
    if (live !== undefined && live.holder !== this.edgeId) {
      this.lease = undefined;
      this.state = undefined;
      throw new StateRedirectError(this.id, this.edgeId, live.holder);
    }
    const lease = await this.acquireHome(resource);
    if (this.lease === undefined || this.lease.token !== lease.token || this.state === undefined) {
      this.lease = undefined;
      this.state = undefined;
      this.lockState = undefined;
      const now = this.clock.now();
      const loaded = (await this.store.load(this.id)) ?? { data: {}, metadata: { created: now, lastModified: now, accessCount: 0, version: 0 } };
      // Claim the object with the new token before serving: a former home paused between its fence
      // check and its write is refused from here on, and a write of its that landed after the load
      // makes this claim fail (state.conflict) instead of being served stale.
      await this.store.save(this.id, loaded, lease.token);
      this.state = loaded;
    }
    this.lease = lease;
    return this.state;
  }

  private async write(options: WriteOptions, change: (data: Readonly<Record<string, JsonValue>>) => Record<string, JsonValue>): Promise<number> {
    const lockOwner = options.lockOwner === undefined ? undefined : key(options.lockOwner, "options.lockOwner");
    return this.serial(async () => {
      const state = await this.primary();
      if (this.drainedBy !== undefined) throw new StateLockedError(this.id, this.drainedBy, this.lease?.expiresAt ?? this.clock.now());
      const held = this.liveLock();
      if (held !== undefined && held.owner !== lockOwner) throw new StateLockedError(this.id, held.owner, held.expiresAt);
      const data = change(state.data);
      const now = this.clock.now();
      const next: StoredState = { data, metadata: { created: state.metadata.created, lastModified: now, accessCount: state.metadata.accessCount + 1, version: state.metadata.version + 1 } };
      const lease = this.lease;
      if (lease === undefined) throw new StateRedirectError(this.id, this.edgeId, null);
      await this.leases.checkFence(lease.resource, lease.token);
      try {
        await this.store.save(this.id, next, lease.token);
      } catch (error) {
        // The write may have landed (a timeout) or the store moved on: reload before the next operation.
        this.state = undefined;
        throw error;
      }
      this.state = next;
      return next.metadata.version;
    });
  }
}
