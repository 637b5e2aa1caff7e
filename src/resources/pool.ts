/**
 * {@link ResourcePool}: allocation of multi-resource requests over a set of edges, with six
 * strategies, oversubscription, durations on the clock, reservations and explained refusals.
 *
 * @module
 */
import { freeze } from "immer";
import type { Clock, TimerHandle } from "../core/clock.js";
import { ClosedError, ConflictError, NotFoundError, ValidationError } from "../core/errors.js";
import { TypedEmitter } from "../core/events.js";
import { parseWith } from "../core/validation.js";
import { ResourceExhaustedError } from "./errors.js";
import { explainRefusal } from "./explain.js";
import { fragmentationOf } from "./fragmentation.js";
import { Ledger, type LedgerEntry, type LedgerReservation } from "./ledger.js";
import { allocationRequestSchema, poolConfigSchema, reservationRequestSchema, STANDARD_RESOURCES, type PoolConfigInput, type ReservationRequestInput } from "./schemas.js";
import { boundedFit, firstFit, leftover, planFairPreemption, planPriorityPreemption, roundRobin, type EvictionPlan } from "./selection.js";
import type {
  Allocation,
  AllocationRequest,
  AllocationResult,
  AllocationStrategy,
  EdgeUsage,
  FragmentationReport,
  PoolUtilization,
  Reservation,
  ResourceDefinition,
  ResourceVector,
} from "./types.js";

/** Why an allocation ended. */
export type ReleaseReason = "released" | "expired" | "preempted";

/** Events a pool emits. */
export interface PoolEvents {
  [event: string]: unknown;
  allocated: Allocation;
  released: { readonly allocation: Allocation; readonly reason: ReleaseReason };
  refused: AllocationResult & { readonly ok: false };
}

/** Dependencies of a pool. */
export interface PoolOptions {
  /** Time for grants and expiries. */
  readonly clock: Clock;
}

/**
 * A pool of edges that grants resource requests.
 *
 * @example
 * ```ts
 * const pool = new ResourcePool({ strategy: "best_fit", oversubscription: { cpu: 2 },
 *   edges: [{ edgeId: "e1", capacity: { cpu: 8, memory: 16384 } }] }, { clock });
 * const result = pool.tryAllocate({ requester: "api", resources: { cpu: 2, memory: 2048 }, durationMs: 60_000 });
 * if (!result.ok) console.log(result.explanation.message); // e.g. "closest edge e1: cpu short by 1 cores ..."
 * ```
 */
export class ResourcePool {
  readonly name: string;
  readonly strategy: AllocationStrategy;
  readonly resources: readonly ResourceDefinition[];
  private readonly index = new Map<string, number>();
  private readonly ratios: Float64Array;
  private readonly ledger: Ledger;
  private readonly clock: Clock;
  private readonly snapshots = new Map<string, Allocation>();
  private readonly reservationSnapshots = new Map<string, { readonly holder: string; readonly createdAt: number; readonly expiresAt?: number }>();
  private readonly timers = new Map<string, TimerHandle>();
  private readonly events = new TypedEmitter<PoolEvents>();
  private cursor = 0;
  /** Every edge index in scan order, shared by requests that may go anywhere. */
  private allEdges: number[] = [];
  private seq = 0;
  private nextId = 1;
  private closed = false;

