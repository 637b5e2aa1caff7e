/**
 * `RaftHost`: the thin driver that does a Raft member's IO. It ticks the engine on a {@link Clock},
 * carries its messages over a {@link Transport}, persists through a {@link RaftStorage}, applies
 * committed entries through the user's callback, and turns proposals and reads into promises.
 *
 * @module
 */
import { freeze } from "immer";
import type { TimerHandle } from "../core/clock.js";
import { CancelledError, ClosedError, ConflictError, ValidationError } from "../core/errors.js";
import { signalOf, waitUntil, Waiter } from "./waiter.js";
import { TypedEmitter } from "../core/events.js";
import { childLogger, noopLogger, type Logger } from "../core/logger.js";
import { parseWith } from "../core/validation.js";
import type { LogEntry, MemberId, StorageWrite } from "../storage/types.js";
import { NotLeaderError, ProposalOutcomeUnknownError, ProposalTooLargeError } from "./errors.js";
import { entryBytesOf, ENVELOPE_RESERVE_BYTES } from "./sizes.js";
import { splitWrite } from "./write-split.js";
import { addMemberSchema, engineConfig, hostCollaboratorsSchema, hostOptionsSchema, resolveLimits, type RaftCallOptions, type RaftHostLimits, type RaftWaitOptions, transferSchema, type ProposalResult, type RaftHostMetrics, type RaftHostOptions, type RaftHostStatus } from "./host-types.js";
import type { RaftMessage } from "./messages.js";
import { PendingProposals } from "./pending.js";
import { RaftNode } from "./raft-node.js";
import { confChangeSchema, isRandom, memberIdSchema, raftConfigSchema, type ConfChange, type Ready, type SoftState } from "./types.js";


/** Events a host emits. */
export type RaftHostEvents = {
  /** Role or leader changed. */
  "role": SoftState & { readonly term: number };
  /** The host stopped because storage failed; it must be restarted. */
  "failed": { readonly error: unknown };
  /**
   * A received message was dropped because it names another sender (`claimed`) than the peer the
   * transport authenticated (`from`), or is addressed to another member: a forged or misrouted message.
   */
  "rejected": { readonly from: MemberId; readonly claimed: MemberId; readonly to: MemberId; readonly type: RaftMessage["type"] };
};

/**
 * Drives one Raft member.
 *
 * @example
 * ```ts
 * const host = new RaftHost({
 *   id: "a", voters: ["a", "b", "c"], clock, random: new Random(1), storage: new MemoryStorage(),
 *   transport: network.endpoint("a", { schema: raftMessageSchema }),
 *   apply: (entry) => machine.apply(entry.data),
 * });
 * await host.start();
 * const { index, result } = await host.propose("set x=1"); // on the leader
 * await host.read(); // linearizable barrier: local state now reflects every earlier commit
 * ```
 */
export class RaftHost<R = unknown> {
  readonly id: MemberId;
  readonly events = new TypedEmitter<RaftHostEvents>();
  /** The size limits this host works under: messages, storage records and proposals. */
  readonly limits: RaftHostLimits;
  private readonly opts: RaftHostOptions<R>;
  private readonly tickMs: number;
  private readonly snapshotEvery: number;
  private readonly readTimeoutMs: number;
  private readonly proposalTimeoutMs: number;
  private readonly logger: Logger;
  private node: RaftNode | undefined;
  private running = false;
  private busy = false;
  private scheduled = false;
  private tickTimer: TimerHandle | undefined;
  private inbox: RaftMessage[] = [];
  private pendingTicks = 0;
  private queuedProposals: Array<{ data: string; waiter: Waiter<ProposalResult<R>> }> = [];
  private proposals = new PendingProposals<ProposalResult<R>>();
  private confWaiters = new PendingProposals<ProposalResult<R>>();
  /** Term of the last entry applied (or snapshot installed): a rise can doom older proposals. */
  private appliedTerm = 0;
  /** Makes read contexts unique per incarnation, so a late answer to a previous one's read is ignored. */
  private incarnation = "";
  private reads = new Map<string, Waiter<number>>();
  private readWaits: Array<{ index: number; waiter: Waiter<number> }> = [];
  private readSeq = 0;
  private lastSnapshotIndex = 0;
  private unsubscribe: Array<() => void> = [];
  private metricCounters = {
    proposalsApplied: 0,
    proposalsFailed: 0,
    readsServed: 0,
    entriesApplied: 0,
    messagesSent: 0,
    messagesReceived: 0,
    messagesRejected: 0,
    sendErrors: 0,
    saves: 0,
    snapshotsTaken: 0,
    snapshotsInstalled: 0,
    leaderChanges: 0,
  };

