import { describe, expect, it } from "vitest";
import { ManualClock, settle } from "../../src/core/clock.js";
import { Random } from "../../src/core/random.js";
import { raftMessageSchema, ReplicatedKV, type RaftMessage } from "../../src/consensus/index.js";
import { LeaseConflictError, StaleFencingTokenError } from "../../src/lifecycle/errors.js";
import { ReplicatedLeaseStore } from "../../src/lifecycle/replicated-lease-store.js";
import type { Lease } from "../../src/lifecycle/types.js";
import { MemoryStorage } from "../../src/storage/memory.js";
import { SimNetwork } from "../../src/transport/sim-network.js";
import { simRuns, simSeed, withSeed } from "../support/sim.js";

/** Three ReplicatedKV members on a simulated network and virtual time. */
async function cluster(seed: number) {
  const clock = new ManualClock(0);
  const random = new Random(seed);
  const network = new SimNetwork({ clock, random: random.fork("net"), defaultLink: { latency: { kind: "uniform", minMs: 0.5, maxMs: 2 } } });
  const ids = ["n1", "n2", "n3"];
  const members = new Map<string, ReplicatedKV>();
  for (const id of ids) {
    const kv = new ReplicatedKV({
      id,
      voters: ids,
      transport: network.endpoint<RaftMessage>(id, { schema: raftMessageSchema }),
      storage: new MemoryStorage({ clock, syncDelayMs: 1 }),
      clock,
      random: random.fork(id),
      tickMs: 10,
    });
    members.set(id, kv);
    await kv.start();
  }
  /** Lets virtual time pass, a millisecond at a time, until `promise` settles. */
  const until = async <T>(promise: Promise<T>, limitMs = 10_000): Promise<T> => {
    let done = false;
    const tracked = promise.finally(() => {
      done = true;
    });
    tracked.catch(() => undefined);
    for (let t = 0; t < limitMs && !done; t++) {
      clock.advance(1);
      await settle();
    }
    return tracked;
  };
  const run = async (ms: number): Promise<void> => {
    for (let t = 0; t < ms; t++) {
      clock.advance(1);
      await settle();
    }
  };
  const leader = async (): Promise<ReplicatedKV> => {
    for (let t = 0; t < 10_000; t++) {
      const leaders = [...members.values()].filter((kv) => kv.host.isLeader());
      if (leaders.length === 1) {
        // A new leader serves linearizable reads only once it has committed an entry of its term.
        for (let settleMs = 0; settleMs < 200; settleMs++) {
          clock.advance(1);
          await settle();
        }
        return leaders[0] as ReplicatedKV;
      }
      clock.advance(1);
      await settle();
    }
    throw new Error("no leader elected");
  };
  const crash = async (kv: ReplicatedKV): Promise<void> => {
    for (const [id, member] of members) if (member === kv) members.delete(id);
    await kv.stop();
  };
  const stopAll = async (): Promise<void> => {
    for (const kv of members.values()) await kv.stop();
  };
  return { clock, run, until, leader, crash, stopAll };
}

