/**
 * A fast, deterministic cluster simulator that drives `RaftNode` engines directly: an event heap as
 * the clock, an in-process lossy network, a synchronous disk with a crash model, and a KV state
 * machine per member. It follows the `Ready` contract exactly as `RaftHost` does (persist, then
 * send, then apply, then advance; inputs queue while a `Ready` is in flight).
 */
import { Random } from "../../../src/core/random.js";
import { KvStateMachine, RaftNode, type RaftMessage, type Ready } from "../../../src/consensus/index.js";
import type { HardState, LogEntry, PersistedState, Snapshot, StorageWrite } from "../../../src/storage/types.js";
import { EventQueue } from "./event-queue.js";
import { cutsOf, resolveTarget, type NemesisAction, type NemesisStep } from "./nemesis.js";
import { SafetyMonitor } from "./safety.js";

export const TICK_MS = 10;
export const ELECTION_TICK = 10;

/** A synchronous disk: what survives a crash. */
class Disk {
  hardState: HardState = { term: 0, vote: null, commit: 0 };
  snapshot: Snapshot | null = null;
  entries: LogEntry[] = [];

  write(w: StorageWrite): void {
    if (w.snapshot !== undefined) {
      const idx = w.snapshot.metadata.index;
      const first = this.entries[0]?.index ?? 0;
      const at = this.entries[idx - first];
      this.entries = first > 0 && at !== undefined && at.term === w.snapshot.metadata.term ? this.entries.slice(idx - first + 1) : [];
      this.snapshot = w.snapshot;
    }
    if (w.entries !== undefined && w.entries.length > 0) {
      const base = this.snapshot?.metadata.index ?? 0;
      this.entries.length = (w.entries[0] as LogEntry).index - base - 1;
      for (const e of w.entries) this.entries.push(e);
    }
    if (w.hardState !== undefined) this.hardState = w.hardState;
  }

  compact(s: Snapshot): void {
    const first = this.entries[0]?.index ?? s.metadata.index + 1;
    this.entries = this.entries.slice(Math.max(0, s.metadata.index - first + 1));
    this.snapshot = s;
  }

  load(): PersistedState {
    return { hardState: this.hardState, snapshot: this.snapshot, entries: this.entries.slice() };
  }
}

type Reply = (result: { ok: true; value: unknown } | { ok: false; reason: "not_leader" | "lost" | "reset"; leader?: string | null }) => void;

class Member {
  engine: RaftNode | undefined;
  readonly disk = new Disk();
  sm = new KvStateMachine();
  inbox: RaftMessage[] = [];
  ticks = 0;
  busy = false;
  scheduled = false;
  paused = false;
  incarnation = 0;
  proposals = new Map<number, { term: number; reply: Reply }>();
  reads = new Map<string, Reply>();
  readWaits: Array<{ index: number; key: string; reply: Reply }> = [];

  constructor(readonly id: string) {}
}

export interface DirectSimOptions {
  readonly seed: number;
  readonly nodes: number;
  readonly clients: number;
  readonly ops: number;
  readonly keys: number;
  readonly nemesis: readonly NemesisStep[];
  /** Take a snapshot every N applied entries. */
  readonly snapshotEvery: number;
}

export interface HistoryOp {
  readonly clientId: number;
  readonly input:
    | { kind: "get"; key: string }
    | { kind: "put"; key: string; value: string }
    | { kind: "cas"; key: string; expected: string | null; value: string }
    | { kind: "delete"; key: string };
  /** What the operation answered, in the key-value model's terms: every field present is checked. */
  output: { value?: string | null; ok?: boolean; previous?: string | null } | undefined;
  readonly call: number;
  return: number | undefined;
}

/**
 * One random client operation: 45 % get, 30 % put, 20 % compare-and-set (expecting absent or one of
 * the last 20 values written), 5 % delete. `valueSeq` numbers the value written, so values are unique.
 */
