import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { Random } from "../../src/core/random.js";
import { compareHlc } from "../../src/ordering/hlc.js";
import { GlobalOrderingService } from "../../src/ordering/service.js";
import type { ConflictPolicy, OrderedEntry, OrderingEvent } from "../../src/ordering/types.js";
import { causalViolations, randomHistory, type History } from "./support/history.js";

function replay(history: History, arrivalSeed: number, policy: ConflictPolicy<number>, replica: string): { entries: OrderedEntry<number>[]; service: GlobalOrderingService<number> } {
  const random = new Random(arrivalSeed);
  const clock = new ManualClock(history.maxWall);
  const service = new GlobalOrderingService<number>({ nodeId: replica, origins: history.origins, clock, conflictPolicy: policy });
  // Every event once, some twice (re-sent copies), in a random order, heartbeats interleaved at the end.
  const arrivals: OrderingEvent<number>[] = [...history.events, ...history.events.filter(() => random.bool(0.2))];
  const prefixes: string[][] = [];
  for (const event of random.shuffle(arrivals)) {
    service.receive({ ...event, hlc: { ...event.hlc }, deps: [...event.deps] });
    prefixes.push(service.orderedSince(0, 1_000_000).entries.map((e) => e.event.id));
  }
  for (const hb of random.shuffle(history.finalHeartbeats)) service.heartbeat(hb.origin, hb.seq, hb.hlc);
  const entries = [...service.orderedSince(0, 1_000_000).entries];
  // Each intermediate log is a prefix of the final one: nothing delivered is ever reordered.
  const finalIds = entries.map((e) => e.event.id);
  for (const prefix of prefixes) expect(finalIds.slice(0, prefix.length)).toEqual(prefix);
  return { entries, service };
}

const policies: ConflictPolicy<number>[] = [
  { kind: "last-writer-wins" },
  { kind: "first-writer-wins" },
  { kind: "merge", merge: (_key, first, second) => first.payload * 1000 + second.payload },
];

describe("GlobalOrderingService ordering properties", () => {
  it("delivers a duplicate-free linear extension of causality, identical on every replica for any arrival order", () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer(), fc.integer(), fc.nat(2), (historySeed, arrivalA, arrivalB, policyIndex) => {
        const history = randomHistory(historySeed);
        const policy = policies[policyIndex] as ConflictPolicy<number>;
        const a = replay(history, arrivalA, policy, "replica-a");
        const b = replay(history, arrivalB, policy, "replica-b");
        const ids = a.entries.map((e) => e.event.id);
        // No duplicates, and every distinct id delivered exactly once: its first copy in HLC order.
        expect(new Set(ids).size).toBe(ids.length);
        expect(new Set(ids)).toEqual(new Set(history.events.map((e) => e.id)));
        for (const entry of a.entries) {
          const copies = history.events.filter((e) => e.id === entry.event.id);
          const first = copies.reduce((x, y) => (compareHlc(x.hlc, y.hlc) <= 0 ? x : y));
          expect(entry.event.seq).toBe(first.seq);
          expect(entry.event.origin).toBe(first.origin);
        }
        expect(causalViolations(a.entries.map((e) => e.event), history.events)).toEqual([]);
        // Identical on both replicas, conflicts and their resolution included.
        expect(b.entries).toEqual(a.entries);
        expect(a.service.status().rejected).toBe(0);
        expect(a.service.status().buffered).toBe(0);
        for (const key of ["k0", "k1", "k2"]) expect(b.service.currentValue(key)).toEqual(a.service.currentValue(key));
        if (policy.kind === "last-writer-wins") {
          // Causally later writes carry larger timestamps, so the largest timestamp holds each key.
          for (const key of ["k0", "k1", "k2"]) {
            const writes = a.entries.filter((e) => e.event.key === key).map((e) => e.event);
            const last = writes.reduce<OrderingEvent<number> | undefined>((x, y) => (x === undefined || compareHlc(x.hlc, y.hlc) < 0 ? y : x), undefined);
            expect(a.service.currentValue(key)?.value).toBe(last?.payload);
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it("reports a conflict exactly when a write did not causally follow the key's current write", () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const history = randomHistory(seed, { duplicateIdRate: 0 });
        const { entries } = replay(history, seed, { kind: "last-writer-wins" }, "replica");
        // Reference: transitive causal predecessors by id, computed from the history.
        const byId = new Map(history.events.map((e) => [e.id, e]));
        const ancestors = new Map<string, Set<string>>();
        const ancestorsOf = (e: OrderingEvent<number>): Set<string> => {
          const known = ancestors.get(e.id);
          if (known) return known;
          const set = new Set<string>();
          const direct = [...e.deps, ...history.events.filter((x) => x.origin === e.origin && x.seq === e.seq - 1).map((x) => x.id)];
          for (const d of direct) {
            set.add(d);
            const de = byId.get(d);
            if (de) for (const x of ancestorsOf(de)) set.add(x);
          }
          ancestors.set(e.id, set);
          return set;
        };
        const writer = new Map<string, string>();
        for (const { event, conflict } of entries) {
          if (event.key === undefined) continue;
          const current = writer.get(event.key);
          const concurrent = current !== undefined && !ancestorsOf(event).has(current);
          expect(conflict !== undefined).toBe(concurrent);
          writer.set(event.key, conflict?.winner ?? event.id);
        }
      }),
      { numRuns: 150 },
    );
  });
});