describe("ReplicatedLeaseStore on ReplicatedKV", () => {
  it("leases and fencing survive the loss of a minority (the leader itself)", async () => {
    await withSeed(simSeed(6), async (seed) => {
      const c = await cluster(seed);
      const first = await c.leader();
      const storeA = new ReplicatedLeaseStore({ kv: first, clock: c.clock });
      const lease: Lease = await c.until(storeA.acquire("edge:edge-1", "migrator-a", 2_000));
      // The token is the log index of the granting entry: after the leader's own first entry.
      expect(lease.token).toBeGreaterThan(0);
      storeA.close();

      await c.crash(first);
      const second = await c.leader();
      expect(second).not.toBe(first);
      const storeB = new ReplicatedLeaseStore({ kv: second, clock: c.clock });
      const seen = await c.until(storeB.get("edge:edge-1"));
      expect(seen).toMatchObject({ holder: "migrator-a", token: lease.token });
      await expect(c.until(storeB.acquire("edge:edge-1", "migrator-b", 5_000))).rejects.toBeInstanceOf(LeaseConflictError);
      await c.until(storeB.checkFence("edge:edge-1", lease.token));

      // Let time pass the way a running cluster sees it (heartbeats keep flowing), up to the expiry.
      await c.run(lease.expiresAt - c.clock.now());
      expect(c.clock.now()).toBeGreaterThanOrEqual(lease.expiresAt);
      const next = await c.until(storeB.acquire("edge:edge-1", "migrator-b", 5_000));
      expect(next.token).toBeGreaterThan(lease.token);
      await expect(c.until(storeB.checkFence("edge:edge-1", lease.token))).rejects.toBeInstanceOf(StaleFencingTokenError);
      expect((await c.until(storeB.list())).map((l) => l.holder)).toEqual(["migrator-b"]);
      storeB.close();
      await c.stopAll();
    });
  });

  it("concurrent acquirers: exactly one wins; expiry fires an event and frees the resource", async () => {
    await withSeed(simSeed(7), async (seed) => {
      const c = await cluster(seed);
      const leader = await c.leader();
      const one = new ReplicatedLeaseStore({ kv: leader, clock: c.clock });
      const two = new ReplicatedLeaseStore({ kv: leader, clock: c.clock });
      const outcomes = await c.until(
        Promise.allSettled([one.acquire("r", "a", 500), two.acquire("r", "b", 500)]),
      );
      const won = outcomes.filter((o) => o.status === "fulfilled");
      expect(won).toHaveLength(1);
      const lost = outcomes.find((o) => o.status === "rejected");
      expect(lost?.status === "rejected" ? lost.reason : undefined).toBeInstanceOf(LeaseConflictError);
      const expired: Lease[] = [];
      one.events.on("lease:expired", (l) => expired.push(l));
      two.events.on("lease:expired", (l) => expired.push(l));
      await c.run(700);
      expect(expired).toHaveLength(1);
      expect(await c.until(one.get("r"))).toBeUndefined();
      one.close();
      two.close();
      await c.stopAll();
    });
  });

  it("64 acquirers on one hot key: one log entry each, one winner, the rest refused at once; tokens rise round after round", async () => {
    const runs = simRuns(2);
    for (let r = 0; r < runs; r++) {
      await withSeed(simSeed(8) + r, async (seed) => {
        const c = await cluster(seed);
        const leader = await c.leader();
        const stores = Array.from({ length: 64 }, () => new ReplicatedLeaseStore({ kv: leader, clock: c.clock }));
        let lastToken = 0;
        for (let round = 0; round < 3; round++) {
          const entriesBefore = leader.host.status().lastIndex;
          const outcomes = await c.until(Promise.allSettled(stores.map((store, i) => store.acquire("hot", `holder-${i}`, 5_000))));
          const won = outcomes.flatMap((o) => (o.status === "fulfilled" ? [o.value] : []));
          const refused = outcomes.flatMap((o) => (o.status === "rejected" ? [o.reason as unknown] : []));
          expect(won).toHaveLength(1);
          // Refused because another holds it, never given up on contention (a bare ConflictError).
          expect(refused.filter((e) => e instanceof LeaseConflictError)).toHaveLength(63);
          // Each acquirer wrote at most one entry: no retry storm, no shared counter or index key.
          expect(leader.host.status().lastIndex - entriesBefore).toBeLessThanOrEqual(64);
          const winner = won[0] as Lease;
          expect(winner.token).toBeGreaterThan(lastToken);
          if (lastToken > 0) await expect(c.until(stores[0]?.checkFence("hot", lastToken) ?? Promise.resolve())).rejects.toBeInstanceOf(StaleFencingTokenError);
          await c.until(stores[0]?.checkFence("hot", winner.token) ?? Promise.reject(new Error("no store")));
          lastToken = winner.token;
          const holder = Number(winner.holder.slice("holder-".length));
          await c.until(stores[holder]?.release("hot", winner.holder, winner.token) ?? Promise.reject(new Error("no store")));
        }
        for (const store of stores) await store.close();
        await c.stopAll();
      });
    }
  });
});
