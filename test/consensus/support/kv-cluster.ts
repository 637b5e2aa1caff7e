/** A cluster of ReplicatedKV members on SimNetwork + ManualClock + MemoryStorage, for host tests. */
import { ManualClock, settle } from "../../../src/core/clock.js";
import { Random } from "../../../src/core/random.js";
import { raftMessageSchema, ReplicatedKV, type RaftMessage, type ReplicatedKVOptions } from "../../../src/consensus/index.js";
import { MemoryStorage } from "../../../src/storage/memory.js";
import type { RaftStorage } from "../../../src/storage/types.js";
import { SimNetwork } from "../../../src/transport/sim-network.js";
import type { Transport } from "../../../src/transport/types.js";

export class KvCluster {
  readonly clock = new ManualClock(0);
  readonly random: Random;
  readonly network: SimNetwork;
  readonly storages = new Map<string, MemoryStorage>();
  readonly kvs = new Map<string, ReplicatedKV>();

  constructor(
    readonly ids: readonly string[],
    private readonly extra: Partial<ReplicatedKVOptions> = {},
    seed = 1,
    private readonly wrap: { storage?: (s: RaftStorage, id: string) => RaftStorage; transport?: (t: Transport<RaftMessage>) => Transport<RaftMessage> } = {},
  ) {
    this.random = new Random(seed);
    this.network = new SimNetwork({ clock: this.clock, random: this.random.fork("net"), defaultLink: { latency: { kind: "uniform", minMs: 0.5, maxMs: 2 } } });
  }

  /** Starts member `id`; a member not among the founding ids joins with no voters (it learns them from the log). */
  async start(id: string, voters: readonly string[] | undefined = this.ids.includes(id) ? this.ids : undefined): Promise<ReplicatedKV> {
    let storage = this.storages.get(id);
    if (storage === undefined) {
      storage = new MemoryStorage({ clock: this.clock, syncDelayMs: 1 });
      this.storages.set(id, storage);
    }
    const endpoint = this.network.endpoint<RaftMessage>(id, { schema: raftMessageSchema });
    const kv = new ReplicatedKV({
      id,
      ...(voters !== undefined ? { voters } : {}),
      transport: this.wrap.transport?.(endpoint) ?? endpoint,
      storage: this.wrap.storage?.(storage, id) ?? storage,
      clock: this.clock,
      random: this.random.fork(id),
      tickMs: 10,
      ...this.extra,
    });
    this.kvs.set(id, kv);
    await kv.start();
    return kv;
  }

  async startAll(): Promise<void> {
    for (const id of this.ids) await this.start(id);
  }

  kv(id: string): ReplicatedKV {
    const kv = this.kvs.get(id);
    if (kv === undefined) throw new Error(`no member ${id}`);
    return kv;
  }

  /** Advances virtual time, letting promises settle at every millisecond. */
  async run(ms: number): Promise<void> {
    for (let t = 0; t < ms; t++) {
      this.clock.advance(1);
      await settle();
    }
  }

  /** Runs until `promise` settles (or `limitMs` passes) and returns its outcome. */
  async until<T>(promise: Promise<T>, limitMs = 5000): Promise<T> {
    let done = false;
    const tracked = promise.finally(() => {
      done = true;
    });
    tracked.catch(() => undefined);
    for (let t = 0; t < limitMs && !done; t++) {
      this.clock.advance(1);
      await settle();
    }
    return tracked;
  }

  async waitForLeader(limitMs = 5000): Promise<ReplicatedKV> {
    for (let t = 0; t < limitMs; t++) {
      const leaders = [...this.kvs.values()].filter((kv) => kv.host.isLeader());
      if (leaders.length === 1) return leaders[0] as ReplicatedKV;
      this.clock.advance(1);
      await settle();
    }
    throw new Error("no leader elected");
  }

  async crash(id: string): Promise<void> {
    const storage = this.storages.get(id);
    storage?.crash();
    await this.kv(id).stop();
    this.kvs.delete(id);
  }

  async stopAll(): Promise<void> {
    for (const kv of this.kvs.values()) await kv.stop();
  }
}
