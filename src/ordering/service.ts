/**
 * The global ordering service: one order of events from many origins that every replica computes
 * identically, respects causality, drops duplicates and resolves conflicting writes.
 *
 * @module
 */
import { freeze } from "immer";
import type { z } from "zod";
import type { Clock } from "../core/clock.js";
import { ClosedError, ConflictError, ValidationError } from "../core/errors.js";
import { TypedEmitter } from "../core/events.js";
import { parseWith, requireObject } from "../core/validation.js";
import { KeyRegister, type ResolvedValue } from "./conflicts.js";
import { CursorExpiredError, OrderingBackpressureError } from "./errors.js";
import { byHlc, describeGap, describeParked, freezeEvent, isReceived, newHeld, newOriginState, noDeps, type Held, type OriginState } from "./held.js";
import { MinHeap } from "../core/heap.js";
import { MissingDependencyTimer } from "./missing.js";
import { assertHlc, compareHlc, HybridLogicalClock } from "./hlc.js";
import { encodeHlc } from "./hlc-codec.js";
import { RecentIds } from "./recent-ids.js";
import { ABSENT, DeliveredWindow } from "./window.js";
import { isWellFormedEvent, orderingEventSchema, orderingOptionsSchema, publishInputSchema } from "./schemas.js";
import type { ConflictPolicy, HlcTimestamp, MissingDependency, OrderedEntry, OrderedPage, OrderingEvent, OrderingEvents, OrderingStatus, PublishInput, RejectionReason } from "./types.js";

/** Options of a {@link GlobalOrderingService}. */
export type GlobalOrderingOptions<P = unknown> = z.input<typeof orderingOptionsSchema> & {
  readonly clock: Clock;
  /** Default last-writer-wins. */
  readonly conflictPolicy?: ConflictPolicy<P>;
};

/**
 * Orders events from a configured set of origins.
 *
 * **The order.** Events are delivered in HLC order, and only once *stable*: when every origin's
 * stream is known complete up to the event's timestamp (its events arrive in sequence; a gap holds
 * it back, and `heartbeat` lets a quiet origin vouch that it has nothing older). So every replica
 * fed the same events, in any order and with any duplicates, delivers the same sequence, and each
 * replica's log is a prefix of it. That sequence extends causality, because an event's HLC is
 * checked to be greater than its dependencies' and than its origin's previous event; an event
 * failing the check is rejected (`event:rejected`), never delivered out of causal order.
 *
 * **Dependencies.** An event whose explicit dependency has not been delivered is held ("parked")
 * without blocking other origins (its own origin's later events wait behind it), and settled as
 * soon as the dependency is delivered: delivered, or rejected if the dependency's HLC is not
 * smaller; after `dependencyTimeoutMs` it is reported (`dependency:missing`, `status().missing`),
 * never silently dropped. Dependencies from configured origins stamped before an event are always
 * delivered by the time it is stable; parking only happens for ids nobody has sent yet, or that
 * left the dedup window. Whether such an id has merely been *received* is never consulted, since
 * that differs between replicas.
 *
 * **Duplicates.** A re-sent event (same origin and sequence) is dropped on receipt; a second event
 * with an id delivered within the last `dedupWindow` deliveries is dropped on delivery, and since
 * delivery order is the same everywhere, every replica drops the same copy.
 *
 * **Conflicts.** An event with a `key` writes `payload` to that key. A write concurrent with the
 * key's current value (by vector clocks over the origins) is a conflict, resolved by the policy and
 * reported on the delivered entry and as `conflict:resolved`.
 *
 * **Bounds.** At most `maxBuffered` events are held; beyond it `receive`/`publish` throw
 * {@link OrderingBackpressureError} with nothing applied, except for the next in-sequence event
 * of an origin that is holding delivery back, which is admitted so the buffer can drain: at most
 * `maxBuffered` plus the number of origins events are ever held.
 *
 * @example
 * ```ts
 * const clock = new SystemClock();
 * const site = new GlobalOrderingService({ nodeId: "edge-a", clock });
 * site.publish({ key: "config/limit", payload: 10 });
 * const page = site.orderedSince(0);
 * page.entries[0]?.event.payload; // 10
 * ```
 */
