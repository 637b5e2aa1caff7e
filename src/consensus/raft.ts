/**
 * The Raft protocol core (etcd style): state, term handling, elections and the `Ready` bookkeeping.
 * Role behaviour lives in `roles.ts`, the leader's replication in `replication.ts`. Internal: the
 * public face is {@link RaftNode}.
 *
 * @module
 */
import type { Random } from "../core/random.js";
import { parseWith } from "../core/validation.js";
import type { ConfState, HardState, LogEntry, MemberId, PersistedState, Snapshot } from "../storage/types.js";
import { ProposalDroppedError, RaftUsageError } from "./errors.js";
import { RaftLog } from "./log.js";
import { ENVELOPE_RESERVE_BYTES } from "./sizes.js";
import type { RaftMessage } from "./messages.js";
import { Progress } from "./progress.js";
import { ReadOnlyQueue } from "./read-only.js";
import { resumeSnapshot, type IncomingSnapshot } from "./snapshot-stream.js";
import { stepCandidate, stepFollower, stepLeader } from "./roles.js";
import { bcastHeartbeat, flushBroadcast, maybeCommit, sendAppend, sendTimeoutNow, handleReadIndex } from "./replication.js";
import { ValidationError } from "../core/errors.js";
import { confChangeSchema, isRandom, raftConfigSchema, type ConfChangeEntry, type RaftConfig, type RaftRole, type ReadState } from "./types.js";

type ResolvedConfig = ReturnType<typeof raftConfigSchema.parse>;
type StepFn = (r: Raft, m: RaftMessage) => void;

/** Distributes a message to the fields it lacks: every message carries `from` and the sender's term. */
export type Outgoing = RaftMessage extends infer M ? (M extends RaftMessage ? Omit<M, "from" | "term"> & { term?: number } : never) : never;

export class Raft {
  readonly id: MemberId;
  readonly cfg: ResolvedConfig;
  private readonly random: Random;
  /** Largest encoded entry a proposal may make. */
  readonly maxEntryBytes: number;
  /** Budget for the entries of one append: the soft `maxBytesPerMsg`, never above the frame limit. */
  readonly appendBudgetBytes: number;
  term = 0;
  vote: MemberId | null = null;
  lead: MemberId | null = null;
  role: RaftRole = "follower";
  readonly log: RaftLog;
  voters = new Set<MemberId>();
  learners = new Set<MemberId>();
  progress = new Map<MemberId, Progress>();
  private votes = new Map<MemberId, boolean>();
  msgs: RaftMessage[] = [];
  readStates: ReadState[] = [];
  electionElapsed = 0;
  heartbeatElapsed = 0;
  randomizedElectionTimeout = 0;
  leadTransferee: MemberId | null = null;
  pendingConfIndex = 0;
  readonly readOnly = new ReadOnlyQueue();
  /** Reads that arrived before this leader committed an entry of its own term. */
  pendingReads: Array<{ from: MemberId; context: string }> = [];
  /**
   * Set once this leader sent TimeoutNow: the transferee may win without waiting out the lease, so
   * from then on in this term reads need a quorum round even in `lease_based` mode.
   */
  leaseGivenAway = false;
  /** A snapshot from the leader being assembled from its chunks (followers). */
  incomingSnapshot: IncomingSnapshot | null = null;
  /** Appends owed to followers, sent in one batch when the host asks for a `Ready`. */
  broadcastPending = false;
  commitBroadcastPending = false;
  private stepFn: StepFn = stepFollower;

