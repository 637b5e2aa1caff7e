import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { ValidationError } from "../../src/core/errors.js";
import { Random } from "../../src/core/random.js";
import { RaftClusters, RaftHost, RaftNode, raftMessageSchema, ReplicatedKV, type RaftConfig, type RaftMessage, type RaftHostOptions } from "../../src/consensus/index.js";
import { MemoryStorage } from "../../src/storage/memory.js";
import { SimNetwork } from "../../src/transport/sim-network.js";
import { KvCluster } from "./support/kv-cluster.js";

/** Calls `fn` and returns the ValidationError it throws (or the rejection of the promise it returns). */
async function validationError(fn: () => unknown): Promise<ValidationError> {
  let caught: unknown;
  try {
    await fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ValidationError);
  return caught as ValidationError;
}

function paths(error: ValidationError): string[] {
  return error.issues.map((i) => i.path);
}

const base = (): RaftConfig => ({ id: "a", voters: ["a", "b", "c"], random: new Random(1) });

describe("RaftNode validates its configuration", () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ["duplicate voter ids", { voters: ["a", "b", "b"] }, "config.voters[2]"],
    ["a member missing from its voters", { id: "z" }, "config.voters"],
    ["an empty id", { id: "" }, "config.id"],
    ["an id with surrounding spaces", { id: " a", voters: [" a"] }, "config.id"],
    ["an id that is not a string", { id: 7 }, "config.id"],
    ["a voter id with a control character", { voters: ["a", "b\n"] }, "config.voters[1]"],
    ["NaN election ticks", { electionTick: Number.NaN }, "config.electionTick"],
    ["infinite election ticks", { electionTick: Number.POSITIVE_INFINITY }, "config.electionTick"],
    ["election ticks as a string", { electionTick: "10" }, "config.electionTick"],
    ["fractional heartbeat ticks", { heartbeatTick: 1.5 }, "config.heartbeatTick"],
    ["NaN max entries per message", { maxEntriesPerMsg: Number.NaN }, "config.maxEntriesPerMsg"],
    ["infinite max bytes per message", { maxBytesPerMsg: Number.POSITIVE_INFINITY }, "config.maxBytesPerMsg"],
    ["zero in-flight messages", { maxInflightMsgs: 0 }, "config.maxInflightMsgs"],
    ["a non-boolean preVote", { preVote: "yes" }, "config.preVote"],
    ["a random that is not a Random", { random: {} }, "config.random"],
  ];
  for (const [what, patch, path] of cases) {
    it(`refuses ${what} (${path})`, async () => {
      const error = await validationError(() => new RaftNode({ ...base(), ...patch } as unknown as RaftConfig));
      expect(paths(error)).toContain(path);
    });
  }
});

describe("RaftNode methods validate their arguments and leave the state unchanged", () => {
  function leader(): RaftNode {
    const node = new RaftNode({ id: "a", voters: ["a"], random: new Random(1) });
    const drain = (): void => {
      while (node.hasReady()) {
        node.ready();
        node.advance();
      }
    };
    drain();
    node.campaign();
    drain();
    return node;
  }

  it("propose, proposeBatch, readIndex, transferLeader, proposeConfChange, compact, step", async () => {
    const node = leader();
    const before = node.status();
    expect(paths(await validationError(() => node.propose(5 as unknown as string)))).toContain("data[0]");
    expect(paths(await validationError(() => node.proposeBatch("x" as unknown as string[])))).toContain("data");
    expect(paths(await validationError(() => node.proposeBatch(["ok", ""])))).toContain("data[1]");
    expect(paths(await validationError(() => node.readIndex(5 as unknown as string)))).toContain("context");
    expect(paths(await validationError(() => node.transferLeader("" as string)))).toContain("to");
    expect(paths(await validationError(() => node.proposeConfChange({ type: "add_voter", memberId: " x" })))).toContain("change.memberId");
    expect(paths(await validationError(() => node.compact(5 as unknown as string)))).toContain("data");
    expect(paths(await validationError(() => node.step({ type: "heartbeat", to: "a" } as unknown as RaftMessage)))).toContain("message.from");
    expect(paths(await validationError(() => node.step({ type: "bogus", from: "b", to: "a", term: 1 } as unknown as RaftMessage)))).toContain("message.type");
    expect(paths(await validationError(() => node.step({ type: "heartbeat", from: "b", to: "a", term: Number.NaN, commit: 0, context: null } as RaftMessage)))).toContain("message.term");
    expect(node.status()).toEqual(before);
    expect(node.hasReady()).toBe(false);
  });
});

