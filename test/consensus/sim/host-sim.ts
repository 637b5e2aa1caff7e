/**
 * The full-stack simulation: `ReplicatedKV` on `RaftHost` over `SimNetwork`, `ManualClock` and
 * `MemoryStorage` with its crash model. Slower than the direct simulator, so fewer runs use it, but
 * it exercises the host's queuing, timeouts, retries and the real message validation path.
 */
import { ManualClock, settle } from "../../../src/core/clock.js";
import { isEdgeflowError } from "../../../src/core/errors.js";
import { Random } from "../../../src/core/random.js";
import { NotLeaderError, raftMessageSchema, ReplicatedKV, type RaftMessage } from "../../../src/consensus/index.js";
import { MemoryStorage } from "../../../src/storage/memory.js";
import type { LogEntry, RaftStorage } from "../../../src/storage/types.js";
import { SimNetwork } from "../../../src/transport/sim-network.js";
import { randomKvInput, type HistoryOp } from "./direct-sim.js";
import { cutsOf, resolveTarget, type NemesisStep } from "./nemesis.js";
import { SafetyMonitor } from "./safety.js";

export interface HostSimOptions {
  readonly seed: number;
  readonly nodes: number;
  readonly clients: number;
  readonly ops: number;
  readonly keys: number;
  readonly nemesis: readonly NemesisStep[];
}

export interface HostSimResult {
  readonly history: HistoryOp[];
  readonly violations: string[];
  readonly completedOps: number;
}

const TICK_MS = 10;

