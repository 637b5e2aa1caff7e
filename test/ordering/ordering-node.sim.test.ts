import { describe, expect, it } from "vitest";
import { ManualClock, type Clock, type TimerHandle } from "../../src/core/clock.js";
import { Random } from "../../src/core/random.js";
import { OrderingNode, orderingMessageSchema } from "../../src/ordering/ordering-node.js";
import { GlobalOrderingService } from "../../src/ordering/service.js";
import { SimNetwork } from "../../src/transport/sim-network.js";
import { simRuns, simSeed, withSeed } from "../support/sim.js";
import { causalViolations } from "./support/history.js";

/** A node's view of time: the shared virtual clock plus a fixed drift. */
class DriftedClock implements Clock {
  constructor(
    private readonly base: ManualClock,
    private readonly drift: number,
  ) {}
  now(): number {
    return this.base.now() + this.drift;
  }
  setTimer(ms: number, fn: () => void): TimerHandle {
    return this.base.setTimer(ms, fn);
  }
  clearTimer(handle: TimerHandle): void {
    this.base.clearTimer(handle);
  }
}

async function simulate(seed: number): Promise<void> {
  const random = new Random(seed);
  const clock = new ManualClock(10_000);
  const network = new SimNetwork({
    clock,
    random: random.fork("network"),
    defaultLink: { latency: { kind: "uniform", minMs: 1, maxMs: 30 }, loss: 0.05, duplicate: 0.05, reorder: 0.05 },
  });
  const ids = ["edge-a", "edge-b", "edge-c"];
  const nodes = ids.map((id) => {
    const local = new DriftedClock(clock, random.int(-100, 100));
    const service = new GlobalOrderingService<number>({ nodeId: id, origins: ids, clock: local });
    const node = new OrderingNode({ service, clock: local, transport: network.endpoint(id, { schema: orderingMessageSchema }), heartbeatIntervalMs: 50 });
    node.start();
    return node;
  });
  const published: string[] = [];
  const isolated = random.pick(ids);
  for (let step = 0; step < 120; step++) {
    if (step === 40) network.isolate(isolated);
    if (step === 80) network.heal();
    const node = random.pick(nodes);
    const seen = node.service.orderedSince(0, 100_000).entries;
    const deps = seen.length > 0 && random.bool(0.5) ? [random.pick(seen).event.id] : [];
    const key = random.bool(0.5) ? `k${random.int(0, 2)}` : undefined;
    published.push(node.publish({ deps, key, payload: step }).id);
    clock.advance(random.int(0, 40));
  }
  clock.advance(5_000);
  const logs = nodes.map((n) => n.service.orderedSince(0, 100_000).entries);
  const reference = logs[0] ?? [];
  expect(reference.map((e) => e.event.id).sort()).toEqual([...published].sort());
  for (const log of logs) expect(log).toEqual(reference);
  const events = reference.map((e) => e.event);
  expect(causalViolations(events, events)).toEqual([]);
  for (const node of nodes) {
    expect(node.service.status()).toMatchObject({ buffered: 0, rejected: 0 });
    node.stop();
  }
}

describe("OrderingNode over SimNetwork", () => {
  it("nodes with drifting clocks on a lossy, duplicating, reordering network, one isolated for a while, converge on one causal order", async () => {
    const base = simSeed(11);
    for (let run = 0; run < simRuns(4); run++) await withSeed(base + run, simulate);
  });
});

describe("OrderingNode refusals", () => {
  it("refuses events from a peer whose clock runs beyond the maximum offset, then takes them once time catches up", () => {
    const clock = new ManualClock(10_000);
    const network = new SimNetwork({ clock, random: new Random(5), defaultLink: { latency: { kind: "fixed", ms: 1 } } });
    const ids = ["a", "b"];
    const make = (id: string, drift: number) => {
      const local = new DriftedClock(clock, drift);
      const service = new GlobalOrderingService<string>({ nodeId: id, origins: ids, clock: local });
      const node = new OrderingNode({ service, clock: local, transport: network.endpoint(id, { schema: orderingMessageSchema }), heartbeatIntervalMs: 100 });
      node.start();
      return node;
    };
    const a = make("a", 0);
    const b = make("b", 2_000);
    const refused: string[] = [];
    a.on("event:refused", ({ from, error }) => refused.push(`${from}:${error.code}`));
    b.publish({ payload: "from the future" });
    clock.advance(10);
    expect(refused[0]).toBe("b:ordering.clock_skew");
    expect(a.service.expectedSeq("b")).toBe(1);
    // Once a's clock is within the offset of b's timestamp, heartbeats reveal the gap and b re-sends.
    clock.advance(3_000);
    expect(a.service.expectedSeq("b")).toBe(2);
    expect(a.service.orderedSince(0).entries.map((e) => e.event.payload)).toEqual(["from the future"]);
    a.stop();
    b.stop();
  });
});
