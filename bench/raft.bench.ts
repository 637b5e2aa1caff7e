/**
 * Raft throughput and latency.
 *
 * (a) Three members in one process on an instantaneous SimNetwork (messages schema-validated) with
 *     MemoryStorage: committed and applied `ReplicatedKV.put`s per second with 1 and with 256
 *     concurrent proposers (target >= 200,000/s at 256), beside the bare engines driven
 *     synchronously with no host, network or storage (the ceiling), in the same run.
 * (b) Three processes over loopback TCP (TcpTransport, shared-secret auth) with FileStorage:
 *     committed writes/s and p50/p99 commit latency with 64 concurrent clients, beside the raw
 *     fsync rate of the same disk measured in the same run (writes/s ÷ fsyncs/s above 1 is group
 *     commit at work). Targets: >= 10,000 writes/s, p99 <= 20 ms.
 *
 * Run: `npx tsx bench/raft.bench.ts` (about 30 s). `BENCH_QUICK=1` for a smoke run; `PART=a|b`.
 * No JavaScript Raft library on npm runs this workload as is (the one maintained fork,
 * @markwylde/liferaft, has no log compaction, storage contract or batching), so none is compared.
 */
import { fork, type ChildProcess } from "node:child_process";
import { mkdtemp, open, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ManualClock, settle, SystemClock } from "../src/core/clock.js";
import { Random } from "../src/core/random.js";
import { raftMessageSchema, RaftNode, ReplicatedKV, type RaftMessage } from "../src/consensus/index.js";
import { FileStorage } from "../src/storage/file-storage.js";
import { MemoryStorage } from "../src/storage/memory.js";
import { SimNetwork } from "../src/transport/sim-network.js";
import { TcpTransport } from "../src/transport/tcp-transport.js";

const QUICK = process.env["BENCH_QUICK"] === "1";
const SECONDS = QUICK ? 1 : 4;
const PART = process.env["PART"] ?? "ab";
const SECRET = "raft-bench-shared-secret-0123456789";

// ---- (a) in process ---------------------------------------------------------------------------

function engineCeiling(batch: number, seconds: number): number {
  const ids = ["a", "b", "c"];
  const random = new Random(1);
  const nodes = new Map(ids.map((id) => [id, new RaftNode({ id, voters: ids, random: random.fork(id), maxEntriesPerMsg: 4096, maxInflightMsgs: 256 })]));
  let applied = 0;
  const pump = (): void => {
    for (let moved = true; moved; ) {
      moved = false;
      for (const node of nodes.values()) {
        while (node.hasReady()) {
          moved = true;
          const rd = node.ready();
          for (const m of rd.messages) nodes.get(m.to)?.step(m);
          if (node.isLeader()) applied += rd.committedEntries.length;
          node.advance();
        }
      }
    }
  };
  pump();
  (nodes.get("a") as RaftNode).campaign();
  pump();
  const leader = nodes.get("a") as RaftNode;
  const data = Array.from({ length: batch }, (_, i) => JSON.stringify({ op: "put", key: `k${i % 64}`, value: "value" }));
  applied = 0;
  const start = performance.now();
  let ticks = 0;
  while (performance.now() - start < seconds * 1000) {
    leader.proposeBatch(data);
    pump();
    if (++ticks % 100 === 0) for (const n of nodes.values()) n.tick();
  }
  return applied / ((performance.now() - start) / 1000);
}

async function inProcess(proposers: number, seconds: number): Promise<number> {
  const ids = ["a", "b", "c"];
  const clock = new ManualClock(0);
  const random = new Random(7);
  const network = new SimNetwork({ clock, random: random.fork("net"), cloneMessages: false, traceLimit: 0 });
  const kvs = ids.map(
    (id) =>
      new ReplicatedKV({
        id,
        voters: ids,
        transport: network.endpoint<RaftMessage>(id, { schema: raftMessageSchema }),
        storage: new MemoryStorage(),
        clock,
        random: random.fork(id),
        tickMs: 10,
        maxEntriesPerMsg: 4096,
        maxInflightMsgs: 256,
        snapshotEvery: 50_000,
      }),
  );
  for (const kv of kvs) await kv.start();
  let stop = false;
  let iterations = 0;
  const pump = (async () => {
    while (!stop) {
      network.flush();
      await settle();
      if (++iterations % 64 === 0) clock.advance(10);
    }
  })();
  while (!kvs.some((kv) => kv.host.isLeader())) await new Promise((r) => setImmediate(r));
  const leader = kvs.find((kv) => kv.host.isLeader()) as ReplicatedKV;
  let done = 0;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  const workers = Array.from({ length: proposers }, async (_, w) => {
    while (performance.now() < deadline) {
      await leader.put(`k${w % 64}`, "value");
      done++;
    }
  });
  await Promise.all(workers);
  const rate = done / ((performance.now() - start) / 1000);
  stop = true;
  await pump;
  for (const kv of kvs) await kv.stop();
  return rate;
}

// ---- (b) three processes over TCP ------------------------------------------------------------

async function rawFsyncRate(dir: string, seconds: number): Promise<number> {
  const file = await open(join(dir, "fsync-probe"), "w");
  const payload = Buffer.alloc(100, 1);
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    await file.write(payload);
    await file.datasync();
    n++;
  }
  const rate = n / ((performance.now() - start) / 1000);
  await file.close();
  return rate;
}

interface MemberArgs {
  id: string;
  ports: Record<string, number>;
  dir: string;
}

type ParentMessage = { type: "run"; clients: number; seconds: number } | { type: "stop" };
type ChildMessage =
  | { type: "ready"; id: string }
  | { type: "leader"; id: string }
  | { type: "result"; writes: number; seconds: number; p50: number; p99: number; fsyncs: number };