describe("RaftHost and ReplicatedKV validate their options and arguments", () => {
  const clock = new ManualClock(0);
  const random = new Random(1);
  let network = new SimNetwork({ clock, random });
  afterEach(() => {
    network = new SimNetwork({ clock, random });
  });
  const options = (patch: Record<string, unknown> = {}): RaftHostOptions<unknown> =>
    ({
      id: "a",
      voters: ["a", "b", "c"],
      transport: network.endpoint<RaftMessage>("a", { schema: raftMessageSchema }),
      storage: new MemoryStorage(),
      clock,
      random,
      apply: () => undefined,
      ...patch,
    }) as RaftHostOptions<unknown>;

  const cases: Array<[string, Record<string, unknown>, string]> = [
    ["duplicate voters", { voters: ["a", "a", "b"] }, "voters[1]"],
    ["a member missing from its voters", { voters: ["b", "c"] }, "voters"],
    ["NaN tick length", { tickMs: Number.NaN }, "tickMs"],
    ["infinite tick length", { tickMs: Number.POSITIVE_INFINITY }, "tickMs"],
    ["election ticks as a string", { electionTick: "10" }, "electionTick"],
    ["NaN snapshot interval", { snapshotEvery: Number.NaN }, "snapshotEvery"],
    ["infinite read timeout", { readTimeoutMs: Number.POSITIVE_INFINITY }, "readTimeoutMs"],
    ["a negative proposal timeout", { proposalTimeoutMs: -1 }, "proposalTimeoutMs"],
    ["an apply that is not a function", { apply: 5 }, "apply"],
    ["a snapshot hook that is not a function", { snapshot: "x" }, "snapshot"],
  ];
  for (const [what, patch, path] of cases) {
    it(`RaftHost refuses ${what} (${path}) at construction`, async () => {
      const error = await validationError(() => new RaftHost(options(patch)));
      expect(paths(error)).toContain(path);
    });
  }

  it("ReplicatedKV refuses duplicate voters and a member missing from its voters at construction", async () => {
    const { apply: _apply, ...kvOptions } = options({ voters: ["a", "b", "b"] });
    expect(paths(await validationError(() => new ReplicatedKV(kvOptions)))).toContain("voters[2]");
  });

  it("ReplicatedKV methods refuse wrong types before anything is proposed", async () => {
    const c = new KvCluster(["a"]);
    await c.startAll();
    const kv = await c.waitForLeader();
    const before = kv.host.status();
    expect(paths(await validationError(() => kv.get(5 as unknown as string)))).toContain("key");
    expect(paths(await validationError(() => kv.put("k", 5 as unknown as string)))).toContain("value");
    expect(paths(await validationError(() => kv.compareAndSet("k", 5 as unknown as string, "v")))).toContain("expected");
    expect(paths(await validationError(() => kv.compareAndSet("k", null, 5 as unknown as string)))).toContain("value");
    expect(paths(await validationError(() => kv.put("k", "v", { client: "c", seq: Number.NaN })))).toContain("requestId.seq");
    expect(paths(await validationError(() => kv.delete("k", { client: "", seq: 1 })))).toContain("requestId.client");
    expect(paths(await validationError(() => kv.host.transferLeader("b", Number.NaN)))).toContain("transfer.timeoutMs");
    expect(paths(await validationError(() => kv.host.addMember("d", { maxLag: Number.POSITIVE_INFINITY })))).toContain("member.maxLag");
    expect(paths(await validationError(() => kv.host.changeMembership({ type: "nope" } as never)))).toContain("change.type");
    await c.run(20);
    expect(kv.host.status().lastIndex).toBe(before.lastIndex);
    await c.stopAll();
  });

  it("RaftClusters refuses a cluster name that is not a string and duplicate member ids", async () => {
    const clusters = new RaftClusters();
    expect(paths(await validationError(() => clusters.register(5 as unknown as string, [])))).toContain("name");
    const host = new RaftHost(options());
    expect(paths(await validationError(() => clusters.register("x", [host, host])))).toContain("hosts[1]");
    expect(clusters.names()).toEqual([]);
  });
});
