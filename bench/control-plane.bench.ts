/**
 * Which control plane: edgeflow's embedded Raft or etcd — the same client workload against both, in
 * one run, on this machine's loopback and disk:
 *
 * - etcd: a 3-member etcd cluster (3 processes), driven through edgeflow's etcd backends (`EtcdKV`,
 *   `EtcdLeaseStore`) and, as the baseline for their overhead, through the bare `etcd3` client sending
 *   the same requests (a put that returns the previous value, as `EtcdKV.put` reports it);
 * - embedded: edgeflow's Raft as 3 OS processes over `TcpTransport` with `FileStorage`
 *   (`ReplicatedKV`, `ReplicatedLeaseStore`), the workload running inside the leader's process as an
 *   embedding service would call it.
 *
 * Workload: 64 concurrent writers of 100-byte values, then linearizable reads of the same keys, then
 * lease acquire+renew on fresh resources. Both clusters run side by side and the contenders of a
 * workload take turns round by round, so a burst of load elsewhere on the machine falls on all of
 * them; every row is the median of ROUNDS rounds, and ratios are medians of per-round ratios.
 * Fsyncs per write: WAL syncs summed over the three members during the write rounds (etcd:
 * `etcd_disk_wal_fsync_duration_seconds_count` from each member's /metrics; embedded:
 * `FileStorage.stats().syncs`), divided by the writes. Caller CPU per operation (user + system of the
 * process issuing the calls) measures the backend's own cost more steadily than throughput does on a
 * shared machine.
 *
 * The etcd backend's overhead over the bare client is measured twice. Against the cluster, in a phase
 * of its own: bare client and `EtcdKV` sending the same requests, OVERHEAD_ROUNDS short rounds taking
 * turns, medians of per-round ratios (what a user sees, but a few % of noise on a shared machine). And
 * in process, with the client's transport mocked (bench/support/client-overhead.ts): the CPU `EtcdKV`
 * adds to each call, which divided by the bare client's CPU per call against the cluster is the
 * overhead free of network and cluster noise.
 *
 * Targets: embedded write throughput within 1.5x of etcd's; the etcd backend's overhead over the bare
 * client at most 10 %.
 *
 * Run: npx tsx bench/control-plane.bench.ts   (about 3.5 minutes)
 *   OPS=2000 operations a row, ROUNDS=5, BUDGET_MS=10000 (no call starts later in a round),
 *   OVERHEAD_OPS=1000, OVERHEAD_ROUNDS=10
 */
import { Etcd3 } from "etcd3";
import { SystemClock } from "../src/core/clock.js";
import { EtcdKV, EtcdLeaseStore } from "../src/etcd/index.js";
import { startEtcdCluster, type EtcdCluster } from "../test/etcd/support/etcd-cluster.js";
import { KEYS, measure, median, VALUE, type Measurement } from "./support/control-plane-workload.js";
import { measureClientCost, type ClientCost } from "./support/client-overhead.js";
import { startEmbeddedRaft, type EmbeddedRaft } from "./support/embedded-raft.js";

const OPS = Number(process.env["OPS"] ?? 2_000);
const ROUNDS = Number(process.env["ROUNDS"] ?? 5);
const BUDGET_MS = Number(process.env["BUDGET_MS"] ?? 10_000);
const OVERHEAD_OPS = Number(process.env["OVERHEAD_OPS"] ?? 1_000);
const OVERHEAD_ROUNDS = Number(process.env["OVERHEAD_ROUNDS"] ?? 10);

/** One backend doing one workload; `fsyncs` reads its cluster-wide WAL sync counter. */
interface Contender {
  readonly workload: "write" | "read" | "lease acquire+renew" | "overhead write" | "overhead read";
  readonly backend: string;
  readonly run: (round: number) => Promise<Measurement>;
  readonly fsyncs?: () => Promise<number>;
}

interface Row {
  readonly workload: string;
  readonly backend: string;
  /** The median round. */
  readonly m: Measurement;
  readonly rounds: readonly Measurement[];
  readonly fsyncsPerWrite?: number;
}

/** Sum over the members of a counter from etcd's Prometheus endpoint. */
async function etcdCounter(cluster: EtcdCluster, metric: string): Promise<number> {
  const texts = await Promise.all(cluster.members.map(async (m) => (await fetch(`${m.clientUrl}/metrics`)).text()));
  const pattern = new RegExp(`^${metric} (\\S+)$`, "m");
  return texts.reduce((sum, text) => sum + Number(pattern.exec(text)?.[1] ?? Number.NaN), 0);
}

/**
 * Runs the contenders ROUNDS times, taking turns (in reverse order every other round, so a drift in
 * the machine's load does not favour whoever goes first), and returns each one's median row.
 */
