import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { ConflictError, ValidationError } from "../../src/core/errors.js";
import { ClockSkewError, CursorExpiredError, OrderingBackpressureError } from "../../src/ordering/errors.js";
import { GlobalOrderingService, type GlobalOrderingOptions } from "../../src/ordering/service.js";
import type { MissingDependency, OrderingEvent } from "../../src/ordering/types.js";

function ev(origin: string, seq: number, wall: number, extra: Partial<OrderingEvent<unknown>> = {}): OrderingEvent<unknown> {
  return { id: `${origin}-${seq}`, origin, seq, hlc: { wall, logical: 0, nodeId: origin }, deps: [], payload: seq, ...extra };
}

function service(options: Partial<GlobalOrderingOptions> = {}, clock = new ManualClock(1_000)): GlobalOrderingService {
  return new GlobalOrderingService({ nodeId: "observer", origins: ["a", "b"], clock, ...options });
}

const ids = (s: GlobalOrderingService): string[] => s.orderedSince(0, 10_000).entries.map((e) => e.event.id);

describe("GlobalOrderingService", () => {
  it("a single origin's events are delivered as soon as they are published", () => {
    const s = new GlobalOrderingService({ nodeId: "edge-a", clock: new ManualClock(5) });
    const first = s.publish({ payload: { n: 1 } });
    const second = s.publish({ id: "custom", deps: [first.id], payload: { n: 2 } });
    expect(first).toMatchObject({ id: "edge-a:1", origin: "edge-a", seq: 1, hlc: { wall: 5, logical: 0 } });
    expect(second.hlc).toEqual({ wall: 5, logical: 1, nodeId: "edge-a" });
    expect(ids(s)).toEqual(["edge-a:1", "custom"]);
    const page = s.orderedSince(1, 5);
    expect(page.next).toBe(2);
    expect(Object.isFrozen(page.entries[0]?.event)).toBe(true);
    expect(() => (page.entries as unknown as unknown[]).push(1)).toThrow();
  });

  it("waits until every origin's stream covers an event, then delivers in HLC order", () => {
    const s = service();
    expect(s.receive(ev("a", 1, 20))).toBe("accepted");
    expect(s.receive(ev("a", 2, 30))).toBe("accepted");
    expect(ids(s)).toEqual([]);
    s.receive(ev("b", 1, 25));
    expect(ids(s)).toEqual(["a-1", "b-1"]);
    // A heartbeat vouches that b has nothing else up to its timestamp.
    s.heartbeat("b", 1, { wall: 40, logical: 0, nodeId: "b" });
    expect(ids(s)).toEqual(["a-1", "b-1", "a-2"]);
    expect(s.status()).toMatchObject({ buffered: 0, delivered: 3 });
  });

  it("holds out-of-sequence events, reports the gap after the timeout, and resolves it", () => {
    const clock = new ManualClock(1_000);
    const s = service({ dependencyTimeoutMs: 500 }, clock);
    const reported: MissingDependency[] = [];
    s.on("dependency:missing", (m) => reported.push(m));
    s.receive(ev("b", 1, 10));
    s.receive(ev("a", 2, 30));
    expect(ids(s)).toEqual([]);
    clock.advance(499);
    expect(reported).toEqual([]);
    clock.advance(1);
    expect(reported).toEqual([{ eventId: undefined, origin: "a", missing: ["a#1"], since: 1_000 }]);
    expect(s.status().missing).toHaveLength(1);
    const resolved: unknown[] = [];
    s.on("dependency:resolved", (r) => resolved.push(r));
    s.receive(ev("a", 1, 5));
    expect(ids(s)).toEqual(["a-1", "b-1"]);
    expect(resolved).toEqual([{ eventId: undefined, origin: "a" }]);
    expect(s.status().missing).toEqual([]);
    // A heartbeat announcing events not yet received is a gap too.
    expect(s.heartbeat("b", 3, { wall: 50, logical: 0, nodeId: "b" })).toEqual({ from: 2, to: 3 });
  });

  it("parks an event on a missing dependency without blocking other origins, and reports it", () => {
    const clock = new ManualClock(1_000);
    const s = service({ dependencyTimeoutMs: 100 }, clock);
    s.receive(ev("a", 1, 10, { deps: ["never-sent"] }));
    s.receive(ev("a", 2, 11));
    s.receive(ev("b", 1, 12));
    s.heartbeat("b", 1, { wall: 100, logical: 0, nodeId: "b" });
    s.heartbeat("a", 2, { wall: 100, logical: 0, nodeId: "a" });
    // b-1 is delivered; a-2 waits behind its parked predecessor.
    expect(ids(s)).toEqual(["b-1"]);
    clock.advance(100);
    const { missing, buffered } = s.status();
    expect(buffered).toBe(2);
    expect(missing.map((m) => [m.eventId, m.missing])).toEqual([
      ["a-1", ["never-sent"]],
      ["a-2", ["a-1"]],
    ]);
  });

  it("rejects an event whose dependency carries a larger timestamp, and lets its origin continue", () => {
    const s = service();
    const rejected: string[] = [];
    s.on("event:rejected", ({ event, reason }) => rejected.push(`${event.id}:${reason}`));
    s.receive(ev("a", 1, 10, { deps: ["b-1"] }));
    s.receive(ev("a", 2, 11));
    s.receive(ev("b", 1, 50));
    s.heartbeat("a", 2, { wall: 60, logical: 0, nodeId: "a" });
    expect(rejected).toEqual(["a-1:dependency_not_before"]);
    // a-1 waits for b-1 (a replica that has not received b-1 yet could not tell it is later), so
    // a-2 queues behind a-1: every replica delivers b-1 first, whatever the arrival order.
    expect(ids(s)).toEqual(["b-1", "a-2"]);
    // An origin whose timestamps go backwards has the offending event rejected too.
    s.receive(ev("a", 3, 5));
    expect(rejected).toEqual(["a-1:dependency_not_before", "a-3:sequence_not_after"]);
    expect(s.status()).toMatchObject({ rejected: 2, buffered: 0 });
  });

  it("drops exact re-sends on receipt and reused ids on delivery, within the window", () => {
    const s = service({ dedupWindow: 2 });
    s.receive(ev("a", 1, 10, { id: "x" }));
    expect(s.receive(ev("a", 1, 10, { id: "x" }))).toBe("duplicate");
    s.receive(ev("b", 1, 11, { id: "x" }));
    s.receive(ev("b", 2, 12));
    s.receive(ev("b", 3, 13));
    s.receive(ev("b", 4, 14, { id: "x" }));
    s.heartbeat("a", 1, { wall: 100, logical: 0, nodeId: "a" });
    // The second "x" is dropped; the third comes after "x" left the two-entry window.
    expect(ids(s)).toEqual(["x", "b-2", "b-3", "x"]);
    expect(s.status().duplicatesDropped).toBe(2);
  });

  it("refuses events beyond the buffer bound with nothing applied, but admits the origin holding delivery back", () => {
    const s = service({ maxBuffered: 2 });
    s.receive(ev("a", 1, 10));
    s.receive(ev("a", 2, 20));
    expect(() => s.receive(ev("a", 3, 30))).toThrow(OrderingBackpressureError);
    expect(s.status().buffered).toBe(2);
    expect(s.expectedSeq("a")).toBe(3);
    s.receive(ev("b", 1, 25));
    expect(ids(s)).toEqual(["a-1", "a-2"]);
    expect(s.status().buffered).toBe(1);
    s.receive(ev("a", 3, 30));
    expect(ids(s)).toEqual(["a-1", "a-2", "b-1"]);
    expect(s.status().buffered).toBe(1);
  });

  it("resolves concurrent writes by last-writer-wins, first-writer-wins or a merge function", () => {
    const run = (options: Partial<GlobalOrderingOptions>) => {
      const s = service(options);
      s.receive(ev("a", 1, 10, { key: "limit", payload: 1 }));
      s.receive(ev("b", 1, 20, { key: "limit", payload: 2 }));
      // Causally after both: no conflict, it simply supersedes.
      s.receive(ev("a", 2, 30, { key: "limit", payload: 3, deps: ["b-1"] }));
      s.heartbeat("b", 1, { wall: 40, logical: 0, nodeId: "b" });
      return s;
    };
    const lww = run({});
    const [, second, third] = lww.orderedSince(0).entries;
    expect(second?.conflict).toEqual({ key: "limit", policy: "last-writer-wins", current: "a-1", incoming: "b-1", winner: "b-1", value: 2 });
    expect(third?.conflict).toBeUndefined();
    expect(lww.currentValue("limit")).toEqual({ value: 3, writer: "a-2" });
    const fww = run({ conflictPolicy: { kind: "first-writer-wins" } });
    expect(fww.orderedSince(0).entries[1]?.conflict).toMatchObject({ winner: "a-1", value: 1 });
    const merged = run({ conflictPolicy: { kind: "merge", merge: (_k, x, y) => [x.payload, y.payload] } });
    expect(merged.orderedSince(0).entries[1]?.conflict).toMatchObject({ winner: undefined, value: [1, 2] });
    expect(merged.status().conflicts).toBe(1);
  });

  it("validates its input and refuses what it cannot order", () => {
    const clock = new ManualClock(1_000);
    const s = service({}, clock);
    expect(() => s.receive({ ...ev("a", 1, 10), seq: 0 })).toThrow(ValidationError);
    expect(() => s.receive(ev("zz", 1, 10))).toThrow(/not one of the origins/);
    expect(() => s.receive({ ...ev("a", 1, 10), hlc: { wall: 10, logical: 0, nodeId: "b" } })).toThrow(/origin/);
    expect(() => s.receive(ev("a", 1, 1_000 + 501))).toThrow(ClockSkewError);
    expect(s.expectedSeq("a")).toBe(1);
    expect(() => s.publish({ payload: 1 })).toThrow(ConflictError);
    expect(() => service({ origins: ["a", "a"] })).toThrow(/distinct/);
    expect(() => service({ maxBuffered: 0 })).toThrow(/maxBuffered/);
    expect(() => service({ conflictPolicy: { kind: "merge" } as never })).toThrow(/merge function/);
  });

  it("keeps logRetention entries and refuses expired cursors", () => {
    const s = new GlobalOrderingService({ nodeId: "a", clock: new ManualClock(0), logRetention: 2 });
    for (let i = 0; i < 5; i++) s.publish({ payload: i });
    expect(() => s.orderedSince(0)).toThrow(CursorExpiredError);
    expect(s.orderedSince(3).entries.map((e) => e.position)).toEqual([3, 4]);
    expect(() => s.orderedSince(6)).toThrow(ValidationError);
  });
});
