import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { OrderingBackpressureError } from "../../src/ordering/errors.js";
import { GlobalOrderingService } from "../../src/ordering/service.js";
import { propertyParams } from "../support/bad-input.js";

function single(maxBuffered = 100): { s: GlobalOrderingService; delivered: string[]; rejected: string[] } {
  const s = new GlobalOrderingService({ nodeId: "a", clock: new ManualClock(1_000), maxBuffered });
  const delivered: string[] = [];
  const rejected: string[] = [];
  s.on("event:delivered", (e) => delivered.push(e.event.id));
  s.on("event:rejected", ({ event, reason }) => rejected.push(`${event.id}:${reason}`));
  return { s, delivered, rejected };
}

describe("an event depending on a later event of its own origin", () => {
  it("is rejected as a causal violation, and the rest of the stream is delivered", () => {
    const { s, delivered, rejected } = single();
    s.publish({ id: "B", deps: ["A"], payload: 1 });
    s.publish({ id: "A", payload: 2 });
    s.publish({ id: "C", payload: 3 });
    expect(rejected).toEqual(["B:dependency_not_before"]);
    expect(delivered).toEqual(["A", "C"]);
    expect(s.status()).toMatchObject({ buffered: 0, rejected: 1 });
  });

  it("an event depending on itself is rejected at once", () => {
    const { s, delivered, rejected } = single();
    s.publish({ id: "B", deps: ["B"], payload: 1 });
    s.publish({ id: "C", payload: 2 });
    expect(rejected).toEqual(["B:dependency_not_before"]);
    expect(delivered).toEqual(["C"]);
    expect(s.status().buffered).toBe(0);
  });

  it("a cycle through several events of the origin is broken at its earliest event", () => {
    const { s, delivered, rejected } = single();
    s.publish({ id: "B", deps: ["D"], payload: 1 });
    s.publish({ id: "C", payload: 2 });
    s.publish({ id: "D", payload: 3 });
    expect(rejected).toEqual(["B:dependency_not_before"]);
    expect(delivered).toEqual(["C", "D"]);
  });

  it("an event depending on a rejected event is rejected too, so nothing waits for good", () => {
    const { s, delivered, rejected } = single();
    s.publish({ id: "B", deps: ["A"], payload: 1 });
    s.publish({ id: "A", payload: 2 });
    s.publish({ id: "C", deps: ["B"], payload: 3 });
    s.publish({ id: "E", payload: 4 });
    expect(rejected).toEqual(["B:dependency_not_before", "C:dependency_rejected"]);
    expect(delivered).toEqual(["A", "E"]);
    expect(s.status().buffered).toBe(0);
  });

  it("the same across origins: a replica receiving the events delivers and rejects the same", () => {
    const clock = new ManualClock(1_000);
    const r = new GlobalOrderingService({ nodeId: "r", origins: ["a", "b"], clock });
    const hlc = (wall: number, nodeId: string) => ({ wall, logical: 0, nodeId });
    r.receive({ id: "B", origin: "a", seq: 1, hlc: hlc(10, "a"), deps: ["A"], payload: 1 });
    r.receive({ id: "A", origin: "a", seq: 2, hlc: hlc(11, "a"), deps: [], payload: 2 });
    r.receive({ id: "C", origin: "a", seq: 3, hlc: hlc(12, "a"), deps: [], payload: 3 });
    r.heartbeat("b", 0, hlc(20, "b"));
    expect(r.orderedSince(0).entries.map((e) => e.event.id)).toEqual(["A", "C"]);
    expect(r.status()).toMatchObject({ buffered: 0, rejected: 1 });
  });

  it("the buffer no longer fills up behind such an event", () => {
    const { s, delivered } = single(3);
    s.publish({ id: "B", deps: ["A"], payload: 0 });
    s.publish({ id: "A", payload: 0 });
    for (let i = 0; i < 10; i++) expect(() => s.publish({ payload: i })).not.toThrow(OrderingBackpressureError);
    expect(delivered).toHaveLength(11);
  });
});

describe("property: no sequence of publishes can stall an origin", () => {
  it("an event is delivered iff its dependencies were delivered before it; once every named id is published, nothing is held", () => {
    // Each publish names up to three dependencies among ten ids: earlier ones, itself, later ones.
    const plan = fc.array(fc.record({ deps: fc.uniqueArray(fc.nat(9), { maxLength: 3 }) }), { minLength: 1, maxLength: 10 });
    fc.assert(
      fc.property(plan, (publishes) => {
        const { s, delivered } = single(1_000);
        const ids = publishes.map((_, i) => `e${i}`);
        const named = (d: number) => `e${d}`;
        const heldAt: number[] = [];
        publishes.forEach((p, i) => {
          s.publish({ id: ids[i] as string, deps: p.deps.map(named), payload: i });
          // Only an event waiting on an id nobody has published yet (or queued behind one) may be held.
          const published = new Set(ids.slice(0, i + 1));
          const waitsOnUnpublished = publishes.slice(0, i + 1).some((q) => q.deps.some((d) => !published.has(named(d))));
          if (!waitsOnUnpublished) expect(s.status().buffered).toBe(0);
          heldAt.push(s.status().buffered);
        });
        // Model: in publish order, an event is delivered iff each dependency is an earlier, delivered event.
        const model: string[] = [];
        const done = new Set<string>();
        publishes.forEach((p, i) => {
          if (p.deps.every((d) => d < i && done.has(named(d)))) {
            model.push(ids[i] as string);
            done.add(ids[i] as string);
          }
        });
        // Publish every id named but never published, so each wait resolves one way or the other.
        const pending = [...new Set(publishes.flatMap((p) => p.deps))].filter((d) => d >= publishes.length).sort((x, y) => x - y);
        for (const d of pending) {
          s.publish({ id: named(d), payload: -1 });
          model.push(named(d));
        }
        expect(delivered).toEqual(model);
        expect(s.status().buffered).toBe(0);
        expect(heldAt.every((n) => n >= 0)).toBe(true);
      }),
      propertyParams(300),
    );
  });
});
