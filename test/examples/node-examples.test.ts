/**
 * One runnable example per node type lives in examples/nodes/; each is run here, in this process,
 * and its printed story checked, so the examples cannot rot.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createNodeRegistry } from "../../nodes/index.js";

const examples = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "examples", "nodes");

function fileOf(type: string): string {
  return join(examples, `${type.replace(/([a-z])([A-Z])/g, "$1-$2").toLowerCase()}.ts`);
}

/** Runs an example module and returns what it printed. */
async function run(type: string): Promise<string> {
  const lines: string[] = [];
  const log = vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => {
    lines.push(args.map(String).join(" "));
  });
  try {
    await import(fileOf(type));
  } finally {
    log.mockRestore();
  }
  return lines.join("\n");
}

afterEach(() => vi.restoreAllMocks());

describe("examples/nodes", () => {
  it("has one example for every built-in node type", () => {
    const missing = createNodeRegistry().types().filter((type) => !existsSync(fileOf(type)));
    expect(missing).toEqual([]);
  });

  it("EdgeDiscovery registers the fleet and finds edges by zone and state", async () => {
    const out = await run("EdgeDiscovery");
    expect(out).toContain("4 edges registered");
    expect(out).toContain("EU-resident edges: edge-fra-1, edge-par-1");
    expect(out).toMatch(/serving traffic \(active\): (?!.*edge-fra-1).*edge-par-1/);
  });

  it("EdgeAffinity places the EU service on an EU edge, explains the rest and splits jobs", async () => {
    const out = await run("EdgeAffinity");
    expect(out).toContain("placed checkout on edge-par-1");
    expect(out).toMatch(/edge-nyc-1: filtered out: .*residency/);
    expect(out).toMatch(/latency \d+ \(users \d+ ms away/);
    expect(out).toContain("job thumbnails: a function");
    expect(out).toContain("job video-encode: a VM / edge");
  });

  it("EdgeStateMachine moves warming → active and fences the lease", async () => {
    const out = await run("EdgeStateMachine");
    expect(out).toContain("edge-fra-1: warming → active");
    expect(out).toContain("fencing token 1");
    expect(out).toContain("now expires 30 s from now, same token 1");
    expect(out).toContain("deployer-b refused");
  });

  it("EdgeMonitoring marks the degraded edge unhealthy, with units, and fires an alert", async () => {
    const out = await run("EdgeMonitoring");
    expect(out).toMatch(/health edge-par-1: unhealthy \(latency = \d+ ms is above the critical threshold 1000 ms/);
    expect(out).toContain("health edge-nyc-1: healthy");
    expect(out).toContain("registry now lists edge-par-1 as unhealthy");
    expect(out).toMatch(/alert firing \(critical\) on edge-par-1/);
  });

  it("EdgeWarming warms the edge before its daily peak", async () => {
    const out = await run("EdgeWarming");
    expect(out).toContain("recorded 280 requests");
    expect(out).toMatch(/predicted: edge-fra-1 needed by 09:00 UTC/);
    expect(out).toContain("warming edge-fra-1: warmed, lifecycle now active");
  });

  it("GlobalOrdering delivers the scaling after the deployment it depends on", async () => {
    const out = await run("GlobalOrdering");
    expect(out.indexOf("#0 deploy-42")).toBeGreaterThanOrEqual(0);
    expect(out.indexOf("#1 scale-42")).toBeGreaterThan(out.indexOf("#0 deploy-42"));
    expect(out).toContain("delivered 2");
  });

  it("PartitionDetection loses quorum when cut off and regains it on heal", async () => {
    const out = await run("PartitionDetection");
    expect(out).toMatch(/after 5 s: quorum held/);
    expect(out).toMatch(/cut off: quorum LOST \(1\/3 reachable, 2 needed\); paris alive, frankfurt suspect, virginia suspect/);
    expect(out).toMatch(/healed: quorum held/);
  });

  it("RaftConsensus writes, swaps and reads linearizably on a follower", async () => {
    const out = await run("RaftConsensus");
    expect(out).toContain("compare-and-set edge-par-1 → edge-fra-1: applied");
    expect(out).toContain("placement/checkout = edge-fra-1");
    expect(out).toMatch(/cluster: leader cp-\w+, term \d+, commit index [1-9]/);
  });

  it("EdgeMigration moves the cache live and rolls the slow one back", async () => {
    const out = await run("EdgeMigration");
    expect(out).toMatch(/migration \S+: completed/);
    expect(out).toContain("cache now served by edge-fra-1");
    expect(out).toMatch(/rolled_back; search still served by edge-par-1/);
  });

  it("EdgeState keeps the cart through a typed error and a move", async () => {
    const out = await run("EdgeState");
    expect(out).toContain("cart:alice lives on edge-par-1");
    expect(out).toMatch(/incrementing a string is refused/);
    expect(out).toContain("moved from edge-par-1 to edge-fra-1");
    expect(out).toContain('{"owner":"alice","items":["book","lamp"],"count":2}');
  });

  it("ResourcePool preempts the low-priority batch and refuses what cannot fit", async () => {
    const out = await run("ResourcePool");
    expect(out).toContain("preempting nightly-batch");
    expect(out).toMatch(/ml-training refused: .*cpu short by/);
    expect(out).toMatch(/pool eu: CPU 10\/16 vCPU allocated/);
  });

  it("ResourceAnalyzer finds the rising CPU and recommends capacity", async () => {
    const out = await run("ResourceAnalyzer");
    expect(out).toMatch(/trend edge-par-1\/cpu: increasing/);
    expect(out).toMatch(/recommendation \(\w+\): add_capacity/);
  });

  it("ResourceScaler scales up ahead of the forecast and grades its decision", async () => {
    const out = await run("ResourceScaler");
    expect(out).toMatch(/decision: scale up 2 → 3 instances/);
    expect(out).toMatch(/3 instances needed, 3 planned → correct/);
  });

  it("ResourceOptimizer's savings add up and feed the ROI", async () => {
    const out = await run("ResourceOptimizer");
    const total = Number(/saves \$([\d.]+)\/month/.exec(out)?.[1]);
    const parts = [...out.matchAll(/−\$([\d.]+)\/month/g)].map((m) => Number(m[1]));
    expect(parts.length).toBeGreaterThan(0);
    expect(parts.reduce((a, b) => a + b, 0)).toBeCloseTo(total, 1);
    expect(out).toContain("render-farm: 6 × c5.xlarge on_demand → 6 × c5.xlarge spot");
    expect(out).toMatch(/over 12 months: \$[\d.]+ saved/);
  });

  it("Transform computes the p95 verdict", async () => {
    expect(await run("Transform")).toBe("p95 latency 230 ms: over the 200 ms objective");
  });

  it("Merge deep-merges, lists and keys its inputs", async () => {
    const out = await run("Merge");
    expect(out).toContain('deep: {"replicas":2,"limits":{"cpu":2,"memoryMb":512}}');
    expect(out).toContain("object: a, b");
  });
});
