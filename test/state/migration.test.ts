import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { InMemoryLeaseStore } from "../../src/lifecycle/lease-store.js";
import type { WorkloadAdapter } from "../../src/migration/adapter.js";
import type { Chunk } from "../../src/migration/chunk.js";
import { MigrationService } from "../../src/migration/service.js";
import { EdgeStates, InMemoryStateStore, StateMigrationFailedError, stateLeaseResource, type StoredState } from "../../src/state/index.js";

interface Faults {
  /** Replaces adapter methods (by name) with failing versions. */
  readonly adapter?: (adapter: WorkloadAdapter) => WorkloadAdapter;
  readonly validate?: () => boolean;
  readonly link?: (chunk: Chunk) => Chunk | Promise<Chunk>;
}

async function setup(faults: Faults = {}) {
  const clock = new ManualClock(1_000);
  const leases = new InMemoryLeaseStore({ clock });
  const store = new InMemoryStateStore();
  const states = new EdgeStates({
    clock,
    leases,
    store,
    migrationOptions: { maxAttempts: 1 },
    migrations: (adapter) =>
      new MigrationService({
        clock,
        adapter: faults.adapter === undefined ? adapter : faults.adapter(adapter),
        ...(faults.validate === undefined ? {} : { validate: faults.validate }),
        ...(faults.link === undefined ? {} : { link: faults.link }),
      }),
  });
  const home = await states.object("cart", { edgeId: "e1" });
  await home.set("items", ["apple"]);
  await home.increment("count", 3);
  await home.set("owner", { name: "ada" });
  return { clock, leases, store, states };
}

