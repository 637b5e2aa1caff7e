import { afterEach, describe, expect, it } from "vitest";
import { ServiceRegistry } from "../../src/core/services.js";
import { ValidationError } from "../../src/core/errors.js";
import { NotLeaderError, RAFT_CLUSTERS, RaftClusters } from "../../src/consensus/index.js";
import { RaftConsensus } from "../../nodes/raft-consensus.js";
import { runOperation } from "../../src/workflow/run-node.js";
import { testNodeContext } from "../support/node-context.js";
import { KvCluster } from "./support/kv-cluster.js";

let cluster: KvCluster | undefined;
afterEach(async () => {
  await cluster?.stopAll();
  cluster = undefined;
});

async function setup(): Promise<{ c: KvCluster; ctx: ReturnType<typeof testNodeContext>; clusters: RaftClusters }> {
  const c = new KvCluster(["a", "b", "c"]);
  cluster = c;
  await c.startAll();
  await c.waitForLeader();
  const infrastructure = new ServiceRegistry();
  const clusters = infrastructure.getOrCreate(RAFT_CLUSTERS, () => new RaftClusters());
  clusters.registerKV("config", [...c.kvs.values()]);
  return { c, ctx: testNodeContext({ infrastructure, clock: c.clock }), clusters };
}

describe("RaftConsensus node", () => {
  it("proposes through the leader and reads a key linearizably", async () => {
    const { c, ctx } = await setup();
    const data = JSON.stringify({ op: "put", key: "placement", value: "edge-west-1" });
    const proposed = await c.until(runOperation(RaftConsensus, "propose", { cluster: "config" }, { data }, ctx));
    expect(proposed).toMatchObject({ result: { previous: null, ok: true } });
    const read = await c.until(runOperation(RaftConsensus, "read", { cluster: "config", member: "b" }, { key: "placement" }, ctx));
    expect(read).toMatchObject({ key: "placement", value: "edge-west-1" });
  });

  it("puts, compares-and-sets and deletes keys of a ReplicatedKV cluster through its leader", async () => {
    const { c, ctx } = await setup();
    const put = await c.until(runOperation(RaftConsensus, "put", { cluster: "config", key: "placement" }, { value: { edge: "edge-fra-2" } }, ctx));
    expect(put).toEqual({ key: "placement", previous: null, ok: true });
    const swapped = await c.until(runOperation(RaftConsensus, "compare_and_set", { cluster: "config", key: "placement", expected: '{"edge":"edge-fra-2"}', value: "edge-par-1" }, {}, ctx));
    expect(swapped).toEqual({ key: "placement", ok: true });
    const stale = await c.until(runOperation(RaftConsensus, "compare_and_set", { cluster: "config", key: "placement", expected: "edge-fra-2", value: "x" }, {}, ctx));
    expect(stale).toEqual({ key: "placement", ok: false });
    const read = await c.until(runOperation(RaftConsensus, "read", { cluster: "config", member: "c", key: "placement" }, {}, ctx));
    expect(read).toMatchObject({ value: "edge-par-1" });
    const deleted = await c.until(runOperation(RaftConsensus, "delete", { cluster: "config", key: "placement" }, {}, ctx));
    expect(deleted).toEqual({ key: "placement", previous: "edge-par-1", ok: true });
    await expect(runOperation(RaftConsensus, "put", { cluster: "config", key: "k" }, {}, ctx)).rejects.toMatchObject({ issues: [{ path: "value" }] });
    await expect(runOperation(RaftConsensus, "delete", { cluster: "config" }, {}, ctx)).rejects.toMatchObject({ issues: [{ path: "key" }] });
  });

  it("reports status, transfers leadership and changes membership", async () => {
    const { c, ctx, clusters } = await setup();
    const { status } = await runOperation(RaftConsensus, "status", { cluster: "config" }, {}, ctx);
    if (status.backend !== "raft") throw new Error(`expected the embedded Raft's status, got ${status.backend}'s`);
    expect(status.role).toBe("leader");
    await c.run(30);
    const target = ["a", "b", "c"].find((id) => id !== status.id) as string;
    await c.until(runOperation(RaftConsensus, "transfer_leader", { cluster: "config", target }, {}, ctx));
    expect(clusters.leader("config")?.id).toBe(target);
    const joiner = await c.start("d", undefined);
    clusters.registerKV("config", [joiner]);
    const { status: added } = await c.until(runOperation(RaftConsensus, "add_member", { cluster: "config", memberId: "d", maxLag: 0 }, {}, ctx), 10_000);
    expect(added.voters).toEqual(["a", "b", "c", "d"]);
    const { status: removed } = await c.until(runOperation(RaftConsensus, "remove_member", { cluster: "config", memberId: "d" }, {}, ctx));
    expect(removed.voters).toEqual(["a", "b", "c"]);
  });

  it("fails with typed errors: missing data, unknown cluster, no local leader", async () => {
    const { c, ctx, clusters } = await setup();
    await expect(runOperation(RaftConsensus, "propose", { cluster: "config" }, {}, ctx)).rejects.toBeInstanceOf(ValidationError);
    await expect(runOperation(RaftConsensus, "status", { cluster: "nope" }, {}, ctx)).rejects.toMatchObject({ code: "not_found" });
    const followersOnly = new RaftClusters();
    followersOnly.register("f", [...c.kvs.values()].filter((kv) => !kv.host.isLeader()).map((kv) => kv.host));
    const infra = new ServiceRegistry();
    infra.register(RAFT_CLUSTERS, followersOnly);
    await expect(runOperation(RaftConsensus, "propose", { cluster: "f", data: "x" }, {}, testNodeContext({ infrastructure: infra }))).rejects.toBeInstanceOf(NotLeaderError);
    expect(clusters.names()).toEqual(["config"]);
    expect(RaftConsensus.config.safeParse({ operation: "transfer_leader", cluster: "config" }).success).toBe(false);
    // Proposals, leadership and membership exist only on the embedded Raft.
    expect(RaftConsensus.config.safeParse({ operation: "propose", cluster: "config", data: "x", backend: { kind: "etcd", hosts: ["http://127.0.0.1:2379"] } }).success).toBe(false);
    expect(RaftConsensus.config.safeParse({ operation: "put", cluster: "config", backend: { kind: "etcd", hosts: [] } }).success).toBe(false);
    expect(RaftConsensus.config.safeParse({ operation: "put", cluster: "config", backend: { kind: "etcd", hosts: ["http://127.0.0.1:2379"] } }).success).toBe(true);
  });
});
