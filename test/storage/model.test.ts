import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { FileStorage } from "../../src/file-storage.js";
import type { Snapshot } from "../../src/storage/types.js";
import { simRuns } from "../support/sim.js";
import { entry, plain, ReferenceStore, segmentFiles, tempDirs } from "./helpers.js";

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

type Command =
  | { kind: "append"; count: number; rewind: number; term: number }
  | { kind: "hardState"; term: number; commit: number }
  | { kind: "compact"; at: number }
  | { kind: "install"; ahead: number; matching: boolean }
  | { kind: "reopen" };

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant("append" as const), count: fc.integer({ min: 1, max: 5 }), rewind: fc.integer({ min: 0, max: 4 }), term: fc.integer({ min: 0, max: 2 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("hardState" as const), term: fc.integer({ min: 0, max: 2 }), commit: fc.nat(10) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("compact" as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("install" as const), ahead: fc.integer({ min: 1, max: 6 }), matching: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("reopen" as const) }) },
);

const snapshotOf = (index: number, term: number): Snapshot => ({ metadata: { index, term, confState: { voters: ["a"], learners: [] } }, data: `image-${index}-${term}` });

describe("FileStorage against a reference model", () => {
  it("matches the reference after every command, across segment rolls, compactions, installs and reopens", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(commandArb, { minLength: 1, maxLength: 40 }), async (commands) => {
        const dir = await dirs.make();
        const options = { segmentBytes: 300 };
        let storage = await FileStorage.open(dir, options);
        const reference = new ReferenceStore();
        let term = 1;
        try {
          for (const command of commands) {
            switch (command.kind) {
              case "append": {
                term += command.term === 2 ? 1 : 0;
                const first = Math.max(reference.snapshotIndex + 1, reference.lastIndex + 1 - command.rewind);
                const write = { entries: Array.from({ length: command.count }, (_, i) => entry(first + i, term)) };
                await storage.save(write);
                reference.save(write);
                break;
              }
              case "hardState": {
                const write = { hardState: { term: term + command.term, vote: command.term === 1 ? "b" : null, commit: Math.min(command.commit, reference.lastIndex) } };
                await storage.save(write);
                reference.save(write);
                break;
              }
              case "compact": {
                const span = reference.lastIndex - reference.snapshotIndex;
                if (span === 0) break;
                const index = reference.snapshotIndex + 1 + Math.floor(command.at * span * 0.999);
                const snapshot = snapshotOf(index, reference.termAt(index) ?? 0);
                await storage.compact(snapshot);
                reference.compact(snapshot);
                break;
              }
              case "install": {
                const index = reference.snapshotIndex + command.ahead;
                const existing = reference.termAt(index);
                if (command.matching && existing === undefined) break;
                term += command.matching ? 0 : 1;
                const write = { snapshot: snapshotOf(index, command.matching ? (existing as number) : term) };
                await storage.save(write);
                reference.save(write);
                break;
              }
              case "reopen":
                await storage.close();
                storage = await FileStorage.open(dir, options);
                break;
            }
            expect(plain(await storage.load())).toEqual(plain(reference.state()));
          }
          expect(storage.stats().segments).toBe((await segmentFiles(dir)).length);
          await storage.close();
          storage = await FileStorage.open(dir, options);
          expect(plain(await storage.load())).toEqual(plain(reference.state()));
        } finally {
          await storage.close();
        }
      }),
      { numRuns: simRuns(80) },
    );
  });
});
