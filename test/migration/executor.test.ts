import { describe, expect, it } from "vitest";
import { InvalidMigrationStateError, WorkloadLockedError } from "../../src/migration/errors.js";
import type { MigrationProgress } from "../../src/migration/types.js";
import { drive } from "./support/drive.js";
import { dataset, fixture } from "./support/fixture.js";

const slow = { bandwidthBytesPerSec: 10_000, burstBytes: 1_000, batchKeys: 10, checkpointIntervalMs: 1_000 };

describe("MigrationExecutor", () => {
  it("checkpoints at every phase boundary and periodically on the clock, and reports progress", async () => {
    const f = fixture({ w: dataset(200) });
    const executor = f.executor();
    const checkpoints: string[] = [];
    const progress: MigrationProgress[] = [];
    executor.events.on("migration:checkpoint", (c) => checkpoints.push(c.phase));
    executor.events.on("migration:progress", (p) => progress.push(p));
    const final = await drive(f.clock, executor.execute(await f.plan({ options: slow })));
    expect(final.phase).toBe("completed");
    for (const phase of ["pre_sync", "sync", "cutover", "validation", "cleanup", "completed"]) expect(checkpoints).toContain(phase);
    // 20 kB at 10 kB/s: about 2 s of copying, so periodic checkpoints within pre_sync too.
    expect(checkpoints.filter((p) => p === "pre_sync").length).toBeGreaterThan(2);
    const percents = progress.map((p) => p.percent);
    expect(percents.at(-1)).toBe(100);
    expect(progress.some((p) => p.phase === "pre_sync" && p.percent > 0 && p.percent < 60 && p.etaMs !== null)).toBe(true);
    expect(final.transfer.rawBytes).toBeGreaterThanOrEqual(200 * 100);
    await executor.close();
  });

  it("bandwidth: the token bucket paces the copy on the clock", async () => {
    const f = fixture({ w: dataset(100, 1_000) });
    const executor = f.executor();
    const final = await drive(f.clock, executor.execute(await f.plan({ options: { ...slow, bandwidthBytesPerSec: 50_000 } })));
    // ~100 kB of frames at 50 kB/s is at least ~2 s of virtual time, minus the initial burst.
    expect(final.finishedAt).toBeGreaterThanOrEqual(((final.transfer.wireBytes - 1_000) / 50_000) * 1000);
    await executor.close();
  });

  it("compression: raw and wire bytes are both accounted, and the target is byte-identical", async () => {
    const f = fixture({ w: dataset(100, 1_000) });
    const executor = f.executor();
    const final = await drive(f.clock, executor.execute(await f.plan({ options: { compression: true } })));
    expect(final.transfer.wireBytes).toBeLessThan(final.transfer.rawBytes / 5);
    expect(f.adapter.data("w", "b")).toEqual(dataset(100, 1_000));
    const metrics = await executor.metrics();
    expect(metrics.compressionRatio).toBeCloseTo(final.transfer.wireBytes / final.transfer.rawBytes, 6);
    await executor.close();
  });

  it("pause stops between batches; resume continues from the last checkpoint, not from the start", async () => {
    const f = fixture({ w: dataset(300) });
    const executor = f.executor();
    const id = await executor.start(await f.plan({ options: slow }));
    const paused = await drive(f.clock, (async () => {
      await f.clock.advanceAsync(1_500);
      return executor.pause(id);
    })());
    expect(paused.paused).toBe(true);
    expect(paused.phase).toBe("pre_sync");
    const copiedAtPause = paused.transfer.rawBytes;
    const cursor = paused.workloads["w"]?.cursor;
    expect(cursor).not.toBeNull();
    expect((await f.store.load(id))?.paused).toBe(true);
    // Nothing moves while paused.
    await f.clock.advanceAsync(10_000);
    expect((await executor.get(id)).transfer.rawBytes).toBe(copiedAtPause);
    const final = await drive(f.clock, executor.resume(id));
    expect(final.phase).toBe("completed");
    // Resuming from the cursor copies the rest once: total ≈ one full copy, not 1 + what was done.
    expect(final.rounds.find((r) => r.round === 1)?.keys).toBe(300);
    expect(final.transfer.chunks).toBeLessThanOrEqual(31);
    await executor.close();
  });

  it("per-workload locks: a second migration of the same workload is refused with nothing changed", async () => {
    const f = fixture({ w: dataset(50) });
    const first = f.executor();
    const id = await first.start(await f.plan({ options: slow }));
    const second = f.executor();
    await expect(second.start(await f.plan({ options: slow }), { migrationId: "other" })).rejects.toBeInstanceOf(WorkloadLockedError);
    await expect(second.get("other")).rejects.toMatchObject({ code: "not_found" });
    expect((await f.leases.get("migration:workload:w"))?.holder).toBe(`migration:${id}`);
    await drive(f.clock, first.wait(id));
    expect(await f.leases.get("migration:workload:w")).toBeUndefined();
    await first.close();
    await second.close();
  });

  it("a stale fencing token stops the copy: the lease was taken over", async () => {
    const f = fixture({ w: dataset(100) });
    const executor = f.executor();
    const id = await executor.start(await f.plan({ options: { ...slow, leaseTtlMs: 100_000 } }));
    await f.clock.advanceAsync(500);
    const lease = await f.leases.get("migration:workload:w");
    if (lease === undefined) throw new Error("lock not taken");
    await f.leases.release(lease.resource, lease.holder, lease.token);
    await f.leases.acquire(lease.resource, "someone-else", 100_000);
    const error = await drive(f.clock, executor.wait(id)).catch((e: unknown) => e);
    // The copy is fenced off, and rollback does not touch a workload someone else now holds.
    expect(error).toBeInstanceOf(WorkloadLockedError);
    const state = await executor.get(id);
    expect(state.phase).toBe("rolling_back");
    expect(state.failure?.message).toMatch(/fencing token/);
    expect(f.adapter.data("w", "a")).toEqual(dataset(100));
    await executor.close();
  });

  it("rollback on request is idempotent and refused after completion", async () => {
    const f = fixture({ w: dataset(100) });
    const executor = f.executor();
    const id = await executor.start(await f.plan({ options: slow }));
    await f.clock.advanceAsync(500);
    const rolled = await drive(f.clock, executor.rollback(id));
    expect(rolled.phase).toBe("rolled_back");
    expect(rolled.failure?.code).toBe("migration.rollback_requested");
    expect(f.adapter.present("w", "b")).toBe(false);
    expect(f.adapter.servingEdges("w")).toEqual(["a"]);
    expect(await executor.rollback(id)).toMatchObject({ phase: "rolled_back", revision: rolled.revision });
    const done = await drive(f.clock, executor.execute(await f.plan({ options: slow })));
    await expect(executor.rollback(done.id)).rejects.toBeInstanceOf(InvalidMigrationStateError);
    expect(executor.historyRecords().map((r) => r.outcome)).toEqual(["rolled_back", "completed"]);
    expect((await executor.metrics()).successRate).toBe(0.5);
    await executor.close();
  });

  it("rollback after cutover copies the target's new writes back to the source", async () => {
    const f = fixture({ w: dataset(20) });
    let writes = 0;
    const executor = f.executor({
      validate: () => {
        // The target has served writes by the time the gate says no.
        f.adapter.write("w", "k00001", new Uint8Array([9]));
        f.adapter.write("w", "new", new Uint8Array([7]));
        writes += 2;
        return false;
      },
    });
    const final = await drive(f.clock, executor.execute(await f.plan()));
    expect(writes).toBe(2);
    expect(final.phase).toBe("rolled_back");
    expect(final.failure?.code).toBe("migration.validation_failed");
    const source = f.adapter.data("w", "a");
    expect(source.get("k00001")).toEqual(new Uint8Array([9]));
    expect(source.get("new")).toEqual(new Uint8Array([7]));
    expect(f.adapter.present("w", "b")).toBe(false);
    await executor.close();
  });

  it("staged: waves one after another with a gate between them", async () => {
    const f = fixture({ w1: dataset(10), w2: dataset(10), w3: dataset(10) });
    const gated: string[] = [];
    const executor = f.executor({ validate: ({ workloadId }) => (gated.push(workloadId), true) });
    const phases: string[] = [];
    executor.events.on("migration:phase", (e) => phases.push(e.to));
    const final = await drive(f.clock, executor.execute(await f.plan({ strategy: "staged", options: { waveSize: 2 } })));
    expect(final.phase).toBe("completed");
    expect(gated).toEqual(["w1", "w2", "w3"]);
    expect(phases.filter((p) => p === "pre_sync")).toHaveLength(2);
    for (const w of ["w1", "w2", "w3"]) expect(f.adapter.route(w)).toBe("b");
    await executor.close();
  });

  it("incremental: syncs deltas until the caller triggers cutover", async () => {
    const f = fixture({ w: dataset(10) });
    const executor = f.executor();
    const id = await executor.start(await f.plan({ strategy: "incremental", options: { deltaIntervalMs: 100 } }));
    let i = 0;
    const write = (): void => f.adapter.write("w", `d${i++ % 5}`, new Uint8Array([i & 255]));
    await drive(f.clock, (async () => {
      for (let t = 0; t < 20; t++) {
        write();
        await f.clock.advanceAsync(100);
      }
    })());
    const mid = await executor.get(id);
    expect(mid.phase).toBe("sync");
    expect(mid.rounds.length).toBeGreaterThan(10);
    await executor.triggerCutover(id);
    const final = await drive(f.clock, executor.wait(id));
    expect(final.phase).toBe("completed");
    expect(f.adapter.data("w", "b").get(`d${(i - 1) % 5}`)).toEqual(new Uint8Array([i & 255]));
    await executor.close();
  });

  it("emergency: restores from the freshest replica when the source is down and reports the loss window", async () => {
    const f = fixture({ w: dataset(10) }, ["a", "b", "r1", "r2"]);
    f.adapter.addReplica("w", "r1", dataset(5), 0);
    f.clock.advance(2_000);
    f.adapter.addReplica("w", "r2", dataset(8), 1_500);
    f.adapter.setEdgeUp("a", false);
    const executor = f.executor();
    const final = await drive(f.clock, executor.execute(await f.plan({ strategy: "emergency" })));
    expect(final.phase).toBe("completed");
    expect(final.dataLossWindowMs).toBe(500);
    expect(f.adapter.data("w", "b")).toEqual(dataset(8));
    expect(f.adapter.servingEdges("w")).toEqual(["b"]);
    expect(final.warnings.join(" ")).toMatch(/source "a" was down/);
    await executor.close();
  });
});
