/**
 * The {@link LeaseStore} contract: time-limited exclusive ownership of named resources with fencing
 * tokens, and {@link InMemoryLeaseStore}, its single-process implementation on the injected clock.
 *
 * @module
 */
import { freeze } from "immer";
import { z } from "zod";
import type { Clock, TimerHandle } from "../core/clock.js";
import { ClosedError, ValidationError } from "../core/errors.js";
import { TypedEmitter } from "../core/events.js";
import { serviceKey, type ServiceKey } from "../core/services.js";
import { parseWith, requireObject } from "../core/validation.js";
import { LeaseConflictError, LeaseNotHeldError, StaleFencingTokenError } from "./errors.js";
import type { Lease, LeaseEvents } from "./types.js";

/**
 * Exclusive, expiring ownership of named resources.
 *
 * Contract: at any instant at most one holder has a live lease on a resource (live while
 * `clock.now() < expiresAt`); every token issued is strictly greater than all tokens issued before;
 * {@link LeaseStore.checkFence} accepts only the live lease's token, so a holder whose lease expired
 * or was taken over cannot write. Methods are async so replicated implementations fit the same shape.
 */
export interface LeaseStore {
  readonly events: TypedEmitter<LeaseEvents>;
  /**
   * Takes the lease for `ttlMs`. Re-acquiring a lease one already holds extends it and keeps its token
   * (so retries are harmless). Throws {@link LeaseConflictError} when someone else holds it.
   */
  acquire(resource: string, holder: string, ttlMs: number): Promise<Lease>;
  /** Extends a live lease to `now + ttlMs` (default: its TTL). Throws {@link LeaseNotHeldError}. */
  renew(resource: string, holder: string, token: number, ttlMs?: number): Promise<Lease>;
  /** Gives the lease up at once. Throws {@link LeaseNotHeldError} if not held with that token. */
  release(resource: string, holder: string, token: number): Promise<Lease>;
  /** The live lease on `resource`, if any. */
  get(resource: string): Promise<Lease | undefined>;
  /** Every live lease, by resource. */
  list(): Promise<readonly Lease[]>;
  /** Refuses (throws {@link StaleFencingTokenError}) a write unless `token` is the live lease's token. */
  checkFence(resource: string, token: number): Promise<void>;
  /**
   * Cancels expiry timers, for good. Idempotent; afterwards every other method throws a
   * {@link ClosedError}. Timers are cleared before it returns (the promise only signals completion).
   */
  close(): Promise<void>;
  /** Same as {@link LeaseStore.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * The key under which nodes find the shared {@link LeaseStore}. Nodes create an
 * {@link InMemoryLeaseStore} here on first use; register a `ReplicatedLeaseStore` under this key first
 * to replicate leases through a Raft cluster.
 */
export const LEASE_STORE: ServiceKey<LeaseStore> = serviceKey<LeaseStore>("lifecycle.leases");

const nonEmpty = z.string().trim().min(1, "must not be empty").max(1024);
const ttlSchema = z.number().int().positive().max(2_147_483_647);
const tokenSchema = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/** Throws a `ValidationError` at `options.clock` unless `clock` implements {@link Clock}. */
export function requireClock(clock: unknown, path = "options.clock"): asserts clock is Clock {
  const c = clock as Partial<Clock> | null | undefined;
  if (typeof c?.now !== "function" || typeof c.setTimer !== "function" || typeof c.clearTimer !== "function") throw ValidationError.of(path, "clock must implement Clock", "invalid_type");
}

/** Throws a {@link ClosedError} naming `what` when `closed`; shared by the lease stores. */
export function assertLeaseStoreOpen(closed: boolean, what: string): void {
  if (closed) throw new ClosedError(what);
}

const leaseArgSchemas = { resource: nonEmpty, holder: nonEmpty, token: tokenSchema, ttlMs: ttlSchema } as const;
type LeaseArgName = keyof typeof leaseArgSchemas;
/** Object schemas by the argument names they check (a handful of combinations), built on first use. */
const leaseArgObjects = new Map<string, z.ZodType>();

/**
 * Validates lease arguments; shared by every implementation so they refuse the same input. Every key
 * present in `args` is required, even when its value is `undefined`, except those named in `optional`.
 */
export function parseLeaseArgs(args: { resource: string; holder?: string; token?: number; ttlMs?: number }, optional: readonly LeaseArgName[] = []): void {
  const names = Object.keys(args) as LeaseArgName[];
  const id = `${names.join(",")}|${optional.join(",")}`;
  let schema = leaseArgObjects.get(id);
  if (schema === undefined) {
    const shape: Partial<Record<LeaseArgName, z.ZodType>> = {};
    for (const key of names) {
      const field = leaseArgSchemas[key];
      shape[key] = optional.includes(key) ? field.optional() : field;
    }
    schema = z.object(shape);
    leaseArgObjects.set(id, schema);
  }
  parseWith(schema, args);
}

/**
 * Leases in one process's memory. Expiry is armed on the injected clock and fires `lease:expired`.
 *
 * @example
 * ```ts
 * const leases = new InMemoryLeaseStore({ clock });
 * const lease = await leases.acquire("edge:edge-1", "migrator-a", 10_000);
 * await leases.checkFence("edge:edge-1", lease.token); // ok while the lease is live
 * ```
 */
export class InMemoryLeaseStore implements LeaseStore {
  readonly events = new TypedEmitter<LeaseEvents>();
  private readonly clock: Clock;
  private readonly leases = new Map<string, { lease: Lease; timer: TimerHandle }>();
  private lastToken = 0;
  private closed = false;

