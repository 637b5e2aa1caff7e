import { afterAll, describe, expect, it } from "vitest";
import { SystemClock } from "../../src/core/clock.js";
import { ServiceRegistry } from "../../src/core/services.js";
import { ETCD_CONNECTIONS, EtcdKV } from "../../src/etcd/index.js";
import { RaftConsensus } from "../../nodes/raft-consensus.js";
import { runOperation } from "../../src/workflow/run-node.js";
import { testNodeContext } from "../support/node-context.js";
import { etcdAvailable, useEtcdCluster } from "./support/etcd-cluster.js";

const etcd = useEtcdCluster("RaftConsensus-on-etcd tests");
const infrastructure = new ServiceRegistry();

afterAll(async () => {
  await infrastructure.close();
});

describe.skipIf(!etcdAvailable)("RaftConsensus with an etcd backend", () => {
  it("runs put / read / compare_and_set / delete / status on etcd, selected by config alone", async (ctx) => {
    const cluster = etcd();
    if (cluster === undefined) return ctx.skip();
    const node = testNodeContext({ infrastructure, clock: new SystemClock() });
    const backend = { kind: "etcd" as const, hosts: [...cluster.hosts], prefix: "nodetest/", requestTimeoutMs: 3_000 };
    const put = await runOperation(RaftConsensus, "put", { cluster: "config", backend, key: "placement" }, { value: { edge: "edge-fra-2" } }, node);
    expect(put).toEqual({ key: "placement", previous: null, ok: true });
    const swapped = await runOperation(RaftConsensus, "compare_and_set", { cluster: "config", backend, key: "placement", expected: '{"edge":"edge-fra-2"}', value: "edge-par-1" }, {}, node);
    expect(swapped).toEqual({ key: "placement", ok: true });
    const stale = await runOperation(RaftConsensus, "compare_and_set", { cluster: "config", backend, key: "placement", expected: "edge-fra-2", value: "x" }, {}, node);
    expect(stale).toEqual({ key: "placement", ok: false });
    const read = await runOperation(RaftConsensus, "read", { cluster: "config", backend }, { key: "placement" }, node);
    expect(read).toMatchObject({ key: "placement", value: "edge-par-1" });
    const barrier = await runOperation(RaftConsensus, "read", { cluster: "config", backend }, {}, node);
    expect(barrier.readIndex).toBeGreaterThanOrEqual(read.readIndex);
    expect(barrier.key).toBeUndefined();

    // Another logical cluster on the same etcd has its own keys.
    expect(await runOperation(RaftConsensus, "read", { cluster: "other", backend, key: "placement" }, {}, node)).toMatchObject({ value: null });
    // The keys live under <prefix><cluster>/, where a bare client sees them.
    await using bare = new EtcdKV({ clock: new SystemClock(), hosts: cluster.hosts, prefix: "nodetest/config/" });
    expect((await bare.read("placement")).value).toBe("edge-par-1");

    const deleted = await runOperation(RaftConsensus, "delete", { cluster: "config", backend, key: "placement" }, {}, node);
    expect(deleted).toEqual({ key: "placement", previous: "edge-par-1", ok: true });
    expect(await runOperation(RaftConsensus, "delete", { cluster: "config", backend, key: "placement" }, {}, node)).toMatchObject({ ok: false });

    const { status } = await runOperation(RaftConsensus, "status", { cluster: "config", backend }, {}, node);
    if (status.backend !== "etcd") throw new Error(`expected etcd's status, got ${status.backend}'s`);
    expect(status.members).toHaveLength(3);
    expect(status.members.map((m) => m.id)).toContain(status.leaderId);
    expect(status.term).toBeGreaterThan(0);
    expect(status.revision).toBeGreaterThan(barrier.readIndex);
    // One client per distinct setting, shared by every run on this infrastructure.
    expect(infrastructure.has(ETCD_CONNECTIONS)).toBe(true);
  });

  it("refuses what only the embedded Raft has, and honours the run's AbortSignal", async (ctx) => {
    const cluster = etcd();
    if (cluster === undefined) return ctx.skip();
    const backend = { kind: "etcd" as const, hosts: [...cluster.hosts], prefix: "nodetest/" };
    const node = testNodeContext({ infrastructure, clock: new SystemClock() });
    await expect(runOperation(RaftConsensus, "read", { cluster: "config", backend, member: "m1", key: "k" }, {}, node)).rejects.toMatchObject({ issues: [{ path: "member", code: "not_supported" }] });
    const aborted = new AbortController();
    aborted.abort();
    await expect(runOperation(RaftConsensus, "put", { cluster: "config", backend, key: "k", value: "v" }, {}, testNodeContext({ infrastructure, clock: new SystemClock(), signal: aborted.signal }))).rejects.toMatchObject({ code: "cancelled" });
  });

  it("reports an unreachable cluster as etcd.unavailable or a timeout, not a hang", async () => {
    const node = testNodeContext({ infrastructure, clock: new SystemClock() });
    const backend = { kind: "etcd" as const, hosts: ["http://127.0.0.1:1"], requestTimeoutMs: 1_000 };
    const error: unknown = await runOperation(RaftConsensus, "put", { cluster: "config", backend, key: "k", value: "v" }, {}, node).catch((e: unknown) => e);
    expect(["etcd.unavailable", "timeout"]).toContain((error as { code?: string }).code);
  });
});
