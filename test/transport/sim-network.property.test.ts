import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ManualClock } from "../../src/core/clock.js";
import { Random } from "../../src/core/random.js";
import { SimNetwork, type LinkConfig, type TraceEntry } from "../../src/transport/index.js";
import { simRuns, simSeed, withSeed } from "../support/sim.js";

const faultyLink: LinkConfig = {
  latency: { kind: "normal", meanMs: 5, stddevMs: 3, minMs: 1 },
  loss: 0.1,
  duplicate: 0.1,
  reorder: 0.2,
};

/** A scripted run: nodes chatter, faults change, a node crashes and restarts. Returns trace and receipts. */
function scriptedRun(seed: number): { trace: readonly TraceEntry[]; received: string[] } {
  const clock = new ManualClock(0);
  const random = new Random(seed);
  const network = new SimNetwork({ clock, random: random.fork("network"), defaultLink: faultyLink, traceLimit: 100_000 });
  const traffic = random.fork("traffic");
  const ids = ["n1", "n2", "n3", "n4"];
  const received: string[] = [];
  const open = (id: string) => {
    const t = network.endpoint<{ k: number }>(id);
    t.onMessage((from, m) => {
      received.push(`${clock.now()}:${from}>${id}:${m.k}`);
      if (m.k % 3 === 0) t.send(from, { k: m.k + 1 });
    });
    return t;
  };
  const endpoints = new Map(ids.map((id) => [id, open(id)]));
  network.setLink("n1", "n2", { latency: { kind: "uniform", minMs: 0, maxMs: 20 } });
  for (let step = 0; step < 300; step++) {
    const from = traffic.pick(ids);
    const to = traffic.pick(ids);
    endpoints.get(from)?.send(to, { k: step });
    if (step === 100) network.partition(["n1", "n2"], ["n3"]);
    if (step === 150) network.pause("n4");
    if (step === 180) {
      void endpoints.get("n2")?.close();
      endpoints.set("n2", open("n2"));
    }
    if (step === 200) {
      network.heal();
      network.resume("n4");
    }
    clock.advance(traffic.int(0, 3));
  }
  clock.advance(1_000);
  return { trace: network.trace(), received };
}

