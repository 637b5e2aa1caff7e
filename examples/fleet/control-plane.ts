/**
 * The demo's control plane: three Raft members (a replicated key-value store) on three edge sites,
 * talking over a seeded `SimNetwork` with 20-80 ms links; a phi-accrual partition detector on each of
 * those sites, heart-beating over a second simulated network; and workload leases kept in the
 * replicated store, so they outlive the leader that granted them.
 *
 * @module
 */
import {
  MemoryStorage,
  NotLeaderError,
  PartitionDetector,
  ReplicatedKV,
  ReplicatedLeaseStore,
  SimNetwork,
  membershipMessageSchema,
  raftMessageSchema,
  type VersionedLeaseKV,
  type ManualClock,
  type MembershipMessage,
  type Random,
  type RaftMessage,
} from "../../src/index.js";

/** A leadership change, as the demo reports it. */
export interface LeaderChange {
  readonly at: number;
  readonly leader: string;
  readonly term: number;
}

/** A partition detector's verdict on a peer. */
export interface DetectorEvent {
  readonly at: number;
  readonly observer: string;
  readonly peer: string;
  readonly kind: "suspect" | "dead" | "partition";
}

export class ControlPlane {
  readonly members: readonly string[];
  readonly raftNetwork: SimNetwork;
  readonly heartbeatNetwork: SimNetwork;
  readonly stores: readonly ReplicatedKV[];
  readonly detectors: readonly PartitionDetector[];
  readonly leases: ReplicatedLeaseStore;
  readonly leaderChanges: LeaderChange[] = [];
  readonly detectorEvents: DetectorEvent[] = [];
  private readonly down = new Set<string>();

  constructor(options: { readonly clock: ManualClock; readonly random: Random; readonly members: readonly string[] }) {
    const { clock, random, members } = options;
    this.members = members;
    const link = { latency: { kind: "uniform" as const, minMs: 20, maxMs: 80 } };
    this.raftNetwork = new SimNetwork({ clock, random: random.fork("raft-network"), defaultLink: link, traceLimit: 0 });
    this.heartbeatNetwork = new SimNetwork({ clock, random: random.fork("heartbeat-network"), defaultLink: link, traceLimit: 0 });
    this.stores = members.map(
      (id) =>
        new ReplicatedKV({
          id,
          voters: [...members],
          transport: this.raftNetwork.endpoint<RaftMessage>(id, { schema: raftMessageSchema }),
          storage: new MemoryStorage({ clock }),
          clock,
          random: random.fork(`raft-${id}`),
          tickMs: 100,
        }),
    );
    this.detectors = members.map(
      (id) =>
        new PartitionDetector({
          members: [...members],
          transport: this.heartbeatNetwork.endpoint<MembershipMessage>(id, { schema: membershipMessageSchema }),
          clock,
          heartbeatIntervalMs: 1_000,
          deadAfterMs: 5_000,
        }),
    );
    for (const detector of this.detectors) {
      const observer = detector.status().nodeId;
      detector.on("peer:suspect", (e) => this.detectorEvents.push({ at: e.at, observer, peer: e.peer, kind: "suspect" }));
      detector.on("peer:dead", (e) => this.detectorEvents.push({ at: e.at, observer, peer: e.peer, kind: "dead" }));
      detector.on("partition:detected", (e) => this.detectorEvents.push({ at: e.at, observer, peer: observer, kind: "partition" }));
    }
    for (const kv of this.stores) {
      kv.host.events.on("role", (e) => {
        if (e.role === "leader") this.leaderChanges.push({ at: clock.now(), leader: kv.host.id, term: e.term });
      });
    }
    this.leases = new ReplicatedLeaseStore({ kv: this.leaderKV(), clock });
  }

  async start(): Promise<void> {
    for (const kv of this.stores) await kv.start();
    for (const detector of this.detectors) detector.start();
  }

  /** The member that leads in the highest term among those still up, if any. */
  leader(): ReplicatedKV | undefined {
    let best: ReplicatedKV | undefined;
    for (const kv of this.stores) {
      if (this.down.has(kv.host.id) || !kv.host.isLeader()) continue;
      if (best === undefined || kv.host.status().term > best.host.status().term) best = kv;
    }
    return best;
  }

  /** Cuts a member's site off both networks, as a crashed or unreachable edge would be. */
  isolate(member: string): void {
    this.down.add(member);
    this.raftNetwork.isolate(member);
    this.heartbeatNetwork.isolate(member);
  }

  isDown(member: string): boolean {
    return this.down.has(member);
  }

  /** Writes go to whichever member leads now, so leases survive a change of leader. */
  private leaderKV(): VersionedLeaseKV {
    const current = (): ReplicatedKV => {
      const leader = this.leader();
      if (leader === undefined) throw new NotLeaderError(null, "the control plane has no leader right now");
      return leader;
    };
    return {
      get: (key) => current().get(key),
      compareAndSet: (key, expected, value) => current().compareAndSet(key, expected, value),
      read: (key) => current().read(key),
      compareAndSwap: (key, expected, value) => current().compareAndSwap(key, expected, value),
      keys: (prefix) => current().keys(prefix),
    };
  }

  async close(): Promise<void> {
    for (const detector of this.detectors) detector.stop();
    await this.leases.close();
    for (const kv of this.stores) await kv.stop();
  }
}
