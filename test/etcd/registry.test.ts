import { Etcd3 } from "etcd3";
import { afterAll, describe, expect, it, vi } from "vitest";
import { SystemClock } from "../../src/core/clock.js";
import { EdgeInfrastructure, type EdgeSpec } from "../../src/infra/index.js";
import { ETCD_EDGE_REGISTRY, EtcdEdgeRegistry, type EtcdEdgeRegistryEvents } from "../../src/etcd/index.js";
import { startTcpRelay } from "../support/tcp-relay.js";
import { etcdAvailable, useEtcdCluster } from "./support/etcd-cluster.js";

const etcd = useEtcdCluster("etcd edge-registry tests");
const infrastructures: EdgeInfrastructure[] = [];

afterAll(async () => {
  for (const i of infrastructures.splice(0)) await i.close();
});

function edge(id: string, region = "eu-west"): EdgeSpec {
  return { id, region, coordinates: { lat: 53.3, lon: -6.3 }, capacity: { cpu: 8, memoryMb: 16_384 } };
}

/** One service: its own infrastructure and etcd client, on the given members. */
async function service(prefix: string, hosts: readonly string[], local: readonly EdgeSpec[] = []): Promise<{ infrastructure: EdgeInfrastructure; registry: EtcdEdgeRegistry; seen: Array<{ [K in keyof EtcdEdgeRegistryEvents]: [K, EtcdEdgeRegistryEvents[K]] }[keyof EtcdEdgeRegistryEvents]> }> {
  const infrastructure = new EdgeInfrastructure();
  infrastructures.push(infrastructure);
  for (const spec of local) infrastructure.registerEdge(spec);
  const registry = await EtcdEdgeRegistry.open({ clock: new SystemClock(), hosts, prefix, infrastructure, requestTimeoutMs: 1_000, retryDelayMs: 50, maxRetryDelayMs: 200 });
  const seen: Awaited<ReturnType<typeof service>>["seen"] = [];
  registry.events.on("registry:conflict", (e) => seen.push(["registry:conflict", e]));
  registry.events.on("registry:resynced", (e) => seen.push(["registry:resynced", e]));
  return { infrastructure, registry, seen };
}

const ids = (infrastructure: EdgeInfrastructure): string[] => infrastructure.edges().map((e) => e.id);