  constructor(options: { clock: Clock }) {
    requireClock(requireObject(options, "options")["clock"]);
    this.clock = options.clock;
  }

  async acquire(resource: string, holder: string, ttlMs: number): Promise<Lease> {
    assertLeaseStoreOpen(this.closed, "InMemoryLeaseStore");
    parseLeaseArgs({ resource, holder, ttlMs });
    const current = this.live(resource);
    if (current !== undefined) {
      if (current.holder !== holder) throw new LeaseConflictError(resource, current.holder, current.expiresAt);
      return this.extend(current, ttlMs, "lease:renewed");
    }
    const now = this.clock.now();
    const lease: Lease = freeze({ resource, holder, token: ++this.lastToken, ttlMs, acquiredAt: now, expiresAt: now + ttlMs });
    this.put(lease);
    this.events.emit("lease:acquired", lease);
    return lease;
  }

  async renew(resource: string, holder: string, token: number, ttlMs?: number): Promise<Lease> {
    assertLeaseStoreOpen(this.closed, "InMemoryLeaseStore");
    parseLeaseArgs({ resource, holder, token, ttlMs }, ["ttlMs"]);
    const current = this.held(resource, holder, token);
    return this.extend(current, ttlMs ?? current.ttlMs, "lease:renewed");
  }

  async release(resource: string, holder: string, token: number): Promise<Lease> {
    assertLeaseStoreOpen(this.closed, "InMemoryLeaseStore");
    parseLeaseArgs({ resource, holder, token });
    const current = this.held(resource, holder, token);
    this.drop(resource);
    this.events.emit("lease:released", current);
    return current;
  }

  async get(resource: string): Promise<Lease | undefined> {
    assertLeaseStoreOpen(this.closed, "InMemoryLeaseStore");
    parseLeaseArgs({ resource });
    return this.live(resource);
  }

  async list(): Promise<readonly Lease[]> {
    assertLeaseStoreOpen(this.closed, "InMemoryLeaseStore");
    const out: Lease[] = [];
    for (const resource of [...this.leases.keys()].sort()) {
      const lease = this.live(resource);
      if (lease !== undefined) out.push(lease);
    }
    return freeze(out);
  }

  async checkFence(resource: string, token: number): Promise<void> {
    assertLeaseStoreOpen(this.closed, "InMemoryLeaseStore");
    parseLeaseArgs({ resource, token });
    const current = this.live(resource);
    if (current === undefined || current.token !== token) throw new StaleFencingTokenError(resource, token, current?.token ?? null);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const { timer } of this.leases.values()) this.clock.clearTimer(timer);
    this.leases.clear();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** The live lease, expiring it first if its time has come but its timer has not fired yet. */
  private live(resource: string): Lease | undefined {
    const slot = this.leases.get(resource);
    if (slot === undefined) return undefined;
    if (this.clock.now() >= slot.lease.expiresAt) {
      this.expire(resource, slot.lease);
      return undefined;
    }
    return slot.lease;
  }

  private held(resource: string, holder: string, token: number): Lease {
    const current = this.live(resource);
    if (current === undefined) throw new LeaseNotHeldError(resource, holder, token, "no live lease (expired or released)");
    if (current.holder !== holder || current.token !== token) {
      throw new LeaseNotHeldError(resource, holder, token, `the live lease belongs to "${current.holder}" with token ${current.token}`);
    }
    return current;
  }

  private extend(current: Lease, ttlMs: number, event: "lease:renewed"): Lease {
    const lease: Lease = freeze({ ...current, ttlMs, expiresAt: this.clock.now() + ttlMs });
    this.put(lease);
    this.events.emit(event, lease);
    return lease;
  }

  private put(lease: Lease): void {
    const previous = this.leases.get(lease.resource);
    if (previous !== undefined) this.clock.clearTimer(previous.timer);
    const timer = this.clock.setTimer(Math.max(0, lease.expiresAt - this.clock.now()), () => {
      const slot = this.leases.get(lease.resource);
      if (slot !== undefined && slot.lease === lease) this.expire(lease.resource, lease);
    }, { background: true });
    this.leases.set(lease.resource, { lease, timer });
  }

  private expire(resource: string, lease: Lease): void {
    this.drop(resource);
    this.events.emit("lease:expired", lease);
  }

  private drop(resource: string): void {
    const slot = this.leases.get(resource);
    if (slot !== undefined) this.clock.clearTimer(slot.timer);
    this.leases.delete(resource);
  }
}
