/**
 * Placement throughput: AffinityPlacer.placeBatch against a brute-force scoring loop (every edge, plain
 * objects, haversine per pair) measured in the same run.
 *
 *   npx tsx bench/placement.bench.ts            # 10,000 onto 1,000 edges; 100,000 onto 10,000 edges
 *   QUICK=1 npx tsx bench/placement.bench.ts    # a tenth of the workloads
 */
import { performance } from "node:perf_hooks";
import { Random } from "../src/core/random.js";
import { EdgeInfrastructure } from "../src/infra/infrastructure.js";
import type { EdgeRecord } from "../src/infra/types.js";
import { matchesSelector } from "../src/infra/selector.js";
import { AffinityPlacer } from "../src/placement/placer.js";
import { haversineKm, DEFAULT_RTT_MODEL } from "../src/placement/geo.js";
import { DEFAULT_PLACEMENT_POLICY } from "../src/placement/schemas.js";
import type { Workload } from "../src/placement/types.js";

const quick = process.env["QUICK"] === "1";
const REGIONS = [
  { name: "eu-west", lat: 50, lon: 0, zone: "eu" },
  { name: "eu-central", lat: 50, lon: 12, zone: "eu" },
  { name: "us-east", lat: 39, lon: -77, zone: "us" },
  { name: "us-west", lat: 37, lon: -122, zone: "us" },
  { name: "ap-south", lat: 19, lon: 73, zone: "apac" },
  { name: "ap-east", lat: 35, lon: 139, zone: "apac" },
  { name: "sa-east", lat: -23, lon: -46, zone: "latam" },
  { name: "af-south", lat: -33, lon: 18, zone: "africa" },
];

function fleet(count: number, random: Random): readonly EdgeRecord[] {
  const infra = new EdgeInfrastructure();
  for (let i = 0; i < count; i++) {
    const region = random.pick(REGIONS);
    infra.registerEdge({
      id: `edge-${String(i).padStart(6, "0")}`,
      region: region.name,
      coordinates: { lat: Math.max(-89, Math.min(89, region.lat + random.normal(0, 4))), lon: ((region.lon + random.normal(0, 6) + 540) % 360) - 180 },
      capacity: { cpu: random.pick([16, 32, 64]), memoryMb: random.pick([32_768, 65_536, 131_072]) },
      costPerHour: random.uniform(0.2, 3),
      labels: { tier: random.pick(["standard", "premium"]), arch: random.pick(["x86", "arm"]) },
      complianceZones: [region.zone],
      health: random.bool(0.97) ? "healthy" : "unhealthy",
      lifecycleState: random.bool(0.95) ? "active" : "draining",
    });
  }
  return infra.edges();
}

function workloads(count: number, edges: readonly EdgeRecord[], random: Random): Workload[] {
  const out: Workload[] = [];
  for (let i = 0; i < count; i++) {
    const users = Array.from({ length: random.int(1, 3) }, () => {
      const region = random.pick(REGIONS);
      return { lat: region.lat + random.normal(0, 5), lon: region.lon + random.normal(0, 5), weight: random.int(1, 5) };
    });
    out.push({
      id: `w-${i}`,
      requests: { cpu: random.pick([0.25, 0.5, 1, 2]), memoryMb: random.pick([256, 512, 1024, 2048]) },
      users,
      ...(random.bool(0.3) ? { residency: [random.pick(["eu", "us", "apac"])] } : {}),
      ...(random.bool(0.2) ? { edgeSelector: { matchLabels: { tier: "premium" } } } : {}),
      ...(random.bool(0.1) ? { dataEdges: [random.pick(edges).id] } : {}),
    });
  }
  return out;
}

