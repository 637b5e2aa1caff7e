import { afterEach, describe, expect, it } from "vitest";
import { Random } from "../../src/core/random.js";
import { ProposalTooLargeError, RaftNode, type RaftMessage } from "../../src/consensus/index.js";
import type { RaftStorage, StorageWrite } from "../../src/storage/types.js";
import type { Transport } from "../../src/transport/types.js";
import { KvCluster } from "./support/kv-cluster.js";

const FRAME = 64 * 1024;
const RECORD = 48 * 1024;

let cluster: KvCluster | undefined;
afterEach(async () => {
  await cluster?.stopAll();
  cluster = undefined;
});

const jsonBytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value), "utf8");

/** A cluster whose transports record the largest message sent and whose storages the largest record. */
function measuredCluster(seed = 4): { cluster: KvCluster; largest: { message: number; record: number } } {
  const largest = { message: 0, record: 0 };
  const measureTransport = (t: Transport<RaftMessage>): Transport<RaftMessage> => ({
    localId: t.localId,
    send: (to, m) => {
      largest.message = Math.max(largest.message, jsonBytes(m));
      t.send(to, m);
    },
    onMessage: (h) => t.onMessage(h),
    onError: (h) => t.onError(h),
    close: () => t.close(),
  });
  const measureStorage = (s: RaftStorage): RaftStorage => ({
    load: () => s.load(),
    save: (w: StorageWrite) => {
      largest.record = Math.max(largest.record, jsonBytes({ h: w.hardState, e: w.entries }));
      return s.save(w);
    },
    compact: (snap) => s.compact(snap),
    close: () => s.close(),
  });
  const c = new KvCluster(["a", "b", "c"], { maxMessageBytes: FRAME, maxRecordBytes: RECORD, proposalTimeoutMs: 20_000 }, seed, { transport: measureTransport, storage: measureStorage });
  return { cluster: c, largest };
}

describe("proposals are bounded at the door and replication copes with any entry the log accepted", () => {
  it("the limits derive from the message and record limits", () => {
    const { cluster: c } = measuredCluster();
    cluster = c;
    return c.startAll().then(() => {
      expect(c.kv("a").host.limits).toEqual({ maxMessageBytes: FRAME, maxRecordBytes: RECORD, maxEntryBytes: RECORD - 4096 });
    });
  });

  it("an oversize put fails with ProposalTooLargeError, nothing is appended, and the cluster keeps committing; a put just under the limit commits", async () => {
    const { cluster: c, largest } = measuredCluster();
    cluster = c;
    await c.startAll();
    const leader = await c.waitForLeader();
    await c.until(leader.put("before", "1"));
    const lastBefore = leader.host.status().lastIndex;
    const limit = leader.host.limits.maxEntryBytes;
    const oversize = leader.put("big", "x".repeat(limit));
    await expect(oversize).rejects.toBeInstanceOf(ProposalTooLargeError);
    await expect(leader.put("big", "x".repeat(limit))).rejects.toMatchObject({ code: "raft.proposal_too_large", limit });
    expect(leader.host.status().lastIndex).toBe(lastBefore);
    // Just under: the KV command adds the key, client id and sequence number around the value.
    const value = "y".repeat(limit - 96 - 200);
    await c.until(leader.put("near", value), 10_000);
    await c.until(leader.put("after", "2"));
    await c.run(200);
    for (const id of ["a", "b", "c"]) {
      expect(c.kv(id).localGet("near")).toBe(value);
      expect(c.kv(id).localGet("after")).toBe("2");
    }
    expect(largest.message).toBeLessThanOrEqual(FRAME);
    expect(largest.message).toBeGreaterThan(limit - 400);
    expect(largest.record).toBeLessThanOrEqual(RECORD);
  });

  it("many large proposals in one batch are split: no message over the frame limit, no record over the record limit", async () => {
    const { cluster: c, largest } = measuredCluster(9);
    cluster = c;
    await c.startAll();
    const leader = await c.waitForLeader();
    const value = (i: number): string => `${i}`.padEnd(leader.host.limits.maxEntryBytes / 3, "z");
    const puts = Array.from({ length: 12 }, (_, i) => leader.put(`k${i}`, value(i)));
    await c.until(Promise.all(puts), 20_000);
    await c.run(300);
    for (const id of ["a", "b", "c"]) for (let i = 0; i < 12; i++) expect(c.kv(id).localGet(`k${i}`)).toBe(value(i));
    expect(largest.message).toBeLessThanOrEqual(FRAME);
    expect(largest.record).toBeLessThanOrEqual(RECORD);
    expect(largest.record).toBeGreaterThan(RECORD / 2);
  });

  it("the engine refuses an oversize batch whole, and multi-byte data is measured in bytes", () => {
    const node = new RaftNode({ id: "a", voters: ["a"], random: new Random(1), maxMessageBytes: 16 * 1024 });
    while (node.hasReady()) {
      node.ready();
      node.advance();
    }
    node.campaign();
    while (node.hasReady()) {
      node.ready();
      node.advance();
    }
    const last = node.status().lastIndex;
    expect(() => node.proposeBatch(["ok", "é".repeat(8 * 1024)])).toThrow(ProposalTooLargeError);
    expect(node.status().lastIndex).toBe(last);
    expect(node.propose("é".repeat(4 * 1024)).index).toBe(last + 1);
  });

  it("refuses limits that leave no room for the envelope", () => {
    expect(() => new RaftNode({ id: "a", voters: ["a"], random: new Random(1), maxMessageBytes: 64 * 1024, maxEntryBytes: 64 * 1024 })).toThrow(/maxEntryBytes/);
    expect(() => new RaftNode({ id: "a", voters: ["a"], random: new Random(1), maxMessageBytes: Number.NaN })).toThrow(/maxMessageBytes/);
  });
});
