import { getEventListeners } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import { CancelledError } from "../../src/core/errors.js";
import { KvCluster } from "./support/kv-cluster.js";

let cluster: KvCluster | undefined;
afterEach(async () => {
  await cluster?.stopAll();
  cluster = undefined;
});

async function started(ids = ["a", "b", "c"]): Promise<KvCluster> {
  cluster = new KvCluster(ids, { proposalTimeoutMs: 60_000, readTimeoutMs: 60_000 }, 5);
  await cluster.startAll();
  return cluster;
}

/** Settles `p` into its outcome without an unhandled rejection. */
function outcome<T>(p: Promise<T>): { value?: T; error?: unknown; settled: boolean } {
  const o: { value?: T; error?: unknown; settled: boolean } = { settled: false };
  p.then(
    (value) => Object.assign(o, { value, settled: true }),
    (error: unknown) => Object.assign(o, { error, settled: true }),
  );
  return o;
}

describe("RaftHost and ReplicatedKV: close, async dispose and cancellation", () => {
  it("close() and [Symbol.asyncDispose] stop the host and leave no timers", async () => {
    const c = await started(["a"]);
    const kv = await c.waitForLeader();
    expect(c.clock.pendingTimers()).toBeGreaterThan(0);
    await kv[Symbol.asyncDispose]();
    expect(kv.host.status().running).toBe(false);
    await kv.close();
    await kv.host.close();
    await kv.host[Symbol.asyncDispose]();
    // A storage sync already under way finishes on its own; nothing of the host's is left.
    await c.run(5);
    expect(c.clock.pendingTimers()).toBe(0);
  });

  it("a put aborted while it cannot commit fails with CancelledError and leaves no pending proposal", async () => {
    const c = await started();
    const leader = await c.waitForLeader();
    await c.until(leader.put("x", "1"));
    for (const id of c.ids) if (id !== leader.host.id) c.network.isolate(id);
    const controller = new AbortController();
    const put = outcome(leader.put("x", "2", { signal: controller.signal }));
    const cas = outcome(leader.compareAndSet("x", "1", "3", { signal: controller.signal }));
    const del = outcome(leader.delete("x", { signal: controller.signal }));
    await c.run(30);
    expect(put.settled).toBe(false);
    expect(leader.host.metrics().pendingProposals).toBe(3);
    controller.abort();
    await c.run(1);
    for (const o of [put, cas, del]) expect(o.error).toBeInstanceOf(CancelledError);
    expect((put.error as CancelledError).code).toBe("cancelled");
    expect(leader.host.metrics().pendingProposals).toBe(0);
  });

  it("an already aborted signal refuses a propose, a get and a put at once", async () => {
    const c = await started();
    const leader = await c.waitForLeader();
    const signal = AbortSignal.abort();
    await expect(leader.host.propose("x", { signal })).rejects.toBeInstanceOf(CancelledError);
    await expect(leader.get("x", { signal })).rejects.toBeInstanceOf(CancelledError);
    await expect(leader.put("x", "1", { signal })).rejects.toBeInstanceOf(CancelledError);
    expect(leader.host.metrics().pendingProposals).toBe(0);
    expect(leader.host.metrics().pendingReads).toBe(0);
  });

  it("a get aborted while no quorum confirms it fails with CancelledError and leaves no pending read", async () => {
    const c = await started();
    const leader = await c.waitForLeader();
    await c.until(leader.put("x", "1"));
    for (const id of c.ids) if (id !== leader.host.id) c.network.isolate(id);
    const controller = new AbortController();
    const get = outcome(leader.get("x", { signal: controller.signal }));
    await c.run(20);
    expect(leader.host.metrics().pendingReads).toBe(1);
    controller.abort();
    await c.run(1);
    expect(get.error).toBeInstanceOf(CancelledError);
    expect(leader.host.metrics().pendingReads).toBe(0);
  });

  it("waits (transferLeader, addMember) stop polling when aborted", async () => {
    const c = await started();
    const leader = await c.waitForLeader();
    await c.until(leader.put("x", "1"));
    const controller = new AbortController();
    const joining = outcome(leader.host.addMember("z", { timeoutMs: 60_000, signal: controller.signal }));
    await c.run(100);
    const timersWaiting = c.clock.pendingTimers();
    controller.abort();
    await c.run(20);
    expect(joining.error).toBeInstanceOf(CancelledError);
    expect(c.clock.pendingTimers()).toBeLessThan(timersWaiting);
    const target = c.ids.find((id) => id !== leader.host.id) as string;
    c.network.isolate(target);
    const transfer = outcome(leader.host.transferLeader(target, { timeoutMs: 60_000, signal: AbortSignal.abort() }));
    await c.run(5);
    expect(transfer.error).toBeInstanceOf(CancelledError);
  });

  it("a signal used by many calls that succeed keeps no listeners", async () => {
    const c = await started();
    const leader = await c.waitForLeader();
    const controller = new AbortController();
    for (let i = 0; i < 5; i++) await c.until(leader.put(`k${i}`, "v", { signal: controller.signal }));
    await c.until(leader.get("k0", { signal: controller.signal }));
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });

  it("the earlier call forms still work: a request id as the third argument, a timeout as the second", async () => {
    const c = await started();
    const leader = await c.waitForLeader();
    expect(await c.until(leader.put("x", "1", { client: "cli", seq: 1 }))).toEqual({ previous: null, ok: true });
    expect(await c.until(leader.put("x", "2", { client: "cli", seq: 1 }))).toEqual({ previous: null, ok: true });
    expect(await c.until(leader.compareAndSet("x", "1", "3", { client: "cli", seq: 2 }))).toBe(true);
    const target = c.ids.find((id) => id !== leader.host.id) as string;
    await c.until(leader.host.transferLeader(target, 5_000));
    expect(c.kv(target).host.isLeader()).toBe(true);
  });
});
