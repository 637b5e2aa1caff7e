import { appendFile, readFile, stat, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { StorageCorruptionError } from "../../src/storage/index.js";
import { FileStorage } from "../../src/file-storage.js";
import type { LogEntry, StorageWrite } from "../../src/storage/types.js";
import { simRuns } from "../support/sim.js";
import { digestDir, entry, plain, ReferenceStore, segmentFiles, tempDirs } from "./helpers.js";

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

/** A step of a generated workload: an append (possibly overwriting a suffix) or a hard-state change. */
type Step = { kind: "append"; count: number; rewind: number; newTerm: boolean } | { kind: "vote"; vote: string | null } | { kind: "commit" };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("append" as const), count: fc.integer({ min: 1, max: 4 }), rewind: fc.integer({ min: 0, max: 3 }), newTerm: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("vote" as const), vote: fc.constantFrom("a", "b", null) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("commit" as const) }) },
);

/** Turns steps into valid writes, applying each to `reference`. */
function writesFor(steps: readonly Step[], reference: ReferenceStore): StorageWrite[] {
  const writes: StorageWrite[] = [];
  for (const step of steps) {
    let write: StorageWrite;
    if (step.kind === "append") {
      const term = reference.hardState.term + (step.newTerm ? 1 : 0);
      const first = Math.max(reference.hardState.commit + 1, reference.lastIndex + 1 - step.rewind);
      const entries: LogEntry[] = Array.from({ length: step.count }, (_, i) => entry(first + i, Math.max(term, 1)));
      write = { entries, hardState: { ...reference.hardState, term: Math.max(term, 1) } };
    } else if (step.kind === "vote") {
      write = { hardState: { ...reference.hardState, vote: step.vote } };
    } else {
      write = { hardState: { ...reference.hardState, commit: reference.lastIndex } };
    }
    reference.save(write);
    writes.push(write);
  }
  return writes;
}

/** Saves `writes` one by one; returns the WAL byte count after each acknowledgement. */
async function saveAll(storage: FileStorage, writes: readonly StorageWrite[]): Promise<number[]> {
  const ends: number[] = [];
  for (const write of writes) {
    await storage.save(write);
    ends.push(storage.stats().bytesWritten);
  }
  return ends;
}

function replay(writes: readonly StorageWrite[], count: number): ReferenceStore {
  const reference = new ReferenceStore();
  for (const write of writes.slice(0, count)) reference.save(write);
  return reference;
}

