import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ManualClock, settle } from "../../src/core/clock.js";
import { ClosedError, ValidationError } from "../../src/core/errors.js";
import { MemoryStorage, StorageCrashedError } from "../../src/storage/memory.js";
import type { LogEntry, Snapshot, StorageWrite } from "../../src/storage/types.js";

function entries(from: number, to: number, term: number): LogEntry[] {
  const out: LogEntry[] = [];
  for (let i = from; i <= to; i++) out.push({ term, index: i, type: "normal", data: `t${term}i${i}` });
  return out;
}

describe("MemoryStorage", () => {
  it("starts empty", async () => {
    const s = new MemoryStorage();
    expect(await s.load()).toEqual({ hardState: { term: 0, vote: null, commit: 0 }, snapshot: null, entries: [] });
  });

  it("appends, truncates a conflicting suffix and keeps the hard state", async () => {
    const s = new MemoryStorage();
    await s.save({ hardState: { term: 1, vote: "a", commit: 0 }, entries: entries(1, 5, 1) });
    await s.save({ hardState: { term: 2, vote: null, commit: 2 }, entries: entries(3, 4, 2) });
    const state = await s.load();
    expect(state.hardState).toEqual({ term: 2, vote: null, commit: 2 });
    expect(state.entries.map((e) => `${e.index}/${e.term}`)).toEqual(["1/1", "2/1", "3/2", "4/2"]);
  });

  it("compacts to a snapshot and installs a leader's snapshot", async () => {
    const s = new MemoryStorage();
    await s.save({ entries: entries(1, 10, 1) });
    const snap: Snapshot = { metadata: { index: 6, term: 1, confState: { voters: ["a"], learners: [] } }, data: "x" };
    await s.compact(snap);
    let state = await s.load();
    expect(state.snapshot).toEqual(snap);
    expect(state.entries.map((e) => e.index)).toEqual([7, 8, 9, 10]);
    // A matching snapshot keeps the entries beyond it; a conflicting one drops them.
    await s.save({ snapshot: { ...snap, metadata: { ...snap.metadata, index: 8 } } });
    state = await s.load();
    expect(state.entries.map((e) => e.index)).toEqual([9, 10]);
    await s.save({ snapshot: { ...snap, metadata: { ...snap.metadata, index: 12, term: 3 } } });
    state = await s.load();
    expect(state.entries).toEqual([]);
    expect(state.hardState.commit).toBe(12);
  });

  it("a crash loses the writes not yet synced and rejects their promises", async () => {
    const clock = new ManualClock(0);
    const s = new MemoryStorage({ clock, syncDelayMs: 5 });
    const first = s.save({ hardState: { term: 1, vote: "a", commit: 0 } });
    clock.advance(5);
    await first;
    const lost = s.save({ hardState: { term: 2, vote: "b", commit: 0 }, entries: entries(1, 3, 2) });
    expect(s.pendingWrites()).toBe(1);
    s.crash();
    await expect(lost).rejects.toBeInstanceOf(StorageCrashedError);
    const state = await s.load();
    expect(state.hardState).toEqual({ term: 1, vote: "a", commit: 0 });
    expect(state.entries).toEqual([]);
  });

  it("group commit: concurrent saves share one sync and resolve in call order", async () => {
    const s = new MemoryStorage();
    const order: number[] = [];
    await Promise.all([1, 2, 3].map((i) => s.save({ entries: entries(i, i, 1) }).then(() => order.push(i))));
    expect(order).toEqual([1, 2, 3]);
    expect(s.syncs).toBe(1);
  });

  it("refuses use after close", async () => {
    const s = new MemoryStorage();
    await s.close();
    await expect(s.load()).rejects.toBeInstanceOf(ClosedError);
    await expect(s.save({})).rejects.toBeInstanceOf(ClosedError);
  });

  it("property: after a crash, the store holds exactly the synced writes plus a prefix of the unsynced ones", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ term: fc.integer({ min: 1, max: 5 }), count: fc.integer({ min: 1, max: 4 }), back: fc.integer({ min: 0, max: 3 }) }), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 0, max: 12 }),
        fc.integer({ min: 0, max: 12 }),
        async (writes, syncedCount, keep) => {
          const clock = new ManualClock(0);
          const s = new MemoryStorage({ clock, syncDelayMs: 1 });
          // A reference model: apply writes to a plain log.
          let model: LogEntry[] = [];
          let last = 0;
          const all: StorageWrite[] = [];
          for (const w of writes) {
            const from = Math.max(1, last + 1 - w.back);
            const batch = entries(from, from + w.count - 1, w.term);
            all.push({ entries: batch, hardState: { term: w.term, vote: null, commit: 0 } });
            last = from + w.count - 1;
          }
          const apply = (upTo: number): LogEntry[] => {
            model = [];
            for (const w of all.slice(0, upTo)) {
              const batch = w.entries as LogEntry[];
              model = model.filter((e) => e.index < (batch[0] as LogEntry).index).concat(batch);
            }
            return model;
          };
          const synced = Math.min(syncedCount, all.length);
          const promises = all.slice(0, synced).map((w) => s.save(w));
          clock.advance(1);
          await Promise.all(promises);
          const pending = all.slice(synced).map((w) => s.save(w).catch((e: unknown) => e));
          s.crash(keep);
          const errors = await Promise.all(pending);
          expect(errors.every((e) => e instanceof StorageCrashedError)).toBe(true);
          const survivors = synced + Math.min(keep, all.length - synced);
          const state = await s.load();
          expect(state.entries).toEqual(apply(survivors));
          await settle();
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe("MemoryStorage review regressions", () => {
  it("a write that does not fit the log fails alone with a typed error, never hangs or half-applies", async () => {
    const s = new MemoryStorage();
    await s.save({ entries: entries(1, 3, 1) });
    const good = s.save({ hardState: { term: 1, vote: null, commit: 1 }, entries: entries(4, 4, 1) });
    const gap = s.save({ hardState: { term: 9, vote: "x", commit: 4 }, entries: entries(9, 9, 1) });
    const after = s.save({ entries: entries(5, 5, 1) });
    const outcomes = await Promise.race([
      Promise.allSettled([good, gap, after]),
      new Promise<"hung">((resolve) => setTimeout(() => resolve("hung"), 200)),
    ]);
    expect(outcomes).not.toBe("hung");
    if (outcomes === "hung") return;
    expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    const rejected = outcomes[1];
    expect(rejected?.status === "rejected" && rejected.reason instanceof ValidationError).toBe(true);
    const state = await s.load();
    // The bad write's hard state was not applied either.
    expect(state.hardState).toEqual({ term: 1, vote: null, commit: 1 });
    expect(state.entries.map((e) => e.index)).toEqual([1, 2, 3, 4, 5]);
  });
});