  constructor(config: PoolConfigInput, options: PoolOptions) {
    const parsed = parseWith(poolConfigSchema, config, "config");
    this.name = parsed.name;
    this.strategy = parsed.strategy;
    this.resources = freeze((parsed.resources ?? STANDARD_RESOURCES).map((r) => ({ ...r })), true);
    const issues: { path: string; message: string }[] = [];
    this.resources.forEach((r, i) => {
      if (this.index.has(r.name)) issues.push({ path: `config.resources[${i}].name`, message: `resource "${r.name}" is defined twice` });
      this.index.set(r.name, i);
    });
    this.ratios = new Float64Array(this.resources.length).fill(1);
    const over = parsed.oversubscription;
    if (typeof over === "number") this.ratios.fill(over);
    else
      for (const [name, ratio] of Object.entries(over)) {
        const r = this.index.get(name);
        if (r === undefined) issues.push({ path: `config.oversubscription.${name}`, message: `unknown resource "${name}"` });
        else this.ratios[r] = ratio;
      }
    const seen = new Set<string>();
    parsed.edges.forEach((e, i) => {
      if (seen.has(e.edgeId)) issues.push({ path: `config.edges[${i}].edgeId`, message: `edge "${e.edgeId}" is listed twice` });
      seen.add(e.edgeId);
      issues.push(...this.vectorIssues(e.capacity, `config.edges[${i}].capacity`));
    });
    if (issues.length > 0) throw new ValidationError(issues);
    this.clock = options.clock;
    this.ledger = new Ledger(this.resources.length);
    for (const e of parsed.edges) this.ledger.addEdge(e.edgeId, this.toArray(e.capacity), this.ratios);
    this.allEdges = this.ledger.edges.map((_e, i) => i);
  }

  /** Adds an edge with its capacity. */
  addEdge(edgeId: string, capacity: ResourceVector): void {
    this.assertOpen();
    if (typeof edgeId !== "string" || edgeId === "") throw ValidationError.of("edgeId", "edge id must be a non-empty string");
    if (this.ledger.edgeIndex.has(edgeId)) throw ValidationError.of("edgeId", `edge "${edgeId}" is already in pool "${this.name}"`, "duplicate_edge");
    const issues = this.vectorIssues(capacity, "capacity");
    if (issues.length > 0) throw new ValidationError(issues);
    this.ledger.addEdge(edgeId, this.toArray(capacity), this.ratios);
    this.allEdges = this.ledger.edges.map((_e, i) => i);
  }

  /** Edge ids in the order strategies scan them. */
  edgeIds(): string[] {
    return this.ledger.edges.map((e) => e.id);
  }

  /** Subscribes to `allocated`, `released` and `refused`; returns the unsubscribe function. */
  on<K extends keyof PoolEvents & string>(event: K, listener: (payload: PoolEvents[K]) => void): () => void {
    this.events.on(event, listener);
    return () => {
      this.events.off(event, listener);
    };
  }

  /**
   * Grants `request` or explains why not. Under `priority` a request that fits nowhere may evict
   * preemptible allocations of strictly lower priority; under `fair_share` it may evict allocations
   * of requesters whose dominant share stays above its own (DRF). Invalid input throws
   * {@link ValidationError} and changes nothing.
   */
  tryAllocate(request: AllocationRequest): AllocationResult {
    this.assertOpen();
    const req = parseWith(allocationRequestSchema, request, "request");
    const issues = this.vectorIssues(req.resources, "request.resources");
    if (req.id !== undefined && this.snapshots.has(req.id)) issues.push({ path: "request.id", message: `allocation "${req.id}" already exists` });
    const reservation = req.reservationId === undefined ? undefined : this.ledger.reservations.get(req.reservationId);
    if (req.reservationId !== undefined && reservation === undefined) issues.push({ path: "request.reservationId", message: `no reservation "${req.reservationId}"` });
    if (reservation !== undefined && reservation.holder !== req.requester) {
      issues.push({ path: "request.reservationId", message: `reservation "${reservation.id}" is held by "${reservation.holder}", not "${req.requester}"` });
    }
    const pinned = req.edgeId === undefined ? undefined : this.ledger.edgeIndex.get(req.edgeId);
    if (req.edgeId !== undefined && pinned === undefined) issues.push({ path: "request.edgeId", message: `no edge "${req.edgeId}" in pool "${this.name}"` });
    if (issues.length > 0) throw new ValidationError(issues);

    const id = req.id ?? this.freshId();
    const amounts = this.toArray(req.resources);
    const strategy = req.strategy ?? this.strategy;
    const priority = req.priority ?? 0;
    let candidates: readonly number[];
    if (reservation !== undefined) candidates = pinned === undefined || pinned === reservation.edge ? [reservation.edge] : [];
    else if (pinned !== undefined) candidates = [pinned];
    else candidates = this.allEdges;

    let edge = this.select(strategy, candidates, amounts, reservation);
    let plan: EvictionPlan | undefined;
    if (edge === undefined && strategy === "priority") plan = planPriorityPreemption(this.ledger, candidates, amounts, priority, reservation);
    if (edge === undefined && strategy === "fair_share") plan = planFairPreemption(this.ledger, candidates, amounts, req.requester, reservation);
    if (edge === undefined && plan === undefined) {
      const explanation = explainRefusal(this.ledger, this.resources, candidates, amounts, { pinned: pinned !== undefined, reservation });
      const refused = { ok: false as const, requester: req.requester, explanation: freeze(explanation, true) };
      this.events.emit("refused", refused);
      return refused;
    }
    const preempted: Allocation[] = [];
    if (plan !== undefined) {
      edge = plan.edge;
      for (const victim of plan.victims) {
        const snapshot = this.end(victim.id, "preempted");
        if (snapshot !== undefined) preempted.push(snapshot);
      }
    }
    if (edge === undefined) throw new ConflictError("no edge chosen"); // unreachable: either an edge or a plan
    const allocation = this.grant(id, req, amounts, edge, strategy, reservation);
    return { ok: true, allocation, preempted };
  }