describe.skipIf(!etcdAvailable)("EtcdEdgeRegistry: services sharing one etcd see one fleet", () => {
  it("brings registrations, updates and deregistrations made in one service into the other by the watch", async (ctx) => {
    const cluster = etcd();
    if (cluster === undefined) return ctx.skip();
    const a = await service("fleet1/", cluster.hosts, [edge("edge-a0")]);
    const b = await service("fleet1/", [...cluster.hosts].reverse(), [edge("edge-b0", "us-east")]);
    // Edges each had before joining are shared both ways.
    await vi.waitFor(() => expect(ids(a.infrastructure)).toEqual(["edge-a0", "edge-b0"]), { timeout: 5_000 });
    expect(ids(b.infrastructure)).toEqual(["edge-a0", "edge-b0"]);

    const announced: string[] = [];
    b.infrastructure.events.on("edge:registered", ({ edge: e }) => announced.push(`registered ${e.id}`));
    b.infrastructure.events.on("edge:updated", ({ edge: e }) => announced.push(`updated ${e.id} r${e.revision}`));
    b.infrastructure.events.on("edge:deregistered", ({ edge: e }) => announced.push(`deregistered ${e.id}`));
    a.infrastructure.registerEdge(edge("edge-a1"));
    const allocated = a.infrastructure.allocate("edge-a1", { cpu: 3 });
    await a.registry.flush();
    await vi.waitFor(() => expect(b.infrastructure.tryGetEdge("edge-a1")).toEqual(allocated), { timeout: 5_000 });

    // A change made in b reaches a with the same revision, and b's own write does not come back as a change.
    const degraded = b.infrastructure.setHealth("edge-a1", "degraded");
    await b.registry.flush();
    await vi.waitFor(() => expect(a.infrastructure.tryGetEdge("edge-a1")).toEqual(degraded), { timeout: 5_000 });
    a.infrastructure.deregisterEdge("edge-b0");
    await a.registry.flush();
    await vi.waitFor(() => expect(ids(b.infrastructure)).toEqual(["edge-a0", "edge-a1"]), { timeout: 5_000 });
    expect(announced).toEqual(["registered edge-a1", "updated edge-a1 r2", "updated edge-a1 r3", "deregistered edge-b0"]);
    expect([...a.seen, ...b.seen]).toEqual([]);
  });

  it("resolves concurrent changes to one edge by etcd's order: one wins everywhere, the other is told", async (ctx) => {
    const cluster = etcd();
    if (cluster === undefined) return ctx.skip();
    const a = await service("fleet2/", cluster.hosts, [edge("edge-x")]);
    const b = await service("fleet2/", cluster.hosts.slice(1));
    await vi.waitFor(() => expect(ids(b.infrastructure)).toEqual(["edge-x"]), { timeout: 5_000 });
    a.infrastructure.setHealth("edge-x", "degraded");
    b.infrastructure.setHealth("edge-x", "unhealthy");
    await Promise.all([a.registry.flush(), b.registry.flush()]);
    await vi.waitFor(() => expect(a.infrastructure.getEdge("edge-x")).toEqual(b.infrastructure.getEdge("edge-x")), { timeout: 5_000 });
    const conflicts = [...a.seen, ...b.seen].filter(([name]) => name === "registry:conflict");
    expect(conflicts).toHaveLength(1);
    const [, conflict] = conflicts[0] ?? [];
    expect(conflict).toMatchObject({ id: "edge-x", change: "put", kept: a.infrastructure.getEdge("edge-x") });
    expect(["degraded", "unhealthy"]).toContain(a.infrastructure.getEdge("edge-x").health);
  });

  it("reloads the fleet when etcd compacted the history its watch would resume from, and writes changes made while cut off", async (ctx) => {
    const cluster = etcd();
    if (cluster === undefined) return ctx.skip();
    const [member] = cluster.members;
    if (member === undefined) return ctx.skip();
    // b reaches its member only through a relay the test cuts, so the member keeps applying the
    // cluster's writes and the compaction while b is away, and b comes back only once it has.
    const relay = await startTcpRelay(member.clientUrl);
    const bare = new Etcd3({ hosts: cluster.hosts.slice(1) });
    const direct = new Etcd3({ hosts: [member.clientUrl] });
    try {
      const a = await service("fleet3/", cluster.hosts.slice(1), [edge("edge-1")]);
      const b = await service("fleet3/", [relay.url]);
      await vi.waitFor(() => expect(ids(b.infrastructure)).toEqual(["edge-1"]), { timeout: 5_000 });

      relay.cut();
      b.infrastructure.registerEdge(edge("edge-offline"));
      a.infrastructure.registerEdge(edge("edge-2"));
      a.infrastructure.setLifecycleState("edge-1", "active");
      a.infrastructure.deregisterEdge("edge-2");
      a.infrastructure.registerEdge(edge("edge-3"));
      await a.registry.flush();
      const { header } = await bare.get("fleet3/").exec();
      const compactedTo = Number(header.revision);
      await bare.kv.compact({ revision: compactedTo, physical: true });
      // The precondition of the reload: b's member itself refuses the history b would resume from.
      await vi.waitFor(async () => {
        const read = await direct.get("fleet3/").revision(compactedTo - 1).serializable(true).exec().then(() => "served", (e: unknown) => String(e));
        expect(read).toMatch(/compacted/i);
      }, { timeout: 10_000, interval: 50 });
      relay.restore();

      await b.registry.flush();
      await vi.waitFor(() => expect(ids(a.infrastructure)).toEqual(["edge-1", "edge-3", "edge-offline"]), { timeout: 20_000 });
      await vi.waitFor(() => expect(ids(b.infrastructure)).toEqual(["edge-1", "edge-3", "edge-offline"]), { timeout: 20_000 });
      expect(b.infrastructure.getEdge("edge-1")).toEqual(a.infrastructure.getEdge("edge-1"));
      // The fleet is reloaded before the new watch is open, and the event is told only once it is.
      await vi.waitFor(() => expect(b.seen.find(([name]) => name === "registry:resynced")?.[1]).toMatchObject({ reason: { code: "etcd.compacted" } }), { timeout: 10_000 });
    } finally {
      bare.close();
      direct.close();
      await relay.close();
    }
  }, 40_000);

  it("fails to open with a typed error when the cluster is unreachable or the call is cancelled, leaving the infrastructure as it was", async () => {
    const infrastructure = new EdgeInfrastructure();
    infrastructures.push(infrastructure);
    const open = (signal?: AbortSignal): Promise<unknown> =>
      EtcdEdgeRegistry.open({ clock: new SystemClock(), hosts: ["http://127.0.0.1:1"], infrastructure, requestTimeoutMs: 500 }, { signal }).catch((e: unknown) => e);
    expect(["etcd.unavailable", "timeout"]).toContain(((await open()) as { code?: string }).code);
    expect(infrastructure.has(ETCD_EDGE_REGISTRY)).toBe(false);
    const aborted = new AbortController();
    aborted.abort();
    expect(await open(aborted.signal)).toMatchObject({ code: "cancelled" });
    expect(infrastructure.has(ETCD_EDGE_REGISTRY)).toBe(false);
    await expect(EtcdEdgeRegistry.open({ clock: new SystemClock(), hosts: ["not a url"], infrastructure })).rejects.toMatchObject({ code: "validation" });
  });
});
