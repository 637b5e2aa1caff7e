import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { ClosedError } from "../../src/core/errors.js";
import { EdgeInfrastructure } from "../../src/infra/infrastructure.js";
import { InMemoryLeaseStore, type LeaseStore } from "../../src/lifecycle/lease-store.js";
import { EdgeLifecycle, type EdgeLifecycleOptions } from "../../src/lifecycle/lifecycle.js";
import { ReplicatedLeaseStore, type LeaseKV, type ReplicatedLeaseStoreOptions } from "../../src/lifecycle/replicated-lease-store.js";
import { LIFECYCLE_EVENT_TYPES, type LifecycleEvent } from "../../src/lifecycle/types.js";
import { casesFor, checkInvalidCallsAreNoOps, expectRejectedUnchanged, NOT_IDS, NOT_NUMBERS, validationPaths, type BadCall } from "../support/bad-input.js";

const loose = <T>(value: unknown): T => value as T;

function lifecycleSetup(): { lifecycle: EdgeLifecycle; clock: ManualClock; infrastructure: EdgeInfrastructure } {
  const clock = new ManualClock(1_000);
  const infrastructure = new EdgeInfrastructure({ clock });
  infrastructure.registerEdge({ id: "edge-1", region: "eu", coordinates: { lat: 1, lon: 1 }, capacity: { cpu: 4, memoryMb: 1024 } });
  const lifecycle = new EdgeLifecycle({ clock, infrastructure, defaults: { warmupTimeoutMs: 1_000 } });
  return { lifecycle, clock, infrastructure };
}

const lifecycleState = (l: EdgeLifecycle, clock: ManualClock, infrastructure: EdgeInfrastructure): unknown => ({
  list: l.list(),
  persisted: l.persist(),
  timers: clock.pendingTimers(),
  registry: infrastructure.edges(),
});

