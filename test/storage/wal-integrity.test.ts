import { appendFile, copyFile, readFile, rename, stat, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { StorageCorruptionError } from "../../src/storage/index.js";
import { FileStorage } from "../../src/file-storage.js";
import { recover } from "../../src/storage/recovery.js";
import { segmentName } from "../../src/storage/segments.js";
import { writeSnapshotFile } from "../../src/storage/snapshot-file.js";
import type { Snapshot } from "../../src/storage/types.js";
import { digestDir, entry, plain, segmentFiles, tempDirs } from "./helpers.js";

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

const snapshotAt = (index: number, term: number): Snapshot => ({ metadata: { index, term, confState: { voters: ["a"], learners: [] } }, data: `image-${index}` });

/** A store whose acknowledged state spans several segments; the last segment votes in a later term. */
async function multiSegmentStore(dir: string): Promise<string[]> {
  const storage = await FileStorage.open(dir, { segmentBytes: 300 });
  await storage.save({ hardState: { term: 1, vote: "a", commit: 0 } });
  for (let i = 1; i <= 12; i++) await storage.save({ entries: [entry(i, 1)] });
  await storage.save({ hardState: { term: 9, vote: "b", commit: 4 } });
  await storage.close();
  const segments = await segmentFiles(dir);
  expect(segments.length).toBeGreaterThan(3);
  return segments;
}

async function expectRefused(dir: string, reason: RegExp): Promise<void> {
  const before = await digestDir(dir);
  const error = await FileStorage.open(dir, { segmentBytes: 300 }).then(
    (s) => s.close().then(() => undefined),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StorageCorruptionError);
  expect((error as StorageCorruptionError).reason).toMatch(reason);
  expect(await digestDir(dir)).toEqual(before);
}

describe("WAL segments carry their sequence number and first index", () => {
  it("refuses a segment duplicated under the next name instead of replaying it (no rollback of term or vote)", async () => {
    const dir = await dirs.make();
    const segments = await multiSegmentStore(dir);
    const last = Number((segments.at(-1) as string).slice(4, 20));
    await copyFile(join(dir, segments[1] as string), join(dir, segmentName(last + 1)));
    await expectRefused(dir, /header says it is segment|segment missing, duplicated/);
  });

  it("refuses an older segment copied over a newer one", async () => {
    const dir = await dirs.make();
    const segments = await multiSegmentStore(dir);
    await copyFile(join(dir, segments[0] as string), join(dir, segments[2] as string));
    await expectRefused(dir, /header says it is segment/);
  });

  it("refuses segments swapped by renaming, and a gap in the sequence", async () => {
    const dir = await dirs.make();
    const segments = await multiSegmentStore(dir);
    const [a, b] = [join(dir, segments[1] as string), join(dir, segments[2] as string)];
    await rename(a, a + ".x");
    await rename(b, a);
    await rename(a + ".x", b);
    await expectRefused(dir, /header says it is segment/);
    await rename(b, b + ".gone");
    await expectRefused(dir, /not contiguous/);
  });
});

describe("a torn tail is told from damage to synced data", () => {
  it("refuses a zeroed page in the middle of the last segment, where acknowledged records were", async () => {
    const dir = await dirs.make();
    const storage = await FileStorage.open(dir);
    for (let i = 1; i <= 200; i++) await storage.save({ entries: [entry(i, 1)], hardState: { term: 1, vote: "a", commit: i - 1 } });
    await storage.close();
    const path = join(dir, (await segmentFiles(dir))[0] as string);
    const bytes = await readFile(path);
    // Zero the page holding the very end: no complete record follows the damage.
    const page = Math.floor((bytes.length - 1) / 4096) * 4096;
    bytes.fill(0, page, Math.min(bytes.length, page + 4096));
    await writeFile(path, bytes);
    await expectRefused(dir, /synced length/);
    // A zeroed page further in is refused too.
    bytes.fill(0, 4096, 8192);
    await writeFile(path, bytes);
    await expectRefused(dir, /synced length/);
  });

  it("refuses a deleted last segment instead of falling back to an older term", async () => {
    const dir = await dirs.make();
    const segments = await multiSegmentStore(dir);
    await unlink(join(dir, segments.at(-1) as string));
    const error = await FileStorage.open(dir, { segmentBytes: 300 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageCorruptionError);
    expect((error as StorageCorruptionError).reason).toMatch(/missing/);
  });

  it("refuses a WAL whose sync marker was deleted", async () => {
    const dir = await dirs.make();
    await multiSegmentStore(dir);
    await unlink(join(dir, "SYNCED"));
    await expectRefused(dir, /sync marker is missing/);
  });

  it("still cuts a tail that was never synced, and appends after it", async () => {
    const dir = await dirs.make();
    const storage = await FileStorage.open(dir);
    await storage.save({ entries: [entry(1, 1)] });
    await storage.close();
    const path = join(dir, (await segmentFiles(dir))[0] as string);
    const size = (await stat(path)).size;
    await appendFile(path, Buffer.from([200, 0, 0, 0, 1, 2, 3, 4, 5]));
    const reopened = await FileStorage.open(dir);
    await reopened.save({ entries: [entry(2, 1)] });
    await reopened.close();
    expect((await stat(path)).size).toBeGreaterThan(size);
    const again = await FileStorage.open(dir);
    expect((await again.load()).entries.map((e) => e.index)).toEqual([1, 2]);
    await again.close();
  });
});

describe("a snapshot newer than what remains of the log", () => {
  async function logThenSnapshotFile(snapshot: Snapshot): Promise<string> {
    const dir = await dirs.make();
    const storage = await FileStorage.open(dir);
    await storage.save({ hardState: { term: 3, vote: "a", commit: 5 }, entries: Array.from({ length: 10 }, (_, i) => entry(i + 1, 3)) });
    await storage.close();
    // A crash after the snapshot file was written and before its log record was.
    await writeSnapshotFile(dir, snapshot, "datasync");
    return dir;
  }

  it("raises the commit index to the snapshot and keeps a log that continues it", async () => {
    const dir = await logThenSnapshotFile(snapshotAt(8, 3));
    const storage = await FileStorage.open(dir);
    const state = plain(await storage.load()) as { hardState: { commit: number }; entries: Array<{ index: number }> };
    expect(state.hardState.commit).toBe(8);
    expect(state.entries.map((e) => e.index)).toEqual([9, 10]);
    await storage.close();
  });

  it("restarts the log after a snapshot it does not continue", async () => {
    const dir = await logThenSnapshotFile(snapshotAt(8, 4));
    const storage = await FileStorage.open(dir);
    const state = await storage.load();
    expect(state.hardState.commit).toBe(8);
    expect(state.entries).toEqual([]);
    await storage.save({ entries: [entry(9, 4)] });
    await storage.close();
    const again = await FileStorage.open(dir);
    expect((await again.load()).entries.map((e) => [e.index, e.term])).toEqual([[9, 4]]);
    await again.close();
  });
});

describe("opening is linear in the size of the log", () => {
  it("checks each byte of a junk tail at most once", async () => {
    const dir = await dirs.make();
    const storage = await FileStorage.open(dir);
    for (let i = 1; i <= 20; i++) await storage.save({ entries: [entry(i, 1)] });
    await storage.close();
    const path = join(dir, (await segmentFiles(dir))[0] as string);
    // Junk whose every 4-byte word reads as a plausible 64 KiB record length: a scan that searches
    // for valid records after the damage checksums 64 KiB at each of them (quadratic).
    const junk = Buffer.alloc(1024 * 1024);
    for (let at = 0; at < junk.length; at += 4) junk.writeUInt32LE(65_536, at);
    await appendFile(path, junk);
    const size = (await stat(path)).size;
    const recovered = await recover(dir, 64 * 1024 * 1024);
    expect(recovered.torn).toBeDefined();
    expect(recovered.checkedBytes).toBeLessThanOrEqual(size + 64 * 1024 + 8);
    const reopened = await FileStorage.open(dir);
    expect((await reopened.load()).entries).toHaveLength(20);
    await reopened.close();
  });
});
