import { afterEach, describe, expect, it } from "vitest";
import { ClosedError, ValidationError } from "../../src/core/errors.js";
import { NotLeaderError, ProposalLostError, type RaftMessage } from "../../src/consensus/index.js";
import type { RaftStorage } from "../../src/storage/types.js";
import type { Transport } from "../../src/transport/types.js";
import { KvCluster } from "./support/kv-cluster.js";

let cluster: KvCluster | undefined;
afterEach(async () => {
  await cluster?.stopAll();
  cluster = undefined;
});

async function started(ids = ["a", "b", "c"], extra = {}): Promise<KvCluster> {
  cluster = new KvCluster(ids, extra);
  await cluster.startAll();
  return cluster;
}

describe("RaftHost + ReplicatedKV", () => {
  it("elects a leader, replicates writes and serves linearizable reads on any member", async () => {
    const c = await started();
    const leader = await c.waitForLeader();
    const put = await c.until(leader.host.propose(JSON.stringify({ op: "put", key: "x", value: "1" })));
    expect(put.index).toBeGreaterThan(1);
    expect(put.result).toEqual({ previous: null, ok: true });
    const follower = [...c.kvs.values()].find((kv) => kv !== leader);
    expect(await c.until(follower?.get("x") ?? Promise.reject(new Error("no follower")))).toBe("1");
  });

  it("compare-and-set, delete and request-id deduplication", async () => {
    const c = await started();
    const leader = await c.waitForLeader();
    expect(await c.until(leader.compareAndSet("lease", null, "owner-1"))).toBe(true);
    expect(await c.until(leader.compareAndSet("lease", null, "owner-2"))).toBe(false);
    expect(await c.until(leader.get("lease"))).toBe("owner-1");
    const id = { client: "retrying-client", seq: 1 };
    const first = await c.until(leader.put("n", "v1", id));
    await c.until(leader.put("n", "v2"));
    // A retry of request 1 does not overwrite the later write, and answers as the first time.
    const retry = await c.until(leader.put("n", "v1", id));
    expect(retry).toEqual(first);
    expect(await c.until(leader.get("n"))).toBe("v2");
    expect((await c.until(leader.delete("n"))).ok).toBe(true);
    expect(await c.until(leader.get("n"))).toBeNull();
  });

  it("validates keys and request ids before proposing", async () => {
    const c = await started();
    const leader = await c.waitForLeader();
    await expect(leader.put("", "v")).rejects.toBeInstanceOf(ValidationError);
    await expect(leader.put("k", "v", { client: "", seq: -1 })).rejects.toBeInstanceOf(ValidationError);
    await expect(leader.host.propose("")).rejects.toBeInstanceOf(ValidationError);
  });

  it("a follower rejects proposals with NotLeaderError naming the leader", async () => {
    const c = await started();
    const leader = await c.waitForLeader();
    await c.run(30);
    const follower = [...c.kvs.values()].find((kv) => kv !== leader);
    const error = await c.until(follower?.put("x", "1") ?? Promise.resolve(undefined)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotLeaderError);
    expect((error as NotLeaderError).leaderId).toBe(leader.host.id);
  });

  it("reports status and metrics with per-follower match indexes", async () => {
    const c = await started();
    const leader = await c.waitForLeader();
    await c.until(leader.put("k", "v"));
    await c.run(50);
    const status = leader.host.status();
    expect(status.role).toBe("leader");
    expect(status.leaderId).toBe(leader.host.id);
    expect(status.appliedIndex).toBe(status.commitIndex);
    expect(Object.keys(status.matchIndex).sort()).toEqual(["a", "b", "c"]);
    for (const match of Object.values(status.matchIndex)) expect(match).toBe(status.lastIndex);
    const metrics = leader.host.metrics();
    expect(metrics.proposalsApplied).toBe(1);
    expect(metrics.messagesSent).toBeGreaterThan(0);
    expect(Object.isFrozen(status)).toBe(true);
  });

  it("sends a vote or an append acknowledgement only after what it promises is durable", async () => {
    const durable = new Map<string, { term: number; vote: string | null; lastIndex: number }>();
    let checked = 0;
    const violations: string[] = [];
    const wrapStorage = (s: RaftStorage, id: string): RaftStorage => ({
      load: () => s.load(),
      save: async (w) => {
        await s.save(w);
        const d = durable.get(id) ?? { term: 0, vote: null, lastIndex: 0 };
        if (w.hardState !== undefined) Object.assign(d, { term: w.hardState.term, vote: w.hardState.vote });
        if (w.snapshot !== undefined) d.lastIndex = Math.max(d.lastIndex, w.snapshot.metadata.index);
        const last = w.entries?.[w.entries.length - 1];
        if (last !== undefined) d.lastIndex = last.index;
        durable.set(id, d);
      },
      compact: (snap) => s.compact(snap),
      close: () => s.close(),
    });
    const wrapTransport = (t: Transport<RaftMessage>): Transport<RaftMessage> => ({
      localId: t.localId,
      send: (to, m) => {
        const d = durable.get(t.localId);
        if (m.type === "vote_response" && !m.reject) {
          checked++;
          if (d?.term !== m.term || d.vote !== m.to) violations.push(`${t.localId} granted a vote not yet durable`);
        }
        if (m.type === "append_response" && !m.reject && m.index > 0) {
          checked++;
          if ((d?.lastIndex ?? 0) < m.index) violations.push(`${t.localId} acknowledged ${m.index} with ${d?.lastIndex ?? 0} durable`);
        }
        t.send(to, m);
      },
      onMessage: (h) => t.onMessage(h),
      onError: (h) => t.onError(h),
      close: () => t.close(),
    });
    const c = new KvCluster(["a", "b", "c"], {}, 3, { storage: wrapStorage, transport: wrapTransport });
    cluster = c;
    await c.startAll();
    const leader = await c.waitForLeader();
    await c.until(Promise.all(Array.from({ length: 20 }, (_, i) => leader.put(`k${i}`, "v"))));
    expect(checked).toBeGreaterThan(5);
    expect(violations).toEqual([]);
  });

  it("survives the leader crashing: a new leader takes over and the old one catches up on restart", async () => {
    const c = await started();
    const first = await c.waitForLeader();
    for (let i = 0; i < 5; i++) await c.until(first.put(`k${i}`, `v${i}`));
    const oldId = first.host.id;
    await c.crash(oldId);
    const second = await c.waitForLeader();
    expect(second.host.id).not.toBe(oldId);
    await c.until(second.put("after", "crash"));
    const restarted = await c.start(oldId);
    await c.run(200);
    expect(await c.until(restarted.get("after"))).toBe("crash");
    expect(restarted.localGet("k4")).toBe("v4");
  });

  it("a proposal overwritten after a leader change fails with ProposalLostError", async () => {
    const c = await started(["a", "b", "c"], { proposalTimeoutMs: 60_000 });
    const leader = await c.waitForLeader();
    await c.until(leader.put("x", "0"));
    const oldId = leader.host.id;
    c.network.isolate(oldId);
    const doomed = leader.put("x", "doomed");
    doomed.catch(() => undefined);
    await c.run(400);
    const others = [...c.kvs.values()].filter((kv) => kv !== leader);
    const next = others.find((kv) => kv.host.isLeader());
    expect(next).toBeDefined();
    await c.until(next?.put("x", "1") ?? Promise.resolve(undefined));
    c.network.heal();
    const error = await c.until(doomed).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProposalLostError);
    expect(await c.until(leader.get("x"))).toBe("1");
  });

  it("takes snapshots and brings a new member up through InstallSnapshot, then removes a member", async () => {
    const c = await started(["a", "b", "c"], { snapshotEvery: 10 });
    const leader = await c.waitForLeader();
    for (let i = 0; i < 30; i++) await c.until(leader.put(`k${i}`, `v${i}`));
    await c.run(50);
    expect(leader.host.metrics().snapshotsTaken).toBeGreaterThan(0);
    const joiner = await c.start("d", undefined);
    await c.until(leader.host.addMember("d"), 10_000);
    expect(leader.host.status().voters).toEqual(["a", "b", "c", "d"]);
    await c.run(50);
    expect(joiner.host.metrics().snapshotsInstalled).toBeGreaterThan(0);
    expect(joiner.localGet("k29")).toBe("v29");
    const removed = ["a", "b", "c"].find((id) => id !== leader.host.id) as string;
    await c.until(leader.host.removeMember(removed));
    expect(leader.host.status().voters).not.toContain(removed);
    await c.until(leader.put("post", "removal"));
    expect(await c.until(joiner.get("post"))).toBe("removal");
  });

  it("transfers leadership on request", async () => {
    const c = await started();
    const leader = await c.waitForLeader();
    await c.until(leader.put("x", "1"));
    await c.run(30);
    const target = ["a", "b", "c"].find((id) => id !== leader.host.id) as string;
    await c.until(leader.host.transferLeader(target));
    expect(c.kv(target).host.isLeader()).toBe(true);
    expect(leader.host.isLeader()).toBe(false);
  });

  it("stop() rejects pending work with ClosedError and further calls throw", async () => {
    const c = await started();
    const leader = await c.waitForLeader();
    c.network.isolate(leader.host.id);
    const pending = leader.put("x", "never");
    pending.catch(() => undefined);
    await c.run(2);
    await leader.stop();
    await expect(pending).rejects.toBeInstanceOf(ClosedError);
    expect(() => leader.host.read()).toThrow(ClosedError);
    c.kvs.delete(leader.host.id);
  });

  it("requests queued when the host stops are rejected, never left hanging", async () => {
    const c = await started();
    const leader = await c.waitForLeader();
    const read = leader.get("x");
    const change = leader.host.changeMembership({ type: "add_learner", memberId: "z" });
    await leader.stop();
    await expect(read).rejects.toBeInstanceOf(ClosedError);
    await expect(change).rejects.toBeInstanceOf(ClosedError);
    c.kvs.delete(leader.host.id);
  });

  it("a leader cut off from the majority cannot serve reads: they fail with NotLeaderError", async () => {
    const c = await started();
    const leader = await c.waitForLeader();
    await c.until(leader.put("x", "1"));
    c.network.isolate(leader.host.id);
    const error = await c.until(leader.get("x"), 5000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotLeaderError);
  });
});