  /** Like {@link ResourcePool.tryAllocate}, but throws {@link ResourceExhaustedError} on refusal. */
  allocate(request: AllocationRequest): { allocation: Allocation; preempted: readonly Allocation[] } {
    const result = this.tryAllocate(request);
    if (!result.ok) throw new ResourceExhaustedError(result.requester, result.explanation);
    return { allocation: result.allocation, preempted: result.preempted };
  }

  /**
   * Grants a batch by DRF progressive filling (Ghodsi et al., NSDI 2011): repeatedly serves the next
   * request of the requester with the lowest dominant share; a requester whose next request does not
   * fit is done, and its remaining requests are refused. Results come back in input order. No
   * preemption happens here: the batch shares what is free.
   */
  allocateFair(requests: readonly AllocationRequest[]): AllocationResult[] {
    this.assertOpen();
    if (!Array.isArray(requests)) throw ValidationError.of("requests", "requests must be an array");
    const parsed = requests.map((r, i) => parseWith(allocationRequestSchema, r, `requests[${i}]`));
    const issues = parsed.flatMap((r, i) => this.vectorIssues(r.resources, `requests[${i}].resources`));
    if (issues.length > 0) throw new ValidationError(issues);
    const queues = new Map<string, number[]>();
    parsed.forEach((r, i) => queues.set(r.requester, [...(queues.get(r.requester) ?? []), i]));
    const results: (AllocationResult | undefined)[] = parsed.map(() => undefined);
    const total = this.ledger.totalLimit();
    const shareOf = (who: string): number => Ledger.dominantShare(this.ledger.byRequester.get(who) ?? new Float64Array(this.resources.length), total);
    for (;;) {
      let next: string | undefined;
      for (const [who, queue] of queues) {
        if (queue.length === 0) continue;
        if (next === undefined || shareOf(who) < shareOf(next) || (shareOf(who) === shareOf(next) && who < next)) next = who;
      }
      if (next === undefined) break;
      const queue = queues.get(next) ?? [];
      const i = queue.shift() ?? 0;
      const result = this.tryAllocate({ ...parsed[i], strategy: "first_fit" } as AllocationRequest);
      results[i] = result;
      if (!result.ok) {
        for (const j of queue) results[j] = result;
        queue.length = 0;
      }
    }
    return results.map((r) => {
      if (r === undefined) throw new ConflictError("request left unserved"); // unreachable: every queue drains
      return r;
    });
  }

  /**
   * Where `resources` would go under first fit or best fit, and the normalised room that edge would
   * have left, without allocating anything.
   */
  probe(resources: ResourceVector, mode: "first" | "best"): { edgeId: string; leftover: number } | undefined {
    const issues = this.vectorIssues(resources, "resources");
    if (issues.length > 0) throw new ValidationError(issues);
    const amounts = this.toArray(resources);
    const candidates = this.allEdges;
    const edge = mode === "first" ? firstFit(this.ledger, candidates, amounts) : boundedFit(this.ledger, candidates, amounts, "best");
    return edge === undefined ? undefined : { edgeId: this.ledger.edge(edge).id, leftover: leftover(this.ledger, edge, amounts, undefined) };
  }

