import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeKvCommand, encodeKvCommand, KvStateMachine, type KvCommand } from "../../src/consensus/index.js";
import { ValidationError } from "../../src/core/errors.js";
import { RaftLog } from "../../src/consensus/log.js";
import { Inflights } from "../../src/consensus/progress.js";
import type { LogEntry } from "../../src/storage/types.js";

const terms = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 30 }).map((ts) => {
  // Terms along a log never decrease.
  const sorted = [...ts].sort((a, b) => a - b);
  return sorted.map((term, i): LogEntry => ({ term, index: i + 1, type: "normal", data: `${term}:${i + 1}` }));
});

describe("RaftLog properties", () => {
  it("maybeAppend makes the follower's log match the leader's up to the appended range and never touches committed entries", () => {
    fc.assert(
      fc.property(terms, fc.nat(30), fc.array(fc.integer({ min: 10, max: 12 }), { maxLength: 10 }), fc.nat(30), fc.nat(30), fc.nat(30), (leader, keep, extra, prevRaw, countRaw, commitRaw) => {
        // A follower's log shares a prefix with the leader's and may have a divergent suffix of
        // other terms (Log Matching holds between them, as Raft guarantees).
        const prefix = leader.slice(0, Math.min(keep, leader.length));
        const follower = prefix.concat([...extra].sort((a, b) => a - b).map((term, i): LogEntry => ({ term, index: prefix.length + i + 1, type: "normal", data: `x${term}` })));
        const log = new RaftLog({ hardState: { term: 9, vote: null, commit: 0 }, snapshot: null, entries: follower });
        // Commit only a prefix shared with the leader, as Raft guarantees.
        let shared = 0;
        while (shared < Math.min(leader.length, follower.length) && leader[shared]?.term === follower[shared]?.term) shared++;
        log.commitTo(Math.min(commitRaw, shared));
        const committedBefore = follower.slice(0, log.committed);
        const prev = Math.min(prevRaw, leader.length);
        const count = Math.min(countRaw, leader.length - prev);
        const prevTerm = prev === 0 ? 0 : (leader[prev - 1] as LogEntry).term;
        if (prev < log.committed) return;
        const last = log.maybeAppend(prev, prevTerm, leader.length, leader.slice(prev, prev + count));
        if (last === undefined) {
          expect(log.term(prev)).not.toBe(prevTerm);
          return;
        }
        for (let i = 1; i <= prev + count; i++) expect(log.term(i)).toBe((leader[i - 1] as LogEntry).term);
        for (const e of committedBefore) expect(log.entryAt(e.index)).toEqual(e);
        expect(log.committed).toBeLessThanOrEqual(last);
      }),
      { numRuns: 400 },
    );
  });
});

describe("Inflights properties", () => {
  it("never holds more than its capacity and frees exactly the acknowledged prefix", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.array(fc.oneof(fc.constant("add" as const), fc.nat(50)), { maxLength: 60 }), (capacity, ops) => {
        const inflights = new Inflights(capacity);
        const model: number[] = [];
        let next = 1;
        for (const op of ops) {
          if (op === "add") {
            if (inflights.full()) continue;
            inflights.add(next);
            model.push(next);
            next += 1;
          } else {
            inflights.freeTo(op);
            while (model.length > 0 && (model[0] as number) <= op) model.shift();
          }
          expect(inflights.count).toBe(model.length);
          expect(inflights.count).toBeLessThanOrEqual(capacity);
        }
      }),
    );
  });
});

const command: fc.Arbitrary<KvCommand> = fc.oneof(
  fc.record({ op: fc.constant("put" as const), key: fc.constantFrom("a", "b"), value: fc.string({ maxLength: 3 }) }),
  fc.record({ op: fc.constant("delete" as const), key: fc.constantFrom("a", "b") }),
  fc.record({ op: fc.constant("cas" as const), key: fc.constantFrom("a", "b"), expected: fc.option(fc.string({ maxLength: 3 }), { nil: null }), value: fc.option(fc.string({ maxLength: 3 }), { nil: null }) }),
);

describe("KvStateMachine properties", () => {
  it("retried requests (same client and seq) are applied once", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(command, fc.nat(2)), { maxLength: 40 }), (items) => {
        const once = new KvStateMachine();
        const retried = new KvStateMachine();
        items.forEach(([cmd, retries], seq) => {
          const withId = { ...cmd, client: "c", seq };
          const first = once.apply(withId);
          for (let r = 0; r <= retries; r++) expect(retried.apply(withId)).toEqual(first);
        });
        expect(retried.snapshot()).toBe(once.snapshot());
      }),
    );
  });

  it("snapshot and restore round-trip the state, sessions included", () => {
    fc.assert(
      fc.property(fc.array(command, { maxLength: 30 }), (cmds) => {
        const a = new KvStateMachine();
        cmds.forEach((cmd, seq) => a.apply({ ...cmd, client: "c", seq }));
        const b = new KvStateMachine();
        b.restore(a.snapshot());
        expect(b.snapshot()).toBe(a.snapshot());
        // A retry after restore is still recognised.
        const last = cmds.length - 1;
        if (last >= 0) expect(b.apply({ ...(cmds[last] as KvCommand), client: "c", seq: last })).toEqual(a.apply({ ...(cmds[last] as KvCommand), client: "c", seq: last }));
      }),
    );
  });
});

describe("KV command codec", () => {
  it("round-trips any command, whatever characters keys and values hold", () => {
    const text = fc.string({ unit: "binary", maxLength: 12 });
    const withId = fc.record({ client: fc.option(text, { nil: undefined }), seq: fc.option(fc.nat(), { nil: undefined }) });
    const cmd = fc.tuple(
      fc.oneof(
        fc.record({ op: fc.constant("put" as const), key: text, value: text }),
        fc.record({ op: fc.constant("delete" as const), key: text }),
        fc.record({ op: fc.constant("cas" as const), key: text, expected: fc.option(text, { nil: null }), value: fc.option(text, { nil: null }) }),
      ),
      withId,
    ).map(([c, id]): KvCommand => ({ ...c, ...(id.client !== undefined ? { client: id.client } : {}), ...(id.seq !== undefined ? { seq: id.seq } : {}) }));
    fc.assert(
      fc.property(cmd, (c) => {
        expect(decodeKvCommand(encodeKvCommand(c))).toEqual(c);
        expect(decodeKvCommand(JSON.stringify(c))).toEqual(c);
      }),
    );
  });

  it("rejects malformed data with a ValidationError", () => {
    expect(() => decodeKvCommand("X~~~~~")).toThrow(ValidationError);
    expect(() => decodeKvCommand(JSON.stringify({ op: "put", key: 1 }))).toThrow(ValidationError);
  });
});