  constructor(options: RaftHostOptions<R>) {
    const parsed = parseWith(hostOptionsSchema, {
      id: options.id,
      tickMs: options.tickMs,
      snapshotEvery: options.snapshotEvery,
      readTimeoutMs: options.readTimeoutMs,
      proposalTimeoutMs: options.proposalTimeoutMs,
      maxRecordBytes: options.maxRecordBytes,
    });
    parseWith(hostCollaboratorsSchema, {
      transport: options.transport,
      storage: options.storage,
      clock: options.clock,
      apply: options.apply,
      snapshot: options.snapshot,
      restore: options.restore,
    });
    // The engine is built on start(); check its settings now so a bad one fails here, not later.
    const { random, ...engine } = engineConfig(options);
    parseWith(raftConfigSchema, engine);
    if (!isRandom(random)) throw ValidationError.of("random", "must be a Random (src/core/random.ts)", "invalid_type");
    this.limits = freeze(resolveLimits(options));
    if (this.limits.maxEntryBytes > this.limits.maxRecordBytes - ENVELOPE_RESERVE_BYTES) {
      throw ValidationError.of("maxEntryBytes", `must leave ${ENVELOPE_RESERVE_BYTES} bytes of maxRecordBytes (${this.limits.maxRecordBytes}) for the record envelope`, "too_large");
    }
    if (options.transport.localId !== options.id) {
      throw ValidationError.of("transport", `the transport belongs to "${options.transport.localId}", not "${options.id}"`, "mismatch");
    }
    this.opts = options;
    this.id = parsed.id;
    this.tickMs = parsed.tickMs;
    this.snapshotEvery = parsed.snapshotEvery;
    this.readTimeoutMs = parsed.readTimeoutMs;
    this.proposalTimeoutMs = parsed.proposalTimeoutMs;
    this.logger = childLogger(options.logger ?? noopLogger, { raft: options.id });
  }

  /** Recovers from storage, restores the state machine and starts ticking and listening. */
  async start(): Promise<void> {
    if (this.running) throw new ConflictError(`raft host "${this.id}" is already running`);
    const o = this.opts;
    const persisted = await o.storage.load();
    this.incarnation = `${o.random.fork("read-contexts").nextUint32().toString(36)}.${o.clock.now().toString(36)}`;
    this.node = new RaftNode(engineConfig(o), persisted);
    if (persisted.snapshot !== null) {
      o.restore?.(persisted.snapshot.data);
      this.lastSnapshotIndex = persisted.snapshot.metadata.index;
      this.appliedTerm = persisted.snapshot.metadata.term;
    }
    this.running = true;
    this.unsubscribe.push(
      o.transport.onMessage((from, message) => {
        this.metricCounters.messagesReceived++;
        // The transport authenticated `from`; the message's own `from` is just data the peer wrote.
        if (message.from !== from || message.to !== this.id) {
          this.metricCounters.messagesRejected++;
          this.logger.warn({ from, claimed: message.from, to: message.to, type: message.type }, "raft message dropped: sender does not match the authenticated peer");
          this.events.emit("rejected", { from, claimed: message.from, to: message.to, type: message.type });
          return;
        }
        this.input(() => this.inbox.push(message));
      }),
    );
    const tick = (): void => {
      if (!this.running) return;
      this.expire();
      this.pendingTicks++;
      this.schedule();
      this.tickTimer = o.clock.setTimer(this.tickMs, tick, { background: true });
    };
    this.tickTimer = o.clock.setTimer(this.tickMs, tick, { background: true });
    this.schedule();
  }