/** An adapter whose `method` fails (or answers `answer`) for calls naming `edgeId`. */
function failing(method: "checksum" | "switchTraffic" | "switchTrafficAfter", edgeId: string) {
  return (adapter: WorkloadAdapter): WorkloadAdapter =>
    new Proxy(adapter, {
      get(target, prop, receiver) {
        const value: unknown = Reflect.get(target, prop, receiver);
        if (prop === "checksum" && method === "checksum") {
          return async (ref: { workloadId: string; edgeId: string }) => (ref.edgeId === edgeId ? "0".repeat(64) : adapter.checksum(ref));
        }
        if (prop === "switchTraffic" && method !== "checksum") {
          return async (workloadId: string, to: string) => {
            if (to === edgeId && method === "switchTraffic") throw new Error("injected cutover failure");
            await adapter.switchTraffic(workloadId, to);
            if (to === edgeId) throw new Error("injected failure after the handover");
          };
        }
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
}

async function stored(store: InMemoryStateStore): Promise<StoredState | undefined> {
  return store.load("cart");
}

describe("EdgeStates.migrate through the migration engine", () => {
  it("moves the object with its data and version and fences the old home", async () => {
    const { states, leases, store } = await setup();
    const before = await stored(store);
    const oldToken = (await leases.get(stateLeaseResource("cart")))?.token ?? -1;

    const moved = await states.migrate("cart", "e2");

    expect(moved.path).toBe("migration");
    expect(moved.migrationId).toMatch(/^mig-/);
    expect(moved.object.edgeId).toBe("e2");
    expect((await states.where("cart")).home).toBe("e2");
    expect((await moved.object.get()).value).toEqual(before?.data);
    expect((await moved.object.metadata()).version).toBe(before?.metadata.version);
    const lease = await leases.get(stateLeaseResource("cart"));
    expect(lease?.token).toBeGreaterThan(oldToken);
    // A write fenced by the old home's token is refused by the store.
    await expect(store.save("cart", { data: {}, metadata: { created: 0, lastModified: 0, accessCount: 0, version: 4 } }, oldToken)).rejects.toMatchObject({ code: "state.fenced" });
    // The old home redirects to the new one; the new one accepts writes.
    const old = await states.object("cart", { edgeId: "e1" });
    await expect(old.set("x", 1)).rejects.toMatchObject({ code: "state.redirect", owner: "e2" });
    await expect(moved.object.set("x", 1)).resolves.toBe(4);
  });

  it("copies writes taken during the pre-copy", async () => {
    let wrote = false;
    const registry: { states?: EdgeStates } = {};
    const ctx = await setup({
      link: async (chunk) => {
        if (!wrote && registry.states !== undefined) {
          wrote = true;
          await (await registry.states.object("cart")).set("late", true);
        }
        return chunk;
      },
    });
    registry.states = ctx.states;
    const moved = await ctx.states.migrate("cart", "e2");
    expect(wrote).toBe(true);
    expect((await moved.object.get("late")).value).toBe(true);
    expect((await moved.object.metadata()).version).toBe(4);
  });

  it("refuses writes at the source while the cutover copies and verifies, so none is lost", async () => {
    const attempts: unknown[] = [];
    const registry: { states?: EdgeStates } = {};
    const ctx = await setup({
      adapter: (adapter) =>
        new Proxy(adapter, {
          get(target, prop, receiver) {
            const value: unknown = Reflect.get(target, prop, receiver);
            if (prop !== "checksum") return typeof value === "function" ? value.bind(target) : value;
            return async (ref: { workloadId: string; edgeId: string }) => {
              const states = registry.states;
              if (states !== undefined && ref.edgeId === "e1") attempts.push(await (await states.object("cart")).set("during", 1).catch((e: unknown) => e));
              return adapter.checksum(ref);
            };
          },
        }),
    });
    registry.states = ctx.states;
    const moved = await ctx.states.migrate("cart", "e2");
    expect(attempts.length).toBeGreaterThan(0);
    for (const a of attempts) expect(a).toMatchObject({ code: "state.locked" });
    expect((await moved.object.get("during")).value).toBeUndefined();
    expect((await moved.object.metadata()).version).toBe(3);
  });

  // handovers: how many times the lease changed hands (each a new fencing token).
  const failures: Array<{ name: string; faults: Faults; handovers: number }> = [
    { name: "a checksum mismatch at verify", faults: { adapter: failing("checksum", "e2") }, handovers: 0 },
    { name: "a failure before the lease handover at cutover", faults: { adapter: failing("switchTraffic", "e2") }, handovers: 0 },
    { name: "a failure reported after the lease handover at cutover", faults: { adapter: failing("switchTrafficAfter", "e2") }, handovers: 2 },
    { name: "the validation gate refusing after the handover", faults: { validate: () => false }, handovers: 2 },
  ];
  for (const f of failures) {
    it(`rolls back ${f.name}: same home, data and version; writes only at the old home`, async () => {
      const { states, store, leases } = await setup(f.faults);
      const before = await stored(store);
      const token = (await leases.get(stateLeaseResource("cart")))?.token ?? -1;

      const error = await states.migrate("cart", "e2").catch((e: unknown) => e);

      expect(error).toBeInstanceOf(StateMigrationFailedError);
      expect(error).toMatchObject({ code: "state.migration_failed", phase: "rolled_back" });
      expect((await states.where("cart")).home).toBe("e1");
      const lease = await leases.get(stateLeaseResource("cart"));
      expect(lease?.holder).toBe("e1");
      expect(lease?.token).toBe(token + f.handovers);
      const home = await states.object("cart");
      expect(home.edgeId).toBe("e1");
      expect((await home.get()).value).toEqual(before?.data);
      expect((await home.metadata()).version).toBe(before?.metadata.version);
      expect((await stored(store))?.data).toEqual(before?.data);
      await expect(home.increment("count")).resolves.toBe(4);
      const target = await states.object("cart", { edgeId: "e2" });
      await expect(target.set("x", 1)).rejects.toMatchObject({ code: "state.redirect", owner: "e1" });
      expect((await stored(store))?.metadata.version).toBe(4);
    });
  }

  it("transfers directly without an engine", async () => {
    const clock = new ManualClock(0);
    const states = new EdgeStates({ clock, leases: new InMemoryLeaseStore({ clock }), store: new InMemoryStateStore() });
    await (await states.object("c", { edgeId: "e1" })).set("a", 1);
    const moved = await states.migrate("c", "e2");
    expect(moved).toMatchObject({ path: "transfer", migrationId: null });
    expect((await moved.object.get("a")).value).toBe(1);
    expect((await states.migrate("c", "e2")).path).toBe("none");
  });
});