export class GlobalOrderingService<P = unknown> extends TypedEmitter<OrderingEvents<P>> {
  readonly nodeId: string;
  /** This node's clock; every received event and heartbeat updates it. */
  readonly hlc: HybridLogicalClock;
  private readonly clock: Clock;
  private readonly options: z.output<typeof orderingOptionsSchema>;
  private readonly origins = new Map<string, OriginState<P>>();
  private readonly originList: OriginState<P>[] = [];
  private readonly local: OriginState<P> | undefined;
  private readonly ready = new MinHeap<Held<P>>(byHlc);
  private readonly woken = new MinHeap<Held<P>>(byHlc);
  /** Stable events waiting for dependencies, in the order they were parked. */
  private readonly parked = new Set<Held<P>>();
  private readonly waiters = new Map<string, Held<P>[]>();
  private readonly delivered: DeliveredWindow;
  /** Ids of events rejected at settlement, so events naming them are rejected too instead of waiting for good. */
  private readonly rejectedIds: RecentIds;
  /** Window slots of the dependencies of the event being settled, reused across events. */
  private readonly depSlots: number[] = [];
  private readonly keys: KeyRegister<P>;
  private log: OrderedEntry<P>[] = [];
  private logOffset = 0;
  private held = 0;
  private counts = { delivered: 0, duplicatesDropped: 0, conflicts: 0, rejected: 0 };
  private readonly timeouts: MissingDependencyTimer<P>;
  private closed = false;

  constructor(options: GlobalOrderingOptions<P>) {
    super();
    const { clock, conflictPolicy, ...rest } = requireObject(options, "options") as GlobalOrderingOptions<P>;
    this.options = parseWith(orderingOptionsSchema, rest, "options");
    if (typeof clock?.now !== "function" || typeof clock.setTimer !== "function") throw ValidationError.of("options.clock", "clock must implement Clock", "invalid_type");
    const policy = conflictPolicy ?? { kind: "last-writer-wins" };
    if (!["last-writer-wins", "first-writer-wins", "merge"].includes(policy.kind) || (policy.kind === "merge" && typeof policy.merge !== "function")) {
      throw ValidationError.of("options.conflictPolicy", `conflict policy must be last-writer-wins, first-writer-wins or merge with a merge function`, "invalid_policy");
    }
    this.clock = clock;
    this.nodeId = this.options.nodeId;
    this.hlc = new HybridLogicalClock({ nodeId: this.nodeId, clock, maxOffsetMs: this.options.maxOffsetMs });
    const names = this.options.origins ?? [this.nodeId];
    if (new Set(names).size !== names.length) throw ValidationError.of("options.origins", "origins must be distinct", "duplicate_origin");
    names.forEach((name, index) => {
      const state = newOriginState<P>(name, index, names.length);
      this.origins.set(name, state);
      this.originList.push(state);
    });
    this.local = this.origins.get(this.nodeId);
    this.keys = new KeyRegister(policy, this.options.maxKeys);
    this.delivered = new DeliveredWindow(this.options.dedupWindow, this.originList.length);
    this.rejectedIds = new RecentIds(this.options.dedupWindow);
    this.timeouts = new MissingDependencyTimer(clock, this.options.dependencyTimeoutMs, this.parked, this.originList, (missing) => this.emit("dependency:missing", missing));
    this.syncLocalFrontier();
  }

  /** The configured origins, in index order. */
  get originIds(): readonly string[] {
    return this.originList.map((o) => o.name);
  }

  /**
   * Stamps and orders an event of this node (which must be one of the origins). Returns the event as
   * other replicas must receive it. The payload is frozen in place (deeply), not copied.
   */
  publish(input: PublishInput<P>): OrderingEvent<P> {
    this.assertOpen();
    const local = this.local;
    if (local === undefined) throw new ConflictError(`"${this.nodeId}" is not one of the origins, so it cannot publish`);
    const parsed = parseWith(publishInputSchema, input, "input");
    this.admit(local, local.nextSeq);
    const seq = local.nextSeq;
    const event = freezeEvent<P>({ id: parsed.id ?? `${this.nodeId}:${seq}`, origin: this.nodeId, seq, hlc: this.hlc.now(), deps: parsed.deps ?? [], key: parsed.key, payload: parsed.payload as P });
    this.accept(local, newHeld(event, this.clock.now()));
    this.drain();
    return event;
  }