export async function runHostSim(o: HostSimOptions): Promise<HostSimResult> {
  const random = new Random(o.seed);
  const clientRandom = random.fork("clients");
  const clock = new ManualClock(0);
  const network = new SimNetwork({ clock, random: random.fork("net"), defaultLink: { latency: { kind: "uniform", minMs: 0.2, maxMs: 2 } }, traceLimit: 0 });
  const ids = Array.from({ length: o.nodes }, (_, i) => `n${i + 1}`);
  const storages = ids.map(() => new MemoryStorage({ clock, syncDelayMs: 2 }));
  const kvs: Array<ReplicatedKV | undefined> = ids.map(() => undefined);
  const monitor = new SafetyMonitor();
  const violations: string[] = [];
  let incarnation = 0;

  /** Reports each durable commit index (once its save resolved) to the monotonic-commit check. */
  function durable(id: string, storage: MemoryStorage): RaftStorage {
    return {
      load: () => storage.load(),
      save: async (write) => {
        await storage.save(write);
        if (write.hardState !== undefined) monitor.commitPersisted(id, write.hardState.commit);
      },
      compact: (snapshot) => storage.compact(snapshot),
      close: () => storage.close(),
    };
  }

  async function startNode(i: number): Promise<void> {
    const id = ids[i] as string;
    const transport = network.endpoint<RaftMessage>(id, { schema: raftMessageSchema });
    const kv = new ReplicatedKV({
      id,
      voters: ids,
      transport,
      storage: durable(id, storages[i] as MemoryStorage),
      clock,
      random: random.fork(`${id}/${++incarnation}`),
      tickMs: TICK_MS,
      electionTick: 10,
      snapshotEvery: 150,
      maxInflightMsgs: 8,
      readTimeoutMs: 400,
      proposalTimeoutMs: 600,
    });
    kvs[i] = kv;
    kv.host.events.on("role", (soft) => {
      if (soft.role === "leader") {
        const s = kv.host.status();
        if (s.term === soft.term) monitor.leaderElected({ id, status: () => ({ firstIndex: 0 }), termAt: () => undefined } as never, soft.term);
      }
    });
    await kv.start();
  }

  async function crashNode(i: number, keep: boolean): Promise<void> {
    const kv = kvs[i];
    if (kv === undefined) return;
    kvs[i] = undefined;
    const storage = storages[i] as MemoryStorage;
    storage.crash(keep ? storage.pendingWrites() : 0);
    await kv.stop();
  }

  for (let i = 0; i < o.nodes; i++) await startNode(i);

  let healed = false;
  let nemesisAt = 0;
  let step = 0;
  const downUntil = new Map<number, number>();
  const pausedUntil = new Map<number, number>();
  async function nemesisTick(): Promise<void> {
    for (const [i, t] of downUntil) {
      if (clock.now() >= t) {
        downUntil.delete(i);
        await startNode(i);
      }
    }
    for (const [i, t] of pausedUntil) {
      if (clock.now() >= t) {
        pausedUntil.delete(i);
        network.resume(ids[i] as string);
      }
    }
    if (healed || o.nemesis.length === 0 || clock.now() < nemesisAt) return;
    const s = o.nemesis[step++ % o.nemesis.length] as NemesisStep;
    nemesisAt = clock.now() + s.durationMs;
    const action = resolveTarget(s.action, kvs.findIndex((kv) => kv?.host.isLeader() === true));
    const cuts = cutsOf(action, o.nodes);
    if (cuts !== undefined) {
      network.heal();
      for (const c of cuts) {
        const [a, b] = c.split(">").map(Number) as [number, number];
        network.partitionOneWay([ids[a] as string], [ids[b] as string]);
      }
    }
    if (action.kind === "heal") network.setDefaultLink({ latency: { kind: "uniform", minMs: 0.2, maxMs: 2 } });
    if (action.kind === "faults") {
      network.setDefaultLink({
        latency: { kind: "uniform", minMs: 0.2, maxMs: action.maxLatencyMs },
        loss: action.loss,
        duplicate: action.duplicate,
        reorder: action.reorder,
      });
    }
    if (action.kind === "crash" && kvs[action.node] !== undefined) {
      await crashNode(action.node, action.keepUnsynced);
      downUntil.set(action.node, clock.now() + action.downMs);
    }
    if (action.kind === "pause" && !pausedUntil.has(action.node)) {
      network.pause(ids[action.node] as string);
      pausedUntil.set(action.node, clock.now() + action.ms);
    }
  }

  // ---- clients -------------------------------------------------------------------------------
  const history: HistoryOp[] = [];
  let issued = 0;
  let completed = 0;
  let valueSeq = 0;

  async function client(c: number): Promise<void> {
    let guess: string | undefined;
    while (issued < o.ops) {
      const seq = ++issued;
      const input = randomKvInput(clientRandom, o.keys, ++valueSeq);
      const op: HistoryOp = { clientId: c, input, output: undefined, call: clock.now(), return: undefined };
      const deadline = clock.now() + 3000;
      const requestId = { client: `c${c}`, seq };
      for (;;) {
        if (clock.now() >= deadline && !healed) break;
        const index = guess !== undefined && clientRandom.bool(0.8) ? ids.indexOf(guess) : clientRandom.int(0, o.nodes - 1);
        const kv = kvs[index];
        if (kv === undefined) {
          guess = undefined;
          await waitMs(5);
          continue;
        }
        try {
          if (input.kind === "get") op.output = { value: await kv.get(input.key) };
          else if (input.kind === "put") op.output = { previous: (await kv.put(input.key, input.value, requestId)).previous };
          else if (input.kind === "cas") op.output = { ok: await kv.compareAndSet(input.key, input.expected, input.value, requestId) };
          else {
            const { ok, previous } = await kv.delete(input.key, requestId);
            op.output = { ok, previous };
          }
          op.return = clock.now();
          guess = ids[index];
          break;
        } catch (error) {
          if (error instanceof NotLeaderError) guess = error.leaderId ?? undefined;
          else if (!isEdgeflowError(error)) throw error;
          else guess = undefined;
          await waitMs(error instanceof NotLeaderError ? 2 : 5);
        }
      }
      completed++;
      if (op.return !== undefined || input.kind !== "get") history.push(op);
      await waitMs(clientRandom.uniform(0, 3));
    }
  }

  const timers: Array<{ at: number; resolve: () => void }> = [];
  function waitMs(ms: number): Promise<void> {
    return new Promise((resolve) => timers.push({ at: clock.now() + ms, resolve }));
  }

  let clientsDone = 0;
  const clientPromises = Array.from({ length: o.clients }, (_, c) =>
    client(c).then(() => {
      clientsDone++;
    }),
  );
  let healedAt = Infinity;
  const bound = 40 * 10 * TICK_MS;
  while (clientsDone < o.clients) {
    if (!healed && issued >= o.ops) {
      healed = true;
      healedAt = clock.now();
      network.heal();
      network.setDefaultLink({ latency: { kind: "uniform", minMs: 0.2, maxMs: 2 } });
      for (const i of pausedUntil.keys()) network.resume(ids[i] as string);
      pausedUntil.clear();
      for (const i of downUntil.keys()) await startNode(i);
      downUntil.clear();
    }
    if (clock.now() > healedAt + bound) {
      violations.push(`liveness: ${o.clients - clientsDone} clients still waiting ${bound} ms after the heal`);
      break;
    }
    await nemesisTick();
    clock.advance(1);
    for (let i = timers.length - 1; i >= 0; i--) {
      const t = timers[i] as { at: number; resolve: () => void };
      if (t.at <= clock.now()) {
        timers.splice(i, 1);
        t.resolve();
      }
    }
    await settle();
  }
  if (violations.length === 0) await Promise.all(clientPromises);
  // Convergence: every member applies the same commit, and state machines agree.
  for (let t = 0; t < 4000; t++) {
    const statuses = kvs.map((kv) => kv?.host.status());
    const top = Math.max(...statuses.map((s) => s?.commitIndex ?? 0));
    if (statuses.every((s) => s !== undefined && s.appliedIndex === top)) break;
    clock.advance(1);
    await settle();
  }
  for (const kv of kvs) {
    for (let k = 0; k < o.keys; k++) {
      const a = kv?.localGet(`k${k}`);
      const b = kvs[0]?.localGet(`k${k}`);
      if (a !== b) violations.push(`state machines differ on k${k}: ${String(a)} vs ${String(b)}`);
    }
  }
  // State machine safety on what is durable: committed entries agree on every member that still holds them.
  const committed = new Map<number, LogEntry>();
  for (const [i, storage] of storages.entries()) {
    const state = await storage.load();
    for (const entry of state.entries) {
      if (entry.index > state.hardState.commit) break;
      const seen = committed.get(entry.index);
      if (seen === undefined) committed.set(entry.index, entry);
      else if (seen.term !== entry.term || seen.data !== entry.data) {
        violations.push(`state machine safety: ${ids[i] as string} committed ${entry.term}/${entry.data} at ${entry.index}, another ${seen.term}/${seen.data}`);
        break;
      }
    }
  }
  // Every member may have compacted exactly at its last entry (they snapshot at the same applied
  // index): then the commits are in snapshots, not in entries. Vacuous means nothing was committed.
  const durableCommits = await Promise.all(storages.map(async (st) => (await st.load()).hardState.commit));
  if (committed.size === 0 && Math.max(...durableCommits) <= 1) violations.push("vacuous run: no member durably committed anything beyond the bootstrap entry");
  const leaders = kvs.filter((kv) => kv?.host.isLeader() === true);
  if (leaders.length !== 1) violations.push(`expected one leader after the heal, found ${leaders.length}`);
  for (const kv of kvs) await kv?.stop();
  return { history, violations: [...violations, ...monitor.violations], completedOps: completed };
}
