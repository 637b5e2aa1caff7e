/**
 * The public face of the Raft engine: a pure, deterministic state machine in the style of etcd's
 * `RawNode`. Inputs are ticks, messages and local requests; outputs come out in a {@link Ready}.
 *
 * @module
 */
import { freeze } from "immer";
import { ValidationError } from "../core/errors.js";
import { parseWith } from "../core/validation.js";
import type { HardState, LogEntry, MemberId, PersistedState, Snapshot } from "../storage/types.js";
import { NotLeaderError, ProposalDroppedError, ProposalTooLargeError, RaftUsageError } from "./errors.js";
import { entryBytesOf } from "./sizes.js";
import type { RaftMessage } from "./messages.js";
import { decodeConfChange, Raft } from "./raft.js";
import { checkMessage } from "./message-guard.js";
import { confChangeSchema, memberIdSchema, type ConfChange, type ProgressStatus, type RaftConfig, type RaftStatus, type Ready, type SoftState } from "./types.js";

const emptyState: PersistedState = { hardState: { term: 0, vote: null, commit: 0 }, snapshot: null, entries: [] };

/** Where an accepted proposal sits in the log. */
export interface ProposalPosition {
  readonly index: number;
  readonly term: number;
}

/**
 * A Raft member's protocol state. No clock, IO or randomness but the injected `Random`: time is a
 * count of {@link RaftNode.tick} calls, the network and the disk are the host's job.
 *
 * @example
 * ```ts
 * const node = new RaftNode({ id: "a", voters: ["a"], random: new Random(1) });
 * node.tick(); // ... until it elects itself
 * while (node.hasReady()) {
 *   const rd = node.ready();
 *   await storage.save({ hardState: rd.hardState, entries: rd.entries, snapshot: rd.snapshot });
 *   for (const m of rd.messages) transport.send(m.to, m);
 *   for (const entry of rd.committedEntries) apply(entry);
 *   node.advance();
 * }
 * ```
 */
export class RaftNode {
  private readonly raft: Raft;
  private prevHardState: HardState;
  private prevSoftState: SoftState;
  private inReady: { lastEntry: number; lastCommitted: LogEntry[]; snapshot: Snapshot | undefined; hardState: HardState | undefined } | undefined;

  constructor(config: RaftConfig, persisted: PersistedState = emptyState) {
    this.raft = new Raft(config, persisted);
    this.prevHardState = persisted.hardState;
    this.prevSoftState = { leaderId: null, role: "follower" };
  }

  get id(): MemberId {
    return this.raft.id;
  }

  /** Advances logical time by one tick (election and heartbeat timeouts are counted in ticks). */
  tick(): void {
    this.guard();
    this.raft.tick();
  }

  /**
   * Feeds a message received from a peer. Messages not addressed to this member are ignored.
   * @throws ValidationError when the message is malformed (the engine is left unchanged).
   */
  step(message: RaftMessage): void {
    this.guard();
    checkMessage(message);
    if (message.to !== this.raft.id) return;
    this.raft.step(message);
  }

  /** Starts an election now (as if the election timeout had elapsed). */
  campaign(): void {
    this.guard();
    this.raft.hup();
  }

  /**
   * Appends `data` as a new entry; only on the leader. Returns where it landed: it is applied at
   * that index only if the entry found there when applying has the same term.
   * @throws NotLeaderError when not the leader; ProposalDroppedError during a leader transfer;
   *   ProposalTooLargeError when the entry would exceed `maxEntryBytes` (nothing is appended).
   */
  propose(data: string): ProposalPosition {
    return this.proposeBatch([data])[0] as ProposalPosition;
  }

  /** Appends several entries at once (one batch, consecutive indexes). */
  proposeBatch(data: readonly string[]): ProposalPosition[] {
    this.guard();
    if (!Array.isArray(data)) throw ValidationError.of("data", "must be an array of strings", "invalid_type");
    this.requireLeader();
    for (let i = 0; i < data.length; i++) {
      if (typeof data[i] !== "string" || data[i] === "") throw ValidationError.of(`data[${i}]`, "proposal data must be a non-empty string", "invalid_data");
    }
    // Checked for all before appending any: a batch is refused whole.
    for (const d of data) this.checkEntrySize(d as string, "proposal");
    const first = this.raft.propose(data.map((d) => ({ type: "normal" as const, data: d })));
    return data.map((_, i) => ({ index: first + i, term: this.raft.term }));
  }

