/**
 * Control-plane workload against a 3-member etcd on loopback: 64 concurrent writers of 100-byte
 * values, then reads, then lease acquire/renew. Each edgeflow backend is measured beside the bare
 * etcd client doing the same requests in the same run, so the ratio is the backend's overhead.
 * (The embedded-Raft side of the comparison is not in this file yet.)
 *
 * Run: npx tsx bench/control-plane.bench.ts   (OPS=2000 by default)
 */
import { performance } from "node:perf_hooks";
import { Etcd3 } from "etcd3";
import { SystemClock } from "../src/core/clock.js";
import { EtcdKV, EtcdLeaseStore } from "../src/etcd/index.js";
import { startEtcdCluster } from "../test/etcd/support/etcd-cluster.js";

const OPS = Number(process.env["OPS"] ?? 2_000);
const WRITERS = 64;
const VALUE = "x".repeat(100);

interface Measurement {
  opsPerSec: number;
  p50: number;
  p99: number;
}

async function measure(op: (i: number) => Promise<unknown>): Promise<Measurement> {
  const latencies: number[] = [];
  let next = 0;
  const start = performance.now();
  await Promise.all(Array.from({ length: WRITERS }, async () => {
    for (let i = next++; i < OPS; i = next++) {
      const t = performance.now();
      await op(i);
      latencies.push(performance.now() - t);
    }
  }));
  const elapsed = performance.now() - start;
  latencies.sort((a, b) => a - b);
  const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
  return { opsPerSec: (OPS / elapsed) * 1000, p50: at(0.5), p99: at(0.99) };
}

const row = (name: string, m: Measurement, base?: Measurement): string =>
  `| ${name.padEnd(34)} | ${m.opsPerSec.toFixed(0).padStart(7)} | ${m.p50.toFixed(2).padStart(6)} | ${m.p99.toFixed(2).padStart(7)} | ${base === undefined ? "  1.00" : (base.opsPerSec / m.opsPerSec).toFixed(2).padStart(6)} |`;

const cluster = await startEtcdCluster();
if (cluster === undefined) {
  console.log("etcd is not available (apt-get install etcd-server): nothing measured");
  process.exit(0);
}
const clock = new SystemClock();
const bare = new Etcd3({ hosts: [...cluster.hosts] });
const kv = new EtcdKV({ clock, hosts: cluster.hosts, prefix: "bench/" });
const leases = new EtcdLeaseStore({ clock, hosts: cluster.hosts, prefix: "bench/" });
try {
  console.log(`3-member etcd on loopback, ${WRITERS} concurrent clients, ${OPS} ops each row, 100-byte values`);
  console.log("| workload                           |  ops/s  | p50 ms |  p99 ms | time vs bare |");
  console.log("|---|---|---|---|---|");
  // Warm both clients' connections to every member first, so the first measured row pays no dialling.
  await Promise.all(Array.from({ length: 200 }, (_, i) => Promise.all([bare.put(`bench/warm/${i}`).value(VALUE).exec(), kv.put(`warm/${i}`, VALUE)])));
  const bareWrite = await measure((i) => bare.put(`bench/bare/k${i % 1000}`).value(VALUE).exec());
  console.log(row("write: bare etcd3 put", bareWrite));
  console.log(row("write: EtcdKV.put", await measure((i) => kv.put(`k${i % 1000}`, VALUE)), bareWrite));
  const bareRead = await measure((i) => bare.get(`bench/bare/k${i % 1000}`).exec());
  console.log(row("read: bare etcd3 get", bareRead));
  console.log(row("read: EtcdKV.read", await measure((i) => kv.read(`k${i % 1000}`)), bareRead));
  const leaseOps = await measure(async (i) => {
    const lease = await leases.acquire(`r${i}`, "bench", 10_000);
    await leases.renew(lease.resource, "bench", lease.token);
  });
  console.log(row("lease: EtcdLeaseStore acquire+renew", leaseOps));
} finally {
  await leases.close();
  await kv.close();
  bare.close();
  await cluster.stop();
}