  /** Releases an allocation; returns its snapshot. Unknown ids throw {@link NotFoundError}. */
  release(allocationId: string): Allocation {
    this.assertOpen();
    const snapshot = this.end(allocationId, "released");
    if (snapshot === undefined) throw new NotFoundError("allocation", allocationId);
    return snapshot;
  }

  /**
   * Evicts allocations on demand: those listed, or every preemptible one below `belowPriority`
   * (optionally on one edge). Returns what was evicted.
   */
  preempt(selector: { readonly ids?: readonly string[]; readonly belowPriority?: number; readonly edgeId?: string }): Allocation[] {
    this.assertOpen();
    const ids = selector.ids;
    if (ids !== undefined) {
      const missing = ids.filter((id) => !this.snapshots.has(id));
      if (missing.length > 0) throw new NotFoundError("allocation", missing.join(", "));
      return ids.flatMap((id) => this.end(id, "preempted") ?? []);
    }
    if (selector.belowPriority === undefined) throw ValidationError.of("selector", "give ids or belowPriority");
    if (selector.edgeId !== undefined && !this.ledger.edgeIndex.has(selector.edgeId)) throw ValidationError.of("selector.edgeId", `no edge "${selector.edgeId}"`);
    const below = selector.belowPriority;
    const victims = [...this.snapshots.values()].filter((a) => a.preemptible && a.priority < below && (selector.edgeId === undefined || a.edgeId === selector.edgeId));
    return victims.flatMap((a) => this.end(a.id, "preempted") ?? []);
  }

  /** Sets capacity aside for `holder` on one edge (first edge with room when not given). */
  reserve(request: ReservationRequestInput): Reservation {
    this.assertOpen();
    const req = parseWith(reservationRequestSchema, request, "reservation");
    const issues = this.vectorIssues(req.resources, "reservation.resources");
    const id = req.id ?? `${this.name}-r${this.nextId++}`;
    if (this.ledger.reservations.has(id)) issues.push({ path: "reservation.id", message: `reservation "${id}" already exists` });
    const pinned = req.edgeId === undefined ? undefined : this.ledger.edgeIndex.get(req.edgeId);
    if (req.edgeId !== undefined && pinned === undefined) issues.push({ path: "reservation.edgeId", message: `no edge "${req.edgeId}"` });
    if (issues.length > 0) throw new ValidationError(issues);
    const amounts = this.toArray(req.resources);
    const candidates = pinned !== undefined ? [pinned] : this.allEdges;
    const edge = firstFit(this.ledger, candidates, amounts);
    if (edge === undefined) {
      throw new ResourceExhaustedError(req.holder, explainRefusal(this.ledger, this.resources, candidates, amounts, { pinned: pinned !== undefined, reservation: undefined }));
    }
    const reservation: LedgerReservation = { id, holder: req.holder, edge, amounts, remaining: Float64Array.from(amounts) };
    this.ledger.addReservation(reservation);
    const now = this.clock.now();
    const expiresAt = req.durationMs === undefined ? undefined : now + req.durationMs;
    this.reservationSnapshots.set(id, expiresAt === undefined ? { holder: req.holder, createdAt: now } : { holder: req.holder, createdAt: now, expiresAt });
    if (req.durationMs !== undefined) this.timers.set(`r:${id}`, this.clock.setTimer(req.durationMs, () => this.dropReservation(id)));
    return this.reservationSnapshot(id);
  }

  /** Cancels a reservation; allocations that drew on it keep what they hold. */
  cancelReservation(reservationId: string): void {
    this.assertOpen();
    if (!this.ledger.reservations.has(reservationId)) throw new NotFoundError("reservation", reservationId);
    this.dropReservation(reservationId);
  }