export function randomKvInput(random: Random, keys: number, valueSeq: number): HistoryOp["input"] {
  const key = `k${random.int(0, keys - 1)}`;
  const roll = random.float();
  const value = `v${valueSeq}`;
  if (roll < 0.45) return { kind: "get", key };
  if (roll < 0.75) return { kind: "put", key, value };
  if (roll < 0.95) return { kind: "cas", key, expected: random.bool(0.5) ? null : `v${random.int(Math.max(1, valueSeq - 20), valueSeq)}`, value };
  return { kind: "delete", key };
}

export interface DirectSimResult {
  readonly history: HistoryOp[];
  readonly violations: readonly string[];
  readonly completedOps: number;
  readonly healedAt: number;
  readonly finishedAt: number;
  readonly messages: number;
  readonly leaderTerms: number;
  readonly crashes: number;
}

export function runDirectSim(o: DirectSimOptions): DirectSimResult {
  const random = new Random(o.seed);
  const netRandom = random.fork("net");
  const clientRandom = random.fork("clients");
  const q = new EventQueue();
  const monitor = new SafetyMonitor();
  const ids = Array.from({ length: o.nodes }, (_, i) => `n${i + 1}`);
  const members = ids.map((id) => new Member(id));
  const byId = new Map(members.map((m) => [m.id, m]));
  let cuts = new Set<string>();
  let faults = { loss: 0, duplicate: 0, reorder: 0, maxLatencyMs: 2 };
  let healed = false;
  let messages = 0;
  let crashes = 0;
  const linkLast = new Map<string, number>();

  // ---- members -------------------------------------------------------------------------------
  function start(m: Member): void {
    m.incarnation++;
    const persisted = m.disk.load();
    m.engine = new RaftNode(
      { id: m.id, voters: ids, electionTick: ELECTION_TICK, heartbeatTick: 1, maxEntriesPerMsg: 64, maxInflightMsgs: 8, random: random.fork(`${m.id}/${m.incarnation}`) },
      persisted,
    );
    m.sm = new KvStateMachine();
    if (persisted.snapshot !== null) m.sm.restore(persisted.snapshot.data);
    monitor.appliedReset(m.id, persisted.snapshot?.metadata.index ?? 0);
    m.inbox = [];
    m.ticks = 0;
    m.busy = false;
    const inc = m.incarnation;
    const tick = (): void => {
      if (m.incarnation !== inc || m.engine === undefined) return;
      if (!m.paused) {
        m.ticks++;
        schedule(m);
      }
      q.after(TICK_MS, tick);
    };
    q.after(random.int(0, TICK_MS - 1), tick);
    schedule(m);
  }

  function crash(m: Member, keepUnsynced: boolean): void {
    if (m.engine === undefined) return;
    if (m.busy && keepUnsynced && pendingWrite.has(m)) m.disk.write(pendingWrite.get(m) as StorageWrite);
    pendingWrite.delete(m);
    m.engine = undefined;
    m.incarnation++;
    m.busy = false;
    m.scheduled = false;
    for (const p of m.proposals.values()) p.reply({ ok: false, reason: "reset" });
    for (const r of m.reads.values()) r({ ok: false, reason: "reset" });
    for (const w of m.readWaits) w.reply({ ok: false, reason: "reset" });
    m.proposals.clear();
    m.reads.clear();
    m.readWaits = [];
  }

  function schedule(m: Member): void {
    if (m.scheduled || m.busy || m.paused || m.engine === undefined) return;
    m.scheduled = true;
    const inc = m.incarnation;
    q.after(0, () => {
      if (m.incarnation !== inc) return;
      m.scheduled = false;
      process(m);
    });
  }

  const pendingWrite = new Map<Member, StorageWrite>();

  function process(m: Member): void {
    const engine = m.engine;
    if (engine === undefined || m.busy || m.paused) return;
    for (const msg of m.inbox) engine.step(msg);
    m.inbox = [];
    for (; m.ticks > 0; m.ticks--) engine.tick();
    if (!engine.hasReady()) return;
    const rd = engine.ready();
    m.busy = true;
    const write: StorageWrite = { hardState: rd.hardState, entries: rd.entries, snapshot: rd.snapshot };
    pendingWrite.set(m, write);
    const inc = m.incarnation;
    const syncMs = rd.entries.length > 0 || rd.hardState !== undefined || rd.snapshot !== undefined ? 1 : 0;
    q.after(syncMs, () => {
      if (m.incarnation !== inc) return;
      pendingWrite.delete(m);
      m.disk.write(write);
      if (rd.hardState !== undefined) monitor.commitPersisted(m.id, rd.hardState.commit);
      finish(m, engine, rd);
    });
  }

  function finish(m: Member, engine: RaftNode, rd: Ready): void {
    for (const msg of rd.messages) transmit(msg);
    if (rd.softState?.role === "leader") monitor.leaderElected(engine, engine.status().term);
    if (rd.snapshot !== undefined) {
      m.sm.restore(rd.snapshot.data);
      monitor.appliedReset(m.id, rd.snapshot.metadata.index);
    }
    let appliedTo = 0;
    for (const entry of rd.committedEntries) {
      monitor.entryApplied(m.id, entry, engine.term());
      appliedTo = entry.index;
      let result: unknown;
      if (entry.type === "normal" && entry.data !== "") result = m.sm.applyEncoded(entry.data);
      const p = m.proposals.get(entry.index);
      if (p !== undefined) {
        m.proposals.delete(entry.index);
        p.reply(p.term === entry.term ? { ok: true, value: result } : { ok: false, reason: "lost" });
      }
    }
    for (const rs of rd.readStates) {
      const reply = m.reads.get(rs.context);
      if (reply === undefined) continue;
      m.reads.delete(rs.context);
      const key = rs.context.split("|")[1] ?? "";
      m.readWaits.push({ index: rs.index, key, reply });
    }
    engine.advance();
    const applied = engine.status().appliedIndex;
    if (m.readWaits.length > 0) {
      const waiting = m.readWaits;
      m.readWaits = [];
      for (const w of waiting) {
        if (w.index <= applied) w.reply({ ok: true, value: m.sm.get(w.key) });
        else m.readWaits.push(w);
      }
    }
    if (rd.softState !== undefined && rd.softState.role !== "leader") {
      // Reads in flight through a leader that is gone will never be answered.
      for (const r of m.reads.values()) r({ ok: false, reason: "not_leader", leader: rd.softState.leaderId });
      m.reads.clear();
    }
    if (appliedTo > 0 && applied - (m.disk.snapshot?.metadata.index ?? 0) >= o.snapshotEvery) {
      const snap = engine.compact(m.sm.snapshot());
      m.disk.compact(snap);
    }
    m.busy = false;
    schedule(m);
  }

  function transmit(msg: RaftMessage): void {
    messages++;
    const from = ids.indexOf(msg.from);
    const to = ids.indexOf(msg.to);
    if (cuts.has(`${from}>${to}`)) return;
    if (faults.loss > 0 && netRandom.bool(faults.loss)) return;
    const copies = faults.duplicate > 0 && netRandom.bool(faults.duplicate) ? 2 : 1;
    for (let c = 0; c < copies; c++) {
      const link = `${from}>${to}`;
      let due = q.now + netRandom.uniform(0.2, faults.maxLatencyMs);
      if (faults.reorder > 0 && netRandom.bool(faults.reorder)) due += netRandom.uniform(1, 10);
      else {
        due = Math.max(due, linkLast.get(link) ?? 0);
        linkLast.set(link, due);
      }
      q.at(due, () => {
        if (cuts.has(`${from}>${to}`)) return;
        const target = byId.get(msg.to);
        if (target === undefined || target.engine === undefined) return;
        target.inbox.push(msg);
        schedule(target);
      });
    }
  }

  // ---- nemesis -------------------------------------------------------------------------------
  function applyAction(planned: NemesisAction): void {
    const action = resolveTarget(planned, members.findIndex((m) => m.engine?.isLeader() === true));
    const next = cutsOf(action, o.nodes);
    if (next !== undefined) cuts = next;
    switch (action.kind) {
      case "heal":
        faults = { loss: 0, duplicate: 0, reorder: 0, maxLatencyMs: 2 };
        break;
      case "faults":
        faults = { loss: action.loss, duplicate: action.duplicate, reorder: action.reorder, maxLatencyMs: action.maxLatencyMs };
        break;
      case "crash": {
        const m = members[action.node] as Member;
        if (m.engine === undefined) break;
        crashes++;
        crash(m, action.keepUnsynced);
        q.after(action.downMs, () => {
          if (m.engine === undefined && !healed) start(m);
        });
        break;
      }
      case "pause": {
        const m = members[action.node] as Member;
        m.paused = true;
        q.after(action.ms, () => {
          m.paused = false;
          schedule(m);
        });
        break;
      }
      default:
        break;
    }
  }

  let step = 0;
  const nemesisLoop = (): void => {
    if (healed || o.nemesis.length === 0) return;
    const s = o.nemesis[step % o.nemesis.length] as NemesisStep;
    step++;
    applyAction(s.action);
    q.after(s.durationMs, nemesisLoop);
  };

  // ---- clients -------------------------------------------------------------------------------
  const history: HistoryOp[] = [];
  let issued = 0;
  let completed = 0;
  let inFlight = 0;
  const leaderGuess: Array<string | undefined> = [];
  let valueSeq = 0;

  function request(target: Member, op: HistoryOp, client: number, seq: number, attempt: number, reply: Reply): void {
    const engine = target.engine;
    if (engine === undefined || target.paused) {
      reply({ ok: false, reason: "reset" });
      return;
    }
    if (target.busy) {
      // The member is mid-Ready: a real host queues the request; here it retries shortly.
      q.after(0.5, () => request(target, op, client, seq, attempt, reply));
      return;
    }
    const input = op.input;
    if (input.kind === "get") {
      const context = `${client}.${seq}.${attempt}|${input.key}`;
      if (!engine.readIndex(context)) {
        reply({ ok: false, reason: "not_leader", leader: engine.leaderId() });
        return;
      }
      target.reads.set(context, reply);
      schedule(target);
      return;
    }
    if (!engine.isLeader()) {
      reply({ ok: false, reason: "not_leader", leader: engine.leaderId() });
      return;
    }
    const cmd =
      input.kind === "put"
        ? { op: "put", key: input.key, value: input.value, client: `c${client}`, seq }
        : input.kind === "delete"
          ? { op: "delete", key: input.key, client: `c${client}`, seq }
          : { op: "cas", key: input.key, expected: input.expected, value: input.value, client: `c${client}`, seq };
    try {
      const pos = engine.propose(JSON.stringify(cmd));
      target.proposals.set(pos.index, { term: pos.term, reply });
      schedule(target);
    } catch {
      reply({ ok: false, reason: "not_leader", leader: engine.leaderId() });
    }
  }

  function runClient(client: number): void {
    if (issued >= o.ops) return;
    issued++;
    inFlight++;
    const input = randomKvInput(clientRandom, o.keys, ++valueSeq);
    const op: HistoryOp = { clientId: client, input, output: undefined, call: q.now, return: undefined };
    const seq = issued;
    const deadline = q.now + 3000;
    let attempt = 0;
    let done = false;
    const finishOp = (output: HistoryOp["output"] | undefined, definite: boolean): void => {
      if (done) return;
      done = true;
      inFlight--;
      completed++;
      if (definite) {
        op.output = output;
        op.return = q.now;
      }
      // Reads that never answered had no effect: leave them out. Writes stay, outcome unknown.
      if (definite || input.kind !== "get") history.push(op);
      q.after(clientRandom.uniform(0, 3), () => runClient(client));
    };
    const tryOnce = (): void => {
      if (done) return;
      if (q.now >= deadline && !healed) {
        finishOp(undefined, false);
        return;
      }
      attempt++;
      const guess = leaderGuess[client];
      const target = (guess !== undefined && clientRandom.bool(0.8) ? byId.get(guess) : undefined) ?? clientRandom.pick(members);
      const myAttempt = attempt;
      let answered = false;
      const reply: Reply = (r) => {
        if (answered || done || myAttempt !== attempt) return;
        answered = true;
        if (r.ok) {
          leaderGuess[client] = target.id;
          if (input.kind === "get") finishOp({ value: r.value as string | null }, true);
          else {
            // Writes answer the previous value and (cas, delete) whether they matched: check both.
            const w = r.value as { previous: string | null; ok: boolean };
            finishOp(input.kind === "put" ? { previous: w.previous } : { ok: w.ok, previous: w.previous }, true);
          }
          return;
        }
        leaderGuess[client] = r.reason === "not_leader" && r.leader !== null && r.leader !== undefined ? r.leader : undefined;
        q.after(r.reason === "not_leader" ? 2 : 5, tryOnce);
      };
      request(target, op, client, seq, attempt, reply);
      // A request that hears nothing (partitioned, paused member) is retried elsewhere.
      q.after(300, () => {
        if (!answered && !done && myAttempt === attempt) {
          answered = true;
          tryOnce();
        }
      });
    };
    tryOnce();
  }

  for (const m of members) start(m);
  q.after(0, nemesisLoop);
  for (let c = 0; c < o.clients; c++) q.after(clientRandom.uniform(0, 5), () => runClient(c));

  const limit = 10_000_000;
  q.run(() => issued >= o.ops, limit);
  // Heal everything and check liveness: every pending operation answers within a bounded time.
  healed = true;
  cuts = new Set();
  faults = { loss: 0, duplicate: 0, reorder: 0, maxLatencyMs: 2 };
  for (const m of members) {
    m.paused = false;
    if (m.engine === undefined) start(m);
    else schedule(m);
  }
  const healedAt = q.now;
  const bound = healedAt + 40 * ELECTION_TICK * TICK_MS;
  const live = q.run(() => inFlight === 0, bound);
  if (!live) monitor.violations.push(`liveness: ${inFlight} operations still pending ${bound - healedAt} ms after the heal`);
  // Let every member catch up, then compare logs and state machines.
  const converged = q.run(() => {
    const top = Math.max(...members.map((m) => m.engine?.status().commitIndex ?? 0));
    return members.every((m) => m.engine !== undefined && m.engine.status().appliedIndex === top && !m.busy);
  }, q.now + 40 * ELECTION_TICK * TICK_MS);
  if (!converged) monitor.violations.push("liveness: members did not converge after the heal");
  const leaders = members.filter((m) => m.engine?.isLeader() === true);
  if (leaders.length === 0) monitor.violations.push("liveness: no leader after the heal");
  monitor.checkLogMatching(members.flatMap((m) => (m.engine === undefined ? [] : [m.engine])));
  const reference = members[0]?.sm;
  for (const m of members) {
    if (reference === undefined) break;
    for (const key of new Set([...m.sm.keys(), ...reference.keys()])) {
      if (m.sm.get(key) !== reference.get(key)) monitor.violations.push(`state machines differ on ${key}: ${m.id}=${String(m.sm.get(key))}`);
    }
  }
  return { history, violations: monitor.violations, completedOps: completed, healedAt, finishedAt: q.now, messages, leaderTerms: monitor.leaderTerms, crashes };
}
