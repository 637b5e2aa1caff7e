/** A synchronous in-memory cluster of RaftNode engines for scripted scenario tests. */
import { Random } from "../../../src/core/random.js";
import { RaftNode, type RaftConfig, type RaftMessage, type ReadState } from "../../../src/consensus/index.js";
import type { HardState, LogEntry, PersistedState, Snapshot } from "../../../src/storage/types.js";

export interface TestMember {
  node: RaftNode;
  hardState: HardState;
  snapshot: Snapshot | null;
  entries: LogEntry[];
  applied: LogEntry[];
  /** Read states the member's Readies handed out, in order. */
  readStates: ReadState[];
}

export class TestCluster {
  readonly members = new Map<string, TestMember>();
  /** Messages sent but not yet delivered. */
  queue: RaftMessage[] = [];
  /** Directed links "a>b" that drop everything. */
  readonly cut = new Set<string>();
  readonly down = new Set<string>();

  constructor(
    readonly ids: readonly string[],
    private readonly extra: Partial<Omit<RaftConfig, "id" | "random">> = {},
    seed = 1,
  ) {
    const random = new Random(seed);
    for (const id of ids) this.add(id, random.fork(id), ids);
  }

  add(id: string, random = new Random(id), voters?: readonly string[]): TestMember {
    const member: TestMember = {
      node: new RaftNode({ id, random, electionTick: 10, heartbeatTick: 1, ...this.extra, ...(voters !== undefined ? { voters } : {}) }),
      hardState: { term: 0, vote: null, commit: 0 },
      snapshot: null,
      entries: [],
      applied: [],
      readStates: [],
    };
    this.members.set(id, member);
    return member;
  }

  get(id: string): TestMember {
    const m = this.members.get(id);
    if (m === undefined) throw new Error(`no member ${id}`);
    return m;
  }

  node(id: string): RaftNode {
    return this.get(id).node;
  }

  /** Processes every member's Ready once (persist, collect messages, apply, advance). */
  processReadies(): boolean {
    let any = false;
    for (const [id, m] of this.members) {
      if (this.down.has(id)) continue;
      while (m.node.hasReady()) {
        any = true;
        const rd = m.node.ready();
        if (rd.hardState !== undefined) m.hardState = rd.hardState;
        if (rd.snapshot !== undefined) {
          m.snapshot = rd.snapshot;
          m.entries = [];
        }
        if (rd.entries.length > 0) {
          const first = (rd.entries[0] as LogEntry).index;
          m.entries = m.entries.filter((e) => e.index < first).concat(rd.entries);
        }
        this.queue.push(...rd.messages);
        m.applied.push(...rd.committedEntries);
        m.readStates.push(...rd.readStates);
        m.node.advance();
      }
    }
    return any;
  }

  /** Delivers messages (and the ones they cause) until nothing moves; `filter` may drop some. */
  stabilize(filter: (m: RaftMessage) => boolean | RaftMessage = () => true, limit = 100_000): void {
    for (let i = 0; i < limit; i++) {
      this.processReadies();
      if (this.queue.length === 0) return;
      const batch = this.queue;
      this.queue = [];
      for (const m of batch) {
        if (this.down.has(m.to) || this.down.has(m.from) || this.cut.has(`${m.from}>${m.to}`)) continue;
        const verdict = filter(m);
        if (verdict === false) continue;
        this.members.get(m.to)?.node.step(verdict === true ? m : verdict);
      }
    }
    throw new Error("cluster did not stabilize");
  }

  /** Ticks `id` until it has campaigned, then lets the election play out. */
  elect(id: string): void {
    // The bootstrap membership entry must be applied before anyone may campaign.
    this.processReadies();
    this.node(id).campaign();
    this.stabilize();
  }

  tickAll(n = 1): void {
    for (let i = 0; i < n; i++) {
      for (const [id, m] of this.members) if (!this.down.has(id)) m.node.tick();
      this.stabilize();
    }
  }

  isolate(id: string): void {
    for (const other of this.members.keys()) {
      if (other === id) continue;
      this.cut.add(`${id}>${other}`);
      this.cut.add(`${other}>${id}`);
    }
  }

  heal(): void {
    this.cut.clear();
  }

  /** Restarts `id` from what it persisted (crash: the in-memory engine is lost). */
  restart(id: string, random = new Random(`${id}-restart`)): void {
    const m = this.get(id);
    const persisted: PersistedState = { hardState: m.hardState, snapshot: m.snapshot, entries: m.entries.slice() };
    m.node = new RaftNode({ id, random, electionTick: 10, heartbeatTick: 1, ...this.extra }, persisted);
    m.applied = [];
  }

  leader(): string | undefined {
    for (const [id, m] of this.members) if (!this.down.has(id) && m.node.isLeader()) return id;
    return undefined;
  }

  propose(id: string, data: string): number {
    const pos = this.node(id).propose(data);
    this.stabilize();
    return pos.index;
  }

  appliedData(id: string): string[] {
    return this.get(id).applied.filter((e) => e.type === "normal" && e.data !== "").map((e) => e.data);
  }
}
