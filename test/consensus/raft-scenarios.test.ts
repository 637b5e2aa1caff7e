import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/core/errors.js";
import { Random } from "../../src/core/random.js";
import { NotLeaderError, ProposalDroppedError, RaftNode, raftMessageSchema, RaftUsageError, type RaftMessage } from "../../src/consensus/index.js";
import type { LogEntry, PersistedState } from "../../src/storage/types.js";
import { TestCluster } from "./support/cluster.js";

function log(terms: readonly number[]): LogEntry[] {
  return terms.map((term, i) => ({ term, index: i + 1, type: "normal" as const, data: `e${i + 1}t${term}` }));
}

function persisted(voters: readonly string[], terms: readonly number[], term: number): PersistedState {
  return {
    hardState: { term, vote: null, commit: 0 },
    snapshot: { metadata: { index: 0, term: 0, confState: { voters, learners: [] } }, data: "" },
    entries: log(terms),
  };
}

describe("leader election (§5.2)", () => {
  it("elects exactly one leader and every member learns it", () => {
    const c = new TestCluster(["a", "b", "c"]);
    c.elect("a");
    expect(c.leader()).toBe("a");
    for (const id of ["b", "c"]) expect(c.node(id).leaderId()).toBe("a");
    expect(c.node("a").status().term).toBe(2);
  });

  it("elects a leader by timeouts alone", () => {
    const c = new TestCluster(["a", "b", "c", "d", "e"]);
    c.tickAll(40);
    const leaders = ["a", "b", "c", "d", "e"].filter((id) => c.node(id).isLeader());
    expect(leaders).toHaveLength(1);
  });

  it("a voter grants one vote per term and only to an up-to-date log (§5.4.1)", () => {
    const voters = ["a", "b", "c"];
    const b = new RaftNode({ id: "b", random: new Random(1) }, persisted(voters, [1, 1, 2], 2));
    b.step({ type: "vote", from: "a", to: "b", term: 3, logTerm: 1, index: 5, force: false });
    b.step({ type: "vote", from: "c", to: "b", term: 3, logTerm: 2, index: 3, force: false });
    const rd = b.ready();
    const responses = rd.messages.filter((m) => m.type === "vote_response");
    expect(responses.map((m) => [m.to, m.type === "vote_response" && m.reject])).toEqual([
      ["a", true],
      ["c", false],
    ]);
    expect(rd.hardState).toMatchObject({ term: 3, vote: "c" });
  });

  it("pre-vote: an isolated member does not raise its term, and rejoining does not depose the leader", () => {
    const c = new TestCluster(["a", "b", "c"]);
    c.elect("a");
    const term = c.node("a").status().term;
    c.isolate("c");
    c.tickAll(100);
    expect(c.node("c").status().term).toBe(term);
    expect(c.node("c").status().role).toBe("pre_candidate");
    c.heal();
    c.tickAll(3);
    expect(c.leader()).toBe("a");
    expect(c.node("a").status().term).toBe(term);
    expect(c.node("c").leaderId()).toBe("a");
  });

  it("without pre-vote an isolated member's term races ahead (what pre-vote prevents)", () => {
    const c = new TestCluster(["a", "b", "c"], { preVote: false });
    c.elect("a");
    c.isolate("c");
    c.tickAll(100);
    expect(c.node("c").status().term).toBeGreaterThan(c.node("a").status().term + 3);
  });

  it("check-quorum: a leader cut off from the majority steps down within an election timeout", () => {
    const c = new TestCluster(["a", "b", "c"]);
    c.elect("a");
    c.isolate("a");
    c.tickAll(25);
    expect(c.node("a").isLeader()).toBe(false);
    const other = c.leader();
    expect(other === "b" || other === "c").toBe(true);
  });
});