/** The baseline: every edge, plain objects, haversine per pair, the same filters and score formulas. */
function bruteForce(edges: readonly EdgeRecord[], list: readonly Workload[]): (string | null)[] {
  const p = DEFAULT_PLACEMENT_POLICY;
  const used = new Map<string, { cpu: number; memoryMb: number }>();
  const maxCost = Math.max(0, ...edges.map((e) => e.costPerHour));
  const out: (string | null)[] = [];
  for (const w of list) {
    let best: string | null = null;
    let bestTotal = -Infinity;
    const cpu = w.requests?.["cpu"] ?? 0;
    const mem = w.requests?.["memoryMb"] ?? 0;
    for (const e of edges) {
      if (!p.allowedLifecycleStates.includes(e.lifecycleState) || !p.allowedHealth.includes(e.health)) continue;
      const u = used.get(e.id) ?? { cpu: e.allocated.cpu, memoryMb: e.allocated.memoryMb };
      if (u.cpu + cpu > e.capacity.cpu || u.memoryMb + mem > e.capacity.memoryMb) continue;
      if (w.edgeSelector !== undefined && !matchesSelector(e.labels, w.edgeSelector)) continue;
      if (w.residency !== undefined && !e.complianceZones.some((z) => w.residency?.includes(z))) continue;
      const users = w.users ?? [];
      const weightSum = users.reduce((s, x) => s + (x.weight ?? 1), 0);
      let rtt = 0;
      for (const x of users) {
        const km = haversineKm(e.coordinates, x);
        rtt += ((x.weight ?? 1) / weightSum) * (DEFAULT_RTT_MODEL.baseMs + (DEFAULT_RTT_MODEL.routeFactor * 2 * km) / DEFAULT_RTT_MODEL.fibreKmPerMs);
      }
      let sum = 0;
      let ws = 0;
      if (users.length > 0) {
        sum += p.weights.latency * Math.max(0, 100 * (1 - rtt / p.latencyCeilingMs));
        ws += p.weights.latency;
      }
      if ((w.dataEdges?.length ?? 0) > 0) {
        sum += p.weights.locality * (w.dataEdges?.includes(e.id) ? 100 : 0);
        ws += p.weights.locality;
      }
      const balance = (100 * ((e.capacity.cpu - u.cpu - cpu) / e.capacity.cpu + (e.capacity.memoryMb - u.memoryMb - mem) / e.capacity.memoryMb)) / 2;
      sum += p.weights.balance * balance + p.weights.cost * (maxCost > 0 ? 100 * (1 - e.costPerHour / maxCost) : 100);
      ws += p.weights.balance + p.weights.cost;
      const total = sum / ws;
      if (total > bestTotal) {
        bestTotal = total;
        best = e.id;
      }
    }
    if (best !== null) {
      const u = used.get(best) ?? { cpu: 0, memoryMb: 0 };
      used.set(best, { cpu: u.cpu + cpu, memoryMb: u.memoryMb + mem });
    }
    out.push(best);
  }
  return out;
}

function time<T>(fn: () => T): { result: T; ms: number; cpuMs: number } {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const result = fn();
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { result, ms, cpuMs: (used.user + used.system) / 1000 };
}

function scenario(edgeCount: number, workloadCount: number, exactCount: number, baselineCount: number): void {
  const random = new Random(42);
  const edges = fleet(edgeCount, random);
  const list = workloads(workloadCount, edges, random);
  const full = new AffinityPlacer({ percentageOfEdgesToScore: 100 });
  const adaptive = new AffinityPlacer({ percentageOfEdgesToScore: 0 });
  // Warm-up: JIT and the fleet compile cache, so the timed runs measure steady state.
  full.placeBatch(edges, list.slice(0, 2_000));
  adaptive.placeBatch(edges, list.slice(0, 2_000));
  bruteForce(edges, list.slice(0, Math.min(200, baselineCount)));
  const exact = time(() => full.placeBatch(edges, list.slice(0, exactCount)));
  const sampled = time(() => adaptive.placeBatch(edges, list));
  const base = time(() => bruteForce(edges, list.slice(0, baselineCount)));
  const agree = base.result.filter((id, i) => id === exact.result.decisions[i]?.edgeId).length;
  const baseRate = (baselineCount / base.cpuMs) * 1000;
  const row = (name: string, n: number, t: { ms: number; cpuMs: number }): string => {
    const cpuRate = (n / t.cpuMs) * 1000;
    return (
      `  ${name.padEnd(40)} ${cpuRate.toFixed(0).padStart(7)} placements/CPU-s  ${((n / t.ms) * 1000).toFixed(0).padStart(7)} /wall-s` +
      `  ${(cpuRate / baseRate).toFixed(1).padStart(5)}x brute force`
    );
  };
  console.log(`\n${workloadCount.toLocaleString("en")} workloads onto ${edgeCount.toLocaleString("en")} edges`);
  console.log(row(`placeBatch, score all (first ${exactCount})`, exactCount, exact) + `, placed ${exact.result.placed}`);
  console.log(row("placeBatch, adaptive sampling", workloadCount, sampled) + `, placed ${sampled.result.placed}`);
  console.log(row(`brute-force loop (first ${baselineCount})`, baselineCount, base));
  console.log(`  brute force and exact placeBatch agree on ${agree}/${baselineCount} choices (same policy, no sampling)`);
}

const scale = quick ? 0.1 : 1;
console.log("rates per CPU-second (process.cpuUsage) are steadier than wall-clock rates on a shared machine");
scenario(1_000, Math.round(10_000 * scale), Math.round(10_000 * scale), Math.round(1_000 * scale));
scenario(10_000, Math.round(100_000 * scale), Math.round(5_000 * scale), Math.round(100 * scale));
