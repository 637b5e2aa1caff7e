/**
 * Which control plane: edgeflow's embedded Raft or etcd — the same client workload against both, in
 * one run, on this machine's loopback and disk:
 *
 * - etcd: a 3-member etcd cluster (3 processes), driven through edgeflow's etcd backends (`EtcdKV`,
 *   `EtcdLeaseStore`) and, as the baseline for their overhead, through the bare `etcd3` client;
 * - embedded: edgeflow's Raft as 3 OS processes over `TcpTransport` with `FileStorage`
 *   (`ReplicatedKV`, `ReplicatedLeaseStore`), the workload running inside the leader's process as an
 *   embedding service would call it.
 *
 * Workload: 64 concurrent writers of 100-byte values, then linearizable reads of the same keys, then
 * lease acquire+renew on fresh resources. Both clusters run side by side and the contenders of a
 * workload take turns round by round, so a burst of load elsewhere on the machine falls on all of
 * them; every row is the median of ROUNDS rounds. Fsyncs per write: WAL syncs summed over the three
 * members during the write rounds (etcd: `etcd_disk_wal_fsync_duration_seconds_count` from each
 * member's /metrics; embedded: `FileStorage.stats().syncs`), divided by the writes.
 *
 * Targets: embedded write throughput within 1.5x of etcd's; the etcd backend's overhead over the bare
 * client at most 10 %.
 *
 * Run: npx tsx bench/control-plane.bench.ts
 *   OPS=2000 operations a row, ROUNDS=5, BUDGET_MS=10000 (no call starts later in a round)
 */
import { Etcd3 } from "etcd3";
import { SystemClock } from "../src/core/clock.js";
import { EtcdKV, EtcdLeaseStore } from "../src/etcd/index.js";
import { startEtcdCluster, type EtcdCluster } from "../test/etcd/support/etcd-cluster.js";
import { KEYS, measure, median, VALUE, type Measurement } from "./support/control-plane-workload.js";
import { startEmbeddedRaft, type EmbeddedRaft } from "./support/embedded-raft.js";

const OPS = Number(process.env["OPS"] ?? 2_000);
const ROUNDS = Number(process.env["ROUNDS"] ?? 5);
const BUDGET_MS = Number(process.env["BUDGET_MS"] ?? 10_000);

/** One backend doing one workload; `fsyncs` reads its cluster-wide WAL sync counter. */
interface Contender {
  readonly workload: "write" | "read" | "lease acquire+renew";
  readonly backend: string;
  readonly run: (round: number) => Promise<Measurement>;
  readonly fsyncs?: () => Promise<number>;
}

interface Row {
  readonly workload: string;
  readonly backend: string;
  readonly m: Measurement;
  readonly fsyncsPerWrite?: number;
}

/** Sum over the members of a counter from etcd's Prometheus endpoint. */
async function etcdCounter(cluster: EtcdCluster, metric: string): Promise<number> {
  const texts = await Promise.all(cluster.members.map(async (m) => (await fetch(`${m.clientUrl}/metrics`)).text()));
  const pattern = new RegExp(`^${metric} (\\S+)$`, "m");
  return texts.reduce((sum, text) => sum + Number(pattern.exec(text)?.[1] ?? Number.NaN), 0);
}

/** Runs the contenders ROUNDS times, taking turns, and returns each one's median row. */
async function compete(contenders: readonly Contender[]): Promise<Row[]> {
  const results = contenders.map(() => ({ rounds: [] as Measurement[], fsyncs: 0 }));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, c] of contenders.entries()) {
      const before = (await c.fsyncs?.()) ?? 0;
      const m = await c.run(round);
      const after = (await c.fsyncs?.()) ?? 0;
      results[i]?.rounds.push(m);
      if (results[i] !== undefined) results[i].fsyncs += after - before;
    }
  }
  return contenders.map((c, i) => {
    const r = results[i] ?? { rounds: [], fsyncs: 0 };
    const writes = r.rounds.reduce((n, m) => n + m.completed, 0);
    return { workload: c.workload, backend: c.backend, m: median(r.rounds), ...(c.fsyncs === undefined ? {} : { fsyncsPerWrite: r.fsyncs / writes }) };
  });
}

function etcdContenders(cluster: EtcdCluster, bare: Etcd3, kv: EtcdKV, leases: EtcdLeaseStore): Contender[] {
  const fsyncs = (): Promise<number> => etcdCounter(cluster, "etcd_disk_wal_fsync_duration_seconds_count");
  return [
    { workload: "write", backend: "etcd, bare etcd3 client", fsyncs, run: (round) => measure(OPS, (i) => bare.put(`bench/bare/${round}/k${i % KEYS}`).value(VALUE).exec(), BUDGET_MS) },
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

function report(rows: readonly Row[]): void {
  console.log(`3 members on loopback each side, ${OPS} ops a row from 64 concurrent clients, 100-byte values, median of ${ROUNDS} rounds`);
  console.log("| workload | backend | ops/s | p50 ms | p99 ms | WAL fsyncs/write | completed | failed |");
  console.log("|---|---|---:|---:|---:|---:|---:|---:|");
  for (const r of rows) {
    const fsyncs = r.fsyncsPerWrite === undefined ? "" : r.fsyncsPerWrite.toFixed(3);
    console.log(`| ${[r.workload, r.backend, r.m.opsPerSec.toFixed(0), r.m.p50.toFixed(2), r.m.p99.toFixed(2), fsyncs, String(r.m.completed), String(r.m.failed)].join(" | ")} |`);
  }
  for (const r of rows) if (r.m.firstError !== undefined) console.log(`  ${r.backend} (${r.workload}) first failure: ${r.m.firstError}`);
  const find = (workload: string, backend: string): Measurement => {
    const row = rows.find((r) => r.workload === workload && r.backend.startsWith(backend));
    if (row === undefined) throw new Error(`no row ${workload} / ${backend}`);
    return row.m;
  };
  const ratio = (a: Measurement, b: Measurement): string => `${(a.opsPerSec / b.opsPerSec).toFixed(2)}x`;
  const overhead = (bare: Measurement, backend: Measurement): string => `${((bare.opsPerSec / backend.opsPerSec - 1) * 100).toFixed(1)} %`;
  const embeddedWrite = find("write", "embedded");
  console.log("");
  console.log(`embedded / etcd write throughput: ${ratio(embeddedWrite, find("write", "etcd, EtcdKV"))} against EtcdKV, ${ratio(embeddedWrite, find("write", "etcd, bare"))} against the bare client   (target >= 0.67x: within 1.5x)`);
  console.log(`embedded / etcd read throughput:  ${ratio(find("read", "embedded"), find("read", "etcd, EtcdKV"))} against EtcdKV`);
  console.log(`embedded / etcd lease throughput: ${ratio(find("lease acquire+renew", "embedded"), find("lease acquire+renew", "etcd"))}`);
  console.log(`EtcdKV overhead over the bare etcd3 client: writes ${overhead(find("write", "etcd, bare"), find("write", "etcd, EtcdKV"))}, reads ${overhead(find("read", "etcd, bare"), find("read", "etcd, EtcdKV"))}   (target <= 10 %)`);
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
  report(rows);
} finally {
  await raft?.stop();
  await leases.close();
  await kv.close();
  bare.close();
  await cluster.stop();
}
