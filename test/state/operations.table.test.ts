import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { InMemoryLeaseStore } from "../../src/lifecycle/lease-store.js";
import { MigrationService } from "../../src/migration/service.js";
import { EdgeStateObject, EdgeStates, InMemoryStateStore, stateLeaseResource, type JsonValue } from "../../src/state/index.js";

const TTL = 1_000;
const SEED = { n: 1, s: "text", list: ["a"], obj: { x: 1 } };

/** A registry with `cart` at home on e1 holding SEED at version 4. */
async function setup(options: { engine?: boolean } = {}) {
  const clock = new ManualClock(1_000);
  const leases = new InMemoryLeaseStore({ clock });
  const store = new InMemoryStateStore();
  const states = new EdgeStates({
    clock,
    leases,
    store,
    leaseTtlMs: TTL,
    ...(options.engine === true ? { migrations: (adapter) => new MigrationService({ clock, adapter }), migrationOptions: { maxAttempts: 1 } } : {}),
  });
  const home = await states.object("cart", { edgeId: "e1" });
  for (const [k, v] of Object.entries(SEED)) await home.set(k, v);
  const make = (edgeId: string) => new EdgeStateObject({ id: "cart", edgeId, clock, leases, store, leaseTtlMs: TTL });
  return { clock, leases, store, states, home, make };
}
type Ctx = Awaited<ReturnType<typeof setup>>;

/** What must not change when an operation fails: the stored record, the lease holder and token. */
async function observe(ctx: Ctx) {
  const lease = await ctx.leases.get(stateLeaseResource("cart"));
  return { stored: await ctx.store.load("cart"), holder: lease?.holder ?? null, token: lease?.token ?? null };
}

