/**
 * A simulated deployment of one state object: three edges, each co-located with a member of a Raft
 * cluster on SimNetwork + ManualClock. Leases (ReplicatedLeaseStore) and state (ReplicatedStateStore)
 * both live in the cluster's ReplicatedKV; an edge reaches the cluster through its own member, so a
 * partitioned or crashed member cuts its edge off the same way it cuts the member off.
 */
import { settle, sleep, type Clock } from "../../../src/core/clock.js";
import type { ReplicatedKV } from "../../../src/consensus/kv.js";
import type { LeaseKV } from "../../../src/lifecycle/replicated-lease-store.js";
import { ReplicatedLeaseStore } from "../../../src/lifecycle/replicated-lease-store.js";
import { EdgeStateObject, ReplicatedStateStore, type StateStore, type StoredState } from "../../../src/state/index.js";
import { KvCluster } from "../../consensus/support/kv-cluster.js";

/** A write the store accepted, as the writing edge saw it acknowledged. */
export interface AcceptedWrite {
  readonly edgeId: string;
  readonly token: number;
  readonly version: number;
}

/** A lease grant observed on some edge's lease store: who, which token, and the period it covered. */
export interface LeasePeriod {
  readonly holder: string;
  readonly token: number;
  readonly from: number;
  until: number;
}

/**
 * Records every save the store acknowledged to this edge. A stall set on it holds the next save back
 * (a process pause between the fence check and the write: the classic way a deposed home writes late).
 */
class RecordingStore implements StateStore {
  stallMs = 0;
  constructor(private readonly inner: StateStore, private readonly edgeId: string, private readonly accepted: AcceptedWrite[], private readonly clock: Clock) {}
  private loaded = -1;
  async load(id: string): Promise<StoredState | undefined> {
    const record = await this.inner.load(id);
    this.loaded = record?.metadata.version ?? 0;
    return record;
  }
  async save(id: string, record: StoredState, token: number): Promise<void> {
    // The object saves what it just loaded to claim it with a new token: not a change of data.
    const claim = record.metadata.version === this.loaded;
    this.loaded = -1;
    if (!claim) {
      const stall = this.stallMs;
      this.stallMs = 0;
      if (stall > 0) await sleep(this.clock, stall);
    }
    await this.inner.save(id, record, token);
    if (!claim) this.accepted.push({ edgeId: this.edgeId, token, version: record.metadata.version });
  }
  close(): Promise<void> {
    return this.inner.close();
  }
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

interface Edge {
  readonly id: string;
  readonly member: string;
  leases: ReplicatedLeaseStore;
  store: RecordingStore;
  object: EdgeStateObject;
}

export interface RaftStateSimOptions {
  readonly seed: number;
  readonly stateId: string;
  readonly leaseTtlMs: number;
  /** Raft read and proposal timeouts: how long an edge cut off from the quorum waits before giving up. */
  readonly raftTimeoutMs: number;
}

export class RaftStateSim {
  readonly cluster: KvCluster;
  readonly accepted: AcceptedWrite[] = [];
  readonly leasePeriods = new Map<number, LeasePeriod>();
  private readonly edges: Edge[] = [];
  private readonly down = new Set<number>();

  constructor(private readonly options: RaftStateSimOptions) {
    const members = ["r0", "r1", "r2"];
    this.cluster = new KvCluster(members, { readTimeoutMs: options.raftTimeoutMs, proposalTimeoutMs: options.raftTimeoutMs }, options.seed);
  }

  get clock(): KvCluster["clock"] {
    return this.cluster.clock;
  }

  get edgeCount(): number {
    return this.edges.length;
  }

  edgeId(index: number): string {
    return `e${index}`;
  }

  async start(): Promise<void> {
    await this.cluster.startAll();
    await this.cluster.waitForLeader();
    for (let i = 0; i < 3; i++) this.edges.push(this.makeEdge(i));
  }

  /** The instance on edge `index`, or `undefined` while that edge is down. */
  object(index: number): EdgeStateObject | undefined {
    return this.down.has(index) ? undefined : this.edges[index]?.object;
  }

  indexOf(edgeId: string): number | undefined {
    const i = this.edges.findIndex((e) => e.id === edgeId);
    return i < 0 ? undefined : i;
  }

