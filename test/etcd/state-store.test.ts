import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it, vi } from "vitest";
import { SystemClock } from "../../src/core/clock.js";
import { EtcdLeaseStore, EtcdStateStore } from "../../src/etcd/index.js";
import { EdgeStateObject } from "../../src/state/index.js";
import { exited } from "../support/processes.js";
import { etcdAvailable, useEtcdCluster } from "./support/etcd-cluster.js";

const etcd = useEtcdCluster("etcd state-store tests");
const holder = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "state-holder.ts");
const closers: Array<{ close(): Promise<void> }> = [];

afterAll(async () => {
  for (const c of closers.splice(0)) await c.close();
});

function open<T extends { close(): Promise<void> }>(thing: T): T {
  closers.push(thing);
  return thing;
}

const record = (count: number) => ({ data: { count }, metadata: { created: 0, lastModified: 0, accessCount: count, version: count } });

describe.skipIf(!etcdAvailable)("EtcdStateStore", () => {
  it("saves and loads records, refusing a token older than one that already wrote", async (ctx) => {
    const cluster = etcd();
    if (cluster === undefined) return ctx.skip();
    const options = { clock: new SystemClock(), hosts: cluster.hosts, prefix: "statetest/" };
    const a = open(new EtcdStateStore(options));
    const b = open(new EtcdStateStore({ ...options, hosts: [...cluster.hosts].reverse() }));
    expect(await a.load("cart:1")).toBeUndefined();
    await a.save("cart:1", record(1), 7);
    expect(await b.load("cart:1")).toEqual(record(1));
    await b.save("cart:1", record(2), 9);
    await expect(a.save("cart:1", record(3), 8)).rejects.toMatchObject({ code: "state.fenced", token: 8, current: 9 });
    expect(await a.load("cart:1")).toEqual(record(2));
    // Racing saves of the next version with distinct tokens: the newest token's write is the one left standing.
    const next = (t: number) => ({ data: { count: t }, metadata: { created: 0, lastModified: 0, accessCount: 3, version: 3 } });
    await Promise.all([10, 11, 12, 13].map((t, i) => (i % 2 === 0 ? a : b).save("cart:1", next(t), t).catch((e: unknown) => e)));
    expect(await a.load("cart:1")).toEqual(next(13));
    await expect(a.save("", record(1), 1)).rejects.toMatchObject({ code: "validation" });
    await expect(a.save("cart:1", record(1), 1.5)).rejects.toMatchObject({ code: "validation" });
    expect(await a.load("cart:1")).toEqual(next(13));
    const aborted = new AbortController();
    aborted.abort();
    await expect(a.load("cart:1", { signal: aborted.signal })).rejects.toMatchObject({ code: "cancelled" });
  });

  it("checks succession in the transaction: a skipped or stale version is refused and nothing changes", async (ctx) => {
    const cluster = etcd();
    if (cluster === undefined) return ctx.skip();
    const options = { clock: new SystemClock(), hosts: cluster.hosts, prefix: "statesucc/" };
    const a = open(new EtcdStateStore(options));
    const b = open(new EtcdStateStore({ ...options, hosts: [...cluster.hosts].reverse() }));
    await expect(a.save("s", record(2), 1)).rejects.toMatchObject({ code: "state.conflict", stored: 0 });
    expect(await a.load("s")).toBeUndefined();
    await a.save("s", record(1), 1);
    await a.save("s", record(2), 1);
    await expect(b.save("s", record(4), 2)).rejects.toMatchObject({ code: "state.conflict", basedOn: 3, stored: 2 });
    await expect(b.save("s", record(1), 2)).rejects.toMatchObject({ code: "state.conflict", stored: 2 });
    expect(await b.load("s")).toEqual(record(2));
    // A claim (same version, newer token), then a change by the claimant.
    await b.save("s", record(2), 2);
    await expect(a.save("s", record(3), 1)).rejects.toMatchObject({ code: "state.fenced", current: 2 });
    await b.save("s", record(3), 2);
    // Racing writers of version 4: the first lands as a change; the others land as claims of the
    // same version or lose the race to a conflict, so the version never skips past 4.
    const outcomes = await Promise.all([a, b, a, b].map((store, i) => store.save("s", { ...record(4), data: { count: 40 + i } }, 3).then(() => "ok", (e: unknown) => (e as { code: string }).code)));
    expect(outcomes.every((o) => o === "ok" || o === "state.conflict")).toBe(true);
    expect(outcomes).toContain("ok");
    expect((await a.load("s"))?.metadata.version).toBe(4);
  });

  it("reports the cluster's voting members as replicas", async (ctx) => {
    const cluster = etcd();
    if (cluster === undefined) return ctx.skip();
    const store = open(new EtcdStateStore({ clock: new SystemClock(), hosts: cluster.hosts, prefix: "statereplicas/" }));
    expect(await store.replicas()).toEqual(cluster.members.map((m) => m.name).sort());
  });

  it("an EdgeStateObject survives the loss of the process holding it, with every acknowledged write", async (ctx) => {
    const cluster = etcd();
    if (cluster === undefined) return ctx.skip();
    const hosts = [...cluster.hosts];
    const prefix = "statefail/";
    const child = spawn(process.execPath, ["--import", "tsx", holder, JSON.stringify({ hosts, prefix, id: "cart:42", edgeId: "fra-1" })], { stdio: ["ignore", "pipe", "inherit"] });
    let oldToken = 0;
    let acked = 0;
    const lines = createInterface({ input: child.stdout });
    await new Promise<void>((resolve, reject) => {
      child.once("exit", (code) => reject(new Error(`the holder exited early (${code})`)));
      lines.on("line", (line) => {
        const [what, n] = line.split(" ");
        if (what === "token") oldToken = Number(n);
        if (what === "acked") acked = Number(n);
        if (acked >= 5) resolve();
      });
    });
    child.kill("SIGKILL");
    await exited(child);

    const clock = new SystemClock();
    const leases = open(new EtcdLeaseStore({ clock, hosts, prefix }));
    const store = open(new EtcdStateStore({ clock, hosts, prefix }));
    const successor = open(new EdgeStateObject({ id: "cart:42", edgeId: "par-1", clock, leases, store, leaseTtlMs: 1_000 }));
    // Until etcd expires the dead holder's lease, the object still redirects to it.
    await vi.waitFor(async () => expect(await successor.where()).toMatchObject({ home: "par-1" }), { timeout: 10_000, interval: 200 });
    const { value } = await successor.get("count");
    // Every acknowledged increment is there; the one in flight at the kill may have landed too.
    expect([acked, acked + 1]).toContain(value);
    expect(await successor.increment("count")).toBe((value as number) + 1);
    const { token } = await successor.where();
    expect(token).toBeGreaterThan(oldToken);
    // The dead home's token can no longer write.
    await expect(store.save("cart:42", record(0), oldToken)).rejects.toMatchObject({ code: "state.fenced" });
  }, 30_000);
});