describe("state operations: happy paths", () => {
  const cases: Array<{ name: string; run: (ctx: Ctx) => Promise<unknown>; expected: unknown; then?: (ctx: Ctx) => Promise<unknown>; after?: unknown }> = [
    { name: "get one key", run: ({ home }) => home.get("list"), expected: { value: ["a"], version: 4 } },
    { name: "get every key", run: ({ home }) => home.get(), expected: { value: SEED, version: 4 } },
    { name: "get a missing key", run: ({ home }) => home.get("none"), expected: { value: undefined, version: 4 } },
    { name: "set", run: ({ home }) => home.set("k", { deep: [1, null, true] }), expected: 5, then: ({ home }) => home.get("k"), after: { value: { deep: [1, null, true] }, version: 5 } },
    { name: "update with a pure function", run: ({ home }) => home.update("n", (v) => (typeof v === "number" ? v * 10 : 0)), expected: 5, then: ({ home }) => home.get("n"), after: { value: 10, version: 5 } },
    { name: "update a missing key", run: ({ home }) => home.update("m", (v) => (v === undefined ? "new" : "old")), expected: 5, then: ({ home }) => home.get("m"), after: { value: "new", version: 5 } },
    { name: "delete", run: ({ home }) => home.delete("s"), expected: 5, then: ({ home }) => home.get("s"), after: { value: undefined, version: 5 } },
    { name: "delete a missing key", run: ({ home }) => home.delete("none"), expected: 5 },
    { name: "increment", run: ({ home }) => home.increment("n", 2), expected: 5, then: ({ home }) => home.get("n"), after: { value: 3, version: 5 } },
    { name: "increment by a negative fraction", run: ({ home }) => home.increment("n", -0.5), expected: 5, then: ({ home }) => home.get("n"), after: { value: 0.5, version: 5 } },
    { name: "increment a missing key", run: ({ home }) => home.increment("m"), expected: 5, then: ({ home }) => home.get("m"), after: { value: 1, version: 5 } },
    { name: "append", run: ({ home }) => home.append("list", { b: 2 }), expected: 5, then: ({ home }) => home.get("list"), after: { value: ["a", { b: 2 }], version: 5 } },
    { name: "append to a missing key", run: ({ home }) => home.append("m", "x"), expected: 5, then: ({ home }) => home.get("m"), after: { value: ["x"], version: 5 } },
    { name: "lock", run: ({ home }) => home.lock("alice", 500), expected: { version: 4, lock: { owner: "alice", expiresAt: 1_500 } } },
    { name: "the lock owner writes while locked", run: async ({ home }) => { await home.lock("alice", 500); return home.set("k", 1, { lockOwner: "alice" }); }, expected: 5 },
    { name: "re-locking extends the lock", run: async ({ home, clock }) => { await home.lock("alice", 500); clock.advance(100); return home.lock("alice", 500); }, expected: { version: 4, lock: { owner: "alice", expiresAt: 1_600 } } },
    { name: "a lock lapses after its timeout", run: async ({ home, clock }) => { await home.lock("alice", 500); clock.advance(500); return home.set("k", 1, { lockOwner: "bob" }); }, expected: 5 },
    { name: "unlock", run: async ({ home }) => { await home.lock("alice", 500); return home.unlock("alice"); }, expected: 4, then: ({ home }) => home.set("k", 1), after: 5 },
    { name: "unlock without a lock", run: ({ home }) => home.unlock("alice"), expected: 4 },
    { name: "metadata", run: async ({ home, clock }) => { clock.advance(10); await home.increment("n"); return home.metadata(); }, expected: { created: 1_000, lastModified: 1_010, accessCount: 5, version: 5 } },
    { name: "where (the object)", run: async ({ home }) => { const w = await home.where(); return { home: w.home, leaseExpiresAt: w.leaseExpiresAt }; }, expected: { home: "e1", leaseExpiresAt: 1_000 + TTL } },
    { name: "where (the registry)", run: ({ states }) => states.where("cart"), expected: { home: "e1", leaseExpiresAt: 1_000 + TTL, replicas: [] } },
    { name: "where without a home", run: ({ states }) => states.where("other"), expected: { home: null, leaseExpiresAt: null, replicas: [] } },
    {
      name: "migrate (direct transfer)",
      run: async ({ states }) => { const m = await states.migrate("cart", "e2"); return { path: m.path, migrationId: m.migrationId, home: m.object.edgeId }; },
      expected: { path: "transfer", migrationId: null, home: "e2" },
      then: async ({ states }) => (await states.object("cart")).get(),
      after: { value: SEED, version: 4 },
    },
    {
      name: "migrate to where it lives",
      run: async ({ states }) => { const m = await states.migrate("cart", "e1"); return { path: m.path, home: m.object.edgeId }; },
      expected: { path: "none", home: "e1" },
    },
    {
      name: "a lapsed lease nobody took is taken back with the data",
      run: async ({ home, clock }) => { clock.advance(TTL); return home.increment("n"); },
      expected: 5,
      then: ({ home }) => home.get("n"),
      after: { value: 2, version: 5 },
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const ctx = await setup();
      expect(await c.run(ctx)).toEqual(c.expected);
      if (c.then !== undefined) expect(await c.then(ctx)).toEqual(c.after);
    });
  }

  it("migrate (through the migration engine)", async () => {
    const ctx = await setup({ engine: true });
    const moved = await ctx.states.migrate("cart", "e2");
    expect({ path: moved.path, home: moved.object.edgeId }).toEqual({ path: "migration", home: "e2" });
    expect(moved.migrationId).toEqual(expect.any(String));
    expect(await moved.object.get()).toEqual({ value: SEED, version: 4 });
    expect(await moved.object.set("k", 1)).toBe(5);
  });
});

