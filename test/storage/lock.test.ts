import { spawn, spawnSync } from "node:child_process";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { ConflictError } from "../../src/core/errors.js";
import { FileStorage } from "../../src/file-storage.js";
import { acquireLockFile, LOCK_FILE, lockDirectory, type LockOwnership } from "../../src/storage/lock.js";
import { simRuns, simSeed, withSeed } from "../support/sim.js";
import { tempDirs } from "./helpers.js";

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

const deadPid = (): number => spawnSync(process.execPath, ["-e", ""]).pid ?? 0;

describe("directory lock", () => {
  it("lets exactly one of two concurrent opens in one process have the directory", async () => {
    const dir = await dirs.make();
    const results = await Promise.allSettled([FileStorage.open(dir), FileStorage.open(dir)]);
    const opened = results.filter((r) => r.status === "fulfilled");
    const refused = results.filter((r) => r.status === "rejected");
    expect(opened).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect((refused[0] as PromiseRejectedResult).reason).toBeInstanceOf(ConflictError);
    await (opened[0] as PromiseFulfilledResult<FileStorage>).value.close();
    // Released cleanly: the directory opens again and no private lock files are left behind.
    await (await FileStorage.open(dir)).close();
    expect(await readdir(dir)).not.toContain(LOCK_FILE);
    expect((await readdir(dir)).filter((name) => name.startsWith(`${LOCK_FILE}.`))).toEqual([]);
  });

  it("takes over a stale lock left by a dead pid, writing its own pid", async () => {
    const dir = await dirs.make();
    await writeFile(join(dir, LOCK_FILE), String(deadPid()));
    const release = await lockDirectory(dir);
    expect(await readFile(join(dir, LOCK_FILE), "utf8")).toBe(String(process.pid));
    await expect(lockDirectory(dir)).rejects.toBeInstanceOf(ConflictError);
    await release();
    expect(await readdir(dir)).toEqual([]);
  });

  it("treats an empty or garbled lock file as stale, since a live owner always writes its pid first", async () => {
    const dir = await dirs.make();
    for (const content of ["", "not a pid", "-4"]) {
      await writeFile(join(dir, LOCK_FILE), content);
      await (await lockDirectory(dir))();
    }
    expect(await readdir(dir)).toEqual([]);
  });

  it("clears private files left by contenders that died, and keeps a live contender's", async () => {
    const dir = await dirs.make();
    const dead = deadPid();
    const leftovers = [`${LOCK_FILE}.${dead}.0f1e2d3c-aaaa-4bbb-8ccc-123456789abc.pending`, `${LOCK_FILE}.${dead}.0f1e2d3c-aaaa-4bbb-8ccc-123456789abd.stale`];
    const live = `${LOCK_FILE}.${process.ppid}.0f1e2d3c-aaaa-4bbb-8ccc-123456789abe.pending`;
    for (const name of [...leftovers, live, "wal-0000000000000001.log"]) await writeFile(join(dir, name), String(dead));
    const release = await lockDirectory(dir);
    expect((await readdir(dir)).sort()).toEqual([LOCK_FILE, live, "wal-0000000000000001.log"].sort());
    await release();
  });

  it("does not remove a lock that another owner holds by the time it is released", async () => {
    const dir = await dirs.make();
    const release = await lockDirectory(dir);
    await writeFile(join(dir, LOCK_FILE), String(process.ppid));
    await release();
    expect(await readFile(join(dir, LOCK_FILE), "utf8")).toBe(String(process.ppid));
  });

  it("property: of any number of racing contenders exactly one gets the lock, whatever was left before", async () => {
    const prior = fc.constantFrom("none", "stale", "live", "garbage");
    // A takeover marker: none, left by a contender that died mid-takeover, or held by a live one.
    const marker = fc.constantFrom("none", "stale", "live");
    await withSeed(simSeed(7), async (seed) => {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 2, max: 8 }), prior, marker, async (contenders, before, takeover) => {
          const dir = await dirs.make();
          const path = join(dir, LOCK_FILE);
          // Contenders 1000.. are live; 999 stands for a process that has exited, 4242 for a live stranger.
          const live = new Set([4242, ...Array.from({ length: contenders }, (_, i) => 1000 + i)]);
          const as = (pid: number): LockOwnership => ({ pid, alive: (owner) => live.has(owner) });
          if (before !== "none") await writeFile(path, before === "stale" ? "999" : before === "live" ? "4242" : "x");
          if (takeover !== "none") await writeFile(`${path}.takeover`, takeover === "stale" ? "999" : "4242");
          const results = await Promise.allSettled(Array.from({ length: contenders }, (_, i) => acquireLockFile(path, as(1000 + i))));
          const winners = results.flatMap((r, i) => (r.status === "fulfilled" ? [1000 + i] : []));
          for (const r of results) if (r.status === "rejected") expect(r.reason).toBeInstanceOf(ConflictError);
          const content = await readFile(path, "utf8");
          const names = await readdir(dir);
          if (before === "live") {
            expect(winners).toEqual([]);
            expect(content).toBe("4242");
          } else if (before !== "none" && takeover === "live") {
            // A live contender is replacing the stale lock: nobody else may touch it.
            expect(winners).toEqual([]);
            expect(content).toBe(before === "stale" ? "999" : "x");
          } else {
            expect(winners).toHaveLength(1);
            expect(content).toBe(String(winners[0]));
          }
          // Only the lock and a live contender's marker remain; a stale marker is cleared when in the way.
          expect(names.filter((name) => name !== LOCK_FILE && name !== `${LOCK_FILE}.takeover`)).toEqual([]);
          if (takeover === "live") expect(await readFile(`${path}.takeover`, "utf8")).toBe("4242");
        }),
        { seed, numRuns: simRuns(40) },
      );
    });
  });

  it("lets exactly one of two processes opening the directory at once have it", async () => {
    const dir = await dirs.make();
    const lockModule = fileURLToPath(new URL("../../src/storage/lock.ts", import.meta.url));
    // Each child takes the lock, reports, and holds it until told to exit.
    const script = `const { lockDirectory } = await import(${JSON.stringify(lockModule)});
      try { await lockDirectory(${JSON.stringify(dir)}); console.log("locked"); } catch (e) { console.log(e.code ?? e.name); }
      process.stdin.once("data", () => process.exit(0));`;
    const children = [0, 1].map(() => spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { stdio: ["pipe", "pipe", "inherit"] }));
    const outcomes = await Promise.all(
      children.map(
        (child) =>
          new Promise<string>((done) => {
            let out = "";
            child.stdout.on("data", (chunk: Buffer) => {
              out += chunk.toString();
              if (out.includes("\n")) done(out.trim());
            });
          }),
      ),
    );
    for (const child of children) child.stdin.end("bye\n");
    await Promise.all(children.map((child) => new Promise((done) => child.once("exit", done))));
    expect(outcomes.sort()).toEqual(["conflict", "locked"]);
  }, 30_000);
});
