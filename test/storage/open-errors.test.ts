import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ValidationError } from "../../src/core/errors.js";
import { MemoryStorage, StorageError } from "../../src/storage/index.js";
import { FileStorage } from "../../src/file-storage.js";
import { entry, tempDirs } from "./helpers.js";

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

describe("FileStorage.open on a path it cannot use", () => {
  it("names the path in a typed error when a file stands where the directory should be", async () => {
    const root = await dirs.make();
    const file = join(root, "plain-file");
    await writeFile(file, "x");
    for (const dir of [file, join(file, "raft")]) {
      const error = await FileStorage.open(dir).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StorageError);
      expect(error).toMatchObject({ path: dir, reason: "not_a_directory", code: "storage.not_a_directory" });
      expect((error as Error).message).toContain(dir);
    }
  });

  it("creates missing parents", async () => {
    const dir = join(await dirs.make(), "a", "b", "c");
    const storage = await FileStorage.open(dir);
    await storage.save({ entries: [entry(1, 1)] });
    await storage.close();
  });

  it.skipIf(process.platform !== "linux")("reports a directory it may not create as permission_denied", async () => {
    // /sys refuses new entries even to root, which chmod-based tests cannot rely on.
    const dir = "/sys/edgeflow-storage-test";
    await expect(FileStorage.open(dir)).rejects.toMatchObject({ path: dir, reason: "permission_denied" });
  });

  it("refuses an existing directory it cannot write to with a typed error", async () => {
    const dir = join(await dirs.make(), "raft");
    await mkdir(dir);
    // A directory named like the lock file makes the lock write fail with EISDIR/EEXIST, as any unwritable lock would.
    await mkdir(join(dir, "LOCK"));
    const error = await FileStorage.open(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as { code?: string }).code).toMatch(/^(storage\.|conflict)/);
  });

  it.each([
    ["number", 42],
    ["empty", ""],
    ["NUL", "a\0b"],
  ])("rejects a %s dir with a ValidationError", async (_name, dir) => {
    await expect(FileStorage.open(dir as string)).rejects.toBeInstanceOf(ValidationError);
  });

  it.each([
    { segmentBytes: Number.NaN },
    { maxRecordBytes: Number.POSITIVE_INFINITY },
    { segmentBytes: "1" },
    { sync: "never" },
  ])("rejects bad options %o", async (options) => {
    await expect(FileStorage.open(await dirs.make(), options as never)).rejects.toBeInstanceOf(ValidationError);
  });
});

describe("MemoryStorage validates what it is given", () => {
  it("rejects malformed writes and snapshots, leaving the state unchanged", async () => {
    const storage = new MemoryStorage();
    await storage.save({ hardState: { term: 1, vote: null, commit: 0 }, entries: [entry(1, 1)] });
    const before = await storage.load();
    await expect(storage.save({ hardState: { term: Number.NaN, vote: null, commit: 0 } })).rejects.toBeInstanceOf(ValidationError);
    await expect(storage.save({ entries: [{ ...entry(2, 1), index: Number.POSITIVE_INFINITY }] })).rejects.toBeInstanceOf(ValidationError);
    await expect(storage.save({ entries: [entry(2, 1), entry(4, 1)] })).rejects.toBeInstanceOf(ValidationError);
    await expect(storage.compact({ metadata: { index: 1, term: 1, confState: { voters: "a", learners: [] } }, data: "" } as never)).rejects.toBeInstanceOf(ValidationError);
    expect(() => storage.crash(-1)).toThrow(ValidationError);
    expect(() => new MemoryStorage({ syncDelayMs: Number.NaN })).toThrow(ValidationError);
    expect(await storage.load()).toEqual(before);
  });
});

describe("FileStorage disposal and cancellation", () => {
  it("is disposed by await using, and an aborted open changes nothing", async () => {
    const dir = await dirs.make();
    {
      await using storage = await FileStorage.open(dir);
      await storage.save({ entries: [entry(1, 1)] });
    }
    // Disposed: the lock is free again.
    const reopened = await FileStorage.open(dir);
    expect((await reopened.load()).entries).toHaveLength(1);
    await reopened.close();
    const controller = new AbortController();
    controller.abort();
    await expect(FileStorage.open(join(dir, "never"), {}, { signal: controller.signal })).rejects.toMatchObject({ code: "cancelled" });
    await expect(FileStorage.open(dir, {}, { signal: controller.signal })).rejects.toMatchObject({ code: "cancelled" });
    const memory = new MemoryStorage();
    await memory[Symbol.asyncDispose]();
    await expect(memory.load()).rejects.toMatchObject({ code: "closed" });
  });
});