describe("log replication (§5.3)", () => {
  it("commits proposals on every member in order", () => {
    const c = new TestCluster(["a", "b", "c"]);
    c.elect("a");
    for (let i = 0; i < 20; i++) c.propose("a", `cmd${i}`);
    c.tickAll(2);
    const expected = Array.from({ length: 20 }, (_, i) => `cmd${i}`);
    for (const id of ["a", "b", "c"]) expect(c.appliedData(id)).toEqual(expected);
  });

  it("a follower refuses to propose and names the leader", () => {
    const c = new TestCluster(["a", "b", "c"]);
    c.elect("a");
    const error = (() => {
      try {
        c.node("b").propose("x");
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(NotLeaderError);
    expect((error as NotLeaderError).leaderId).toBe("a");
  });

  it("figure 7: a new leader brings every follower's log into line with its own", () => {
    const ids = ["L", "a", "b", "c", "d", "e", "f"];
    const logs: Record<string, number[]> = {
      L: [1, 1, 1, 4, 4, 5, 5, 6, 6, 6],
      a: [1, 1, 1, 4, 4, 5, 5, 6, 6],
      b: [1, 1, 1, 4],
      c: [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6],
      d: [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7],
      e: [1, 1, 1, 4, 4, 4, 4],
      f: [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3],
    };
    const c = new TestCluster([]);
    for (const id of ids) {
      c.members.set(id, {
        node: new RaftNode({ id, random: new Random(id) }, persisted(ids, logs[id] as number[], 7)),
        hardState: { term: 7, vote: null, commit: 0 },
        snapshot: null,
        entries: log(logs[id] as number[]),
        applied: [],
        readStates: [],
      });
    }
    c.elect("L");
    expect(c.leader()).toBe("L");
    c.tickAll(3);
    const leaderLog = c.get("L").entries.map((e) => `${e.index}/${e.term}`);
    expect(leaderLog).toHaveLength(11);
    for (const id of ids) expect(c.get(id).entries.map((e) => `${e.index}/${e.term}`)).toEqual(leaderLog);
    for (const id of ids) expect(c.node(id).status().commitIndex).toBe(11);
  });

  it("figure 8: entries of an earlier term are not committed by counting replicas", () => {
    const ids = ["s1", "s2", "s3", "s4", "s5"];
    const logs: Record<string, number[]> = { s1: [1, 2], s2: [1, 2], s3: [1], s4: [1], s5: [1, 3] };
    const c = new TestCluster([], { maxEntriesPerMsg: 1 });
    for (const id of ids) {
      c.members.set(id, {
        node: new RaftNode({ id, random: new Random(id), maxEntriesPerMsg: 1 }, persisted(ids, logs[id] as number[], 3)),
        hardState: { term: 3, vote: null, commit: 0 },
        snapshot: null,
        entries: log(logs[id] as number[]),
        applied: [],
        readStates: [],
      });
    }
    // s1 leads term 4; its own no-op (index 3) never reaches s3/s4, only the term-2 entry does.
    const onlyOld = (m: RaftMessage): RaftMessage =>
      m.type === "append" && (m.to === "s3" || m.to === "s4") ? { ...m, entries: m.entries.filter((e) => e.index <= 2) } : m;
    c.down.add("s5");
    c.node("s1").campaign();
    c.stabilize(onlyOld);
    expect(c.leader()).toBe("s1");
    expect(c.node("s1").status().progress["s3"]?.match).toBe(2);
    // Index 2 (term 2) is now on s1, s2, s3: a majority, yet it must not count as committed.
    expect(c.node("s1").status().commitIndex).toBeLessThan(2);
    // Once an entry of the current term reaches a majority, both commit.
    c.stabilize();
    c.tickAll(1);
    expect(c.node("s1").status().commitIndex).toBe(3);
  });

  it("batches entries up to maxEntriesPerMsg and bounds appends in flight", () => {
    const c = new TestCluster(["a", "b", "c"], { maxEntriesPerMsg: 4, maxInflightMsgs: 2 });
    c.elect("a");
    c.node("a").proposeBatch(Array.from({ length: 40 }, (_, i) => `x${i}`));
    c.processReadies();
    const appends = c.queue.filter((m): m is Extract<RaftMessage, { type: "append" }> => m.type === "append" && m.to === "b");
    expect(appends.length).toBe(2);
    for (const m of appends) expect(m.entries.length).toBeLessThanOrEqual(4);
    c.stabilize();
    c.tickAll(2);
    expect(c.appliedData("b")).toHaveLength(40);
  });
});

describe("snapshots and compaction", () => {
  it("a lagging member catches up through InstallSnapshot after the leader compacted", () => {
    const c = new TestCluster(["a", "b", "c"]);
    c.elect("a");
    c.down.add("c");
    for (let i = 0; i < 30; i++) c.propose("a", `v${i}`);
    const snap = c.node("a").compact("state-after-30");
    expect(c.node("a").status().firstIndex).toBe(snap.metadata.index + 1);
    c.down.delete("c");
    c.tickAll(5);
    const cm = c.get("c");
    expect(cm.snapshot?.data).toBe("state-after-30");
    expect(c.node("c").status().commitIndex).toBe(c.node("a").status().commitIndex);
    c.propose("a", "after");
    c.tickAll(1);
    expect(c.appliedData("c")).toEqual(["after"]);
  });

  it("restarts from a snapshot plus the log after it", () => {
    const c = new TestCluster(["a", "b", "c"]);
    c.elect("a");
    for (let i = 0; i < 10; i++) c.propose("a", `v${i}`);
    c.tickAll(1);
    const snap = c.node("b").compact("s");
    c.get("b").snapshot = snap;
    c.get("b").entries = c.get("b").entries.filter((e) => e.index > snap.metadata.index);
    c.propose("a", "v10");
    c.tickAll(1);
    c.restart("b");
    c.tickAll(2);
    expect(c.node("b").status().firstIndex).toBe(snap.metadata.index + 1);
    expect(c.appliedData("b")).toEqual(["v10"]);
  });
});

describe("linearizable reads (ReadIndex, §6.4)", () => {
  it("the leader answers after a heartbeat round with its commit index; followers via the leader", () => {
    const c = new TestCluster(["a", "b", "c"]);
    c.elect("a");
    c.propose("a", "x");
    const commit = c.node("a").status().commitIndex;
    const states: Array<{ id: string; index: number; context: string }> = [];
    expect(c.node("a").readIndex("r1")).toBe(true);
    expect(c.node("b").readIndex("r2")).toBe(true);
    for (let i = 0; i < 10; i++) {
      for (const [id, m] of c.members) {
        while (m.node.hasReady()) {
          const rd = m.node.ready();
          for (const rs of rd.readStates) states.push({ id, ...rs });
          c.queue.push(...rd.messages);
          m.applied.push(...rd.committedEntries);
          m.node.advance();
        }
      }
      const batch = c.queue;
      c.queue = [];
      for (const m of batch) c.node(m.to).step(m);
    }
    expect(states).toEqual(
      expect.arrayContaining([
        { id: "a", index: commit, context: "r1" },
        { id: "b", index: commit, context: "r2" },
      ]),
    );
  });

  it("lease-based reads (opt-in) answer from the leader without a heartbeat round", () => {
    const c = new TestCluster(["a", "b", "c"], { readOnlyOption: "lease_based" });
    c.elect("a");
    c.propose("a", "x");
    c.node("a").readIndex("lease-read");
    const rd = c.node("a").ready();
    expect(rd.readStates).toEqual([{ index: c.node("a").status().commitIndex, context: "lease-read" }]);
    expect(rd.messages.filter((m) => m.type === "heartbeat")).toEqual([]);
    c.node("a").advance();
  });

  it("a leader without a quorum cannot serve a read", () => {
    const c = new TestCluster(["a", "b", "c"]);
    c.elect("a");
    c.isolate("a");
    c.node("a").readIndex("r");
    c.stabilize();
    c.tickAll(3);
    expect(c.get("a").readStates).toEqual([]);
    // The same read is served once a quorum confirms the leadership again.
    c.heal();
    c.tickAll(2);
    expect(c.get("a").readStates.map((rs) => rs.context)).toEqual(["r"]);
  });
});

describe("leader transfer", () => {
  it("hands leadership to a caught-up voter with TimeoutNow and refuses proposals meanwhile", () => {
    const c = new TestCluster(["a", "b", "c"]);
    c.elect("a");
    c.propose("a", "x");
    c.node("a").transferLeader("c");
    expect(() => c.node("a").propose("y")).toThrow(ProposalDroppedError);
    c.stabilize();
    expect(c.leader()).toBe("c");
    expect(c.node("a").leaderId()).toBe("c");
  });
});

describe("membership changes (single server)", () => {
  it("adds a learner that does not vote, promotes it, then removes a voter", () => {
    const c = new TestCluster(["a", "b", "c"]);
    c.elect("a");
    c.propose("a", "before");
    c.add("d");
    c.node("a").proposeConfChange({ type: "add_learner", memberId: "d" });
    c.stabilize();
    c.tickAll(3);
    expect(c.node("a").status().confState.learners).toEqual(["d"]);
    expect(c.appliedData("d")).toEqual(["before"]);
    // A learner never campaigns.
    for (let i = 0; i < 50; i++) c.node("d").tick();
    expect(c.node("d").status().role).toBe("follower");
    c.node("a").proposeConfChange({ type: "add_voter", memberId: "d" });
    expect(() => c.node("a").proposeConfChange({ type: "remove", memberId: "b" })).toThrow(ProposalDroppedError);
    c.stabilize();
    c.tickAll(2);
    expect(c.node("a").status().confState.voters).toEqual(["a", "b", "c", "d"]);
    c.node("a").proposeConfChange({ type: "remove", memberId: "b" });
    c.stabilize();
    c.tickAll(2);
    expect(c.node("a").status().confState.voters).toEqual(["a", "c", "d"]);
    c.down.add("b");
    c.propose("a", "after");
    c.tickAll(2);
    expect(c.appliedData("d")).toEqual(["before", "after"]);
  });

  it("rejects invalid changes with a ValidationError", () => {
    const c = new TestCluster(["a", "b", "c"]);
    c.elect("a");
    expect(() => c.node("a").proposeConfChange({ type: "add_voter", memberId: "b" })).toThrow(ValidationError);
    expect(() => c.node("a").proposeConfChange({ type: "remove", memberId: "zz" })).toThrow(ValidationError);
    expect(() => c.node("a").proposeConfChange({ type: "add_voter", memberId: "" })).toThrow(ValidationError);
  });

  it("a removed leader steps down", () => {
    const c = new TestCluster(["a", "b", "c"]);
    c.elect("a");
    c.node("a").proposeConfChange({ type: "remove", memberId: "a" });
    c.stabilize();
    expect(c.node("a").isLeader()).toBe(false);
    c.down.add("a");
    c.tickAll(40);
    expect(["b", "c"]).toContain(c.leader());
  });
});

describe("engine contract", () => {
  it("every message it emits validates against raftMessageSchema", () => {
    const c = new TestCluster(["a", "b", "c"], {}, 3);
    const seen: RaftMessage[] = [];
    c.elect("a");
    c.propose("a", "x");
    c.node("a").readIndex("r");
    c.node("a").compact("snap");
    c.add("d");
    c.node("a").proposeConfChange({ type: "add_learner", memberId: "d" });
    c.stabilize((m) => {
      seen.push(m);
      return true;
    });
    c.tickAll(3);
    c.node("a").transferLeader("b");
    c.stabilize((m) => {
      seen.push(m);
      return true;
    });
    const types = new Set(seen.map((m) => m.type));
    expect(types.size).toBeGreaterThanOrEqual(6);
    for (const m of seen) expect(raftMessageSchema.safeParse(JSON.parse(JSON.stringify(m))).success).toBe(true);
    expect(raftMessageSchema.safeParse({ type: "append", from: "a", to: "b", term: -1 }).success).toBe(false);
  });

  it("refuses inputs between ready() and advance()", () => {
    const node = new RaftNode({ id: "a", voters: ["a"], random: new Random(1) });
    node.ready();
    expect(() => node.tick()).toThrow(RaftUsageError);
    expect(() => node.ready()).toThrow(RaftUsageError);
    node.advance();
    expect(() => node.advance()).toThrow(RaftUsageError);
  });

  it("validates its configuration", () => {
    expect(() => new RaftNode({ id: "", random: new Random(1) })).toThrow(ValidationError);
    expect(() => new RaftNode({ id: "a", electionTick: 2, heartbeatTick: 5, random: new Random(1) })).toThrow(ValidationError);
    expect(() => new RaftNode({ id: "a", checkQuorum: false, readOnlyOption: "lease_based", random: new Random(1) })).toThrow(ValidationError);
  });

  it("is deterministic: the same seed gives the same transcript", () => {
    const transcript = (seed: number): string => {
      const c = new TestCluster(["a", "b", "c", "d", "e"], {}, seed);
      const out: string[] = [];
      for (let t = 0; t < 60; t++) {
        for (const m of c.members.values()) m.node.tick();
        c.stabilize((m) => {
          out.push(`${m.type}:${m.from}>${m.to}@${m.term}`);
          return true;
        });
      }
      return out.join(",");
    };
    expect(transcript(7)).toBe(transcript(7));
    expect(transcript(7)).not.toBe(transcript(8));
  });

  it("a single-member cluster elects itself and commits alone", () => {
    const node = new RaftNode({ id: "solo", voters: ["solo"], random: new Random(1) });
    const applied: string[] = [];
    const drain = (): void => {
      while (node.hasReady()) {
        const rd = node.ready();
        for (const e of rd.committedEntries) if (e.type === "normal" && e.data !== "") applied.push(e.data);
        node.advance();
      }
    };
    for (let i = 0; i < 30 && !node.isLeader(); i++) {
      node.tick();
      drain();
    }
    expect(node.isLeader()).toBe(true);
    node.propose("only");
    drain();
    expect(applied).toEqual(["only"]);
  });
});