  /** A reservation's current snapshot. */
  reservation(reservationId: string): Reservation {
    if (!this.ledger.reservations.has(reservationId)) throw new NotFoundError("reservation", reservationId);
    return this.reservationSnapshot(reservationId);
  }

  /** A live allocation, or `undefined`. */
  allocation(allocationId: string): Allocation | undefined {
    return this.snapshots.get(allocationId);
  }

  /** Every live allocation, in grant order. */
  allocations(): Allocation[] {
    return [...this.snapshots.values()];
  }

  /** Capacity, allocation, reservation and free amounts, per edge and in total, plus dominant shares. */
  utilization(): PoolUtilization {
    const edges = this.ledger.edges.map((_e, i) => this.edgeUsage(i));
    const sum = (pick: (e: EdgeUsage) => ResourceVector): Record<string, number> => {
      const out: Record<string, number> = {};
      for (const r of this.resources) out[r.name] = edges.reduce((acc, e) => acc + (pick(e)[r.name] ?? 0), 0);
      return out;
    };
    const capacity = sum((e) => e.capacity);
    const allocated = sum((e) => e.allocated);
    const reserved = sum((e) => e.reserved);
    const free = sum((e) => e.free);
    const utilization: Record<string, number> = {};
    for (const r of this.resources) {
      const cap = capacity[r.name] ?? 0;
      utilization[r.name] = cap > 0 ? ((allocated[r.name] ?? 0) + (reserved[r.name] ?? 0)) / cap : 0;
    }
    const total = this.ledger.totalLimit();
    const dominantShares: Record<string, number> = {};
    for (const [who, amounts] of this.ledger.byRequester) dominantShares[who] = Ledger.dominantShare(amounts, total);
    return freeze({ capacity, allocated, reserved, free, utilization, allocations: this.snapshots.size, edges, dominantShares }, true);
  }

  /** How scattered and stranded the free capacity is (see {@link FragmentationReport}). */
  fragmentation(strandThreshold = 0.05): FragmentationReport {
    return fragmentationOf(this.utilization().edges, this.resources, strandThreshold);
  }

