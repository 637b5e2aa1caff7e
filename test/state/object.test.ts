import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { InMemoryLeaseStore } from "../../src/lifecycle/lease-store.js";
import { EdgeStateObject, InMemoryStateStore, StateFencedError, stateLeaseResource } from "../../src/state/index.js";

function setup() {
  const clock = new ManualClock(1_000);
  const leases = new InMemoryLeaseStore({ clock });
  const store = new InMemoryStateStore();
  const make = (edgeId: string) => new EdgeStateObject({ id: "cart", edgeId, clock, leases, store, leaseTtlMs: 1_000 });
  return { clock, leases, store, make };
}

describe("EdgeStateObject operations", () => {
  const cases: Array<{ name: string; run: (o: EdgeStateObject) => Promise<unknown>; expected: unknown }> = [
    { name: "set then get one key", run: async (o) => { await o.set("a", 1); return o.get("a"); }, expected: { value: 1, version: 1 } },
    { name: "get all keys", run: async (o) => { await o.set("a", 1); await o.set("b", "x"); return o.get(); }, expected: { value: { a: 1, b: "x" }, version: 2 } },
    { name: "update with a pure function", run: async (o) => { await o.set("a", 2); await o.update("a", (v) => (typeof v === "number" ? v * 10 : 0)); return o.get("a"); }, expected: { value: 20, version: 2 } },
    { name: "delete", run: async (o) => { await o.set("a", 1); await o.delete("a"); return o.get("a"); }, expected: { value: undefined, version: 2 } },
    { name: "increment a missing key", run: (o) => o.increment("n", 5), expected: 1 },
    { name: "append to a missing key", run: async (o) => { await o.append("l", "x"); await o.append("l", { y: 1 }); return o.get("l"); }, expected: { value: ["x", { y: 1 }], version: 2 } },
    { name: "lock returns the unchanged version", run: async (o) => { await o.set("a", 1); return (await o.lock("alice", 500)).version; }, expected: 1 },
    { name: "unlock returns the version", run: async (o) => { await o.lock("alice", 500); return o.unlock("alice"); }, expected: 0 },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const { make } = setup();
      await expect(c.run(make("e1"))).resolves.toEqual(c.expected);
    });
  }

  it("keeps metadata", async () => {
    const { make, clock } = setup();
    const o = make("e1");
    await o.set("a", 1);
    clock.advance(50);
    await o.get("a");
    await o.increment("n");
    expect(await o.metadata()).toEqual({ created: 1_000, lastModified: 1_050, accessCount: 3, version: 2 });
  });
});

describe("EdgeStateObject typed errors change nothing", () => {
  const cases: Array<{ name: string; prepare: (o: EdgeStateObject) => Promise<unknown>; fail: (o: EdgeStateObject) => Promise<unknown>; code: string }> = [
    { name: "incrementing a string", prepare: (o) => o.set("k", "s"), fail: (o) => o.increment("k"), code: "state.wrong_type" },
    { name: "appending to a number", prepare: (o) => o.set("k", 3), fail: (o) => o.append("k", 1), code: "state.wrong_type" },
    { name: "writing while locked by another", prepare: async (o) => { await o.set("k", 3); await o.lock("alice", 100); }, fail: (o) => o.set("k", 4, { lockOwner: "bob" }), code: "state.locked" },
    { name: "unlocking another's lock", prepare: async (o) => { await o.set("k", 3); await o.lock("alice", 100); }, fail: (o) => o.unlock("bob"), code: "state.locked" },
    { name: "an empty key", prepare: (o) => o.set("k", 3), fail: (o) => o.set("", 1), code: "validation" },
    { name: "a non-JSON value", prepare: (o) => o.set("k", 3), fail: (o) => o.set("k", Number.NaN), code: "validation" },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const { make } = setup();
      const o = make("e1");
      await c.prepare(o);
      const before = await o.get();
      await expect(c.fail(o)).rejects.toMatchObject({ code: c.code });
      expect(await o.get()).toEqual(before);
    });
  }

  it("a lock lapses after its timeout and its owner writes meanwhile", async () => {
    const { make, clock } = setup();
    const o = make("e1");
    await o.lock("alice", 100);
    await expect(o.set("k", 1, { lockOwner: "alice" })).resolves.toBe(1);
    clock.advance(100);
    await expect(o.set("k", 2)).resolves.toBe(2);
  });
});

describe("EdgeStateObject ownership", () => {
  it("a second instance cannot become primary and is redirected to the home", async () => {
    const { make } = setup();
    const a = make("e1");
    const b = make("e2");
    await a.set("k", 1);
    await expect(b.set("k", 2)).rejects.toMatchObject({ code: "state.redirect", owner: "e1" });
    expect((await a.get("k")).value).toBe(1);
  });

  it("after lease expiry a new home takes over with the data, and the old home is redirected", async () => {
    const { make, clock } = setup();
    const a = make("e1");
    const b = make("e2");
    await a.set("k", 1);
    clock.advance(1_000);
    await expect(b.increment("k")).resolves.toBe(2);
    await expect(a.get("k")).rejects.toMatchObject({ code: "state.redirect", owner: "e2" });
  });

  it("transfer moves the home and redirects the old one", async () => {
    const { make } = setup();
    const a = make("e1");
    await a.set("k", 1);
    const b = await a.transfer("e2");
    expect((await b.where()).home).toBe("e2");
    await expect(a.set("k", 9)).rejects.toMatchObject({ code: "state.redirect", owner: "e2" });
    expect((await b.get("k")).value).toBe(1);
  });

  it("the store refuses writes fenced by an older token", async () => {
    const { store, leases } = setup();
    const old = await leases.acquire(stateLeaseResource("cart"), "e1", 10);
    const record = { data: {}, metadata: { created: 0, lastModified: 0, accessCount: 0, version: 1 } };
    await store.save("cart", record, old.token + 1);
    await expect(store.save("cart", record, old.token)).rejects.toBeInstanceOf(StateFencedError);
  });

  it("closed instances refuse operations", async () => {
    const { make } = setup();
    const a = make("e1");
    await a.close();
    await expect(a.get()).rejects.toMatchObject({ code: "closed" });
  });
});
