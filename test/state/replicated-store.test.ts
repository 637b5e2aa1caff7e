import { afterEach, describe, expect, it } from "vitest";
import type { ReplicatedKV } from "../../src/consensus/kv.js";
import { InMemoryLeaseStore } from "../../src/lifecycle/lease-store.js";
import { EdgeStateObject, EdgeStates, ReplicatedStateStore, StateFencedError } from "../../src/state/index.js";
import { KvCluster } from "../consensus/support/kv-cluster.js";

let cluster: KvCluster | undefined;
afterEach(async () => {
  await cluster?.stopAll();
  cluster = undefined;
});

function leaderOf(c: KvCluster): ReplicatedKV {
  const leader = [...c.kvs.values()].find((kv) => kv.host.isLeader()) ?? [...c.kvs.values()][0];
  if (leader === undefined) throw new Error("no member left");
  return leader;
}

describe("ReplicatedStateStore", () => {
  it("keeps every acknowledged write when the home edge and its Raft member are lost", async () => {
    const c = new KvCluster(["a", "b", "c"]);
    cluster = c;
    await c.startAll();
    await c.waitForLeader();
    const leases = new InMemoryLeaseStore({ clock: c.clock });
    const store = new ReplicatedStateStore({ kv: () => leaderOf(c) });
    const home = new EdgeStateObject({ id: "cart", edgeId: "edge-a", clock: c.clock, leases, store, leaseTtlMs: 8_000 });
    expect(await c.until(home.set("owner", "ann"))).toBe(1);
    expect(await c.until(home.append("items", "sku-1"))).toBe(2);
    expect(await c.until(home.increment("n", 4))).toBe(3);
    const lost = [...c.kvs.entries()].find(([, kv]) => kv.host.isLeader())?.[0];
    if (lost === undefined) throw new Error("no leader");
    await c.crash(lost);
    await c.run(8_000);
    await c.waitForLeader();
    const successor = new EdgeStateObject({ id: "cart", edgeId: "edge-b", clock: c.clock, leases, store, leaseTtlMs: 8_000 });
    expect(await c.until(successor.get())).toEqual({ value: { owner: "ann", items: ["sku-1"], n: 4 }, version: 3 });
    expect(await c.until(successor.increment("n"))).toBe(4);
    // The deposed home's token is older than the one that just wrote: the store refuses it.
    const stale = { data: {}, metadata: { created: 0, lastModified: 0, accessCount: 0, version: 9 } };
    await expect(c.until(store.save("cart", stale, 1))).rejects.toBeInstanceOf(StateFencedError);
    await expect(c.until(home.set("owner", "eve"))).rejects.toMatchObject({ code: "state.redirect", owner: "edge-b" });
    expect((await c.until(successor.get("owner"))).value).toBe("ann");
  });

  it("reports the Raft voters as the replicas of where, following membership changes", async () => {
    const c = new KvCluster(["a", "b", "c"]);
    cluster = c;
    await c.startAll();
    await c.waitForLeader();
    const store = new ReplicatedStateStore({ kv: () => leaderOf(c) });
    const states = new EdgeStates({ clock: c.clock, leases: new InMemoryLeaseStore({ clock: c.clock }), store });
    await c.until((await states.object("cart", { edgeId: "edge-a" })).set("k", 1));
    expect(await states.where("cart")).toMatchObject({ home: "edge-a", replicas: ["a", "b", "c"] });
    const leader = leaderOf(c);
    const removed = ["a", "b", "c"].find((id) => id !== leader.host.status().id) ?? "c";
    await c.until(leader.host.changeMembership({ type: "remove", memberId: removed }));
    expect((await states.where("cart")).replicas).toEqual(["a", "b", "c"].filter((id) => id !== removed));
    // The option overrides what the store reports.
    const pinned = new EdgeStates({ clock: c.clock, leases: new InMemoryLeaseStore({ clock: c.clock }), store, replicas: ["x"] });
    expect((await pinned.where("cart")).replicas).toEqual(["x"]);
  });
});
