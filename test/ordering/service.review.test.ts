import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Random } from "../../src/core/random.js";
import { ManualClock } from "../../src/core/clock.js";
import { OrderingBackpressureError } from "../../src/ordering/errors.js";
import { OrderingNode } from "../../src/ordering/ordering-node.js";
import { GlobalOrderingService } from "../../src/ordering/service.js";
import type { OrderingEvent } from "../../src/ordering/types.js";
import { causalViolations, randomHistory, type History } from "./support/history.js";

function ev(origin: string, seq: number, wall: number, extra: Partial<OrderingEvent<unknown>> = {}): OrderingEvent<unknown> {
  return { id: `${origin}-${seq}`, origin, seq, hlc: { wall, logical: 0, nodeId: origin }, deps: [], payload: seq, ...extra };
}
const ids = (s: GlobalOrderingService): string[] => s.orderedSince(0, 10_000).entries.map((e) => e.event.id);
const replica = (): GlobalOrderingService => new GlobalOrderingService({ nodeId: "observer", origins: ["a", "b"], clock: new ManualClock(1_000) });

describe("GlobalOrderingService review regressions", () => {
  it("a dependency on a later event gives the same log whether or not that event has arrived yet", () => {
    // a-1 names b-1 as a dependency but is stamped before it: causally impossible, so a-1 is rejected.
    const p = ev("a", 1, 10, { deps: ["b-1"] });
    const q = ev("a", 2, 11);
    const d = ev("b", 1, 20);
    const early = replica();
    early.receive(d);
    early.receive(p);
    early.receive(q);
    early.heartbeat("a", 2, { wall: 30, logical: 0, nodeId: "a" });
    early.heartbeat("b", 1, { wall: 30, logical: 0, nodeId: "b" });
    const late = replica();
    late.receive(p);
    late.receive(q);
    late.heartbeat("b", 0, { wall: 15, logical: 0, nodeId: "b" });
    late.receive(d);
    late.heartbeat("a", 2, { wall: 30, logical: 0, nodeId: "a" });
    late.heartbeat("b", 1, { wall: 30, logical: 0, nodeId: "b" });
    expect(ids(late)).toEqual(ids(early));
    expect(early.status()).toMatchObject({ rejected: 1, buffered: 0 });
    expect(late.status()).toMatchObject({ rejected: 1, buffered: 0 });
  });

  it("the buffer stays bounded when an origin's stream is stuck behind a missing dependency", () => {
    const s = new GlobalOrderingService({ nodeId: "observer", origins: ["a", "b"], clock: new ManualClock(1_000_000), maxBuffered: 4 });
    s.heartbeat("b", 0, { wall: 1_000_000, logical: 0, nodeId: "b" });
    s.receive(ev("a", 1, 10, { deps: ["never-sent"] }));
    let refused = 0;
    for (let seq = 2; seq <= 50; seq++) {
      try {
        s.receive(ev("a", seq, 10 * seq));
      } catch (error) {
        expect(error).toBeInstanceOf(OrderingBackpressureError);
        refused++;
      }
    }
    // At most one event per origin beyond the bound, so that a lagging origin can always unblock delivery.
    expect(s.status().buffered).toBeLessThanOrEqual(4 + 2);
    expect(refused).toBeGreaterThan(0);
  });

  it("two parked events sharing an id (a write retried through another origin) are both settled", () => {
    const s = new GlobalOrderingService({ nodeId: "observer", origins: ["a", "b", "c"], clock: new ManualClock(1_000) });
    s.receive(ev("a", 1, 10, { id: "x", deps: ["c-1"] }));
    s.receive(ev("b", 1, 11, { id: "x", deps: ["c-1"] }));
    s.receive(ev("a", 2, 12));
    s.receive(ev("b", 2, 13));
    s.receive(ev("c", 1, 20));
    for (const origin of ["a", "b", "c"]) s.heartbeat(origin, origin === "c" ? 1 : 2, { wall: 30, logical: 0, nodeId: origin });
    expect(s.status()).toMatchObject({ rejected: 2, buffered: 0, missing: [] });
    expect(ids(s)).toEqual(["c-1", "a-2", "b-2"]);
  });

  it("events naming not-yet-stamped dependencies are settled identically on every replica, whatever the arrival order", () => {
    const replay = (history: History, seed: number): GlobalOrderingService<number> => {
      const random = new Random(seed);
      const s = new GlobalOrderingService<number>({ nodeId: "replica", origins: history.origins, clock: new ManualClock(history.maxWall) });
      for (const event of random.shuffle([...history.events, ...history.events.filter(() => random.bool(0.2))])) {
        s.receive(event);
        // Origins heartbeat now and then, so stability advances while events are still arriving.
        if (random.bool(0.2)) {
          const origin = random.pick(history.origins);
          const seq = s.expectedSeq(origin) - 1;
          const sent = history.events.filter((e) => e.origin === origin && e.seq <= seq);
          const hlc = sent.length === 0 ? { wall: 0, logical: 0, nodeId: origin } : (sent[sent.length - 1] as OrderingEvent<number>).hlc;
          s.heartbeat(origin, seq, hlc);
        }
      }
      for (const hb of history.finalHeartbeats) s.heartbeat(hb.origin, hb.seq, hb.hlc);
      return s;
    };
    let rejections = 0;
    fc.assert(
      fc.property(fc.integer(), fc.integer(), fc.integer(), (historySeed, arrivalA, arrivalB) => {
        const history = randomHistory(historySeed, { forwardDepRate: 0.15 });
        const a = replay(history, arrivalA);
        const b = replay(history, arrivalB);
        const entries = a.orderedSince(0, 1_000_000).entries;
        expect(b.orderedSince(0, 1_000_000).entries).toEqual(entries);
        expect(b.status()).toMatchObject({ rejected: a.status().rejected, buffered: a.status().buffered, conflicts: a.status().conflicts });
        expect(causalViolations(entries.map((e) => e.event), history.events).filter((p) => !p.startsWith("not in HLC order"))).toEqual([]);
        rejections += a.status().rejected;
      }),
      { numRuns: 150 },
    );
    // The property exercised what it names.
    expect(rejections).toBeGreaterThan(0);
  });

  it("close() leaves no dependency timer behind, and refuses events afterwards", async () => {
    const clock = new ManualClock(1_000);
    const s = new GlobalOrderingService({ nodeId: "observer", origins: ["a", "b"], clock, dependencyTimeoutMs: 100 });
    const reported: unknown[] = [];
    s.on("dependency:missing", (m) => reported.push(m));
    s.receive(ev("a", 2, 10));
    await s.close();
    expect(() => s.receive(ev("a", 3, 11))).toThrow(expect.objectContaining({ code: "closed" }));
    expect(clock.pendingTimers()).toBe(0);
    clock.advance(1_000);
    expect(reported).toEqual([]);
  });

  it("an OrderingNode refuses a missing service, transport or clock with a ValidationError naming it", () => {
    const clock = new ManualClock(0);
    const service = new GlobalOrderingService({ nodeId: "a", clock });
    for (const [options, field] of [[{ transport: undefined, service, clock }, "options.transport"], [{ transport: undefined, service: undefined, clock }, "options.service"]] as const) {
      expect(() => new OrderingNode(options as never)).toThrow(expect.objectContaining({ code: "validation", message: expect.stringContaining(field) }));
    }
  });
});