describe("EdgeLifecycle refuses bad input and stays as it was", () => {
  it("every public method, table-driven", async () => {
    const { lifecycle: l, clock, infrastructure } = lifecycleSetup();
    l.add("edge-1", { metadata: { zone: "a" } });
    l.transition("edge-1", { type: "WARM" });
    const saved = l.persist();
    const cases: BadCall[] = [
      ...casesFor("add id", "edgeId", NOT_IDS, (v) => l.add(v)),
      { name: "add duplicate id", path: "edgeId", call: () => l.add("edge-1") },
      ...casesFor("add options", "options", [null, 5, "x"], (v) => l.add("edge-2", v)),
      ...casesFor("add warmupTimeoutMs", "settings.warmupTimeoutMs", [...NOT_NUMBERS.filter((v) => v !== undefined), 0, -1, 1.5], (v) => l.add("edge-2", { warmupTimeoutMs: v })),
      ...casesFor("add maxRecoveryAttempts", "settings.maxRecoveryAttempts", [Number.NaN, -1, "3"], (v) => l.add("edge-2", { maxRecoveryAttempts: v })),
      ...casesFor("add metadata", "metadata", [null, 5, { "": 1 }, { a: Number.NaN }, { a: {} }], (v) => l.add("edge-2", { metadata: v })),
      ...casesFor("add initialState", "initialState", ["sleeping", 5], (v) => l.add("edge-2", { initialState: v })),
      ...casesFor("has", "edgeId", NOT_IDS, (v) => l.has(v)),
      ...casesFor("get", "edgeId", NOT_IDS, (v) => l.get(v)),
      ...casesFor("can id", "edgeId", NOT_IDS, (v) => l.can(v, { type: "READY" })),
      ...casesFor("can event", "event", [null, 5, { type: "JUMP" }, { type: "FAIL", reason: 5 }], (v) => l.can("edge-1", v)),
      ...casesFor("transition id", "edgeId", NOT_IDS, (v) => l.transition(v, { type: "READY" })),
      ...casesFor("transition event", "event", [null, "READY", { type: "JUMP" }, { type: "FAIL", reason: 5 }], (v) => l.transition("edge-1", v)),
      ...casesFor("setMetadata id", "edgeId", NOT_IDS, (v) => l.setMetadata(v, { a: 1 })),
      ...casesFor("setMetadata", "metadata", [null, 5, { a: Number.POSITIVE_INFINITY }, { a: [1] }], (v) => l.setMetadata("edge-1", v)),
      ...casesFor("remove", "edgeId", NOT_IDS, (v) => l.remove(v)),
      ...casesFor("restore", "persisted", [null, 5, { version: 2, edges: {} }, { version: 1, edges: 5 }], (v) => l.restore(v)),
      { name: "restore an edge already tracked", path: "persisted.edges.edge-1", call: () => l.restore(saved) },
    ];
    await expectRejectedUnchanged(cases, () => lifecycleState(l, clock, infrastructure));
  });

  it("constructor names the bad option", async () => {
    const clock = new ManualClock(0);
    const table: Array<[unknown, string]> = [
      [null, "options"],
      [{}, "options.clock"],
      [{ clock, infrastructure: {} }, "options.infrastructure"],
      [{ clock, defaults: { drainTimeoutMs: Number.NaN } }, "defaults.drainTimeoutMs"],
      [{ clock, defaults: { warmupTimeoutMs: "5" } }, "defaults.warmupTimeoutMs"],
    ];
    for (const [options, path] of table) expect(await validationPaths(() => new EdgeLifecycle(loose<EdgeLifecycleOptions>(options)))).toContain(path);
  });

  it("property: invalid calls mixed into any sequence of transitions change nothing", async () => {
    type Op = { valid: true; kind: "add" | "event" | "advance" | "remove"; edge: number; event: LifecycleEvent; ms: number } | { valid: false; which: number; edge: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({
        valid: fc.constant(true as const),
        kind: fc.constantFrom("add" as const, "event" as const, "event" as const, "advance" as const, "remove" as const),
        edge: fc.nat(2),
        event: fc.constantFrom(...LIFECYCLE_EVENT_TYPES).map((type) => ({ type })),
        ms: fc.integer({ min: 0, max: 1_500 }),
      }),
      fc.record({ valid: fc.constant(false as const), which: fc.nat(5), edge: fc.nat(2) }),
    );
    await checkInvalidCallsAreNoOps({
      ops: fc.array(op, { maxLength: 30 }),
      make: lifecycleSetup,
      apply: ({ lifecycle: l, clock }, o) => {
        const id = `edge-${o.edge}`;
        if (!o.valid) {
          return [
            () => l.add(id, { warmupTimeoutMs: Number.NaN }),
            () => l.transition(id, loose({ type: "NOPE" })),
            () => l.setMetadata(id, loose({ a: Number.NaN })),
            () => l.add(loose(5)),
            () => l.remove(""),
            () => l.restore({ version: 1, edges: { x: {} } }),
          ][o.which]?.();
        }
        if (o.kind === "add") return l.has(id) ? undefined : l.add(id);
        if (o.kind === "event") return l.has(id) ? l.transition(id, o.event) : undefined;
        if (o.kind === "remove") return l.has(id) ? l.remove(id) : undefined;
        clock.advance(o.ms);
        return undefined;
      },
      snapshot: ({ lifecycle: l, clock, infrastructure }) => lifecycleState(l, clock, infrastructure),
      runs: 40,
    });
  });

  it("close: idempotent, cancels deadlines, refuses later changes; await using closes it", async () => {
    const { lifecycle: l, clock } = lifecycleSetup();
    {
      await using held = l;
      held.add("edge-1");
      held.transition("edge-1", { type: "WARM" });
      expect(clock.pendingTimers()).toBe(1);
    }
    expect(clock.pendingTimers()).toBe(0);
    await l.close();
    for (const call of [() => l.add("edge-9"), () => l.transition("edge-1", { type: "READY" }), () => l.setMetadata("edge-1", {}), () => l.remove("edge-1"), () => l.restore({ version: 1, edges: {} })]) {
      expect(call).toThrow(ClosedError);
    }
  });
});

/** A linearizable key-value store in memory: what the replicated store needs, without a cluster. */
class MapKV implements LeaseKV {
  readonly map = new Map<string, string>();
  async get(key: string): Promise<string | null> {
    return this.map.get(key) ?? null;
  }
  async compareAndSet(key: string, expected: string | null, value: string | null): Promise<boolean> {
    if ((this.map.get(key) ?? null) !== expected) return false;
    if (value === null) this.map.delete(key);
    else this.map.set(key, value);
    return true;
  }
}

interface StoreUnderTest {
  readonly store: LeaseStore;
  readonly clock: ManualClock;
  readonly raw: () => unknown;
}

const stores: Record<string, () => StoreUnderTest> = {
  InMemoryLeaseStore: () => {
    const clock = new ManualClock(1_000);
    const store = new InMemoryLeaseStore({ clock });
    return { store, clock, raw: () => undefined };
  },
  ReplicatedLeaseStore: () => {
    const clock = new ManualClock(1_000);
    const kv = new MapKV();
    const store = new ReplicatedLeaseStore({ kv, clock });
    return { store, clock, raw: () => [...kv.map].sort() };
  },
};

const leaseState = async ({ store, clock, raw }: StoreUnderTest): Promise<unknown> => ({ list: await store.list(), timers: clock.pendingTimers(), raw: raw() });