  /**
   * Replicates `data`; resolves once it is committed and applied here, with what `apply` returned.
   * @throws NotLeaderError (with the known leader) on a follower; ProposalLostError when a leader
   *   change overwrote the entry; TimeoutError after `proposalTimeoutMs` (outcome unknown);
   *   ProposalTooLargeError when the entry would exceed `limits.maxEntryBytes` (nothing appended).
   */
  propose(data: string, options?: RaftCallOptions): Promise<ProposalResult<R>> {
    const node = this.requireRunning();
    let signal: AbortSignal | undefined;
    try {
      signal = signalOf(options);
    } catch (error) {
      return Promise.reject(error);
    }
    if (signal?.aborted === true) return Promise.reject(new CancelledError(`proposal on "${this.id}" was cancelled before it was proposed`, { cause: signal.reason }));
    if (typeof data !== "string" || data === "") return Promise.reject(ValidationError.of("data", "proposal data must be a non-empty string", "invalid_data"));
    // Refused at the door: an entry that cannot be sent or stored must never reach the log.
    const limit = this.limits.maxEntryBytes;
    if (data.length * 6 + 256 > limit) {
      const bytes = entryBytesOf(data);
      if (bytes > limit) return Promise.reject(new ProposalTooLargeError(bytes, limit));
    }
    if (!node.isLeader()) return Promise.reject(new NotLeaderError(node.leaderId()));
    return new Promise((resolve, reject) => {
      const waiter = this.waiter<ProposalResult<R>>(resolve, reject, this.proposalTimeoutMs, "proposal");
      this.queuedProposals.push({ data, waiter });
      waiter.bind(signal, this.forget);
      this.schedule();
    });
  }

  /**
   * A linearizable read barrier (ReadIndex): resolves with the read index once this member has
   * applied it, so reading the local state machine afterwards sees every write committed before
   * the call. Works on followers too (the leader confirms the index).
   */
  read(options?: RaftCallOptions): Promise<number> {
    this.requireRunning();
    let signal: AbortSignal | undefined;
    try {
      signal = signalOf(options);
    } catch (error) {
      return Promise.reject(error);
    }
    if (signal?.aborted === true) return Promise.reject(new CancelledError(`read on "${this.id}" was cancelled`, { cause: signal.reason }));
    return new Promise((resolve, reject) => {
      const context = `${this.id}:${this.incarnation}:${++this.readSeq}`;
      const waiter = this.waiter<number>(resolve, reject, this.readTimeoutMs, "read");
      this.input(() => {
        const node = this.node;
        if (node === undefined || !this.running) {
          this.fail(waiter, new ClosedError(`raft host "${this.id}"`));
          return;
        }
        if (waiter.isSettled()) return;
        if (!node.readIndex(context)) this.fail(waiter, new NotLeaderError(null));
        else this.reads.set(context, waiter);
      });
      waiter.bind(signal, this.forget);
    });
  }

  /**
   * Hands leadership to `to`; resolves once it is the leader this member knows of. The second
   * argument is a timeout in ms (default 10 s) or `{ timeoutMs, signal }`.
   */
  async transferLeader(to: MemberId, options: number | RaftWaitOptions = {}): Promise<void> {
    const { timeoutMs = 10_000, signal: rawSignal } = typeof options === "number" ? { timeoutMs: options } : options;
    parseWith(transferSchema, { to, timeoutMs }, "transfer");
    const signal = signalOf({ signal: rawSignal }, "transfer.signal");
    if (signal?.aborted === true) throw new CancelledError(`leader transfer to "${to}" was cancelled`, { cause: signal.reason });
    const node = this.requireRunning();
    if (!node.isLeader()) throw new NotLeaderError(node.leaderId());
    // The engine ignores a transfer it cannot do: say so now instead of timing out later.
    if (to === this.id) throw ValidationError.of("to", "is this member, which already leads", "self");
    if (!node.status().confState.voters.includes(to)) throw ValidationError.of("to", `"${to}" is not a voter`, "not_voter");
    await new Promise<void>((resolve, reject) => this.input(() => {
      if (!this.running) {
        reject(new ClosedError(`raft host "${this.id}"`));
        return;
      }
      try {
        node.transferLeader(to);
        resolve();
      } catch (error) {
        reject(error);
      }
    }));
    await this.waitFor(() => this.node?.leaderId() === to, timeoutMs, `leader transfer to "${to}"`, signal);
  }

