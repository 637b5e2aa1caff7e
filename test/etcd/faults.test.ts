/**
 * Faults against a real 3-member etcd: members are killed (SIGKILL) and restarted on the same data
 * directory — the leader first, every cycle — while several clients run a compare-and-set workload and
 * a lease workload with fenced uses. The recorded histories must be linearizable, and fencing tokens
 * must never overlap between holders. `ETCD_FAULT_CYCLES` (default 2) sets how many kill/restart
 * cycles run; `ETCD_FAULT_SEED` fixes the workload's choices.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SystemClock } from "../../src/core/clock.js";
import { isEdgeflowError } from "../../src/core/errors.js";
import { Random } from "../../src/core/random.js";
import { EtcdKV, EtcdLeaseStore } from "../../src/etcd/index.js";
import { checkLinearizable, keyValueModel, type CheckResult, type KvInput, type KvOutput } from "../../src/testing/index.js";
import { etcdAvailable, startEtcdCluster, type EtcdCluster, type EtcdMember } from "./support/etcd-cluster.js";
import { fencedToken, fencedValue, fencingViolations, KvHistory, outcomeUnknown, tokenViolations, type Grant } from "./support/histories.js";

if (!etcdAvailable) console.warn("skipping etcd fault tests: etcd is not on PATH (apt-get install etcd-server)");

const CYCLES = Number(process.env["ETCD_FAULT_CYCLES"] ?? 2);
const SEED = Number(process.env["ETCD_FAULT_SEED"] ?? Date.now() % 1_000_000);
const CLIENTS = 6;
const clock = new SystemClock();
const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

let cluster: EtcdCluster | undefined;
const closers: Array<{ close(): Promise<void> }> = [];

beforeAll(async () => {
  cluster = await startEtcdCluster();
  if (cluster === undefined && etcdAvailable) console.warn("skipping etcd fault tests: the 3-member cluster did not become healthy");
}, 30_000);

afterAll(async () => {
  for (const c of closers.splice(0)) await c.close();
  await cluster?.stop();
});

/** Client `i` lists the members starting at member `i`, so the clients spread their connections. */
function hostsFor(c: EtcdCluster, i: number): string[] {
  const hosts = [...c.hosts];
  return [...hosts.slice(i % hosts.length), ...hosts.slice(0, i % hosts.length)];
}

function kvClient(c: EtcdCluster, i: number, prefix: string): EtcdKV {
  const kv = new EtcdKV({ clock, hosts: hostsFor(c, i), prefix, requestTimeoutMs: 1_000 });
  closers.push(kv);
  return kv;
}

/** The member that is leader now, asking each member about itself. */
async function leaderOf(c: EtcdCluster): Promise<EtcdMember | undefined> {
  for (const member of c.members) {
    const probe = new EtcdKV({ clock, hosts: [member.clientUrl], requestTimeoutMs: 500 });
    try {
      if ((await probe.status()).isLeader) return member;
    } catch {
      // A member that does not answer is not the leader we are looking for.
    } finally {
      await probe.close();
    }
  }
  return undefined;
}

/** Kills the leader (or, with no leader, the first member) and restarts it, `CYCLES` times; tells when members are down. */
async function nemesis(c: EtcdCluster, down: { now: boolean }): Promise<string[]> {
  const log: string[] = [];
  for (let cycle = 0; cycle < CYCLES; cycle++) {
    await pause(300);
    const victim = (await leaderOf(c)) ?? c.members[0];
    if (victim === undefined) break;
    await victim.kill();
    down.now = true;
    log.push(`killed ${victim.name}`);
    // Longer than an election (500 ms), so the survivors elect a leader and serve while it is down.
    await pause(1_500);
    await victim.restart();
    down.now = false;
    log.push(`restarted ${victim.name}`);
  }
  await pause(300);
  return log;
}

function expectLinearizable(result: CheckResult<KvInput, KvOutput>, what: string): void {
  const detail = result.counterexample?.description ?? (result.limit === undefined ? "" : `checker budget (${result.limit}) ran out`);
  expect(result.verdict, `${what} (seed ${SEED}): ${detail}`).toBe("ok");
}