  /**
   * Takes an event from any origin (already stamped). `"duplicate"` when this exact event (origin and
   * sequence) was received before. Throws a `ValidationError` for a malformed event or unknown origin,
   * a `ClockSkewError` when its HLC is too far ahead, an {@link OrderingBackpressureError} when full;
   * nothing is applied when it throws. The event is copied, but its payload is frozen in place (deeply),
   * not copied: replicas must never see it change.
   */
  receive(input: OrderingEvent<P>): "accepted" | "duplicate" {
    this.assertOpen();
    const known = typeof input === "object" && input !== null && typeof input.origin === "string" ? this.origins.get(input.origin) : undefined;
    const fast = known !== undefined && isWellFormedEvent(input, known.name);
    // Re-sent copies are common: drop them before copying anything.
    if (fast && isReceived(known, input.seq)) return this.dropResent(input.id, known.name, input.seq);
    const parsed = fast
      ? { id: input.id, origin: known.name, seq: input.seq, hlc: { wall: input.hlc.wall, logical: input.hlc.logical, nodeId: known.name }, deps: input.deps === undefined || input.deps.length === 0 ? noDeps : input.deps.slice(), key: input.key, payload: input.payload }
      : parseWith(orderingEventSchema, input, "event");
    const os = known ?? this.origins.get(parsed.origin);
    if (os === undefined) throw ValidationError.of("event.origin", `"${parsed.origin}" is not one of the origins (${this.originIds.join(", ")})`, "unknown_origin");
    if (parsed.hlc.nodeId !== parsed.origin) throw ValidationError.of("event.hlc.nodeId", `must equal the origin "${parsed.origin}", got "${parsed.hlc.nodeId}"`, "origin_mismatch");
    if (isReceived(os, parsed.seq)) return this.dropResent(parsed.id, parsed.origin, parsed.seq);
    this.admit(os, parsed.seq);
    // Validated above, by the fast check or by zod, with nodeId equal to a configured origin.
    if (os !== this.local) this.hlc.observeValid(parsed.hlc);
    const event = freezeEvent(parsed as OrderingEvent<P>);
    const held = newHeld(event, this.clock.now());
    if (parsed.seq === os.nextSeq) this.accept(os, held);
    else this.bufferGap(os, held);
    this.syncLocalFrontier();
    this.drain();
    return "accepted";
  }

  /**
   * An origin vouches that its events up to sequence `seq` are all the events it stamped at or below
   * `hlc`. Advances that origin's frontier once those events are here, so a quiet origin does not
   * hold delivery back. Returns the sequence range still missing from that origin, if any.
   */
  heartbeat(origin: string, seq: number, hlc: HlcTimestamp): { readonly from: number; readonly to: number } | undefined {
    this.assertOpen();
    const os = this.origins.get(origin);
    if (os === undefined) throw ValidationError.of("origin", `"${origin}" is not one of the origins`, "unknown_origin");
    if (!Number.isSafeInteger(seq) || seq < 0) throw ValidationError.of("seq", `seq must be an integer >= 0, got ${seq}`, "invalid_seq");
    assertHlc(hlc, "hlc");
    if (hlc.nodeId !== origin) throw ValidationError.of("hlc.nodeId", `must equal the origin "${origin}"`, "origin_mismatch");
    if (os !== this.local) this.hlc.observe(hlc);
    if (seq > os.announced) os.announced = seq;
    if (os.nextSeq > seq) {
      if (os.frontier === undefined || compareHlc(hlc, os.frontier) > 0) os.frontier = hlc;
    } else if (os.gapSince === undefined) {
      os.gapSince = this.clock.now();
      this.timeouts.schedule();
    }
    this.syncLocalFrontier();
    this.drain();
    return os.nextSeq <= seq ? { from: os.nextSeq, to: seq } : undefined;
  }

  /** The next sequence number expected from `origin` (everything before it has been received). */
  expectedSeq(origin: string): number {
    const os = this.origins.get(origin);
    if (os === undefined) throw ValidationError.of("origin", `"${origin}" is not one of the origins`, "unknown_origin");
    return os.nextSeq;
  }

  /**
   * Ordered entries from position `cursor` on, at most `limit`. Throws {@link CursorExpiredError}
   * when `cursor` is older than the retained log (`logRetention` entries).
   */
  orderedSince(cursor = 0, limit = 1000): OrderedPage<P> {
    const end = this.logOffset + this.log.length;
    if (!Number.isSafeInteger(cursor) || cursor < 0 || cursor > end) throw ValidationError.of("cursor", `cursor must be an integer in [0, ${end}], got ${cursor}`, "invalid_cursor");
    if (!Number.isSafeInteger(limit) || limit < 1) throw ValidationError.of("limit", `limit must be an integer >= 1, got ${limit}`, "invalid_limit");
    if (cursor < this.logOffset) throw new CursorExpiredError(cursor, this.logOffset);
    const start = cursor - this.logOffset;
    const entries = this.log.slice(start, start + limit);
    return freeze({ entries, next: cursor + entries.length }, true);
  }