  /** Proposes a membership change; resolves when it is applied. */
  changeMembership(change: ConfChange, options?: RaftCallOptions): Promise<ProposalResult<R>> {
    const node = this.requireRunning();
    let signal: AbortSignal | undefined;
    try {
      signal = signalOf(options);
      if (signal?.aborted === true) throw new CancelledError(`membership change on "${this.id}" was cancelled`, { cause: signal.reason });
      const cc = parseWith(confChangeSchema, change, "change");
      if (cc.type === "bootstrap") throw ValidationError.of("change.type", "bootstrap is written by the founding members only", "invalid_change");
      parseWith(memberIdSchema, cc.memberId, "change.memberId");
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      this.input(() => {
        const waiter = this.waiter<ProposalResult<R>>(resolve, reject, this.proposalTimeoutMs, "membership change");
        if (!this.running) {
          this.fail(waiter, new ClosedError(`raft host "${this.id}"`));
          return;
        }
        if (signal?.aborted === true) {
          this.fail(waiter, new CancelledError(`membership change on "${this.id}" was cancelled before it was proposed`, { cause: signal.reason }));
          return;
        }
        waiter.bind(signal, this.forget);
        try {
          const pos = node.proposeConfChange(change);
          this.confWaiters.add(pos.index, pos.term, waiter);
        } catch (error) {
          this.fail(waiter, error);
        }
      });
    });
  }

  /**
   * Adds a member safely: as a learner first, promoted to voter once its log is within
   * `maxLag` entries of the leader's.
   */
  async addMember(id: MemberId, options: { maxLag?: number; timeoutMs?: number; signal?: AbortSignal } = {}): Promise<void> {
    const { signal: rawSignal, ...rest } = options;
    const { maxLag, timeoutMs } = parseWith(addMemberSchema, { id, ...rest }, "member");
    const signal = signalOf({ signal: rawSignal }, "member.signal");
    await this.changeMembership({ type: "add_learner", memberId: id }, { ...(signal !== undefined ? { signal } : {}) });
    await this.waitFor(
      () => {
        const s = this.node?.status();
        const match = s?.progress[id]?.match;
        return s !== undefined && match !== undefined && s.lastIndex - match <= maxLag;
      },
      timeoutMs,
      `learner "${id}" catching up`,
      signal,
    );
    await this.changeMembership({ type: "add_voter", memberId: id }, { ...(signal !== undefined ? { signal } : {}) });
  }

  /** Removes a member (voter or learner). */
  async removeMember(id: MemberId, options?: RaftCallOptions): Promise<void> {
    await this.changeMembership({ type: "remove", memberId: id }, options);
  }

  /** A frozen view of term, role, leader, commit/apply progress and members' match indexes. */
  status(): RaftHostStatus {
    const node = this.node;
    if (node === undefined) {
      return freeze({ id: this.id, term: 0, role: "follower", leaderId: null, commitIndex: 0, appliedIndex: 0, lastIndex: 0, voters: [], learners: [], matchIndex: {}, running: false });
    }
    const s = node.status();
    const matchIndex: Record<MemberId, number> = Object.fromEntries(Object.entries(s.progress).map(([id, pr]) => [id, pr.match]));
    return freeze({
      id: s.id,
      term: s.term,
      role: s.role,
      leaderId: s.leaderId,
      commitIndex: s.commitIndex,
      appliedIndex: s.appliedIndex,
      lastIndex: s.lastIndex,
      voters: s.confState.voters,
      learners: s.confState.learners,
      matchIndex,
      running: this.running,
    });
  }

  /** Counters since `start()`, and how many requests wait right now. */
  metrics(): RaftHostMetrics {
    return freeze({
      ...this.metricCounters,
      pendingProposals: this.queuedProposals.length + this.proposals.count + this.confWaiters.count,
      pendingReads: this.reads.size + this.readWaits.length,
    });
  }

  isLeader(): boolean {
    return this.node?.isLeader() ?? false;
  }

  leaderId(): MemberId | null {
    return this.node?.leaderId() ?? null;
  }

  /** Stops ticking and listening, and rejects everything pending with a ClosedError. Storage is left open. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.halt(new ClosedError(`raft host "${this.id}"`));
    await this.opts.transport.close();
  }

  /**
   * Same as {@link RaftHost.stop}: stops the timers and the transport. The storage belongs to the
   * caller and stays open (close it after the host). Safe to call more than once.
   */
  close(): Promise<void> {
    return this.stop();
  }

  /** `await using host = new RaftHost(...)` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  // ---- driving the engine ------------------------------------------------------------------

  /** Runs `fn` (which feeds the engine) now, or queues it until the current Ready is done. */
  private deferred: Array<() => void> = [];
  private input(fn: () => void): void {
    if (!this.running) return;
    this.deferred.push(fn);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.busy || !this.running) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      void this.process();
    });
  }

  private async process(): Promise<void> {
    const node = this.node;
    if (node === undefined || this.busy || !this.running) return;
    this.busy = true;
    try {
      for (;;) {
        this.feed(node);
        if (!node.hasReady()) break;
        await this.handleReady(node, node.ready());
        if (!this.running) return;
      }
    } catch (error) {
      this.logger.error({ error: String(error) }, "raft host failed");
      this.halt(error);
      this.events.emit("failed", { error });
      return;
    } finally {
      this.busy = false;
    }
    if (this.deferred.length > 0 || this.inbox.length > 0 || this.pendingTicks > 0 || this.queuedProposals.length > 0) this.schedule();
  }

  private feed(node: RaftNode): void {
    const inbox = this.inbox;
    this.inbox = [];
    for (const m of inbox) node.step(m);
    for (; this.pendingTicks > 0; this.pendingTicks--) node.tick();
    const deferred = this.deferred;
    this.deferred = [];
    for (const fn of deferred) fn();
    const queued = this.queuedProposals;
    if (queued.length === 0) return;
    this.queuedProposals = [];
    if (!node.isLeader()) {
      for (const q of queued) this.fail(q.waiter, new NotLeaderError(node.leaderId()));
      return;
    }
    try {
      const positions = node.proposeBatch(queued.map((q) => q.data));
      queued.forEach((q, i) => {
        const pos = positions[i];
        if (pos !== undefined) this.proposals.add(pos.index, pos.term, q.waiter);
      });
    } catch (error) {
      for (const q of queued) this.fail(q.waiter, error);
    }
  }

  private async handleReady(node: RaftNode, rd: Ready): Promise<void> {
    const o = this.opts;
    if (rd.hardState !== undefined || rd.entries.length > 0 || rd.snapshot !== undefined) {
      const write: StorageWrite = {
        ...(rd.hardState !== undefined ? { hardState: rd.hardState } : {}),
        ...(rd.entries.length > 0 ? { entries: rd.entries } : {}),
        ...(rd.snapshot !== undefined ? { snapshot: rd.snapshot } : {}),
      };
      // Every part is durable before any message goes out, as one write would be.
      for (const part of splitWrite(write, this.limits.maxRecordBytes - ENVELOPE_RESERVE_BYTES)) {
        this.metricCounters.saves++;
        await o.storage.save(part);
        if (!this.running) return;
      }
    }
    for (const m of rd.messages) {
      try {
        o.transport.send(m.to, m);
        this.metricCounters.messagesSent++;
      } catch {
        this.metricCounters.sendErrors++;
      }
    }
    if (rd.snapshot !== undefined) {
      o.restore?.(rd.snapshot.data);
      this.metricCounters.snapshotsInstalled++;
      const { index: upTo, term } = rd.snapshot.metadata;
      const unknown = (index: number): unknown => new ProposalOutcomeUnknownError(index, "covered by a snapshot from the leader");
      this.proposals.failUpTo(upTo, unknown, this.failWith);
      this.confWaiters.failUpTo(upTo, unknown, this.failWith);
      this.noteAppliedTerm(upTo, term);
      // The installed snapshot is as good as one taken here: do not take another right away.
      this.lastSnapshotIndex = Math.max(this.lastSnapshotIndex, upTo);
    }
    for (const entry of rd.committedEntries) this.applyEntry(entry);
    for (const rs of rd.readStates) {
      const waiter = this.reads.get(rs.context);
      if (waiter === undefined) continue;
      this.reads.delete(rs.context);
      this.readWaits.push({ index: rs.index, waiter });
    }
    node.advance();
    const applied = node.appliedIndex();
    if (this.readWaits.length > 0) {
      const waiting = this.readWaits;
      this.readWaits = [];
      for (const w of waiting) {
        if (w.index <= applied) {
          this.metricCounters.readsServed++;
          w.waiter.resolve(w.index);
        } else this.readWaits.push(w);
      }
    }
    if (rd.softState !== undefined) this.onSoftState(rd.softState, node);
    if (this.snapshotEvery > 0 && o.snapshot !== undefined && applied - this.lastSnapshotIndex >= this.snapshotEvery) {
      const snapshot = node.compact(o.snapshot());
      await o.storage.compact(snapshot);
      this.lastSnapshotIndex = snapshot.metadata.index;
      this.metricCounters.snapshotsTaken++;
    }
  }

  private applyEntry(entry: LogEntry): void {
    this.metricCounters.entriesApplied++;
    const waiters = entry.type === "conf_change" ? this.confWaiters : this.proposals;
    let result: R | undefined;
    if (entry.type === "normal" && entry.data !== "") result = this.opts.apply(entry);
    if (waiters.settle(entry, () => ({ index: entry.index, term: entry.term, result: result as R }), this.failWith)) this.metricCounters.proposalsApplied++;
    this.noteAppliedTerm(entry.index, entry.term);
  }

  private noteAppliedTerm(index: number, term: number): void {
    if (term <= this.appliedTerm) return;
    this.appliedTerm = term;
    this.proposals.failOlderAfter(index, term, this.failWith);
    this.confWaiters.failOlderAfter(index, term, this.failWith);
  }

  private onSoftState(soft: SoftState, node: RaftNode): void {
    this.metricCounters.leaderChanges++;
    this.events.emit("role", { ...soft, term: node.term() });
    // Reads still waiting for a read index went through a leader that is gone: retryable.
    for (const w of this.reads.values()) this.fail(w, new NotLeaderError(soft.leaderId));
    this.reads.clear();
  }

  // ---- helpers -----------------------------------------------------------------------------

  private waiter<T>(resolve: (v: T) => void, reject: (e: unknown) => void, ms: number, what: string): Waiter<T> {
    return new Waiter(resolve, reject, this.opts.clock.now() + ms, `${what} on "${this.id}"`);
  }

  private readonly failWith = (waiter: Waiter<ProposalResult<R>>, error: unknown): void => this.fail(waiter, error);

  /** Drops a cancelled request from wherever it waits, so nothing keeps it. */
  private readonly forget = (waiter: unknown): void => {
    this.queuedProposals = this.queuedProposals.filter((q) => q.waiter !== waiter);
    this.proposals.remove(waiter);
    this.confWaiters.remove(waiter);
    for (const [context, w] of this.reads) if (w === waiter) this.reads.delete(context);
    this.readWaits = this.readWaits.filter((w) => w.waiter !== waiter);
  };

  private fail<T>(waiter: Waiter<T>, error: unknown): void {
    this.metricCounters.proposalsFailed++;
    waiter.reject(error);
  }

  /** Fails requests past their deadline (checked every tick). */
  private expire(): void {
    const now = this.opts.clock.now();
    const p = this.proposalTimeoutMs;
    const r = this.readTimeoutMs;
    this.queuedProposals = this.queuedProposals.filter((q) => !q.waiter.expire(now, p));
    this.proposals.expire(now, p);
    this.confWaiters.expire(now, p);
    for (const [context, waiter] of this.reads) if (waiter.expire(now, r)) this.reads.delete(context);
    this.readWaits = this.readWaits.filter((w) => !w.waiter.expire(now, r));
  }

  private halt(error: unknown): void {
    this.running = false;
    // Inputs still queued see `running === false` and fail their requests.
    const deferred = this.deferred;
    this.deferred = [];
    for (const fn of deferred) fn();
    if (this.tickTimer !== undefined) this.opts.clock.clearTimer(this.tickTimer);
    for (const u of this.unsubscribe) u();
    this.unsubscribe = [];
    for (const q of this.queuedProposals) this.fail(q.waiter, error);
    this.proposals.failAll(error, this.failWith);
    this.confWaiters.failAll(error, this.failWith);
    for (const r of this.reads.values()) this.fail(r, error);
    for (const r of this.readWaits) this.fail(r.waiter, error);
    this.queuedProposals = [];
    this.reads.clear();
    this.readWaits = [];
    this.deferred = [];
  }

  private requireRunning(): RaftNode {
    if (!this.running || this.node === undefined) throw new ClosedError(`raft host "${this.id}"`);
    return this.node;
  }

  private waitFor(condition: () => boolean, timeoutMs: number, what: string, signal?: AbortSignal): Promise<void> {
    return waitUntil(this.opts.clock, condition, () => this.running, timeoutMs, what, Math.min(this.tickMs, 10), `raft host "${this.id}"`, signal);
  }
}
