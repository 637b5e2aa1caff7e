import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { SystemClock } from "../../src/core/clock.js";
import { MigrationExecutor } from "../../src/migration/executor.js";
import { MigrationPlanner } from "../../src/migration/planner.js";
import { RedisWorkloadAdapter } from "../../src/migration/redis/index.js";
import { redisAvailable, startRedis, type RedisServer } from "./support/redis-server.js";

if (!redisAvailable) console.warn("skipping Redis migration tests: redis-server is not on PATH (apt-get install redis-server)");

const KEYS = 2_000;

interface Setup {
  source: RedisServer;
  target: RedisServer;
  adapter: RedisWorkloadAdapter;
  executor: MigrationExecutor;
  planner: MigrationPlanner;
  direct: { source: Redis; target: Redis };
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(link?: ConstructorParameters<typeof MigrationExecutor>[0]["link"]): Promise<Setup> {
  const [source, target] = await Promise.all([startRedis(), startRedis()]);
  cleanups.push(() => source.stop(), () => target.stop());
  const clock = new SystemClock();
  const adapter = new RedisWorkloadAdapter({
    clock,
    edges: { "edge-a": { host: "127.0.0.1", port: source.port }, "edge-b": { host: "127.0.0.1", port: target.port } },
    healthTimeoutMs: 300,
    connectTimeoutMs: 300,
  });
  cleanups.push(() => adapter.close());
  const direct = { source: new Redis({ port: source.port, lazyConnect: false }), target: new Redis({ port: target.port, lazyConnect: false, maxRetriesPerRequest: 0 }) };
  // The killed target's reconnect attempts surface through commands; the event would only be noise.
  direct.target.on("error", () => undefined);
  cleanups.push(async () => {
    direct.source.disconnect();
    direct.target.disconnect();
  });
  const pipe = direct.source.pipeline();
  for (let i = 0; i < KEYS; i++) pipe.set(`app:k${i}`, `initial-${i}-${"x".repeat(100)}`);
  pipe.hset("app:profile", { name: "edge", version: "1" });
  pipe.set("other:untouched", "stays");
  await pipe.exec();
  adapter.router.setRoute("app", "edge-a");
  const executor = new MigrationExecutor({ adapter, clock, ...(link === undefined ? {} : { link }) });
  cleanups.push(() => executor.close());
  return { source, target, adapter, executor, planner: new MigrationPlanner({ clock, adapter }), direct };
}

/** A client writing through the router until stopped; remembers the last acknowledged value per key. */
function startWriter(adapter: RedisWorkloadAdapter): { acked: Map<string, string>; stop: () => Promise<number> } {
  const acked = new Map<string, string>();
  let running = true;
  let writes = 0;
  const loop = (async () => {
    for (let i = 0; running; i++) {
      const key = `app:k${(i * 7919) % (KEYS + 500)}`;
      const value = `w${i}`;
      try {
        await adapter.router.write("app", (redis) => redis.set(key, value));
        acked.set(key, value);
        writes++;
        // A steady client rather than a tight loop, so the servers and the migration share the CPU.
        if (i % 20 === 0) await new Promise((r) => setTimeout(r, 1));
      } catch {
        // Not acknowledged: may or may not have been applied, so it is not checked.
        acked.delete(key);
        await new Promise((r) => setTimeout(r, 1));
      }
    }
  })();
  return {
    acked,
    stop: async () => {
      running = false;
      await loop;
      return writes;
    },
  };
}

/** Every acknowledged write is on `redis` with its last acknowledged value. */
async function expectAcked(redis: Redis, acked: ReadonlyMap<string, string>): Promise<void> {
  const keys = [...acked.keys()];
  const values = keys.length === 0 ? [] : await redis.mget(...keys);
  expect(values).toEqual(keys.map((k) => acked.get(k)));
}

const options = { bandwidthBytesPerSec: 1e12, batchKeys: 250, maxRounds: 6, stopCopyThresholdBytes: 32 * 1024, callTimeoutMs: 5_000, retryBackoffMs: 10, maxAttempts: 3 };

describe.skipIf(!redisAvailable)("Redis adapter against real servers", () => {
  it("a writer running through the whole live migration loses no acknowledged write", async () => {
    const s = await setup();
    const writer = startWriter(s.adapter);
    const plan = await s.planner.plan({ source: "edge-a", target: "edge-b", strategy: "live", workloads: [{ id: "app" }], options });
    const final = await s.executor.execute(plan);
    const writes = await writer.stop();
    expect(final.failure).toBeNull();
    expect(final.phase).toBe("completed");
    expect(writes).toBeGreaterThan(0);
    expect(s.adapter.router.route("app")).toBe("edge-b");
    await expectAcked(s.direct.target, writer.acked);
    expect(await s.direct.target.hgetall("app:profile")).toEqual({ name: "edge", version: "1" });
    expect(await s.direct.target.get(`app:k${KEYS - 1}`)).not.toBeNull();
    expect(await s.direct.source.keys("app:*")).toEqual([]);
    expect(await s.direct.source.get("other:untouched")).toBe("stays");
    expect(await s.direct.target.exists("other:untouched")).toBe(0);
    expect(final.rounds.length).toBeGreaterThanOrEqual(2);
  });

  it("killing the target mid-copy rolls back with the source intact and serving", async () => {
    let chunks = 0;
    const late: { target?: RedisServer } = {};
    const s = await setup(async (chunk) => {
      if (++chunks === 4) await late.target?.kill();
      return chunk;
    });
    late.target = s.target;
    const writer = startWriter(s.adapter);
    const plan = await s.planner.plan({ source: "edge-a", target: "edge-b", strategy: "live", workloads: [{ id: "app" }], options });
    const final = await s.executor.execute(plan);
    expect(final.phase).toBe("rolled_back");
    expect(final.failure?.code).toBe("migration.adapter_failure");
    expect(final.warnings.some((w) => w.includes("partial copy"))).toBe(true);
    // Still serving: a write through the router is acknowledged by the source.
    await s.adapter.router.write("app", (redis) => redis.set("app:after", "yes"));
    const writes = await writer.stop();
    expect(writes).toBeGreaterThan(0);
    expect(s.adapter.router.route("app")).toBe("edge-a");
    await expectAcked(s.direct.source, writer.acked);
    expect(await s.direct.source.get("app:after")).toBe("yes");
    expect(await s.direct.source.dbsize()).toBeGreaterThanOrEqual(KEYS + 2);
  });

  it("a final checksum mismatch rolls back: source intact and serving, target clean", async () => {
    let chunks = 0;
    const late: { direct?: Redis } = {};
    const s = await setup(async (chunk) => {
      // Someone writes into the target behind the migration's back: the copy is no longer the source's.
      if (++chunks === 2) await late.direct?.set("app:intruder", "x");
      return chunk;
    });
    late.direct = s.direct.target;
    const writer = startWriter(s.adapter);
    const plan = await s.planner.plan({ source: "edge-a", target: "edge-b", strategy: "live", workloads: [{ id: "app" }], options });
    const final = await s.executor.execute(plan);
    const writes = await writer.stop();
    expect(writes).toBeGreaterThan(0);
    expect(final.phase).toBe("rolled_back");
    expect(final.failure?.code).toBe("migration.checksum_mismatch");
    expect(s.adapter.router.route("app")).toBe("edge-a");
    await expectAcked(s.direct.source, writer.acked);
    expect(await s.direct.target.keys("app:*")).toEqual([]);
    await s.adapter.router.write("app", (redis) => redis.set("app:after", "yes"));
    expect(await s.direct.source.get("app:after")).toBe("yes");
  });
});