async function member(args: MemberArgs): Promise<void> {
  const ids = Object.keys(args.ports);
  const peers = Object.fromEntries(ids.filter((p) => p !== args.id).map((p) => [p, { host: "127.0.0.1", port: args.ports[p] as number }]));
  const transport = new TcpTransport<RaftMessage>({
    localId: args.id,
    listen: { host: "127.0.0.1", port: args.ports[args.id] as number },
    peers,
    auth: { kind: "secret", secret: SECRET },
    schema: raftMessageSchema,
  });
  await transport.start();
  const storage = await FileStorage.open(args.dir);
  const kv = new ReplicatedKV({ id: args.id, voters: ids, transport, storage, clock: new SystemClock(), random: new Random(args.id), tickMs: 50, electionTick: 10, maxEntriesPerMsg: 1024, maxInflightMsgs: 64 });
  await kv.start();
  const send = (m: ChildMessage): void => {
    process.send?.(m);
  };
  send({ type: "ready", id: args.id });
  kv.host.events.on("role", (s) => {
    if (s.role === "leader") send({ type: "leader", id: args.id });
  });
  if (kv.host.isLeader()) send({ type: "leader", id: args.id });
  process.on("message", (raw: ParentMessage) => {
    void (async () => {
      if (raw.type === "stop") {
        await kv.stop();
        await storage.close();
        process.exit(0);
      }
      const latencies: number[] = [];
      const start = performance.now();
      const deadline = start + raw.seconds * 1000;
      const fsyncsBefore = storage.stats().syncs;
      await Promise.all(
        Array.from({ length: raw.clients }, async (_, c) => {
          while (performance.now() < deadline) {
            const t0 = performance.now();
            await kv.put(`k${c}`, "0123456789abcdef0123456789abcdef");
            latencies.push(performance.now() - t0);
          }
        }),
      );
      const seconds = (performance.now() - start) / 1000;
      latencies.sort((a, b) => a - b);
      const q = (p: number): number => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
      send({ type: "result", writes: latencies.length, seconds, p50: q(0.5), p99: q(0.99), fsyncs: storage.stats().syncs - fsyncsBefore });
    })();
  });
}

async function overTcp(seconds: number): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "raft-bench-"));
  const fsyncRate = await rawFsyncRate(dir, QUICK ? 0.5 : 2);
  const base = 21_000 + Math.floor((process.pid % 1000) * 20);
  const ports = { a: base, b: base + 1, c: base + 2 };
  const children: ChildProcess[] = [];
  const self = fileURLToPath(import.meta.url);
  let leader: ChildProcess | undefined;
  const leaderElected = new Promise<ChildProcess>((resolve) => {
    for (const id of Object.keys(ports)) {
      const child = fork(self, ["--member", JSON.stringify({ id, ports, dir: join(dir, id) })], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
      children.push(child);
      child.on("message", (m: ChildMessage) => {
        if (m.type === "leader") {
          leader = child;
          resolve(child);
        }
      });
    }
  });
  try {
    const chosen = await Promise.race([leaderElected, new Promise<undefined>((r) => setTimeout(() => r(undefined), 15_000))]);
    if (chosen === undefined) throw new Error("no leader elected over TCP within 15 s");
    await new Promise((r) => setTimeout(r, 300));
    const result = await new Promise<Extract<ChildMessage, { type: "result" }>>((resolve) => {
      (leader as ChildProcess).on("message", (m: ChildMessage) => {
        if (m.type === "result") resolve(m);
      });
      (leader as ChildProcess).send({ type: "run", clients: 64, seconds } satisfies ParentMessage);
    });
    const writes = result.writes / result.seconds;
    console.log(`(b) 3 processes, loopback TCP, FileStorage, 64 clients:`);
    console.log(`    committed writes/s     ${writes.toFixed(0).padStart(10)}   (target >= 10,000)`);
    console.log(`    commit latency p50/p99 ${result.p50.toFixed(2)} ms / ${result.p99.toFixed(2)} ms   (target p99 <= 20 ms)`);
    console.log(`    raw fsync/s (same disk)${fsyncRate.toFixed(0).padStart(10)}`);
    console.log(`    writes/s ÷ fsyncs/s    ${(writes / fsyncRate).toFixed(2).padStart(10)}   (leader's WAL syncs during the run: ${result.fsyncs}, ${(result.writes / Math.max(1, result.fsyncs)).toFixed(1)} writes per sync)`);
  } finally {
    for (const child of children) child.send({ type: "stop" } satisfies ParentMessage);
    await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(undefined) : c.once("exit", r)))));
    await rm(dir, { recursive: true, force: true });
  }
}

// ---- main ------------------------------------------------------------------------------------

const memberIndex = process.argv.indexOf("--member");
if (memberIndex >= 0) {
  await member(JSON.parse(process.argv[memberIndex + 1] ?? "{}") as MemberArgs);
} else {
  if (PART.includes("a")) {
    const ceiling = engineCeiling(256, SECONDS / 2);
    const one = await inProcess(1, SECONDS / 2);
    const many = await inProcess(256, SECONDS);
    console.log(`(a) 3 members in one process, instantaneous SimNetwork, MemoryStorage (ReplicatedKV.put):`);
    console.log(`    1 proposer             ${one.toFixed(0).padStart(10)} /s`);
    console.log(`    256 proposers          ${many.toFixed(0).padStart(10)} /s   (target >= 200,000)`);
    console.log(`    bare engines, batch 256${ceiling.toFixed(0).padStart(10)} /s   (host stack at 256 = ${((many / ceiling) * 100).toFixed(0)} % of the bare engines)`);
  }
  if (PART.includes("b")) await overTcp(SECONDS);
}
