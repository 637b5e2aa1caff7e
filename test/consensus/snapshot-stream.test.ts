import { afterEach, describe, expect, it } from "vitest";
import { chunkEnd } from "../../src/consensus/snapshot-stream.js";
import type { RaftMessage } from "../../src/consensus/index.js";
import { TransportError, type Transport } from "../../src/transport/types.js";
import { KvCluster } from "./support/kv-cluster.js";

const FRAME = 16 * 1024;

let cluster: KvCluster | undefined;
afterEach(async () => {
  await cluster?.stopAll();
  cluster = undefined;
});

const jsonBytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value), "utf8");

/** Transports that refuse any message above the frame limit, as the TCP transport does. */
function framedCluster(seed: number, extra: Record<string, unknown> = {}): { cluster: KvCluster; stats: { largest: number; refused: number; chunks: number } } {
  const stats = { largest: 0, refused: 0, chunks: 0 };
  const framed = (t: Transport<RaftMessage>): Transport<RaftMessage> => ({
    localId: t.localId,
    send: (to, m) => {
      const bytes = jsonBytes(m);
      if (bytes > FRAME) {
        stats.refused++;
        throw new TransportError("frame_too_large", `message of ${bytes} bytes exceeds ${FRAME}`, { peer: to });
      }
      if (m.type === "snapshot") stats.chunks++;
      stats.largest = Math.max(stats.largest, bytes);
      t.send(to, m);
    },
    onMessage: (h) => t.onMessage(h),
    onError: (h) => t.onError(h),
    close: () => t.close(),
  });
  const c = new KvCluster(["a", "b", "c"], { maxMessageBytes: FRAME, snapshotEvery: 20, proposalTimeoutMs: 30_000, ...extra }, seed, { transport: framed });
  return { cluster: c, stats };
}

/** Fills the state well past the frame limit while `lagging` is cut off. */
async function outgrow(c: KvCluster, lagging: string, keys = 60): Promise<void> {
  const leader = [...c.kvs.values()].find((kv) => kv.host.isLeader());
  if (leader === undefined) throw new Error("no leader");
  c.network.isolate(lagging);
  for (let i = 0; i < keys; i++) await c.until(leader.put(`key-${i}`, `${i}:`.padEnd(2000, "é")));
}

function converged(c: KvCluster, keys = 60): boolean {
  return ["a", "b", "c"].every((id) => c.kv(id).localGet(`key-${keys - 1}`) !== null);
}

/** Runs virtual time in steps until the cluster converged or `limitMs` passed. */
async function runUntilConverged(c: KvCluster, limitMs: number): Promise<void> {
  for (let t = 0; t < limitMs && !converged(c); t += 100) await c.run(100);
  await c.run(100);
}

function expectConverged(c: KvCluster, keys = 60): void {
  for (const id of ["a", "b", "c"]) for (let i = 0; i < keys; i++) expect(c.kv(id).localGet(`key-${i}`)).toBe(`${i}:`.padEnd(2000, "é"));
}

describe("snapshots stream in chunks under the frame limit", () => {
  it("a lagging follower catches up through a snapshot larger than the frame limit", async () => {
    const { cluster: c, stats } = framedCluster(21);
    cluster = c;
    await c.startAll();
    const leader = await c.waitForLeader();
    const lagging = ["a", "b", "c"].find((id) => id !== leader.host.id) as string;
    await outgrow(c, lagging);
    const snapshotBytes = jsonBytes(leader.host.status()) + 60 * 2000;
    expect(snapshotBytes).toBeGreaterThan(4 * FRAME);
    c.network.heal();
    await runUntilConverged(c, 5000);
    expect(c.kv(lagging).host.metrics().snapshotsInstalled).toBeGreaterThan(0);
    expectConverged(c);
    expect(stats.refused).toBe(0);
    expect(stats.largest).toBeLessThanOrEqual(FRAME);
    expect(stats.chunks).toBeGreaterThan(8);
  });

  it("still catches up when chunks are lost, duplicated and reordered", async () => {
    const { cluster: c, stats } = framedCluster(22);
    cluster = c;
    await c.startAll();
    const leader = await c.waitForLeader();
    const lagging = ["a", "b", "c"].find((id) => id !== leader.host.id) as string;
    await outgrow(c, lagging);
    c.network.heal();
    c.network.setLink(leader.host.id, lagging, { loss: 0.2, duplicate: 0.1, reorder: 0.3 });
    await runUntilConverged(c, 20_000);
    expectConverged(c);
    expect(stats.refused).toBe(0);
  });

  it("a leader change in the middle of a stream starts it over cleanly with the new leader", async () => {
    const { cluster: c, stats } = framedCluster(23);
    cluster = c;
    await c.startAll();
    const leader = await c.waitForLeader();
    const lagging = ["a", "b", "c"].find((id) => id !== leader.host.id) as string;
    await outgrow(c, lagging);
    c.network.heal();
    // Let a few chunks through, then depose the leader before the stream can finish.
    for (let t = 0; t < 400 && stats.chunks < 3; t++) await c.run(1);
    expect(stats.chunks).toBeGreaterThan(0);
    expect(c.kv(lagging).host.metrics().snapshotsInstalled).toBe(0);
    c.network.isolate(leader.host.id);
    await c.run(3000);
    const next = [...c.kvs.values()].find((kv) => kv !== leader && kv.host.isLeader());
    expect(next).toBeDefined();
    c.network.heal();
    await runUntilConverged(c, 5000);
    expectConverged(c);
    expect(stats.refused).toBe(0);
  });

  it("cuts chunks in bytes and never between the halves of a surrogate pair", () => {
    const text = "ab😀\n\"é".repeat(500);
    for (const budget of [64, 100, 257, 1000]) {
      const parts: string[] = [];
      for (let at = 0; at < text.length; ) {
        const end = chunkEnd(text, at, budget);
        const part = text.slice(at, end);
        expect(Buffer.byteLength(JSON.stringify(part), "utf8")).toBeLessThanOrEqual(budget);
        expect(/^[\udc00-\udfff]/.test(part)).toBe(false);
        parts.push(part);
        at = end;
      }
      expect(parts.join("")).toBe(text);
    }
  });
});
