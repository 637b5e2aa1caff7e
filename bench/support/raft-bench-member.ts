/**
 * One member of the embedded control plane in `bench/control-plane.bench.ts`, in its own OS process:
 * `ReplicatedKV` over `TcpTransport` (shared-secret authentication) with `FileStorage` (fdatasync
 * before acknowledging, as etcd's WAL does). The parent drives it over IPC; the workload runs here,
 * inside the leader's process, which is how an embedding service calls its control plane.
 */
import { SystemClock } from "../../src/core/clock.js";
import { Random } from "../../src/core/random.js";
import { raftMessageSchema, ReplicatedKV, type RaftMessage } from "../../src/consensus/index.js";
import { ReplicatedLeaseStore } from "../../src/lifecycle/replicated-lease-store.js";
import { FileStorage } from "../../src/storage/file-storage.js";
import { TcpTransport } from "../../src/transport/tcp-transport.js";
import { KEYS, measure, VALUE, type Measurement } from "./control-plane-workload.js";

/** What the parent passes on the command line (as JSON). */
export interface MemberArgs {
  readonly id: string;
  readonly ports: Readonly<Record<string, number>>;
  readonly dir: string;
  readonly secret: string;
}

export type Phase = "write" | "read" | "lease";

export type ToMember = { type: "run"; phase: Phase; ops: number; budgetMs: number; prefix: string } | { type: "stats" } | { type: "stop" };

/** Durable-write counters of one member. */
export interface MemberStats {
  readonly syncs: number;
  readonly records: number;
  readonly saves: number;
  readonly messagesSent: number;
}

export type FromMember =
  | { type: "leader"; id: string }
  | { type: "measured"; measurement: Measurement }
  | { type: "stats"; id: string; stats: MemberStats };

async function main(args: MemberArgs): Promise<void> {
  const ids = Object.keys(args.ports);
  const peers = Object.fromEntries(ids.filter((p) => p !== args.id).map((p) => [p, { host: "127.0.0.1", port: args.ports[p] ?? 0 }]));
  const transport = new TcpTransport<RaftMessage>({
    localId: args.id,
    listen: { host: "127.0.0.1", port: args.ports[args.id] ?? 0 },
    peers,
    auth: { kind: "secret", secret: args.secret },
    schema: raftMessageSchema,
  });
  await transport.start();
  const storage = await FileStorage.open(args.dir);
  const clock = new SystemClock();
  // The etcd members in the same benchmark run with a 50 ms heartbeat and a 500 ms election timeout: the same here.
  const kv = new ReplicatedKV({ id: args.id, voters: ids, transport, storage, clock, random: new Random(args.id), tickMs: 50, electionTick: 10, maxEntriesPerMsg: 1024, maxInflightMsgs: 64 });
  await kv.start();
  const leases = new ReplicatedLeaseStore({ kv, clock, prefix: "bench/" });
  const send = (m: FromMember): void => {
    process.send?.(m);
  };
  kv.host.events.on("role", (s) => {
    if (s.role === "leader") send({ type: "leader", id: args.id });
  });
  if (kv.host.isLeader()) send({ type: "leader", id: args.id });
  process.on("message", (m: ToMember) => {
    void (async () => {
      if (m.type === "stop") {
        await leases.close();
        await kv.stop();
        await storage.close();
        process.exit(0);
      }
      if (m.type === "stats") {
        const metrics = kv.host.metrics();
        const s = storage.stats();
        send({ type: "stats", id: args.id, stats: { syncs: s.syncs, records: s.records, saves: metrics.saves, messagesSent: metrics.messagesSent } });
        return;
      }
      const op =
        m.phase === "write"
          ? (i: number) => kv.put(`${m.prefix}k${i % KEYS}`, VALUE)
          : m.phase === "read"
            ? (i: number) => kv.get(`${m.prefix}k${i % KEYS}`)
            : async (i: number) => {
                const lease = await leases.acquire(`${m.prefix}r${i}`, "bench", 10_000);
                await leases.renew(lease.resource, "bench", lease.token);
              };
      send({ type: "measured", measurement: await measure(m.ops, op, m.budgetMs) });
    })();
  });
}

await main(JSON.parse(process.argv[2] ?? "{}") as MemberArgs);