describe("SimNetwork properties", () => {
  it("the same seed gives the same delivery trace, bit for bit; other seeds differ", async () => {
    const runs = simRuns(5);
    for (let i = 0; i < runs; i++) {
      await withSeed(simSeed(1) + i, (seed) => {
        const first = scriptedRun(seed);
        const second = scriptedRun(seed);
        expect(second.trace).toEqual(first.trace);
        expect(second.received).toEqual(first.received);
        expect(first.received.length).toBeGreaterThan(100);
        expect(scriptedRun(seed + 1_000_003).received).not.toEqual(first.received);
      });
    }
  });

  it("partitions block exactly the cut links", () => {
    const ids = ["a", "b", "c", "d", "e"];
    const groupsArb = fc.array(fc.constantFrom(0, 1, 2), { minLength: ids.length, maxLength: ids.length });
    fc.assert(
      fc.property(groupsArb, fc.subarray(ids), fc.constantFrom("two-way", "one-way"), (sides, isolated, kind) => {
        const clock = new ManualClock(0);
        const network = new SimNetwork({ clock, random: new Random(1), defaultLink: { latency: { kind: "fixed", ms: 1 } } });
        const endpoints = ids.map((id) => network.endpoint<string>(id));
        const delivered = new Set<string>();
        endpoints.forEach((t) => t.onMessage((from, m) => delivered.add(`${from}>${t.localId}:${m}`)));
        // side 0 and side 1 are partitioned; side 2 is on neither side.
        const groupA = ids.filter((_, i) => sides[i] === 0);
        const groupB = ids.filter((_, i) => sides[i] === 1);
        if (kind === "two-way") network.partition(groupA, groupB);
        else network.partitionOneWay(groupA, groupB);
        isolated.forEach((id) => network.isolate(id));
        for (const t of endpoints) for (const to of ids) t.send(to, "cut?");
        clock.advance(5);
        network.heal();
        for (const t of endpoints) for (const to of ids) t.send(to, "healed");
        clock.advance(5);
        for (const from of ids) {
          for (const to of ids) {
            const aToB = groupA.includes(from) && groupB.includes(to);
            const bToA = groupB.includes(from) && groupA.includes(to);
            const cut = from !== to && (isolated.includes(from) || isolated.includes(to) || aToB || (kind === "two-way" && bToA));
            expect(delivered.has(`${from}>${to}:cut?`)).toBe(!cut);
            expect(network.isCut(from, to)).toBe(false);
            expect(delivered.has(`${from}>${to}:healed`)).toBe(true);
          }
        }
      }),
      { numRuns: simRuns(100), seed: simSeed(1) },
    );
  });

  it("loss, duplication and reordering rates match their settings on a large sample", async () => {
    await withSeed(simSeed(11), (seed) => {
      const n = 20_000;
      const loss = 0.1;
      const duplicate = 0.05;
      const reorder = 0.2;
      const clock = new ManualClock(0);
      const network = new SimNetwork({
        clock,
        random: new Random(seed),
        cloneMessages: false,
        traceLimit: 0,
        defaultLink: { latency: { kind: "fixed", ms: 10 }, loss, duplicate, reorder, reorderDelay: { kind: "fixed", ms: 50 } },
      });
      const a = network.endpoint<number>("a");
      const arrivals: number[] = [];
      network.endpoint<number>("b").onMessage((_, i) => arrivals.push(i));
      for (let i = 0; i < n; i++) {
        a.send("b", i);
        clock.advance(1);
      }
      clock.advance(100);
      const stats = network.stats();
      // Five standard deviations: a false failure is ~1 in 1.7 million.
      const within = (observed: number, p: number, trials: number) => {
        const sd = Math.sqrt(trials * p * (1 - p));
        expect(Math.abs(observed - trials * p)).toBeLessThan(5 * sd);
      };
      within(stats.dropped.loss, loss, n);
      const survivors = n - stats.dropped.loss;
      within(stats.duplicated, duplicate, survivors);
      expect(arrivals.length).toBe(survivors + stats.duplicated);
      // A copy is "overtaken" if a message sent later arrived before it; only reordered copies are.
      const copies = survivors + stats.duplicated;
      let overtaken = 0;
      let maxSoFar = -1;
      for (const id of arrivals) {
        if (maxSoFar > id) overtaken++;
        maxSoFar = Math.max(maxSoFar, id);
      }
      within(overtaken, reorder, copies);
    });
  });

  it("latency distributions have the configured mean and respect their bounds", () => {
    const cases: Array<{ link: LinkConfig; mean: number; min: number; max: number }> = [
      { link: { latency: { kind: "fixed", ms: 7 } }, mean: 7, min: 7, max: 7 },
      { link: { latency: { kind: "uniform", minMs: 2, maxMs: 12 } }, mean: 7, min: 2, max: 12 },
      { link: { latency: { kind: "normal", meanMs: 20, stddevMs: 4, minMs: 0 } }, mean: 20, min: 0, max: Infinity },
    ];
    for (const c of cases) {
      const clock = new ManualClock(0);
      // Reorder 1 with a zero extra delay takes every message out of FIFO, exposing raw latencies.
      const network = new SimNetwork({ clock, random: new Random(5), traceLimit: 0, defaultLink: { ...c.link, reorder: 1, reorderDelay: { kind: "fixed", ms: 0 } } });
      const a = network.endpoint<number>("a");
      const latencies: number[] = [];
      network.endpoint<number>("b").onMessage((_, sentAt) => latencies.push(clock.now() - sentAt));
      for (let i = 0; i < 5_000; i++) {
        a.send("b", clock.now());
        clock.advance(1);
      }
      clock.advance(1_000);
      const mean = latencies.reduce((s, x) => s + x, 0) / latencies.length;
      expect(Math.abs(mean - c.mean)).toBeLessThan(0.5);
      expect(Math.min(...latencies)).toBeGreaterThanOrEqual(c.min);
      expect(Math.max(...latencies)).toBeLessThanOrEqual(c.max);
    }
    // The normal distribution is clipped at minMs.
    const clock = new ManualClock(0);
    const network = new SimNetwork({ clock, random: new Random(9), defaultLink: { latency: { kind: "normal", meanMs: 2, stddevMs: 5, minMs: 1 }, reorder: 1, reorderDelay: { kind: "fixed", ms: 0 } } });
    const a = network.endpoint<number>("a");
    const latencies: number[] = [];
    network.endpoint<number>("b").onMessage((_, sentAt) => latencies.push(clock.now() - sentAt));
    for (let i = 0; i < 2_000; i++) a.send("b", 0);
    clock.advance(100);
    expect(Math.min(...latencies)).toBe(1);
    expect(latencies.filter((x) => x === 1).length).toBeGreaterThan(500);
  });
});