  /** The resolved value of `key` and the write it came from, if the key is tracked. */
  currentValue(key: string): ResolvedValue<P> | undefined {
    if (typeof key !== "string" || key.length === 0 || key.length > 1024) throw ValidationError.of("key", `key must be a string of 1 to 1024 characters, got ${typeof key === "string" ? `${key.length} characters` : typeof key}`, "invalid_key");
    const value = this.keys.get(key);
    return value === undefined ? undefined : freeze(value);
  }

  /** Counters, held work, missing dependencies and per-origin frontiers. */
  status(): OrderingStatus {
    const missing: MissingDependency[] = [];
    for (const held of this.parked) {
      if (held.reported) missing.push(describeParked(held));
    }
    for (const os of this.originList) if (os.gapReported && os.gapSince !== undefined) missing.push(describeGap(os));
    missing.sort((a, b) => a.since - b.since);
    const frontiers: Record<string, string | undefined> = {};
    for (const os of this.originList) frontiers[os.name] = os.frontier === undefined ? undefined : encodeHlc(os.frontier);
    return freeze({ nodeId: this.nodeId, origins: this.originIds, buffered: this.held, capacity: this.options.maxBuffered, ...this.counts, missing, frontiers }, true);
  }

  /**
   * Cancels the dependency-timeout timer, for good. Idempotent. Afterwards `publish`, `receive` and
   * `heartbeat` throw a {@link ClosedError}; the read methods still answer from what was delivered.
   */
  async close(): Promise<void> {
    this.closed = true;
    this.timeouts.cancel();
  }