  /**
   * Proposes a single-server membership change; only one may be pending at a time. It takes effect
   * when applied. Add a member as a learner first and promote it with `add_voter` once caught up.
   */
  proposeConfChange(change: ConfChange): ProposalPosition {
    this.guard();
    const cc = parseWith(confChangeSchema, change, "change");
    if (cc.type !== "bootstrap") parseWith(memberIdSchema, cc.memberId, "change.memberId");
    if (cc.type === "bootstrap") throw ValidationError.of("change.type", "bootstrap is written by the founding members only", "invalid_change");
    this.requireLeader();
    const r = this.raft;
    if (r.pendingConfIndex > r.log.applied) throw new ProposalDroppedError("another membership change is not yet applied");
    if (cc.type === "add_voter" && r.voters.has(cc.memberId)) throw ValidationError.of("change.memberId", `"${cc.memberId}" is already a voter`, "already_member");
    if (cc.type === "add_learner" && (r.voters.has(cc.memberId) || r.learners.has(cc.memberId))) {
      throw ValidationError.of("change.memberId", `"${cc.memberId}" is already a member`, "already_member");
    }
    if (cc.type === "remove") {
      if (!r.voters.has(cc.memberId) && !r.learners.has(cc.memberId)) throw ValidationError.of("change.memberId", `"${cc.memberId}" is not a member`, "not_member");
      if (r.voters.has(cc.memberId) && r.voters.size === 1) throw ValidationError.of("change.memberId", "cannot remove the last voter", "last_voter");
    }
    const encoded = JSON.stringify(cc);
    this.checkEntrySize(encoded, "membership change");
    const index = r.propose([{ type: "conf_change", data: encoded }]);
    r.pendingConfIndex = index;
    return { index, term: r.term };
  }

  /**
   * Requests a linearizable read point for `context` (unique per request). The answer arrives as a
   * `ReadState` in a later `Ready` (on followers, via the leader). Returns `false` when no leader is
   * known (the request went nowhere).
   */
  readIndex(context: string): boolean {
    this.guard();
    if (typeof context !== "string" || context === "") throw ValidationError.of("context", "must be a non-empty string", "invalid_type");
    return this.raft.readIndex(context);
  }

  /** Hands leadership to `to` (a voter) once its log is caught up; proposals are refused meanwhile. */
  transferLeader(to: MemberId): void {
    this.guard();
    parseWith(memberIdSchema, to, "to");
    this.requireLeader();
    this.raft.transferLeader(to);
  }

  /** Whether {@link RaftNode.ready} has anything to do. */
  hasReady(): boolean {
    if (this.inReady !== undefined) return false;
    const r = this.raft;
    r.flush();
    if (r.msgs.length > 0 || r.readStates.length > 0 || r.log.pendingSnapshot !== null) return true;
    if (r.log.unstableFrom <= r.log.lastIndex() || r.log.hasNextCommitted()) return true;
    const hs = r.hardState();
    const prev = this.prevHardState;
    if (hs.term !== prev.term || hs.vote !== prev.vote || hs.commit !== prev.commit) return true;
    return r.lead !== this.prevSoftState.leaderId || r.role !== this.prevSoftState.role;
  }

  /** Collects what to persist, send and apply. See {@link Ready} for the ordering contract. */
  ready(): Ready {
    if (this.inReady !== undefined) throw new RaftUsageError("ready() called again before advance()");
    const r = this.raft;
    r.flush();
    const hs = r.hardState();
    const prev = this.prevHardState;
    const hardStateChanged = hs.term !== prev.term || hs.vote !== prev.vote || hs.commit !== prev.commit;
    const softStateChanged = r.lead !== this.prevSoftState.leaderId || r.role !== this.prevSoftState.role;
    const entries = r.log.unstableEntries();
    const snapshot = r.log.pendingSnapshot ?? undefined;
    const committedEntries = r.log.nextCommitted(r.cfg.maxEntriesPerMsg * 8);
    const messages = r.msgs;
    const readStates = r.readStates;
    r.msgs = [];
    r.readStates = [];
    const rd: Ready = {
      entries,
      messages,
      committedEntries,
      readStates,
      ...(hardStateChanged ? { hardState: hs } : {}),
      ...(snapshot !== undefined ? { snapshot } : {}),
      ...(softStateChanged ? { softState: { leaderId: r.lead, role: r.role } } : {}),
    };
    if (softStateChanged) this.prevSoftState = { leaderId: r.lead, role: r.role };
    this.inReady = {
      lastEntry: entries.length > 0 ? (entries[entries.length - 1] as LogEntry).index : 0,
      lastCommitted: committedEntries,
      snapshot,
      hardState: hardStateChanged ? hs : undefined,
    };
    return rd;
  }