async function compete(contenders: readonly Contender[], rounds = ROUNDS): Promise<Row[]> {
  const results = contenders.map(() => ({ rounds: [] as Measurement[], fsyncs: 0 }));
  for (let round = 0; round < rounds; round++) {
    const order = [...contenders.keys()];
    if (round % 2 === 1) order.reverse();
    for (const i of order) {
      const c = contenders[i];
      const r = results[i];
      if (c === undefined || r === undefined) continue;
      const before = (await c.fsyncs?.()) ?? 0;
      r.rounds.push(await c.run(round));
      r.fsyncs += ((await c.fsyncs?.()) ?? 0) - before;
    }
  }
  return contenders.map((c, i) => {
    const r = results[i] ?? { rounds: [], fsyncs: 0 };
    const writes = r.rounds.reduce((n, m) => n + m.completed, 0);
    return { workload: c.workload, backend: c.backend, m: median(r.rounds), rounds: r.rounds, ...(c.fsyncs === undefined ? {} : { fsyncsPerWrite: r.fsyncs / writes }) };
  });
}

/** Median over rounds of `metric(a) / metric(b)` in the same round: robust to load that drifts between rounds. */
function paired(a: Row, b: Row, metric: (m: Measurement) => number): number {
  const ratios = a.rounds.map((m, i) => {
    const other = b.rounds[i];
    return other === undefined ? Number.NaN : metric(m) / metric(other);
  });
  ratios.sort((x, y) => x - y);
  return ratios[Math.floor(ratios.length / 2)] ?? Number.NaN;
}

const throughput = (m: Measurement): number => m.opsPerSec;

function etcdContenders(cluster: EtcdCluster, bare: Etcd3, kv: EtcdKV, leases: EtcdLeaseStore): Contender[] {
  const fsyncs = (): Promise<number> => etcdCounter(cluster, "etcd_disk_wal_fsync_duration_seconds_count");
  // Same requests as the write and read rows, on keys of their own, in shorter and more rounds.
  const o = (round: number): number => 1_000 + round;
  return [
    { workload: "overhead write", backend: "etcd, bare etcd3 client", run: (round) => measure(OVERHEAD_OPS, (i) => bare.put(`bench/bare/${o(round)}/k${i % KEYS}`).value(VALUE).getPrevious(), BUDGET_MS) },
    { workload: "overhead write", backend: "etcd, EtcdKV.put", run: (round) => measure(OVERHEAD_OPS, (i) => kv.put(`${o(round)}/k${i % KEYS}`, VALUE), BUDGET_MS) },
    { workload: "overhead read", backend: "etcd, bare etcd3 client", run: (round) => measure(OVERHEAD_OPS, (i) => bare.get(`bench/bare/${o(round)}/k${i % KEYS}`).exec(), BUDGET_MS) },
    { workload: "overhead read", backend: "etcd, EtcdKV.read", run: (round) => measure(OVERHEAD_OPS, (i) => kv.read(`${o(round)}/k${i % KEYS}`), BUDGET_MS) },
    { workload: "write", backend: "etcd, bare etcd3 client", fsyncs, run: (round) => measure(OPS, (i) => bare.put(`bench/bare/${round}/k${i % KEYS}`).value(VALUE).getPrevious(), BUDGET_MS) },
    { workload: "write", backend: "etcd, EtcdKV.put", fsyncs, run: (round) => measure(OPS, (i) => kv.put(`${round}/k${i % KEYS}`, VALUE), BUDGET_MS) },
    { workload: "read", backend: "etcd, bare etcd3 client", run: (round) => measure(OPS, (i) => bare.get(`bench/bare/${round}/k${i % KEYS}`).exec(), BUDGET_MS) },
    { workload: "read", backend: "etcd, EtcdKV.read", run: (round) => measure(OPS, (i) => kv.read(`${round}/k${i % KEYS}`), BUDGET_MS) },
    {
      workload: "lease acquire+renew",
      backend: "etcd, EtcdLeaseStore",
      run: (round) =>
        measure(OPS, async (i) => {
          const granted = await leases.acquire(`${round}/r${i}`, "bench", 10_000);
          await leases.renew(granted.resource, "bench", granted.token);
        }, BUDGET_MS),
    },
  ];
}

function embeddedContenders(raft: EmbeddedRaft): Contender[] {
  return [
    { workload: "write", backend: "embedded, ReplicatedKV.put", fsyncs: async () => (await raft.stats()).syncs, run: (round) => raft.run("write", OPS, BUDGET_MS, `${round}/`) },
    { workload: "read", backend: "embedded, ReplicatedKV.get", run: (round) => raft.run("read", OPS, BUDGET_MS, `${round}/`) },
    { workload: "lease acquire+renew", backend: "embedded, ReplicatedLeaseStore", run: (round) => raft.run("lease", OPS, BUDGET_MS, `${round}/`) },
  ];
}