describe.each(Object.keys(stores))("%s refuses bad input and stays as it was", (name) => {
  const make = stores[name] as () => StoreUnderTest;

  it("every public method, table-driven", async () => {
    const s = make();
    const lease = await s.store.acquire("res", "holder-a", 1_000);
    const st = s.store;
    const badTtls = [...NOT_NUMBERS.filter((v) => v !== undefined), 0, -1, 1.5];
    const badTokens = [...NOT_NUMBERS.filter((v) => v !== undefined), 0, -1, 1.5];
    const cases: BadCall[] = [
      ...casesFor("acquire resource", "resource", NOT_IDS, (v) => st.acquire(v, "holder-b", 100)),
      ...casesFor("acquire holder", "holder", NOT_IDS, (v) => st.acquire("res-2", v, 100)),
      ...casesFor("acquire ttlMs", "ttlMs", [...badTtls, undefined], (v) => st.acquire("res-2", "holder-b", v)),
      ...casesFor("renew ttlMs", "ttlMs", badTtls, (v) => st.renew("res", "holder-a", lease.token, v)),
      ...casesFor("renew token", "token", [...badTokens, undefined], (v) => st.renew("res", "holder-a", v)),
      ...casesFor("renew holder", "holder", NOT_IDS, (v) => st.renew("res", v, lease.token)),
      ...casesFor("release token", "token", [...badTokens, undefined], (v) => st.release("res", "holder-a", v)),
      ...casesFor("release resource", "resource", NOT_IDS, (v) => st.release(v, "holder-a", lease.token)),
      ...casesFor("get", "resource", NOT_IDS, (v) => st.get(v)),
      ...casesFor("checkFence token", "token", [...badTokens, undefined], (v) => st.checkFence("res", v)),
      ...casesFor("checkFence resource", "resource", NOT_IDS, (v) => st.checkFence(v, lease.token)),
    ];
    await expectRejectedUnchanged(cases, () => leaseState(s));
  });

  it("property: invalid calls mixed into any sequence of lease operations change nothing", async () => {
    type Op = { valid: true; kind: "acquire" | "renew" | "release" | "advance"; holder: number; ttl: number } | { valid: false; which: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ valid: fc.constant(true as const), kind: fc.constantFrom("acquire" as const, "renew" as const, "release" as const, "advance" as const), holder: fc.nat(1), ttl: fc.integer({ min: 1, max: 2_000 }) }),
      fc.record({ valid: fc.constant(false as const), which: fc.nat(4) }),
    );
    await checkInvalidCallsAreNoOps({
      ops: fc.array(op, { maxLength: 25 }),
      make,
      apply: async ({ store, clock }, o) => {
        if (!o.valid) {
          return [
            () => store.acquire("r", "h0", Number.NaN),
            () => store.acquire("", "h0", 10),
            () => store.renew("r", "h0", loose("1")),
            () => store.release("r", "h0", Number.POSITIVE_INFINITY),
            () => store.checkFence("r", -1),
          ][o.which]?.();
        }
        const holder = `h${o.holder}`;
        const current = await store.get("r");
        if (o.kind === "acquire") return store.acquire("r", holder, o.ttl);
        if (o.kind === "renew") return store.renew("r", holder, current?.token ?? 1, o.ttl);
        if (o.kind === "release") return store.release("r", holder, current?.token ?? 1);
        clock.advance(o.ttl);
        return undefined;
      },
      snapshot: leaseState,
      runs: 40,
    });
  });

  it("close: idempotent, clears expiry timers, refuses every later call with a closed error", async () => {
    const s = make();
    {
      await using store = s.store;
      await store.acquire("res", "holder-a", 1_000);
      expect(s.clock.pendingTimers()).toBe(1);
    }
    expect(s.clock.pendingTimers()).toBe(0);
    await s.store.close();
    const calls = [() => s.store.acquire("res", "h", 10), () => s.store.renew("res", "h", 1), () => s.store.release("res", "h", 1), () => s.store.get("res"), () => s.store.list(), () => s.store.checkFence("res", 1)];
    for (const call of calls) await expect(call()).rejects.toBeInstanceOf(ClosedError);
  });
});

describe("lease store constructors name the bad option", () => {
  it("InMemoryLeaseStore and ReplicatedLeaseStore", async () => {
    const clock = new ManualClock(0);
    const kv = new MapKV();
    const table: Array<[() => unknown, string]> = [
      [() => new InMemoryLeaseStore(loose(null)), "options"],
      [() => new InMemoryLeaseStore(loose({})), "options.clock"],
      [() => new ReplicatedLeaseStore(loose<ReplicatedLeaseStoreOptions>(null)), "options"],
      [() => new ReplicatedLeaseStore(loose<ReplicatedLeaseStoreOptions>({ clock })), "options.kv"],
      [() => new ReplicatedLeaseStore(loose<ReplicatedLeaseStoreOptions>({ kv })), "options.clock"],
      [() => new ReplicatedLeaseStore({ kv, clock, maxAttempts: 0 }), "options.maxAttempts"],
      [() => new ReplicatedLeaseStore({ kv, clock, maxAttempts: Number.NaN }), "options.maxAttempts"],
      [() => new ReplicatedLeaseStore({ kv, clock, prefix: loose(5) }), "options.prefix"],
    ];
    for (const [call, path] of table) expect(await validationPaths(call)).toContain(path);
  });
});