describe("FileStorage crash recovery", () => {
  it("after the WAL is cut at any byte, recovers exactly the writes acknowledged before the cut", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb, { minLength: 1, maxLength: 20 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean(), async (steps, where, smallSegments) => {
        const dir = await dirs.make();
        const options = smallSegments ? { segmentBytes: 200 } : {};
        const writes = writesFor(steps, new ReferenceStore());
        const storage = await FileStorage.open(dir, options);
        const ends = await saveAll(storage, writes);
        await storage.close();

        // Cut inside the last segment, where a crash can tear a write.
        const segments = await segmentFiles(dir);
        const last = join(dir, segments.at(-1) as string);
        const lastSize = (await stat(last)).size;
        const total = ends.at(-1) ?? 0;
        const cut = Math.floor(where * lastSize);
        await truncate(last, cut);
        const globalCut = total - lastSize + cut;
        const survivors = ends.filter((end) => end <= globalCut).length;

        const reopened = await FileStorage.open(dir, options);
        expect(plain(await reopened.load())).toEqual(plain(replay(writes, survivors).state()));
        // The torn tail is gone: a new write lands after the last good record and survives.
        const reference = replay(writes, survivors);
        const extra: StorageWrite = { hardState: { ...reference.hardState, vote: "z" } };
        await reopened.save(extra);
        reference.save(extra);
        await reopened.close();
        const again = await FileStorage.open(dir, options);
        expect(plain(await again.load())).toEqual(plain(reference.state()));
        await again.close();
      }),
      { numRuns: simRuns(40) },
    );
  });

  it("refuses a damaged record followed by valid ones, naming file and offset, and modifies nothing", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 3, max: 12 }), fc.nat(), fc.nat(), fc.integer({ min: 1, max: 255 }), async (count, recordPick, bytePick, xor) => {
        const dir = await dirs.make();
        const storage = await FileStorage.open(dir);
        const writes = Array.from({ length: count }, (_, i): StorageWrite => ({ entries: [entry(i + 1, 1)] }));
        const ends = await saveAll(storage, writes);
        await storage.close();
        const damaged = recordPick % (count - 1); // never the last record
        const start = damaged === 0 ? 0 : (ends[damaged - 1] as number);
        const length = (ends[damaged] as number) - start;
        const path = join(dir, (await segmentFiles(dir))[0] as string);
        const bytes = await readFile(path);
        const position = start + (bytePick % length);
        bytes[position] = (bytes[position] as number) ^ xor;
        await writeFile(path, bytes);
        const before = await digestDir(dir);

        const error = await FileStorage.open(dir).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(StorageCorruptionError);
        expect(error).toMatchObject({ file: path, offset: start, code: "storage.corruption" });
        expect(await digestDir(dir)).toEqual(before);
      }),
      { numRuns: simRuns(40) },
    );
  });

  it("truncates a last record with a bad checksum as a torn write", async () => {
    const dir = await dirs.make();
    const storage = await FileStorage.open(dir);
    const writes = Array.from({ length: 5 }, (_, i): StorageWrite => ({ entries: [entry(i + 1, 1)] }));
    const ends = await saveAll(storage, writes);
    await storage.close();
    const path = join(dir, (await segmentFiles(dir))[0] as string);
    const bytes = await readFile(path);
    bytes[bytes.length - 2] = (bytes[bytes.length - 2] as number) ^ 0xff;
    await writeFile(path, bytes);
    const reopened = await FileStorage.open(dir);
    expect(plain(await reopened.load())).toEqual(plain(replay(writes, 4).state()));
    expect((await stat(path)).size).toBe(ends[3]);
    await reopened.close();
  });

  it("treats a zero-filled tail (blocks allocated but never written) as torn", async () => {
    const dir = await dirs.make();
    const storage = await FileStorage.open(dir);
    const writes = [{ entries: [entry(1, 1)] }, { entries: [entry(2, 1)] }];
    await saveAll(storage, writes);
    await storage.close();
    const path = join(dir, (await segmentFiles(dir))[0] as string);
    await appendFile(path, Buffer.alloc(4096));
    const reopened = await FileStorage.open(dir);
    expect(plain(await reopened.load())).toEqual(plain(replay(writes, 2).state()));
    await reopened.close();
  });

  it("keeps the hard state when a fresh segment's first write was torn and older segments are compacted away", async () => {
    const dir = await dirs.make();
    const options = { segmentBytes: 120 };
    const storage = await FileStorage.open(dir, options);
    await storage.save({ hardState: { term: 7, vote: "c", commit: 0 } });
    for (let i = 1; i <= 8; i++) await storage.save({ entries: [entry(i, 7)] });
    await storage.close();
    const segments = await segmentFiles(dir);
    expect(segments.length).toBeGreaterThan(2);
    await truncate(join(dir, segments.at(-1) as string), 0); // the crash tore the new segment's first write
    const reopened = await FileStorage.open(dir, options);
    const survivors = (await reopened.load()).entries.length;
    await reopened.save({ entries: [entry(survivors + 1, 7)] });
    await reopened.compact({ metadata: { index: survivors + 1, term: 7, confState: { voters: ["c"], learners: [] } }, data: "s" });
    expect((await segmentFiles(dir)).length).toBe(1);
    await reopened.close();
    const again = await FileStorage.open(dir, options);
    expect((await again.load()).hardState).toEqual({ term: 7, vote: "c", commit: 0 });
    await again.close();
  });

  it("recovers from a crash between writing the snapshot file and logging it", async () => {
    const dir = await dirs.make();
    const storage = await FileStorage.open(dir);
    await storage.save({ hardState: { term: 2, vote: "a", commit: 3 }, entries: [entry(1, 1), entry(2, 1), entry(3, 2), entry(4, 2), entry(5, 2)] });
    const before = storage.stats().bytesWritten;
    await storage.compact({ metadata: { index: 3, term: 2, confState: { voters: ["a"], learners: [] } }, data: "s3" });
    const afterCompact = storage.stats().bytesWritten;
    // A leader's snapshot that conflicts with the local suffix (entry 4 has term 2, not 5): entry 5 must go.
    await storage.save({ snapshot: { metadata: { index: 4, term: 5, confState: { voters: ["a"], learners: [] } }, data: "s4" } });
    await storage.close();
    const segment = join(dir, (await segmentFiles(dir))[0] as string);

    // Lose the install's log record: the snapshot file is ahead of the log, whose suffix is stale.
    await truncate(segment, afterCompact);
    const first = await FileStorage.open(dir);
    expect(plain(await first.load())).toMatchObject({ snapshot: { metadata: { index: 4, term: 5 } }, entries: [] });
    await first.close();

    // Lose the compaction's record too (the snapshot file stays at index 4): still consistent.
    await truncate(segment, before);
    const second = await FileStorage.open(dir);
    expect(plain(await second.load())).toMatchObject({ hardState: { term: 2, commit: 3 }, snapshot: { metadata: { index: 4 } }, entries: [] });
    await second.close();
  });

  it("refuses damage anywhere in a sealed segment, even in its last record", async () => {
    const dir = await dirs.make();
    const storage = await FileStorage.open(dir, { segmentBytes: 100 });
    await saveAll(storage, Array.from({ length: 6 }, (_, i): StorageWrite => ({ entries: [entry(i + 1, 1)] })));
    await storage.close();
    const segments = await segmentFiles(dir);
    expect(segments.length).toBeGreaterThan(2);
    const sealed = join(dir, segments[0] as string);
    const bytes = await readFile(sealed);
    bytes[bytes.length - 2] = (bytes[bytes.length - 2] as number) ^ 0x01;
    await writeFile(sealed, bytes);
    const before = await digestDir(dir);
    await expect(FileStorage.open(dir, { segmentBytes: 100 })).rejects.toMatchObject({ file: sealed, reason: expect.stringMatching(/sealed segment/) });
    expect(await digestDir(dir)).toEqual(before);
  });

  it("refuses a damaged snapshot file and removes a leftover temporary one", async () => {
    const dir = await dirs.make();
    const storage = await FileStorage.open(dir);
    await storage.save({ entries: [entry(1, 1), entry(2, 1)] });
    await storage.compact({ metadata: { index: 1, term: 1, confState: { voters: ["a"], learners: [] } }, data: "s" });
    await storage.close();

    await writeFile(join(dir, "snapshot.bin.tmp"), "half a snapshot");
    const reopened = await FileStorage.open(dir);
    expect((await reopened.load()).snapshot?.metadata.index).toBe(1);
    await reopened.close();
    expect(Object.keys(await digestDir(dir))).not.toContain("snapshot.bin.tmp");

    const snapshotPath = join(dir, "snapshot.bin");
    const bytes = await readFile(snapshotPath);
    bytes[10] = (bytes[10] as number) ^ 0x20;
    await writeFile(snapshotPath, bytes);
    await expect(FileStorage.open(dir)).rejects.toMatchObject({ file: snapshotPath, code: "storage.corruption" });
  });
});