describe("state operations: typed errors change nothing", () => {
  const bad = (fn: () => unknown): JsonValue => fn as unknown as JsonValue;
  const cases: Array<{ name: string; prepare?: (ctx: Ctx) => Promise<unknown>; fail: (ctx: Ctx) => Promise<unknown>; error: Record<string, unknown>; path?: string }> = [
    // Wrong types.
    { name: "increment a string", fail: ({ home }) => home.increment("s"), error: { code: "state.wrong_type", key: "s", expected: "number", actual: "string" } },
    { name: "increment a list", fail: ({ home }) => home.increment("list"), error: { code: "state.wrong_type", expected: "number", actual: "list" } },
    { name: "increment an object", fail: ({ home }) => home.increment("obj"), error: { code: "state.wrong_type", expected: "number", actual: "object" } },
    { name: "append to a number", fail: ({ home }) => home.append("n", 1), error: { code: "state.wrong_type", key: "n", expected: "list", actual: "number" } },
    { name: "append to a string", fail: ({ home }) => home.append("s", 1), error: { code: "state.wrong_type", expected: "list", actual: "string" } },
    { name: "append to an object", fail: ({ home }) => home.append("obj", 1), error: { code: "state.wrong_type", expected: "list", actual: "object" } },
    // Bad input, per field.
    { name: "get: empty key", fail: ({ home }) => home.get(""), error: { code: "validation" }, path: "key" },
    { name: "set: empty key", fail: ({ home }) => home.set("", 1), error: { code: "validation" }, path: "key" },
    { name: "set: key over 1024 characters", fail: ({ home }) => home.set("k".repeat(1025), 1), error: { code: "validation" }, path: "key" },
    { name: "set: NaN value", fail: ({ home }) => home.set("k", Number.NaN), error: { code: "validation" }, path: "value" },
    { name: "set: infinite value nested in a list", fail: ({ home }) => home.set("k", [1, Number.POSITIVE_INFINITY]), error: { code: "validation" }, path: "value" },
    { name: "set: a function as value", fail: ({ home }) => home.set("k", bad(() => 1)), error: { code: "validation" }, path: "value" },
    { name: "set: empty lockOwner", fail: ({ home }) => home.set("k", 1, { lockOwner: "" }), error: { code: "validation" }, path: "options.lockOwner" },
    { name: "update: empty key", fail: ({ home }) => home.update("", () => 1), error: { code: "validation" }, path: "key" },
    { name: "update: fn not a function", fail: ({ home }) => home.update("n", 1 as unknown as () => JsonValue), error: { code: "validation" }, path: "fn" },
    { name: "update: fn returns a non-JSON value", fail: ({ home }) => home.update("n", () => Number.NaN), error: { code: "validation" }, path: "fn(result)" },
    { name: "update: fn throws", fail: ({ home }) => home.update("n", () => { throw new RangeError("boom"); }), error: { message: "boom" } },
    { name: "delete: empty key", fail: ({ home }) => home.delete(""), error: { code: "validation" }, path: "key" },
    { name: "increment: empty key", fail: ({ home }) => home.increment("", 1), error: { code: "validation" }, path: "key" },
    { name: "increment: NaN by", fail: ({ home }) => home.increment("n", Number.NaN), error: { code: "validation" }, path: "by" },
    { name: "increment: infinite by", fail: ({ home }) => home.increment("n", Number.POSITIVE_INFINITY), error: { code: "validation" }, path: "by" },
    { name: "increment: by as a string", fail: ({ home }) => home.increment("n", "2" as unknown as number), error: { code: "validation" }, path: "by" },
    { name: "append: empty key", fail: ({ home }) => home.append("", 1), error: { code: "validation" }, path: "key" },
    { name: "append: NaN value", fail: ({ home }) => home.append("list", Number.NaN), error: { code: "validation" }, path: "value" },
    { name: "lock: empty owner", fail: ({ home }) => home.lock("", 100), error: { code: "validation" }, path: "owner" },
    { name: "lock: zero timeout", fail: ({ home }) => home.lock("alice", 0), error: { code: "validation" }, path: "timeoutMs" },
    { name: "lock: negative timeout", fail: ({ home }) => home.lock("alice", -5), error: { code: "validation" }, path: "timeoutMs" },
    { name: "lock: fractional timeout", fail: ({ home }) => home.lock("alice", 1.5), error: { code: "validation" }, path: "timeoutMs" },
    { name: "lock: timeout beyond a timer's range", fail: ({ home }) => home.lock("alice", 2 ** 31), error: { code: "validation" }, path: "timeoutMs" },
    { name: "unlock: empty owner", fail: ({ home }) => home.unlock(""), error: { code: "validation" }, path: "owner" },
    { name: "transfer: empty edge", fail: ({ home }) => home.transfer(""), error: { code: "validation" }, path: "edgeId" },
    { name: "migrate: empty target", fail: ({ states }) => states.migrate("cart", " "), error: { code: "validation" }, path: "edgeId" },
    { name: "migrate: empty id", fail: ({ states }) => states.migrate("", "e2"), error: { code: "validation" }, path: "id" },
    { name: "new object: empty id", fail: async ({ clock, leases, store }) => new EdgeStateObject({ id: "", edgeId: "e1", clock, leases, store }), error: { code: "validation" }, path: "options.id" },
    { name: "new object: blank edge", fail: async ({ clock, leases, store }) => new EdgeStateObject({ id: "cart", edgeId: "  ", clock, leases, store }), error: { code: "validation" }, path: "options.edgeId" },
    { name: "new object: zero lease length", fail: async ({ clock, leases, store }) => new EdgeStateObject({ id: "cart", edgeId: "e1", clock, leases, store, leaseTtlMs: 0 }), error: { code: "validation" }, path: "options.leaseTtlMs" },
    // The lock.
    { name: "write while another holds the lock", prepare: ({ home }) => home.lock("alice", 500), fail: ({ home }) => home.set("k", 1, { lockOwner: "bob" }), error: { code: "state.locked", owner: "alice", expiresAt: 1_500 } },
    { name: "write without a lock owner while locked", prepare: ({ home }) => home.lock("alice", 500), fail: ({ home }) => home.increment("n"), error: { code: "state.locked", owner: "alice" } },
    { name: "lock held by another", prepare: ({ home }) => home.lock("alice", 500), fail: ({ home }) => home.lock("bob", 500), error: { code: "state.locked", owner: "alice" } },
    { name: "unlock another's lock", prepare: ({ home }) => home.lock("alice", 500), fail: ({ home }) => home.unlock("bob"), error: { code: "state.locked", owner: "alice" } },
    { name: "write while a migration drains the object", prepare: ({ home }) => home.drain("migration"), fail: ({ home }) => home.append("list", "b"), error: { code: "state.locked", owner: "migration" } },
    // Ownership.
    { name: "redirect after a migration", prepare: ({ states }) => states.migrate("cart", "e2"), fail: ({ home }) => home.set("k", 1), error: { code: "state.redirect", owner: "e2" } },
    { name: "read redirected after a migration", prepare: ({ states }) => states.migrate("cart", "e2"), fail: ({ home }) => home.get("n"), error: { code: "state.redirect", owner: "e2" } },
    { name: "a second instance cannot become primary", fail: ({ make }) => make("e2").set("k", 1), error: { code: "state.redirect", owner: "e1" } },
    {
      name: "redirect after the lease lapsed and another edge took it",
      prepare: async ({ clock, make }) => { clock.advance(TTL); await make("e2").get(); },
      fail: ({ home }) => home.increment("n"),
      error: { code: "state.redirect", owner: "e2" },
    },
    {
      name: "fenced write with the old home's token",
      prepare: ({ states }) => states.migrate("cart", "e2"),
      fail: ({ store }) => store.save("cart", { data: {}, metadata: { created: 0, lastModified: 0, accessCount: 0, version: 5 } }, 1),
      error: { code: "state.fenced", token: 1 },
    },
    {
      name: "a write skipping a version",
      fail: async ({ store, leases }) => store.save("cart", { data: {}, metadata: { created: 0, lastModified: 0, accessCount: 0, version: 9 } }, (await leases.get(stateLeaseResource("cart")))?.token ?? 0),
      error: { code: "state.conflict", basedOn: 8, stored: 4 },
    },
    { name: "an operation on a closed object", prepare: ({ home }) => home.close(), fail: ({ home }) => home.set("k", 1), error: { code: "closed" } },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const ctx = await setup();
      await c.prepare?.(ctx);
      const before = await observe(ctx);
      const error = await c.fail(ctx).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toMatchObject(c.error);
      if (c.path !== undefined) expect((error as { issues: Array<{ path: string }> }).issues.map((i) => i.path)).toContain(c.path);
      expect(await observe(ctx)).toEqual(before);
    });
  }
});
