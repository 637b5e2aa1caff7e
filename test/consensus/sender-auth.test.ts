import { afterEach, describe, expect, it } from "vitest";
import type { RaftMessage } from "../../src/consensus/index.js";
import type { Transport } from "../../src/transport/types.js";
import { KvCluster } from "./support/kv-cluster.js";

let cluster: KvCluster | undefined;
afterEach(async () => {
  await cluster?.stopAll();
  cluster = undefined;
});

describe("RaftHost trusts the transport's sender, not the message's `from`", () => {
  it("a message from alpha claiming to be from gamma is dropped and reported; beta keeps its term and leader", async () => {
    const transports = new Map<string, Transport<RaftMessage>>();
    cluster = new KvCluster(["alpha", "beta", "gamma"], {}, 3, {
      transport: (t) => {
        transports.set(t.localId, t);
        return t;
      },
    });
    const c = cluster;
    await c.startAll();
    const leader = await c.waitForLeader();
    await c.until(leader.put("x", "1"));
    const beta = c.kv("beta");
    const before = beta.host.status();
    const rejected: Array<{ from: string; claimed: string }> = [];
    beta.host.events.on("rejected", (e) => rejected.push({ from: e.from, claimed: e.claimed }));
    const forged: RaftMessage = { type: "heartbeat", from: "gamma", to: "beta", term: before.term + 40, commit: 0, context: null };
    transports.get("alpha")?.send("beta", forged);
    await c.run(5);
    const after = beta.host.status();
    expect(after.term).toBe(before.term);
    expect(after.leaderId).toBe(before.leaderId);
    expect(rejected).toEqual([{ from: "alpha", claimed: "gamma" }]);
    expect(beta.host.metrics().messagesRejected).toBe(1);
  });
});
