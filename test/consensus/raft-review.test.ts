import { describe, expect, it } from "vitest";
import { raftMessageSchema, type RaftMessage } from "../../src/consensus/index.js";
import { TestCluster } from "./support/cluster.js";

describe("ReadIndex safety around leadership changes", () => {
  it("a new leader serves no read until an entry of its own term is committed", () => {
    const c = new TestCluster(["a", "b", "c"], { preVote: false, checkQuorum: false });
    c.elect("a");
    c.propose("a", "x");
    const dropAppendsFromB = (m: RaftMessage): boolean => !(m.from === "b" && m.type === "append");
    c.processReadies();
    c.node("b").campaign();
    c.stabilize(dropAppendsFromB);
    expect(c.leader()).toBe("b");
    const noop = c.node("b").status().lastIndex;
    expect(c.node("b").status().commitIndex).toBeLessThan(noop);
    expect(c.node("b").readIndex("r")).toBe(true);
    // A heartbeat tells "a" who leads, so it can forward a read too.
    c.node("b").tick();
    c.stabilize(dropAppendsFromB);
    expect(c.node("a").readIndex("fwd")).toBe(true);
    for (let i = 0; i < 3; i++) {
      c.node("b").tick();
      c.stabilize(dropAppendsFromB);
    }
    expect(c.get("b").readStates).toEqual([]);
    expect(c.get("a").readStates).toEqual([]);
    // Once the no-op of its term commits, both reads are answered at or after it.
    c.node("b").tick();
    c.stabilize();
    c.node("b").tick();
    c.stabilize();
    expect(c.get("b").readStates.map((rs) => rs.context)).toEqual(["r"]);
    expect(c.get("a").readStates.map((rs) => rs.context)).toEqual(["fwd"]);
    for (const rs of [...c.get("a").readStates, ...c.get("b").readStates]) expect(rs.index).toBeGreaterThanOrEqual(noop);
  });

  it("a deposed leader never answers a read it was still confirming", () => {
    const c = new TestCluster(["a", "b", "c"], { preVote: false, checkQuorum: false });
    c.elect("a");
    c.propose("a", "x");
    const held: RaftMessage[] = [];
    c.node("a").readIndex("r");
    c.stabilize((m) => {
      if (m.type === "heartbeat_response" && m.context === "r") {
        held.push(m);
        return false;
      }
      return true;
    });
    expect(held.length).toBeGreaterThan(0);
    c.processReadies();
    c.node("b").campaign();
    c.stabilize();
    expect(c.leader()).toBe("b");
    for (const m of held) c.node("a").step(m);
    c.stabilize();
    expect(c.get("a").readStates).toEqual([]);
  });
});

describe("message validation", () => {
  const append = (entries: Array<{ index: number; term: number }>): unknown => ({
    type: "append",
    from: "a",
    to: "b",
    term: 3,
    logTerm: 2,
    index: 4,
    commit: 4,
    entries: entries.map((e) => ({ ...e, type: "normal", data: "x" })),
  });

  it("accepts a well-formed append and refuses one whose entries would corrupt a follower's log", () => {
    expect(raftMessageSchema.safeParse(append([{ index: 5, term: 2 }, { index: 6, term: 3 }])).success).toBe(true);
    expect(raftMessageSchema.safeParse(append([])).success).toBe(true);
    const gap = raftMessageSchema.safeParse(append([{ index: 5, term: 2 }, { index: 7, term: 2 }]));
    expect(gap.success).toBe(false);
    expect(gap.error?.issues[0]?.path).toEqual(["entries", 1, "index"]);
    expect(raftMessageSchema.safeParse(append([{ index: 9, term: 2 }])).success).toBe(false);
    expect(raftMessageSchema.safeParse(append([{ index: 5, term: 4 }])).success).toBe(false);
    expect(raftMessageSchema.safeParse(append([{ index: 5, term: 3 }, { index: 6, term: 2 }])).success).toBe(false);
    expect(raftMessageSchema.safeParse(append([{ index: 5, term: 1 }])).success).toBe(false);
  });
});

describe("lease-based reads and leader transfer", () => {
  it("a leader that handed its lease to a transferee stops answering reads from the lease", () => {
    const c = new TestCluster(["a", "b", "c"], { readOnlyOption: "lease_based" });
    c.elect("a");
    c.propose("a", "x");
    c.tickAll(1);
    // "c" takes over with "b" while everything addressed to "a" is delayed indefinitely.
    c.node("a").transferLeader("c");
    c.stabilize((m) => m.to !== "a" && !(m.from === "a" && m.type !== "timeout_now"));
    expect(c.leader() === "c" || c.node("c").isLeader()).toBe(true);
    c.node("c").propose("y");
    c.stabilize((m) => m.to !== "a" && m.from !== "a");
    const written = c.node("c").status().commitIndex;
    expect(c.node("b").status().commitIndex).toBe(written);
    // "a" still believes it leads; a read it answered from its lease would miss "y".
    expect(c.node("a").isLeader()).toBe(true);
    c.node("a").readIndex("stale?");
    c.heal();
    c.stabilize();
    expect(c.get("a").readStates.filter((rs) => rs.index < written)).toEqual([]);
    expect(c.node("a").isLeader()).toBe(false);
  });
});
