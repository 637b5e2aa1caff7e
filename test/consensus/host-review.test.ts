import { afterEach, describe, expect, it } from "vitest";
import { ManualClock, settle } from "../../src/core/clock.js";
import { ValidationError } from "../../src/core/errors.js";
import { Random } from "../../src/core/random.js";
import { ProposalLostError, raftMessageSchema, ReplicatedKV, type RaftMessage } from "../../src/consensus/index.js";
import { MemoryStorage } from "../../src/storage/memory.js";
import { SimNetwork } from "../../src/transport/sim-network.js";
import type { Transport } from "../../src/transport/types.js";
import { KvCluster } from "./support/kv-cluster.js";

let cluster: KvCluster | undefined;
afterEach(async () => {
  await cluster?.stopAll();
  cluster = undefined;
});

/** Tracks whether a promise settled, and how. */
function track<T>(p: Promise<T>): { settled: boolean; error: unknown } {
  const state = { settled: false, error: undefined as unknown };
  p.then(
    () => {
      state.settled = true;
    },
    (error: unknown) => {
      state.settled = true;
      state.error = error;
    },
  );
  return state;
}

describe("RaftHost review regressions", () => {
  it("proposals overwritten and then reused by the same member's later leadership all settle as lost", async () => {
    cluster = new KvCluster(["a", "b", "c"], { proposalTimeoutMs: 60_000 });
    const c = cluster;
    await c.startAll();
    const leader = await c.waitForLeader();
    await c.until(leader.put("x", "0"));
    const oldId = leader.host.id;
    c.network.isolate(oldId);
    const doomed = [leader.put("x", "d1"), leader.put("x", "d2"), leader.put("x", "d3")].map(track);
    await c.run(400);
    const next = [...c.kvs.values()].find((kv) => kv !== leader && kv.host.isLeader());
    expect(next).toBeDefined();
    c.network.heal();
    await c.run(200);
    // Leadership comes back to the old leader, which now proposes at the indexes its lost entries held.
    await c.until(next?.host.transferLeader(oldId) ?? Promise.resolve());
    expect(leader.host.isLeader()).toBe(true);
    await c.until(leader.put("x", "fresh"));
    await c.run(50);
    for (const d of doomed) {
      expect(d.settled).toBe(true);
      expect(d.error).toBeInstanceOf(ProposalLostError);
    }
  });

  it("read contexts are unique across incarnations of a member, so a late answer to an old read cannot serve a new one", async () => {
    const contexts: string[] = [];
    const spy = (t: Transport<RaftMessage>): Transport<RaftMessage> =>
      new Proxy(t, {
        get(target, prop, receiver) {
          if (prop === "send") {
            return (to: string, m: RaftMessage) => {
              if (m.type === "read_index") contexts.push(`${m.from}|${m.context}`);
              target.send(to, m);
            };
          }
          const value: unknown = Reflect.get(target, prop, receiver);
          return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      });
    cluster = new KvCluster(["a", "b", "c"], {}, 1, { transport: spy });
    const c = cluster;
    await c.startAll();
    const leader = await c.waitForLeader();
    await c.until(leader.put("x", "1"));
    const followerId = ["a", "b", "c"].find((id) => id !== leader.host.id) as string;
    expect(await c.until(c.kv(followerId).get("x"))).toBe("1");
    await c.crash(followerId);
    const again = await c.start(followerId);
    await c.run(100);
    expect(await c.until(again.get("x"))).toBe("1");
    const mine = contexts.filter((ctx) => ctx.startsWith(`${followerId}|`));
    expect(mine.length).toBeGreaterThanOrEqual(2);
    expect(new Set(mine).size).toBe(mine.length);
  });

  it("a ReplicatedKV restarted with the same seed does not have its new writes taken for retries of old ones", async () => {
    const clock = new ManualClock(0);
    const network = new SimNetwork({ clock, random: new Random(3) });
    const storage = new MemoryStorage();
    const open = async (): Promise<ReplicatedKV> => {
      const kv = new ReplicatedKV({ id: "solo", voters: ["solo"], transport: network.endpoint<RaftMessage>("solo", { schema: raftMessageSchema }), storage, clock, random: new Random(7), tickMs: 10 });
      await kv.start();
      return kv;
    };
    const until = async <T>(p: Promise<T>): Promise<T> => {
      let done = false;
      const tracked = p.finally(() => {
        done = true;
      });
      tracked.catch(() => undefined);
      for (let t = 0; t < 2000 && !done; t++) {
        clock.advance(1);
        await settle();
      }
      return tracked;
    };
    const waitLeader = async (kv: ReplicatedKV): Promise<void> => {
      for (let t = 0; t < 2000 && !kv.host.isLeader(); t++) {
        clock.advance(1);
        await settle();
      }
    };
    const first = await open();
    await waitLeader(first);
    await until(first.put("k", "1"));
    await first.stop();
    const second = await open();
    await waitLeader(second);
    const result = await until(second.put("k", "2"));
    expect(result).toEqual({ previous: "1", ok: true });
    expect(await until(second.get("k"))).toBe("2");
    await second.stop();
  });

  it("a member brought up by InstallSnapshot does not immediately take a redundant snapshot of its own", async () => {
    cluster = new KvCluster(["a", "b", "c"], { snapshotEvery: 10 });
    const c = cluster;
    await c.startAll();
    const leader = await c.waitForLeader();
    for (let i = 0; i < 30; i++) await c.until(leader.put(`k${i}`, `v${i}`));
    await c.run(50);
    const joiner = await c.start("d", undefined);
    await c.until(leader.host.changeMembership({ type: "add_learner", memberId: "d" }));
    await c.run(100);
    expect(joiner.host.metrics().snapshotsInstalled).toBe(1);
    expect(joiner.localGet("k29")).toBe("v29");
    expect(joiner.host.metrics().snapshotsTaken).toBe(0);
  });

  it("an entry that is not a KV command (proposed through the raw host) cannot take down every member", async () => {
    cluster = new KvCluster(["a", "b", "c"]);
    const c = cluster;
    await c.startAll();
    const leader = await c.waitForLeader();
    const failures: unknown[] = [];
    for (const kv of c.kvs.values()) kv.host.events.on("failed", (e) => failures.push(e.error));
    const poison = await c.until(leader.host.propose("{not json").catch((e: unknown) => e));
    const alsoPoison = await c.until(leader.host.propose("raw bytes").catch((e: unknown) => e));
    expect(poison).toMatchObject({ result: { ok: false } });
    expect(alsoPoison).toMatchObject({ result: { ok: false } });
    await c.until(leader.put("after", "poison"));
    await c.run(50);
    expect(failures).toEqual([]);
    for (const kv of c.kvs.values()) {
      expect(kv.host.status().running).toBe(true);
      expect(await c.until(kv.get("after"))).toBe("poison");
    }
  });

  it("transferLeader and addMember refuse bad arguments at once with a ValidationError naming them", async () => {
    cluster = new KvCluster(["a", "b", "c"]);
    const c = cluster;
    await c.startAll();
    const leader = await c.waitForLeader();
    const outcome = async (p: Promise<unknown>): Promise<unknown> => {
      let settled = false;
      const caught = p.then(
        () => "resolved",
        (e: unknown) => e,
      );
      void caught.then(() => {
        settled = true;
      });
      await settle();
      expect(settled).toBe(true);
      return caught;
    };
    await expect(outcome(leader.host.transferLeader("nobody"))).resolves.toMatchObject({ name: "ValidationError", message: expect.stringMatching(/to/) });
    await expect(outcome(leader.host.transferLeader(leader.host.id))).resolves.toBeInstanceOf(ValidationError);
    await expect(outcome(leader.host.addMember("d", { maxLag: -1 }))).resolves.toMatchObject({ message: expect.stringMatching(/maxLag/) });
  });
});