  /** Acknowledges that the last {@link Ready} was persisted, sent and applied. */
  advance(): void {
    const done = this.inReady;
    if (done === undefined) throw new RaftUsageError("advance() without a ready()");
    this.inReady = undefined;
    const log = this.raft.log;
    if (done.hardState !== undefined) this.prevHardState = done.hardState;
    if (done.snapshot !== undefined) {
      log.applied = Math.max(log.applied, done.snapshot.metadata.index);
      if (log.pendingSnapshot === done.snapshot) log.pendingSnapshot = null;
    }
    if (done.lastEntry > 0) log.unstableFrom = Math.max(log.unstableFrom, done.lastEntry + 1);
    for (const entry of done.lastCommitted) {
      if (entry.type === "conf_change") this.raft.applyConfChange(decodeConfChange(entry));
      log.applied = entry.index;
    }
  }

  /**
   * Records that the application state through the applied index is captured in `data` and drops
   * the log before it. Returns the snapshot to hand to `RaftStorage.compact`.
   */
  compact(data: string): Snapshot {
    this.guard();
    if (typeof data !== "string") throw ValidationError.of("data", "must be a string (the state machine's snapshot)", "invalid_type");
    const r = this.raft;
    const index = Math.min(r.log.applied, r.log.unstableFrom - 1);
    const term = r.log.term(index);
    if (term === undefined) throw new RaftUsageError(`cannot snapshot at ${index}: already compacted`);
    const snapshot: Snapshot = freeze({ metadata: { index, term, confState: r.confState() }, data }, true);
    r.log.compact(snapshot);
    return snapshot;
  }

  /** Index of the last entry handed out for applying and acknowledged with `advance()`. */
  appliedIndex(): number {
    return this.raft.log.applied;
  }

  /** The current term. */
  term(): number {
    return this.raft.term;
  }

  /** The known leader, or `null`. */
  leaderId(): MemberId | null {
    return this.raft.lead;
  }

  isLeader(): boolean {
    return this.raft.role === "leader";
  }

  /** A frozen view of the engine's state. */
  status(): RaftStatus {
    const r = this.raft;
    // fromEntries defines properties: a member id is data, even one named "__proto__".
    const progress: Record<MemberId, ProgressStatus> = Object.fromEntries(r.role === "leader" ? [...r.progress].map(([id, pr]) => [id, pr.status()]) : []);
    return freeze(
      {
        id: r.id,
        term: r.term,
        vote: r.vote,
        role: r.role,
        leaderId: r.lead,
        commitIndex: r.log.committed,
        appliedIndex: r.log.applied,
        lastIndex: r.log.lastIndex(),
        firstIndex: r.log.firstIndex(),
        confState: r.confState(),
        progress,
        leadTransferee: r.leadTransferee,
      },
      true,
    );
  }

  /** The entry at `index` if it is still in the log (tests and tools). */
  entry(index: number): LogEntry | undefined {
    return this.raft.log.entryAt(index);
  }

  /** Term of the entry at `index`, if known. */
  termAt(index: number): number | undefined {
    return this.raft.log.term(index);
  }

  /** Largest encoded entry a proposal may make (see `RaftConfig.maxEntryBytes`). */
  maxEntryBytes(): number {
    return this.raft.maxEntryBytes;
  }

  private checkEntrySize(data: string, what: string): void {
    const limit = this.raft.maxEntryBytes;
    // No JSON escape takes more than 6 bytes per UTF-16 unit: short data needs no exact count.
    if (data.length * 6 + 256 <= limit) return;
    const bytes = entryBytesOf(data);
    if (bytes > limit) throw new ProposalTooLargeError(bytes, limit, what);
  }

  private guard(): void {
    if (this.inReady !== undefined) throw new RaftUsageError("inputs must wait until advance() acknowledges the pending Ready");
  }

  private requireLeader(): void {
    if (this.raft.role !== "leader") throw new NotLeaderError(this.raft.lead);
  }
}