  /** Same as {@link GlobalOrderingService.close}, for `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new ClosedError("GlobalOrderingService");
  }

  private dropResent(id: string, origin: string, seq: number): "duplicate" {
    this.counts.duplicatesDropped++;
    this.emit("event:duplicate", { id, origin, seq });
    return "duplicate";
  }

  private admit(os: OriginState<P>, seq: number): void {
    if (this.held < this.options.maxBuffered) return;
    // Refusing the origin that holds delivery back could wedge the buffer for good.
    // The exemption is capped: a lagging origin's admitted events drain at once unless they are
    // stuck behind a missing dependency, and those must not grow the buffer without limit.
    if (seq === os.nextSeq && os !== this.local && this.held < this.options.maxBuffered + this.originList.length) {
      const bound = this.stableBound();
      if (os.frontier === undefined || (bound !== undefined && compareHlc(os.frontier, bound) <= 0)) return;
    }
    throw new OrderingBackpressureError(this.options.maxBuffered);
  }

  private accept(os: OriginState<P>, first: Held<P>): void {
    let held: Held<P> | undefined = first;
    this.held++;
    while (held !== undefined) {
      const event: OrderingEvent<P> = held.event;
      os.nextSeq++;
      if (os.last !== undefined && compareHlc(event.hlc, os.last) <= 0) {
        this.reject(held, "sequence_not_after");
      } else {
        os.last = event.hlc;
        if (os.frontier === undefined || compareHlc(event.hlc, os.frontier) > 0) os.frontier = event.hlc;
        this.ready.push(held);
      }
      held = os.gap.size === 0 ? undefined : os.gap.get(os.nextSeq);
      if (held !== undefined) os.gap.delete(os.nextSeq);
    }
    if (os.gapSince !== undefined && os.gap.size === 0 && os.announced < os.nextSeq) {
      if (os.gapReported) this.emit("dependency:resolved", { eventId: undefined, origin: os.name });
      os.gapSince = undefined;
      os.gapReported = false;
    }
  }

  private bufferGap(os: OriginState<P>, held: Held<P>): void {
    os.gap.set(held.event.seq, held);
    this.held++;
    if (os.gapSince === undefined) {
      os.gapSince = held.since;
      this.timeouts.schedule();
    }
  }

  private syncLocalFrontier(): void {
    // Every later local event is stamped above the clock's last timestamp.
    if (this.local !== undefined) this.local.frontier = this.hlc.last();
  }

  private stableBound(): HlcTimestamp | undefined {
    let bound: HlcTimestamp | undefined;
    for (const os of this.originList) {
      if (os.frontier === undefined) return undefined;
      if (bound === undefined || compareHlc(os.frontier, bound) < 0) bound = os.frontier;
    }
    return bound;
  }

  private drain(): void {
    const bound = this.stableBound();
    if (bound === undefined) return;
    for (let top = this.ready.peek(); top !== undefined && compareHlc(top.event.hlc, bound) <= 0; top = this.ready.peek()) {
      this.ready.pop();
      this.settle(top);
      for (let next = this.woken.pop(); next !== undefined; next = this.woken.pop()) {
        // A waiter listed twice under one dependency is woken twice; settle it once.
        if (!this.parked.delete(next)) continue;
        this.settle(next);
      }
    }
  }

  /**
   * Delivers, parks or rejects a stable event. Settlement happens in the same sequence on every
   * replica, so everything decided here (including rejections) is decided alike everywhere.
   */
  private settle(held: Held<P>): void {
    const event = held.event;
    const os = this.origins.get(event.origin) as OriginState<P>;
    if (!held.evaluated) {
      held.evaluated = true;
      // Events parked waiting for this id but stamped before it name a dependency that comes after
      // them: they can never be delivered, and one of them may hold this very event back behind it
      // in its origin's stream (B depends on A, A follows B), which would stall that origin for good.
      this.rejectWaitersStampedBefore(event);
      if (os.lastParked !== undefined && this.parked.has(os.lastParked)) held.prev = os.lastParked;
    }
    const prev = held.prev !== undefined && this.parked.has(held.prev) ? held.prev : undefined;
    let waiting: string[] | undefined;
    const depSlots = this.depSlots;
    let found = 0;
    for (const dep of event.deps) {
      const slot = this.delivered.slotOf(dep);
      // Judge only by what has been delivered or rejected at settlement, which every replica agrees
      // on: whether an undelivered dependency has merely been received differs between replicas, so
      // it is waited for, and its timestamp checked once it is delivered.
      if (slot === ABSENT) {
        if (dep === event.id) {
          this.reject(held, "dependency_not_before");
          return;
        }
        if (this.rejectedIds.has(dep)) {
          this.reject(held, "dependency_rejected");
          return;
        }
        (waiting ??= []).push(dep);
      } else if (compareHlc(this.delivered.hlcAt(slot), event.hlc) >= 0) {
        this.reject(held, "dependency_not_before");
        return;
      } else depSlots[found++] = slot;
    }
    if (waiting === undefined && prev === undefined) {
      this.deliver(held, os, depSlots, found);
      return;
    }
    held.waitingOn = new Set(waiting);
    held.waitingPrev = prev !== undefined;
    if (prev !== undefined) (prev.followers ??= []).push(held);
    for (const dep of waiting ?? []) {
      const list = this.waiters.get(dep);
      if (list === undefined) this.waiters.set(dep, [held]);
      else list.push(held);
    }
    this.parked.add(held);
    const last = os.lastParked;
    if (last === undefined || !this.parked.has(last) || event.seq > last.event.seq) os.lastParked = held;
    this.timeouts.schedule();
  }

  /** The first `depCount` of `depSlots` are the window slots of the event's dependencies, all delivered. */
  private deliver(held: Held<P>, os: OriginState<P>, depSlots: readonly number[], depCount: number): void {
    const event = held.event;
    this.release(held);
    held.settled = true;
    if (os.lastParked === held) os.lastParked = undefined;
    // The origin's clock is advanced in place: the window keeps its own copy of each event's clock.
    const vc = os.vc;
    for (let i = 0; i < depCount; i++) this.delivered.joinInto(vc, depSlots[i] as number);
    vc[os.index] = event.seq;
    if (this.delivered.slotOf(event.id) !== ABSENT) {
      this.counts.duplicatesDropped++;
      this.emit("event:duplicate", { id: event.id, origin: event.origin, seq: event.seq });
      this.wakeFollowers(held);
      return;
    }
    this.delivered.add(event.id, event.hlc, vc);
    const conflict = event.key === undefined ? undefined : this.keys.apply(event, event.key, vc.slice());
    const entry: OrderedEntry<P> = Object.freeze(conflict === undefined ? { position: this.logOffset + this.log.length, event } : { position: this.logOffset + this.log.length, event, conflict: freeze(conflict) });
    this.log.push(entry);
    if (this.log.length >= 2 * this.options.logRetention) {
      const drop = this.log.length - this.options.logRetention;
      this.log = this.log.slice(drop);
      this.logOffset += drop;
    }
    this.counts.delivered++;
    if (conflict !== undefined) {
      this.counts.conflicts++;
      this.emit("conflict:resolved", entry.conflict as typeof conflict);
    }
    this.emit("event:delivered", entry);
    this.wake(event.id);
    this.wakeFollowers(held);
  }