  constructor(config: RaftConfig, persisted: PersistedState) {
    const { random, ...rest } = config;
    this.cfg = parseWith(raftConfigSchema, rest, "config");
    if (!isRandom(random)) throw ValidationError.of("config.random", "must be a Random (src/core/random.ts)", "invalid_type");
    this.maxEntryBytes = this.cfg.maxEntryBytes ?? this.cfg.maxMessageBytes - ENVELOPE_RESERVE_BYTES;
    this.appendBudgetBytes = Math.min(this.cfg.maxBytesPerMsg, this.cfg.maxMessageBytes - ENVELOPE_RESERVE_BYTES);
    this.random = random;
    this.id = this.cfg.id;
    this.log = new RaftLog(persisted);
    const snapshotConf = persisted.snapshot?.metadata.confState;
    if (snapshotConf !== undefined) this.setConf(snapshotConf);
    const empty = persisted.snapshot === null && persisted.entries.length === 0 && persisted.hardState.term === 0;
    if (empty && this.cfg.voters !== undefined && this.cfg.voters.length > 0) {
      // Founding members write the same bootstrap entry, so a member joining later learns the
      // initial membership from the log like any other change.
      const bootstrap: ConfChangeEntry = { type: "bootstrap", voters: [...new Set(this.cfg.voters)].sort() };
      this.log.append([{ term: 1, index: 1, type: "conf_change", data: JSON.stringify(bootstrap) }]);
      this.log.committed = 1;
      this.applyConfChange(bootstrap);
      this.term = 1;
    } else {
      this.term = persisted.hardState.term;
      this.vote = persisted.hardState.vote;
      // Membership as of the last committed entry: later changes are re-applied as the host applies.
      for (let i = this.log.firstIndex(); i <= this.log.committed; i++) {
        const entry = this.log.entryAt(i);
        if (entry?.type === "conf_change") this.applyConfChange(decodeConfChange(entry));
      }
    }
    this.becomeFollower(this.term, null);
  }

  // ---- membership --------------------------------------------------------------------------

  confState(): ConfState {
    return { voters: [...this.voters].sort(), learners: [...this.learners].sort() };
  }

  private setConf(conf: ConfState): void {
    this.voters = new Set(conf.voters);
    this.learners = new Set(conf.learners);
  }

  promotable(): boolean {
    return this.voters.has(this.id);
  }

  quorum(): number {
    return Math.floor(this.voters.size / 2) + 1;
  }

  hasQuorum(acks: ReadonlySet<MemberId>): boolean {
    let n = 0;
    for (const v of this.voters) if (acks.has(v)) n++;
    return n >= this.quorum();
  }

  /** Applies a committed membership change (called as the host applies it). */
  applyConfChange(cc: ConfChangeEntry): void {
    switch (cc.type) {
      case "bootstrap":
        this.voters = new Set(cc.voters);
        this.learners = new Set();
        break;
      case "add_voter":
        this.learners.delete(cc.memberId);
        this.voters.add(cc.memberId);
        break;
      case "add_learner":
        if (!this.voters.has(cc.memberId)) this.learners.add(cc.memberId);
        break;
      case "remove":
        this.voters.delete(cc.memberId);
        this.learners.delete(cc.memberId);
        break;
    }
    if (this.role !== "leader") return;
    const members = new Set([...this.voters, ...this.learners]);
    for (const id of this.progress.keys()) if (!members.has(id)) this.progress.delete(id);
    for (const id of members) {
      const pr = this.progress.get(id);
      if (pr === undefined) {
        const fresh = new Progress(this.log.lastIndex() + 1, this.cfg.maxInflightMsgs, this.learners.has(id));
        fresh.recentActive = true;
        this.progress.set(id, fresh);
        this.broadcastPending = true;
      } else pr.learner = this.learners.has(id);
    }
    if (!this.voters.has(this.id)) {
      this.becomeFollower(this.term, null);
      return;
    }
    if (this.leadTransferee !== null && !this.voters.has(this.leadTransferee)) this.leadTransferee = null;
    if (maybeCommit(this)) this.commitBroadcastPending = true;
  }

  // ---- roles -------------------------------------------------------------------------------

  private reset(term: number): void {
    if (term !== this.term) {
      this.term = term;
      this.vote = null;
    }
    this.lead = null;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.randomizedElectionTimeout = this.cfg.electionTick + this.random.int(0, this.cfg.electionTick - 1);
    this.leadTransferee = null;
    this.votes = new Map();
    this.readOnly.reset();
    // A half-assembled snapshot came from a leader this member no longer follows: start over.
    this.incomingSnapshot = null;
    this.pendingReads = [];
    this.leaseGivenAway = false;
    this.broadcastPending = false;
    this.commitBroadcastPending = false;
    this.progress = new Map();
  }

  becomeFollower(term: number, lead: MemberId | null): void {
    this.stepFn = stepFollower;
    this.reset(term);
    this.lead = lead;
    this.role = "follower";
  }

  private becomePreCandidate(): void {
    // A pre-candidate keeps its term and vote: nothing changes unless the poll is won.
    this.stepFn = stepCandidate;
    this.votes = new Map();
    this.lead = null;
    this.role = "pre_candidate";
  }