  /** Cancels every expiry timer; the pool refuses further calls. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const handle of this.timers.values()) this.clock.clearTimer(handle);
    this.timers.clear();
    this.events.removeAllListeners();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private select(strategy: AllocationStrategy, candidates: readonly number[], amounts: Float64Array, reservation: LedgerReservation | undefined): number | undefined {
    switch (strategy) {
      case "first_fit":
      case "priority":
      case "fair_share":
        return firstFit(this.ledger, candidates, amounts, reservation);
      case "best_fit":
        return boundedFit(this.ledger, candidates, amounts, "best", reservation);
      case "worst_fit":
        return boundedFit(this.ledger, candidates, amounts, "worst", reservation);
      case "round_robin": {
        const chosen = roundRobin(this.ledger, candidates, amounts, candidates.length > 1 ? this.cursor % candidates.length : 0, reservation);
        if (chosen !== undefined && candidates.length > 1) this.cursor = candidates.indexOf(chosen) + 1;
        return chosen;
      }
    }
  }

  private grant(
    id: string,
    req: { requester: string; priority?: number; preemptible?: boolean; durationMs?: number; reservationId?: string },
    amounts: Float64Array,
    edge: number,
    strategy: AllocationStrategy,
    reservation: LedgerReservation | undefined,
  ): Allocation {
    const drawn = new Float64Array(this.resources.length);
    if (reservation !== undefined) for (let r = 0; r < drawn.length; r++) drawn[r] = Math.min(amounts[r] ?? 0, reservation.remaining[r] ?? 0);
    const now = this.clock.now();
    const entry: LedgerEntry = {
      id,
      requester: req.requester,
      edge,
      amounts,
      drawn,
      reservationId: req.reservationId,
      priority: req.priority ?? 0,
      preemptible: req.preemptible ?? true,
      grantedAt: now,
      seq: this.seq++,
    };
    this.ledger.add(entry);
    const base = {
      id,
      requester: req.requester,
      edgeId: this.ledger.edge(edge).id,
      resources: this.toVector(amounts),
      priority: entry.priority,
      preemptible: entry.preemptible,
      grantedAt: now,
      strategy,
      ...(req.reservationId === undefined ? {} : { reservationId: req.reservationId }),
    };
    const allocation: Allocation = freeze(req.durationMs === undefined ? base : { ...base, expiresAt: now + req.durationMs }, true);
    this.snapshots.set(id, allocation);
    if (req.durationMs !== undefined) this.timers.set(`a:${id}`, this.clock.setTimer(req.durationMs, () => this.end(id, "expired")));
    this.events.emit("allocated", allocation);
    return allocation;
  }

  private end(id: string, reason: ReleaseReason): Allocation | undefined {
    const snapshot = this.snapshots.get(id);
    if (snapshot === undefined) return undefined;
    this.ledger.remove(id);
    this.snapshots.delete(id);
    const timer = this.timers.get(`a:${id}`);
    if (timer !== undefined) {
      this.clock.clearTimer(timer);
      this.timers.delete(`a:${id}`);
    }
    this.events.emit("released", { allocation: snapshot, reason });
    return snapshot;
  }

  private dropReservation(id: string): void {
    this.ledger.removeReservation(id);
    this.reservationSnapshots.delete(id);
    const timer = this.timers.get(`r:${id}`);
    if (timer !== undefined) {
      this.clock.clearTimer(timer);
      this.timers.delete(`r:${id}`);
    }
  }

  private reservationSnapshot(id: string): Reservation {
    const live = this.ledger.reservations.get(id);
    const meta = this.reservationSnapshots.get(id);
    if (live === undefined || meta === undefined) throw new NotFoundError("reservation", id);
    const base = { id, holder: live.holder, edgeId: this.ledger.edge(live.edge).id, resources: this.toVector(live.amounts), remaining: this.toVector(live.remaining), createdAt: meta.createdAt };
    return freeze(meta.expiresAt === undefined ? base : { ...base, expiresAt: meta.expiresAt }, true);
  }

  private edgeUsage(i: number): EdgeUsage {
    const e = this.ledger.edge(i);
    const free = this.ledger.free(i);
    const utilization = new Float64Array(this.resources.length);
    for (let r = 0; r < utilization.length; r++) {
      const cap = e.capacity[r] ?? 0;
      utilization[r] = cap > 0 ? ((e.used[r] ?? 0) + (e.reserved[r] ?? 0)) / cap : 0;
    }
    return {
      edgeId: e.id,
      capacity: this.toVector(e.capacity),
      limit: this.toVector(e.limit),
      allocated: this.toVector(e.used),
      reserved: this.toVector(e.reserved),
      free: this.toVector(free),
      utilization: this.toVector(utilization),
    };
  }

  private vectorIssues(vector: ResourceVector, path: string): { path: string; message: string }[] {
    const issues: { path: string; message: string }[] = [];
    for (const [name, amount] of Object.entries(vector)) {
      if (!this.index.has(name)) issues.push({ path: `${path}.${name}`, message: `unknown resource "${name}" (pool knows ${this.resources.map((r) => r.name).join(", ")})` });
      else if (!Number.isFinite(amount) || amount < 0) issues.push({ path: `${path}.${name}`, message: `amount must be a finite number >= 0, got ${String(amount)}` });
    }
    return issues;
  }

  private toArray(vector: ResourceVector): Float64Array {
    const out = new Float64Array(this.resources.length);
    for (const [name, amount] of Object.entries(vector)) {
      const r = this.index.get(name);
      if (r !== undefined) out[r] = amount;
    }
    return out;
  }

  private toVector(values: Float64Array): Record<string, number> {
    const out: Record<string, number> = {};
    this.resources.forEach((r, i) => {
      out[r.name] = values[i] ?? 0;
    });
    return out;
  }

  private freshId(): string {
    let id = `${this.name}-a${this.nextId++}`;
    while (this.snapshots.has(id)) id = `${this.name}-a${this.nextId++}`;
    return id;
  }

  private assertOpen(): void {
    if (this.closed) throw new ClosedError(`resource pool "${this.name}"`);
  }
}
