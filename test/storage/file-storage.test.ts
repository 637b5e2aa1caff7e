import { spawnSync } from "node:child_process";
import { readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ClosedError, ConflictError, ValidationError } from "../../src/core/errors.js";
import { StorageFailedError } from "../../src/storage/index.js";
import { FileStorage } from "../../src/file-storage.js";
import type { Snapshot } from "../../src/storage/types.js";
import { entry, plain, ReferenceStore, segmentFiles, tempDirs } from "./helpers.js";

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

const snapshotAt = (index: number, term: number, data = `state@${index}`): Snapshot => ({
  metadata: { index, term, confState: { voters: ["a", "b", "c"], learners: [] } },
  data,
});

describe("FileStorage", () => {
  it("starts empty and round-trips hard state and entries across reopen", async () => {
    const dir = await dirs.make();
    const storage = await FileStorage.open(dir);
    expect(plain(await storage.load())).toEqual({ hardState: { term: 0, vote: null, commit: 0 }, snapshot: null, entries: [] });
    await storage.save({ hardState: { term: 1, vote: "a", commit: 0 }, entries: [entry(1, 1), entry(2, 1)] });
    await storage.save({ hardState: { term: 1, vote: "a", commit: 2 } });
    await storage.close();

    const reopened = await FileStorage.open(dir);
    const state = await reopened.load();
    expect(plain(state)).toEqual({ hardState: { term: 1, vote: "a", commit: 2 }, snapshot: null, entries: [entry(1, 1), entry(2, 1)] });
    expect(Object.isFrozen(state.entries)).toBe(true);
    expect(Object.isFrozen(state.entries[0])).toBe(true);
    await reopened.close();
  });

  it("truncates the log from the first entry of a conflicting append", async () => {
    const dir = await dirs.make();
    const storage = await FileStorage.open(dir);
    await storage.save({ entries: [entry(1, 1), entry(2, 1), entry(3, 1), entry(4, 1)] });
    await storage.save({ entries: [entry(3, 2), entry(4, 2), entry(5, 2)] });
    await storage.save({ entries: [entry(4, 3)] });
    const expected = [entry(1, 1), entry(2, 1), entry(3, 2), entry(4, 3)];
    expect(plain(await storage.load())).toMatchObject({ entries: expected });
    await storage.close();
    const reopened = await FileStorage.open(dir);
    expect(plain(await reopened.load())).toMatchObject({ entries: expected });
    await reopened.close();
  });

  it("refuses a write that would leave a gap or overlap the snapshot, applying none of it", async () => {
    const dir = await dirs.make();
    const storage = await FileStorage.open(dir);
    await storage.save({ entries: [entry(1, 1), entry(2, 1)] });
    const gap = storage.save({ hardState: { term: 5, vote: null, commit: 0 }, entries: [entry(4, 1)] });
    await expect(gap).rejects.toBeInstanceOf(ValidationError);
    await expect(gap).rejects.toMatchObject({ issues: [{ path: "write.entries[0].index" }] });
    await expect(storage.save({ entries: [entry(3, 1), entry(5, 1)] })).rejects.toMatchObject({ issues: [{ path: "write.entries[1].index" }] });
    await expect(storage.save({ hardState: { term: -1, vote: null, commit: 0 } })).rejects.toThrow(/write\.hardState\.term/);
    await storage.compact(snapshotAt(2, 1));
    await expect(storage.save({ entries: [entry(2, 1)] })).rejects.toThrow(/above the snapshot index 2/);
    expect(plain(await storage.load())).toMatchObject({ hardState: { term: 0 }, entries: [] });
    await storage.close();
  });

  it("validates options and the directory", async () => {
    const dir = await dirs.make();
    await expect(FileStorage.open(dir, { segmentBytes: 0 })).rejects.toThrow(/options\.segmentBytes/);
    await expect(FileStorage.open(dir, { sync: "never" as "fsync" })).rejects.toBeInstanceOf(ValidationError);
    await expect(FileStorage.open("")).rejects.toThrow(/dir/);
  });

  it("installs a snapshot sent by a leader: keeps a matching suffix, discards a conflicting one, and raises commit", async () => {
    const dir = await dirs.make();
    const storage = await FileStorage.open(dir);
    const reference = new ReferenceStore();
    const writes = [
      { hardState: { term: 1, vote: "a", commit: 1 }, entries: [entry(1, 1), entry(2, 1), entry(3, 1), entry(4, 1)] },
      { snapshot: snapshotAt(2, 1) }, // matches: 3 and 4 survive
      { snapshot: snapshotAt(6, 3) }, // conflicts: everything after is dropped
      { entries: [entry(7, 3), entry(8, 3)] },
    ];
    for (const write of writes) {
      await storage.save(write);
      reference.save(write);
      expect(plain(await storage.load())).toEqual(plain(reference.state()));
    }
    expect((await storage.load()).hardState.commit).toBe(6);
    await storage.close();
    const reopened = await FileStorage.open(dir);
    expect(plain(await reopened.load())).toEqual(plain(reference.state()));
    await expect(reopened.save({ snapshot: snapshotAt(5, 3) })).rejects.toThrow(/not newer/);
    await reopened.close();
  });

  it("rolls segments and deletes the ones a compaction covers; the result survives reopen", async () => {
    const dir = await dirs.make();
    const storage = await FileStorage.open(dir, { segmentBytes: 256 });
    // The hard state is written once, early: later segments must restate it for it to survive deletion.
    await storage.save({ hardState: { term: 4, vote: "b", commit: 30 } });
    for (let i = 1; i <= 40; i++) await storage.save({ entries: [entry(i, 4)] });
    const before = await segmentFiles(dir);
    expect(before.length).toBeGreaterThan(5);
    expect(storage.stats().segments).toBe(before.length);

    await storage.compact(snapshotAt(30, 4));
    const after = await segmentFiles(dir);
    expect(after.length).toBeLessThan(before.length);
    expect(after.at(-1)).toBe(before.at(-1));
    expect(await readdir(dir)).toContain("snapshot.bin");
    const expected = { hardState: { term: 4, vote: "b", commit: 30 }, snapshot: snapshotAt(30, 4), entries: Array.from({ length: 10 }, (_, i) => entry(31 + i, 4)) };
    expect(plain(await storage.load())).toEqual(expected);
    await storage.close();

    const reopened = await FileStorage.open(dir, { segmentBytes: 256 });
    expect(plain(await reopened.load())).toEqual(expected);
    await reopened.save({ entries: [entry(41, 5)] });
    await reopened.compact(snapshotAt(41, 5));
    await reopened.compact(snapshotAt(35, 4)); // older: a no-op
    await reopened.close();
    const third = await FileStorage.open(dir, { segmentBytes: 256 });
    expect(plain(await third.load())).toEqual({ ...expected, snapshot: snapshotAt(41, 5), entries: [] });
    await third.close();
  });

  it("replays a truncating append that a later snapshot covers as a truncation", async () => {
    const dir = await dirs.make();
    const storage = await FileStorage.open(dir);
    await storage.save({ entries: [entry(1, 1), entry(2, 1)] });
    await storage.save({ entries: [entry(1, 1)] }); // drops entry 2
    await storage.compact(snapshotAt(1, 1));
    await storage.close();
    const reopened = await FileStorage.open(dir);
    expect(plain(await reopened.load())).toMatchObject({ snapshot: snapshotAt(1, 1), entries: [] });
    await reopened.close();
  });

  it("refuses to compact beyond the log or with the wrong term", async () => {
    const dir = await dirs.make();
    const storage = await FileStorage.open(dir);
    await storage.save({ entries: [entry(1, 1), entry(2, 2)] });
    await expect(storage.compact(snapshotAt(3, 2))).rejects.toThrow(/beyond the last stored index 2/);
    await expect(storage.compact(snapshotAt(2, 1))).rejects.toThrow(/snapshot\.metadata\.term/);
    await storage.close();
  });

  it("group-commits concurrent saves into far fewer syncs and resolves them in call order", async () => {
    const dir = await dirs.make();
    const storage = await FileStorage.open(dir);
    await storage.save({ entries: [entry(1, 1)] });
    const syncsBefore = storage.stats().syncs;
    const order: number[] = [];
    const saves: Promise<void>[] = [];
    // Waves of saves, each issued while the previous wave's sync is in flight.
    for (let wave = 0; wave < 4; wave++) {
      for (let i = 0; i < 50; i++) {
        const n = wave * 50 + i;
        saves.push(storage.save({ entries: [entry(2 + n, 1)] }).then(() => void order.push(n)));
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(saves);
    const syncs = storage.stats().syncs - syncsBefore;
    expect(syncs).toBeGreaterThanOrEqual(1);
    expect(syncs).toBeLessThanOrEqual(20);
    expect(order).toEqual(Array.from({ length: 200 }, (_, i) => i));
    await storage.close();
    const reopened = await FileStorage.open(dir);
    expect((await reopened.load()).entries.length).toBe(201);
    await reopened.close();
  });

  it("refuses every call after a failed write, since the disk can no longer be trusted", async () => {
    const dir = await dirs.make();
    const storage = await FileStorage.open(dir, { segmentBytes: 1 });
    await storage.save({ entries: [entry(1, 1)] });
    await rm(dir, { recursive: true }); // the next save must roll to a new segment, which now fails
    const failed = storage.save({ entries: [entry(2, 1)] });
    const queued = storage.save({ entries: [entry(3, 1)] });
    await expect(failed).rejects.toBeInstanceOf(StorageFailedError);
    await expect(queued).rejects.toBeInstanceOf(StorageFailedError);
    await expect(storage.save({ hardState: { term: 1, vote: null, commit: 0 } })).rejects.toMatchObject({ code: "storage.failed" });
    await storage.close();
  });

  it("locks its directory against a second instance, and takes over a lock left by a dead process", async () => {
    const dir = await dirs.make();
    const storage = await FileStorage.open(dir);
    await expect(FileStorage.open(dir)).rejects.toBeInstanceOf(ConflictError);
    await storage.close();
    expect(await readdir(dir)).not.toContain("LOCK");

    await writeFile(join(dir, "LOCK"), String(process.ppid)); // a live process that is not us
    await expect(FileStorage.open(dir)).rejects.toThrow(/locked by running process/);
    const exited = spawnSync(process.execPath, ["-e", ""]).pid;
    await writeFile(join(dir, "LOCK"), String(exited));
    const takenOver = await FileStorage.open(dir);
    await takenOver.close();
    await writeFile(join(dir, "LOCK"), String(process.pid)); // our pid, but not held here: a restart
    await (await FileStorage.open(dir)).close();
  });

  it("rejects every call after close", async () => {
    const dir = await dirs.make();
    const storage = await FileStorage.open(dir);
    await storage.close();
    await storage.close();
    await expect(storage.save({ entries: [entry(1, 1)] })).rejects.toBeInstanceOf(ClosedError);
    await expect(storage.load()).rejects.toBeInstanceOf(ClosedError);
  });
});
