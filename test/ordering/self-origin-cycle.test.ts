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

describe("property: across origins too, no sequence of publishes stalls a stream, and replicas agree", () => {
  it("two origins publishing with dependencies on each other's and their own earlier or later events", () => {
    const plan = fc.array(fc.record({ origin: fc.constantFrom("a", "b"), deps: fc.uniqueArray(fc.nat(9), { maxLength: 2 }), delay: fc.boolean() }), { minLength: 1, maxLength: 10 });
    fc.assert(
      fc.property(plan, (publishes) => {
        const clock = new ManualClock(1_000);
        const sites = { a: new GlobalOrderingService({ nodeId: "a", origins: ["a", "b"], clock }), b: new GlobalOrderingService({ nodeId: "b", origins: ["a", "b"], clock }) };
        const delayed: Array<{ to: "a" | "b"; event: ReturnType<GlobalOrderingService["publish"]> }> = [];
        const publish = (origin: "a" | "b", id: string, deps: string[], delay: boolean): void => {
          clock.advance(1);
          const event = sites[origin].publish({ id, deps, payload: id });
          const to = origin === "a" ? "b" : "a";
          if (delay) delayed.push({ to, event });
          else sites[to].receive(event);
        };
        publishes.forEach((p, i) => publish(p.origin, `e${i}`, p.deps.map((d) => `e${d}`), p.delay));
        // Every id named but never published is published now, so each wait resolves one way or the other.
        const pending = [...new Set(publishes.flatMap((p) => p.deps))].filter((d) => d >= publishes.length);
        for (const d of pending) publish("a", `e${d}`, [], false);
        for (const { to, event } of delayed.reverse()) sites[to].receive(event);
        clock.advance(1);
        for (const [from, to] of [["a", "b"], ["b", "a"]] as const) sites[to].heartbeat(from, sites[from].expectedSeq(from) - 1, sites[from].hlc.now());
        const logA = sites.a.orderedSince(0, 1_000).entries.map((e) => e.event.id);
        const logB = sites.b.orderedSince(0, 1_000).entries.map((e) => e.event.id);
        expect(logB).toEqual(logA);
        expect(sites.a.status().buffered).toBe(0);
        expect(sites.b.status().buffered).toBe(0);
        expect(sites.a.status().rejected).toBe(sites.b.status().rejected);
        // Delivered events name only dependencies delivered before them.
        const position = new Map(logA.map((id, i) => [id, i]));
        publishes.forEach((p, i) => {
          const at = position.get(`e${i}`);
          if (at !== undefined) for (const d of p.deps) expect(position.get(`e${d}`) ?? Number.POSITIVE_INFINITY).toBeLessThan(at);
        });
      }),
      propertyParams(200),
    );
  });
});