function report(rows: readonly Row[], cost: ClientCost): void {
  console.log(`3 members on loopback each side, ${OPS} ops a row from 64 concurrent clients, 100-byte values, median of ${ROUNDS} rounds`);
  console.log("| workload | backend | ops/s | p50 ms | p99 ms | WAL fsyncs/write | caller CPU µs/op | completed | failed |");
  console.log("|---|---|---:|---:|---:|---:|---:|---:|---:|");
  for (const r of rows.filter((row) => !row.workload.startsWith("overhead"))) {
    const fsyncs = r.fsyncsPerWrite === undefined ? "" : r.fsyncsPerWrite.toFixed(3);
    console.log(`| ${[r.workload, r.backend, r.m.opsPerSec.toFixed(0), r.m.p50.toFixed(2), r.m.p99.toFixed(2), fsyncs, r.m.cpuMicrosPerOp.toFixed(0), String(r.m.completed), String(r.m.failed)].join(" | ")} |`);
  }
  for (const r of rows) if (r.m.firstError !== undefined) console.log(`  ${r.backend} (${r.workload}) first failure: ${r.m.firstError}`);
  const find = (workload: string, backend: string): Row => {
    const row = rows.find((r) => r.workload === workload && r.backend.startsWith(backend));
    if (row === undefined) throw new Error(`no row ${workload} / ${backend}`);
    return row;
  };
  const times = (a: Row, b: Row): string => `${paired(a, b, throughput).toFixed(2)}x`;
  const percent = (ratio: number): string => `${((ratio - 1) * 100).toFixed(1)} %`;
  const overhead = (bare: Row, backend: Row): string => `${percent(paired(bare, backend, throughput))} throughput, ${percent(paired(backend, bare, (m) => m.cpuMicrosPerOp))} CPU`;
  const embeddedWrite = find("write", "embedded");
  console.log("");
  console.log("Ratios are medians of the per-round ratios (contenders of a round run back to back):");
  console.log(`embedded / etcd write throughput: ${times(embeddedWrite, find("write", "etcd, EtcdKV"))} against EtcdKV, ${times(embeddedWrite, find("write", "etcd, bare"))} against the bare client   (target >= 0.67x: within 1.5x)`);
  console.log(`embedded / etcd read throughput:  ${times(find("read", "embedded"), find("read", "etcd, EtcdKV"))} against EtcdKV`);
  console.log(`embedded / etcd lease throughput: ${times(find("lease acquire+renew", "embedded"), find("lease acquire+renew", "etcd"))}`);
  console.log(`EtcdKV overhead over the bare etcd3 client (same requests, target <= 10 %):`);
  console.log(`  against the cluster, ${OVERHEAD_ROUNDS} rounds of ${OVERHEAD_OPS}: writes ${overhead(find("overhead write", "etcd, bare"), find("overhead write", "etcd, EtcdKV"))}; reads ${overhead(find("overhead read", "etcd, bare"), find("overhead read", "etcd, EtcdKV"))}`);
  const bareCpu = (workload: string): number => {
    const cpu = find(workload, "etcd, bare").rounds.map((m) => m.cpuMicrosPerOp).sort((a, b) => a - b);
    return cpu[Math.floor(cpu.length / 2)] ?? Number.NaN;
  };
  const added = (kvMicros: number, bareMicros: number, workload: string): string =>
    `+${(kvMicros - bareMicros).toFixed(1)} µs (${bareMicros.toFixed(1)} -> ${kvMicros.toFixed(1)}) = ${(((kvMicros - bareMicros) / bareCpu(workload)) * 100).toFixed(1)} % of the bare client's ${bareCpu(workload).toFixed(0)} µs`;
  console.log(`  CPU EtcdKV adds per call, transport mocked (median of alternating rounds): writes ${added(cost.kvWrite, cost.bareWrite, "overhead write")}; reads ${added(cost.kvRead, cost.bareRead, "overhead read")}`);
}

const cluster = await startEtcdCluster();
if (cluster === undefined) {
  console.log("etcd is not available (apt-get install etcd-server) or did not start: nothing compared");
  process.exit(0);
}
const clock = new SystemClock();
const bare = new Etcd3({ hosts: [...cluster.hosts] });
const kv = new EtcdKV({ clock, hosts: cluster.hosts, prefix: "bench/" });
const leases = new EtcdLeaseStore({ clock, hosts: cluster.hosts, prefix: "bench/" });
let raft: EmbeddedRaft | undefined;
try {
  raft = await startEmbeddedRaft();
  // Warm every client's connections (and the leader's JIT), so no measured row pays for dialling.
  await Promise.all(Array.from({ length: 200 }, (_, i) => Promise.all([bare.put(`bench/warm/${i}`).value(VALUE).exec(), kv.put(`warm/${i}`, VALUE)])));
  await raft.run("write", 200, BUDGET_MS, "warm/");
  const contenders = [...etcdContenders(cluster, bare, kv, leases), ...embeddedContenders(raft)];
  const rows: Row[] = [];
  for (const workload of ["write", "read", "lease acquire+renew"] as const) rows.push(...(await compete(contenders.filter((c) => c.workload === workload))));
  for (const workload of ["overhead write", "overhead read"] as const) rows.push(...(await compete(contenders.filter((c) => c.workload === workload), OVERHEAD_ROUNDS)));
  const cost = await measureClientCost(clock, cluster.hosts);
  report(rows, cost);
} finally {
  await raft?.stop();
  await leases.close();
  await kv.close();
  bare.close();
  await cluster.stop();
}