describe.skipIf(!etcdAvailable)("etcd under member crashes and restarts", () => {
  it("compare-and-set registers stay linearizable while the leader is killed and restarted", async (ctx) => {
    if (cluster === undefined) return ctx.skip();
    const c = cluster;
    const history = new KvHistory();
    const down = { now: false };
    let doneWhileDown = 0;
    let stop = false;
    const worker = async (id: number): Promise<void> => {
      const kv = kvClient(c, id, "faults-cas/");
      const random = new Random(SEED).fork(`cas-${id}`);
      const client = `c${id}`;
      const lastSeen = new Map<string, string | null>();
      for (let n = 0; !stop; n++) {
        const key = `reg${random.int(0, 2)}`;
        const value = `${client}-${n}`;
        const roll = random.float();
        const before = history.operations.length;
        if (roll < 0.4) {
          const read = await history.record(client, { kind: "get", key }, () => kv.read(key), (r) => ({ value: r.value }));
          if (read !== undefined) lastSeen.set(key, read.value);
        } else if (roll < 0.6) {
          await history.record(client, { kind: "put", key, value }, () => kv.put(key, value), (r) => ({ previous: r.previous }));
        } else {
          const expected = lastSeen.get(key) ?? null;
          const ok = await history.record(client, { kind: "cas", key, expected, value }, () => kv.compareAndSet(key, expected, value), (won) => ({ ok: won }));
          if (ok === true) lastSeen.set(key, value);
        }
        if (down.now && history.operations.length > before && history.operations.at(-1)?.return !== Number.POSITIVE_INFINITY) doneWhileDown++;
      }
    };
    const workers = Array.from({ length: CLIENTS }, (_, id) => worker(id));
    const log = await nemesis(c, down);
    stop = true;
    await Promise.all(workers);

    const completed = history.operations.filter((op) => op.return !== Number.POSITIVE_INFINITY).length;
    expect(log.filter((l) => l.startsWith("restarted"))).toHaveLength(CYCLES);
    expect(completed).toBeGreaterThan(50);
    // The survivors' quorum kept serving while a member was down.
    expect(doneWhileDown).toBeGreaterThan(0);
    expectLinearizable(checkLinearizable(history.operations, keyValueModel(), { timeoutMs: 10_000 }), `compare-and-set history of ${history.operations.length} operations (${history.unknown} of unknown outcome; ${log.join(", ")})`);
  }, 30_000);

  it("fencing tokens never overlap between holders and fenced uses stay linearizable while the leader is killed and restarted", async (ctx) => {
    if (cluster === undefined) return ctx.skip();
    const c = cluster;
    const history = new KvHistory();
    const grants: Grant[] = [];
    const down = { now: false };
    let grantsWhileDown = 0;
    let fencedOut = 0;
    /** Fenced writes that took effect, by resource and token: what a stalled holder must find above its own. */
    const fencedWrites: Array<{ resource: string; token: number }> = [];
    let stalledHolder: string | undefined;
    let stallOver: Promise<void> = Promise.resolve();
    let stop = false;
    const resources = ["edge:0", "edge:1"];
    /**
     * Uses a lease on its fenced resource: replaces what is there only if it was written under an older
     * or equal token, by compare-and-set against exactly the value read. Stops at the first fencing.
     */
    const use = async (kv: EtcdKV, holder: string, resource: string, token: number, times: number): Promise<void> => {
      const key = `fenced/${resource}`;
      for (let n = 0; n < times; n++) {
        const read = await history.record(holder, { kind: "get", key }, () => kv.read(key), (r) => ({ value: r.value }));
        if (read === undefined) continue;
        if (fencedToken(read.value) > token) {
          fencedOut++;
          return;
        }
        const value = fencedValue(token, holder, history.operations.length);
        const won = await history.record(holder, { kind: "cas", key, expected: read.value, value }, () => kv.compareAndSet(key, read.value, value), (won) => ({ ok: won }));
        if (won === true) fencedWrites.push({ resource, token });
      }
    };
    /**
     * The first holder to get a lease stalls (a long GC pause, say) until a later holder of the resource has
     * used it (a granted lease alone leaves nothing for the fence to see yet), then uses its own.
     */
    const stall = async (kv: EtcdKV, grant: Grant): Promise<void> => {
      const deadline = performance.now() + 15_000;
      while (!fencedWrites.some((w) => w.resource === grant.resource && w.token > grant.token) && performance.now() < deadline) await pause(50);
      await use(kv, grant.holder, grant.resource, grant.token, 5);
    };
    const worker = async (id: number): Promise<void> => {
      // 1 s leases (etcd's granularity), so the stalled holder's lease is taken over soon.
      const leases = new EtcdLeaseStore({ clock, hosts: hostsFor(c, id), prefix: "faults-lease/", requestTimeoutMs: 1_000 });
      closers.push(leases);
      const kv = kvClient(c, id, "faults-lease/");
      const random = new Random(SEED).fork(`lease-${id}`);
      const holder = `w${id}`;
      while (!stop) {
        const resource = random.pick(resources);
        const acquireCall = performance.now();
        let token: number;
        try {
          token = (await leases.acquire(resource, holder, 1_000)).token;
        } catch (error) {
          if (!isEdgeflowError(error, "conflict") && !outcomeUnknown(error)) throw error;
          await pause(20);
          continue;
        }
        const grant: Grant = { holder, resource, token, acquireCall, acquireReturn: performance.now() };
        grants.push(grant);
        if (down.now) grantsWhileDown++;
        if (stalledHolder === undefined) {
          stalledHolder = holder;
          stallOver = stall(kv, grant);
          await stallOver;
          continue;
        }
        await use(kv, holder, resource, token, 2);
        await leases.release(resource, holder, token).catch((error: unknown) => {
          if (!isEdgeflowError(error, "conflict") && !outcomeUnknown(error)) throw error;
        });
      }
    };
    const workers = Array.from({ length: CLIENTS }, (_, id) => worker(id));
    const log = await nemesis(c, down);
    await stallOver;
    stop = true;
    await Promise.all(workers);

    expect(grants.length).toBeGreaterThan(10);
    expect(grantsWhileDown).toBeGreaterThan(0);
    expect(tokenViolations(grants), `seed ${SEED}; ${log.join(", ")}`).toEqual([]);
    for (const resource of resources) {
      const { chain, problems } = fencingViolations(history.operations, `fenced/${resource}`);
      expect(problems, `seed ${SEED}; ${log.join(", ")}`).toEqual([]);
      expect(chain.length).toBeGreaterThan(0);
    }
    expect(fencedOut, `${String(stalledHolder)} stalled past its lease's expiry: its late use was fenced out`).toBeGreaterThan(0);
    expectLinearizable(checkLinearizable(history.operations, keyValueModel(), { timeoutMs: 10_000 }), `fenced-use history of ${history.operations.length} operations (${history.unknown} of unknown outcome, ${fencedOut} uses fenced out)`);
  }, 30_000);
});