  /** The edge holding the newest lease seen, if it has not run out on the clock. */
  home(): number | undefined {
    let newest: LeasePeriod | undefined;
    for (const p of this.leasePeriods.values()) if (newest === undefined || p.token > newest.token) newest = p;
    if (newest === undefined || newest.until <= this.clock.now()) return undefined;
    return this.indexOf(newest.holder);
  }

  /** Crashes edge `index` and its Raft member: the instance and its lease store vanish without a word. */
  async crash(index: number): Promise<void> {
    const edge = this.edges[index];
    if (edge === undefined || this.down.has(index)) return;
    this.down.add(index);
    await edge.leases.close();
    await this.cluster.crash(edge.member);
  }

  /** Restarts a crashed edge: its member recovers from its storage, a fresh instance starts on the edge. */
  async restart(index: number): Promise<void> {
    if (!this.down.has(index)) return;
    const edge = this.edges[index];
    if (edge === undefined) return;
    await this.cluster.start(edge.member);
    this.edges[index] = this.makeEdge(index);
    this.down.delete(index);
  }

  /** Pauses edge `index` for `ms` just before its next save. */
  stall(index: number, ms: number): void {
    const edge = this.edges[index];
    if (edge !== undefined) edge.store.stallMs = ms;
  }

  downEdges(): number[] {
    return [...this.down];
  }

  /** Cuts member `index` (and so its edge) off from the other two. */
  isolate(index: number): void {
    const member = `r${index}`;
    this.cluster.network.partition([member], ["r0", "r1", "r2"].filter((m) => m !== member));
  }

  heal(): void {
    this.cluster.network.heal();
  }

  /** Advances virtual time one millisecond at a time, letting promises settle in between. */
  async run(ms: number): Promise<void> {
    await this.cluster.run(ms);
  }

  /** Runs until every promise settles, `limitMs` at most; returns whether they all did. */
  async runUntilSettled(promises: readonly Promise<unknown>[], limitMs: number): Promise<boolean> {
    let pending = promises.length;
    for (const p of promises) {
      p.then(
        () => pending--,
        () => pending--,
      );
    }
    for (let t = 0; t < limitMs && pending > 0; t++) {
      this.clock.advance(1);
      await settle();
    }
    await settle();
    return pending === 0;
  }

  /** Closes every live instance (releasing its lease goes through Raft, so the clock keeps running). */
  async close(): Promise<void> {
    const live = this.edges.filter((_, i) => !this.down.has(i));
    await this.runUntilSettled(live.map((e) => e.object.close().catch(() => undefined)), 10 * this.options.raftTimeoutMs);
    for (const e of live) await e.leases.close();
    await this.cluster.stopAll();
  }

  /** The leader the edge's member can reach (itself when it leads), else its own member, which refuses. */
  private route(member: string): ReplicatedKV {
    const own = this.cluster.kvs.get(member);
    if (own?.host.isLeader() === true) return own;
    const net = this.cluster.network;
    for (const [id, kv] of this.cluster.kvs) {
      if (kv.host.isLeader() && !net.isCut(member, id) && !net.isCut(id, member)) return kv;
    }
    if (own === undefined) throw new Error(`member ${member} is down`);
    return own;
  }

  private makeEdge(index: number): Edge {
    const id = this.edgeId(index);
    const member = `r${index}`;
    const kv: LeaseKV = {
      get: (key) => this.route(member).get(key),
      compareAndSet: (key, expected, value) => this.route(member).compareAndSet(key, expected, value),
    };
    const leases = new ReplicatedLeaseStore({ kv, clock: this.clock });
    const observe = (lease: { holder: string; token: number; acquiredAt: number; expiresAt: number }): void => {
      const known = this.leasePeriods.get(lease.token);
      if (known === undefined) this.leasePeriods.set(lease.token, { holder: lease.holder, token: lease.token, from: lease.acquiredAt, until: lease.expiresAt });
      else known.until = Math.max(known.until, lease.expiresAt);
    };
    leases.events.on("lease:acquired", observe);
    leases.events.on("lease:renewed", observe);
    leases.events.on("lease:released", (lease) => {
      const known = this.leasePeriods.get(lease.token);
      if (known !== undefined) known.until = Math.min(known.until, this.clock.now());
    });
    const store = new RecordingStore(new ReplicatedStateStore({ kv: () => this.route(member) }), id, this.accepted, this.clock);
    const object = new EdgeStateObject({ id: this.options.stateId, edgeId: id, clock: this.clock, leases, store, leaseTtlMs: this.options.leaseTtlMs });
    return { id, member, leases, store, object };
  }
}