  /**
   * Rejects an event that was received in sequence with a timestamp not after its predecessor's.
   * This is decided on receipt, which differs between replicas, so events naming it as a dependency
   * are not rejected with it: they stay parked and are reported.
   */
  private reject(held: Held<P>, reason: RejectionReason): void {
    if (reason === "sequence_not_after") {
      this.rejectOne(held, reason);
      return;
    }
    // Rejected at settlement: events waiting for it can never be delivered either, so they are
    // rejected too (iteratively: chains of dependants may be long).
    const work: Array<[Held<P>, RejectionReason]> = [[held, reason]];
    for (let item = work.pop(); item !== undefined; item = work.pop()) {
      const [next, why] = item;
      this.rejectOne(next, why);
      this.rejectedIds.add(next.event.id);
      const list = this.waiters.get(next.event.id);
      if (list === undefined) continue;
      this.waiters.delete(next.event.id);
      for (const waiter of list) if (this.parked.has(waiter) && waiter.waitingOn?.has(next.event.id) === true) work.push([waiter, "dependency_rejected"]);
    }
  }

  private rejectOne(held: Held<P>, reason: RejectionReason): void {
    if (held.settled) return;
    // The link to the origin's earlier parked event is read before release forgets it is parked.
    const prev = held.prev !== undefined && this.parked.has(held.prev) ? held.prev : undefined;
    this.release(held);
    held.settled = true;
    this.counts.rejected++;
    this.emit("event:rejected", { event: held.event, reason });
    const os = this.origins.get(held.event.origin);
    if (os?.lastParked === held) os.lastParked = prev;
    if (prev === undefined) {
      // Its origin's later events may proceed.
      this.wakeFollowers(held);
      return;
    }
    // Rejected while an earlier event of its origin is still parked: its followers now wait for that one.
    const followers = held.followers;
    held.followers = undefined;
    for (const follower of followers ?? []) {
      if (!this.parked.has(follower) || follower.prev !== held) continue;
      follower.prev = prev;
      (prev.followers ??= []).push(follower);
    }
  }

  /** Rejects the parked events waiting for `event.id` that were stamped before `event`. */
  private rejectWaitersStampedBefore(event: OrderingEvent<P>): void {
    const list = this.waiters.size === 0 ? undefined : this.waiters.get(event.id);
    if (list === undefined) return;
    for (const waiter of list.slice()) {
      if (this.parked.has(waiter) && waiter.waitingOn?.has(event.id) === true && compareHlc(waiter.event.hlc, event.hlc) < 0) {
        this.reject(waiter, "dependency_not_before");
      }
    }
  }

  private release(held: Held<P>): void {
    this.held--;
    this.parked.delete(held);
    if (held.reported) this.emit("dependency:resolved", { eventId: held.event.id, origin: held.event.origin });
  }

  /** Wakes the events waiting for dependency `id` to be delivered. */
  private wake(id: string): void {
    // Usually nobody waits: spare the lookup.
    const list = this.waiters.size === 0 ? undefined : this.waiters.get(id);
    if (list === undefined) return;
    this.waiters.delete(id);
    for (const waiter of list) {
      if (!this.parked.has(waiter)) continue;
      waiter.waitingOn?.delete(id);
      if (!waiter.waitingPrev && (waiter.waitingOn === undefined || waiter.waitingOn.size === 0)) this.woken.push(waiter);
    }
  }

  /** Its origin's later events may proceed once `held` is settled (delivered, dropped or rejected). */
  private wakeFollowers(held: Held<P>): void {
    const followers = held.followers;
    if (followers === undefined) return;
    held.followers = undefined;
    for (const follower of followers) {
      if (!this.parked.has(follower) || follower.prev !== held) continue;
      follower.waitingPrev = false;
      if (follower.waitingOn === undefined || follower.waitingOn.size === 0) this.woken.push(follower);
    }
  }
}