  private becomeCandidate(): void {
    this.stepFn = stepCandidate;
    this.reset(this.term + 1);
    this.vote = this.id;
    this.role = "candidate";
  }

  becomeLeader(): void {
    this.stepFn = stepLeader;
    this.reset(this.term);
    this.lead = this.id;
    this.role = "leader";
    const next = this.log.lastIndex() + 1;
    for (const id of [...this.voters, ...this.learners]) {
      const pr = new Progress(next, this.cfg.maxInflightMsgs, this.learners.has(id));
      pr.recentActive = true;
      if (id === this.id) {
        pr.match = next - 1;
        pr.becomeReplicate();
      }
      this.progress.set(id, pr);
    }
    // Conservatively assume a membership change may be pending in the uncommitted tail.
    this.pendingConfIndex = this.log.lastIndex();
    // An empty entry of the new term lets earlier entries commit (§5.4.2) and enables reads.
    this.appendEntries([{ type: "normal", data: "" }]);
  }

  /** Starts an election (after a pre-vote poll when enabled). */
  hup(force = false): void {
    if (this.role === "leader" || !this.promotable()) return;
    for (let i = this.log.applyFrom(); i <= this.log.committed; i++) {
      // A membership change committed but not yet applied could change who may vote.
      if (this.log.entryAt(i)?.type === "conf_change") return;
    }
    this.campaign(this.cfg.preVote && !force ? "pre_vote" : "vote", force);
  }

  campaign(kind: "pre_vote" | "vote", force: boolean): void {
    let term: number;
    if (kind === "pre_vote") {
      this.becomePreCandidate();
      term = this.term + 1;
    } else {
      this.becomeCandidate();
      term = this.term;
    }
    if (this.poll(this.id, true) === "won") {
      if (kind === "pre_vote") this.campaign("vote", force);
      else this.becomeLeader();
      return;
    }
    for (const id of this.voters) {
      if (id === this.id) continue;
      this.send({ type: kind, to: id, term, logTerm: this.log.lastTerm(), index: this.log.lastIndex(), force });
    }
  }

  poll(from: MemberId, granted: boolean): "won" | "lost" | "pending" {
    if (!this.votes.has(from)) this.votes.set(from, granted);
    let yes = 0;
    let no = 0;
    for (const id of this.voters) {
      const v = this.votes.get(id);
      if (v === true) yes++;
      else if (v === false) no++;
    }
    if (yes >= this.quorum()) return "won";
    if (no > this.voters.size - this.quorum()) return "lost";
    return "pending";
  }

  // ---- inputs ------------------------------------------------------------------------------

  tick(): void {
    if (this.role === "leader") {
      this.tickLeader();
      return;
    }
    this.electionElapsed++;
    if (this.promotable() && this.electionElapsed >= this.randomizedElectionTimeout) {
      this.electionElapsed = 0;
      this.hup();
    }
  }

