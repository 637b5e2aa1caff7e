import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SystemClock } from "../../src/core/clock.js";
import { isEdgeflowError } from "../../src/core/errors.js";
import { EtcdDecisionLog, EtcdKV } from "../../src/etcd/index.js";
import { etcdAvailable, startEtcdCluster, type EtcdCluster } from "./support/etcd-cluster.js";

if (!etcdAvailable) console.warn("skipping etcd KV and decision-log tests: etcd is not on PATH (apt-get install etcd-server)");

let cluster: EtcdCluster | undefined;
const closers: Array<{ close(): Promise<void> }> = [];

beforeAll(async () => {
  cluster = await startEtcdCluster();
  if (cluster === undefined && etcdAvailable) console.warn("skipping etcd KV and decision-log tests: the 3-member cluster did not become healthy");
}, 30_000);

afterAll(async () => {
  for (const c of closers.splice(0)) await c.close();
  await cluster?.stop();
});

function kv(hosts: readonly string[]): EtcdKV {
  const k = new EtcdKV({ clock: new SystemClock(), hosts, prefix: "kvtest/", requestTimeoutMs: 3_000 });
  closers.push(k);
  return k;
}

describe.skipIf(!etcdAvailable)("EtcdKV and EtcdDecisionLog on a 3-member cluster", () => {
  it("put / read / compare_and_set / delete / status with ReplicatedKV's result shapes", async (ctx) => {
    if (cluster === undefined) return ctx.skip();
    const a = kv(cluster.hosts);
    const b = kv(cluster.hosts.slice(2));
    expect(await a.put("k", "v1")).toMatchObject({ previous: null, ok: true });
    expect(await a.put("k", "v2")).toMatchObject({ previous: "v1", ok: true });
    expect((await b.read("k")).value).toBe("v2");
    expect(await b.compareAndSet("k", "v1", "v3")).toBe(false);
    expect(await b.compareAndSet("k", "v2", "v3")).toBe(true);
    expect(await a.compareAndSet("new", null, "x")).toBe(true);
    expect(await a.compareAndSet("new", null, "y")).toBe(false);
    expect(await a.compareAndSet("new", "x", null)).toBe(true);
    expect((await a.read("new")).value).toBeNull();
    expect(await a.delete("k")).toMatchObject({ previous: "v3", ok: true });
    expect(await a.delete("k")).toMatchObject({ previous: null, ok: false });
    const status = await b.status();
    expect(status.leaderId).not.toBe("0");
    expect(status.term).toBeGreaterThan(0);
    await expect(a.put("", "x")).rejects.toMatchObject({ code: "validation" });
  });

  it("keeps compare_and_set exclusive while a member is killed: exactly one of many racers wins each round", async (ctx) => {
    if (cluster === undefined) return ctx.skip();
    const clients = cluster.hosts.map((_, i) => kv([...(cluster?.hosts.slice(i) ?? []), ...(cluster?.hosts.slice(0, i) ?? [])]));
    const victim = cluster.members[0];
    for (let round = 0; round < 12; round++) {
      if (round === 4) await victim?.kill();
      if (round === 8) await victim?.restart();
      const outcomes = await Promise.all(Array.from({ length: 6 }, (_, i) => (clients[(i % 2) + 1] ?? clients[1])?.compareAndSet(`slot${round}`, null, `w${i}`).catch((e: unknown) => {
        if (isEdgeflowError(e, "etcd.unavailable") || isEdgeflowError(e, "timeout")) return "failed" as const;
        throw e;
      })));
      const winners = outcomes.filter((o) => o === true).length;
      // A racer that failed may still have won; the stored value then names it.
      const stored = (await (clients[1] ?? clients[0])?.read(`slot${round}`))?.value;
      expect(winners).toBeLessThanOrEqual(1);
      if (winners === 1) expect(stored).toBe(`w${outcomes.indexOf(true)}`);
      // With every racer answered, someone must have won; a round where some failed may have no winner.
      if (!outcomes.includes("failed")) expect(stored).toMatch(/^w\d$/);
      else expect(stored === null || /^w\d$/.test(stored ?? "")).toBe(true);
    }
  }, 30_000);

  it("appends decisions under concurrency with contiguous sequence numbers read back in revision order", async (ctx) => {
    if (cluster === undefined) return ctx.skip();
    const logs = cluster.hosts.map((_, i) => {
      const l = new EtcdDecisionLog({ clock: new SystemClock(), hosts: [...(cluster?.hosts.slice(i) ?? []), ...(cluster?.hosts.slice(0, i) ?? [])], prefix: "logtest/" });
      closers.push(l);
      return l;
    });
    const appended = await Promise.all(Array.from({ length: 30 }, (_, i) => logs[i % logs.length]?.append("placement", `d${i}`)));
    const read = await (logs[0] ?? logs[1])?.read("placement");
    expect(read?.map((d) => d.seq)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    const revisions = read?.map((d) => d.revision) ?? [];
    expect(revisions).toEqual([...revisions].sort((x, y) => x - y));
    expect(new Set(read?.map((d) => d.data))).toEqual(new Set(appended.map((d) => d?.data)));
    expect((await logs[1]?.read("placement", { fromSeq: 29 }))?.map((d) => d.data)).toEqual(read?.slice(28).map((d) => d.data));
    await expect(logs[0]?.append("bad/name", "x")).rejects.toMatchObject({ code: "validation" });
  }, 20_000);
});