  private tickLeader(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.electionElapsed >= this.cfg.electionTick) {
      this.electionElapsed = 0;
      if (this.cfg.checkQuorum) {
        const active = new Set<MemberId>([this.id]);
        for (const [id, pr] of this.progress) {
          if (pr.recentActive) active.add(id);
          if (id !== this.id) pr.recentActive = false;
        }
        if (!this.hasQuorum(active)) {
          this.becomeFollower(this.term, null);
          return;
        }
      }
      this.leadTransferee = null;
    }
    for (const [id, pr] of this.progress) {
      if (pr.state !== "snapshot") continue;
      // Acknowledgements reset the count, so only a stalled stream gets here: resend what is
      // unacknowledged half-way, and after an election timeout probe again (maybe it landed).
      const ticks = ++pr.snapshotTicks;
      if (ticks > this.cfg.electionTick) {
        pr.becomeProbe();
        sendAppend(this, id);
      } else if (ticks === Math.ceil(this.cfg.electionTick / 2)) resumeSnapshot(this, id, pr);
    }
    if (this.heartbeatElapsed >= this.cfg.heartbeatTick) {
      this.heartbeatElapsed = 0;
      bcastHeartbeat(this, this.readOnly.lastContext());
    }
  }

  step(m: RaftMessage): void {
    if (m.term > this.term) {
      if (m.type === "vote" || m.type === "pre_vote") {
        const inLease = this.cfg.checkQuorum && this.lead !== null && this.electionElapsed < this.cfg.electionTick;
        // A member that heard from a leader recently ignores campaigns (§6, disruptive servers).
        if (!m.force && inLease) return;
      }
      if (m.type === "pre_vote" || (m.type === "pre_vote_response" && !m.reject)) {
        // Pre-votes never change terms.
      } else if (m.type === "append" || m.type === "heartbeat" || m.type === "snapshot") {
        this.becomeFollower(m.term, m.from);
      } else {
        this.becomeFollower(m.term, null);
      }
    } else if (m.term < this.term) {
      if ((this.cfg.checkQuorum || this.cfg.preVote) && (m.type === "heartbeat" || m.type === "append")) {
        // Tell a stale leader about the new term, or it would never step down (check-quorum keeps
        // us from raising our own term to reach it).
        this.send({ type: "append_response", to: m.from, index: 0, reject: false, rejectHint: 0, hintTerm: 0 });
      } else if (m.type === "pre_vote") {
        this.send({ type: "pre_vote_response", to: m.from, reject: true });
      }
      return;
    }
    if (m.type === "vote" || m.type === "pre_vote") {
      const canVote =
        this.vote === m.from || (this.vote === null && this.lead === null) || (m.type === "pre_vote" && m.term > this.term);
      const responseType = m.type === "vote" ? "vote_response" : "pre_vote_response";
      if (canVote && this.log.isUpToDate(m.index, m.logTerm)) {
        this.send({ type: responseType, to: m.from, term: m.term, reject: false });
        if (m.type === "vote") {
          this.electionElapsed = 0;
          this.vote = m.from;
        }
      } else {
        this.send({ type: responseType, to: m.from, reject: true });
      }
      return;
    }
    this.stepFn(this, m);
  }

  /** Appends entries as leader, returning the first index assigned. */
  appendEntries(items: ReadonlyArray<{ type: LogEntry["type"]; data: string }>): number {
    const first = this.log.lastIndex() + 1;
    const entries: LogEntry[] = items.map((item, i) => ({ term: this.term, index: first + i, type: item.type, data: item.data }));
    this.log.append(entries);
    const self = this.progress.get(this.id);
    if (self !== undefined) self.maybeUpdate(this.log.lastIndex());
    if (maybeCommit(this)) this.commitBroadcastPending = true;
    this.broadcastPending = true;
    return first;
  }

  propose(items: ReadonlyArray<{ type: LogEntry["type"]; data: string }>): number {
    if (this.role !== "leader") throw new RaftUsageError("propose on a non-leader");
    if (this.leadTransferee !== null) throw new ProposalDroppedError(`leadership is being transferred to "${this.leadTransferee}"`);
    return this.appendEntries(items);
  }

  readIndex(context: string): boolean {
    if (this.role === "leader") {
      handleReadIndex(this, this.id, context);
      return true;
    }
    if (this.lead === null) return false;
    this.send({ type: "read_index", to: this.lead, context });
    return true;
  }

  transferLeader(to: MemberId): void {
    if (this.role !== "leader") return;
    if (this.leadTransferee === to || to === this.id || !this.voters.has(to)) return;
    this.leadTransferee = to;
    this.electionElapsed = 0;
    const pr = this.progress.get(to);
    if (pr === undefined) return;
    if (pr.match === this.log.lastIndex()) sendTimeoutNow(this, to);
    else sendAppend(this, to);
  }

  send(m: Outgoing): void {
    // Call sites pass fresh literals, so stamping them in place is safe and spares a copy per message.
    const stamped = m as { from?: string; term?: number };
    stamped.from = this.id;
    if (stamped.term === undefined) stamped.term = this.term;
    this.msgs.push(m as RaftMessage);
  }

  hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.log.committed };
  }

  flush(): void {
    if (this.role === "leader") flushBroadcast(this);
  }

  /** Restores a leader's snapshot; returns whether the log was replaced. */
  restore(snapshot: Snapshot): boolean {
    const { index, term } = snapshot.metadata;
    if (index <= this.log.committed) return false;
    if (this.log.matchTerm(index, term)) {
      this.log.commitTo(index);
      return false;
    }
    this.log.restore(snapshot);
    this.setConf(snapshot.metadata.confState);
    return true;
  }
}

/** Decodes the payload of a `conf_change` entry. */
export function decodeConfChange(entry: LogEntry): ConfChangeEntry {
  return parseWith(confChangeSchema, JSON.parse(entry.data), `entries[${entry.index}].data`);
}
