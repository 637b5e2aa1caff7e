/**
 * A directory lock, so two FileStorage instances (in this process or another) never append to the
 * same WAL. The lock file holds the owner's pid; a lock left by a process that is gone is taken over.
 *
 * **Acquisition is atomic.** The pid is written to a private file first, which is then hard-linked
 * to `LOCK`: `link` fails with `EEXIST` when `LOCK` exists, so of any number of contenders exactly one
 * creates it, and nobody ever sees a `LOCK` without its full contents.
 *
 * **Takeover is atomic too.** A contender that finds a `LOCK` whose owner is gone first creates
 * `LOCK.takeover` the same way (link, so only one contender holds it), re-reads `LOCK` under it,
 * removes it only if its owner is still gone, and links its own. A stale lock cannot change while
 * judged (its owner is gone, and only the marker's holder removes it), so no live lock is ever removed.
 *
 * **Assumptions left.** The directory is on a local filesystem with hard links and atomic rename
 * (not all network or FUSE filesystems qualify), and every contender runs on this host in one pid
 * namespace: two containers sharing a volume cannot see each other's pids, so each would take the
 * other's lock for stale. Liveness is judged by pid: a dead owner's pid reused
 * by an unrelated live process keeps the lock held (reported, never silently broken), and our own
 * pid in a lock we do not hold is taken for a restart in a container. A takeover marker left by a
 * contender that died during its takeover is itself removed by rename-and-recheck, which leaves one
 * narrow window: a third contender may create a marker in the instant a live one is moved aside and
 * linked back. That needs a crash inside a takeover and three contenders at once.
 *
 * @module
 */
import { randomUUID } from "node:crypto";
import { link, readdir, readFile, rename, unlink, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { ConflictError } from "../core/errors.js";

export const LOCK_FILE = "LOCK";

/** Rounds before giving up: each starts with a fresh `link` attempt. */
const MAX_ROUNDS = 8;

/** Held while a stale lock is replaced; see {@link takeOver}. */
const TAKEOVER_SUFFIX = ".takeover";

/** `<pid>.<nonce>.pending|stale` after the lock file's name. */
const LEFTOVER_PATTERN = /^(\d+)\.[0-9a-f-]+\.(?:pending|stale)$/;

/** Directories open in this process (a pid check cannot tell two instances of one process apart). */
const openHere = new Set<string>();

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

const errno = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | undefined)?.code;

/** Who a lock file names, and whether that owner still counts. */
export interface LockOwnership {
  /** This contender's id, written to the lock file. */
  readonly pid: number;
  /** Whether the owner named in a lock file is still running. */
  readonly alive: (pid: number) => boolean;
}

const thisProcess: LockOwnership = { pid: process.pid, alive: processAlive };

/** The owner `content` names, or `undefined` when it names nobody who can still hold the lock. */
function liveOwner(content: string, self: LockOwnership): number | undefined {
  const owner = Number.parseInt(content, 10);
  // Our own pid in a lock we do not hold here is stale (a container restarts with the same pid).
  if (!Number.isSafeInteger(owner) || owner <= 0 || owner === self.pid) return undefined;
  return self.alive(owner) ? owner : undefined;
}

async function readOrUndefined(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if (errno(error) === "ENOENT") return undefined;
    throw error;
  }
}

function conflict(path: string, owner: number, doing = "is locked by"): ConflictError {
  return new ConflictError(`storage directory ${dirname(path)} ${doing} running process ${owner} (remove ${path} if that is wrong)`);
}

/**
 * Creates the lock file at `path` for `self`, taking it over from an owner that is gone. Throws
 * {@link ConflictError} when a live owner holds it. The process-local guard is the caller's job.
 *
 * @internal Exported so tests can race contenders with distinct identities in one process.
 */
export async function acquireLockFile(path: string, self: LockOwnership = thisProcess): Promise<void> {
  const nonce = randomUUID();
  const pending = `${path}.${self.pid}.${nonce}.pending`;
  await writeFile(pending, String(self.pid), { flag: "wx" });
  try {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      if (await linkOrExists(pending, path)) return await sweepLeftovers(path, self);
      const content = await readOrUndefined(path);
      if (content === undefined) continue; // released meanwhile: link again
      const owner = liveOwner(content, self);
      if (owner !== undefined) throw conflict(path, owner);
      if (await takeOver(path, pending, `${path}.${self.pid}.${nonce}.stale`, self)) return await sweepLeftovers(path, self);
    }
    throw new ConflictError(`could not take the lock ${path}: it kept changing hands`);
  } finally {
    await unlink(pending).catch(() => undefined);
  }
}

/** Private files (`LOCK.<pid>.<nonce>.pending|stale`) of contenders that died before removing them. */
async function sweepLeftovers(path: string, self: LockOwnership): Promise<void> {
  const prefix = `${basename(path)}.`;
  const names = await readdir(dirname(path)).catch(() => [] as string[]);
  for (const name of names) {
    const match = LEFTOVER_PATTERN.exec(name.startsWith(prefix) ? name.slice(prefix.length) : "");
    if (match === null) continue;
    const pid = Number(match[1]);
    // A live contender's file is still in use; our own pid's files are our own finished ones or a previous incarnation's.
    if (pid !== self.pid && self.alive(pid)) continue;
    await unlink(join(dirname(path), name)).catch(() => undefined);
  }
}

/** `link(from, to)`; false when `to` exists. */
async function linkOrExists(from: string, to: string): Promise<boolean> {
  try {
    await link(from, to);
    return true;
  } catch (error) {
    if (errno(error) === "EEXIST") return false;
    throw error;
  }
}

/**
 * Replaces a stale lock under the takeover marker, so that of several contenders who all judged it
 * stale only one removes it, and nobody removes a lock created after that judgement. True when the
 * lock is now ours; false to start over.
 */
async function takeOver(path: string, pending: string, moved: string, self: LockOwnership): Promise<boolean> {
  const marker = `${path}${TAKEOVER_SUFFIX}`;
  if (!(await linkOrExists(pending, marker))) {
    const content = await readOrUndefined(marker);
    if (content === undefined) return false;
    const taker = liveOwner(content, self);
    if (taker !== undefined) throw conflict(path, taker, "is being taken over by");
    await removeStaleMarker(marker, moved, self);
    return false;
  }
  try {
    // Under the marker the lock can only change by its live owner releasing it; a stale one stays put.
    const content = await readOrUndefined(path);
    if (content !== undefined) {
      const owner = liveOwner(content, self);
      if (owner !== undefined) throw conflict(path, owner);
      await unlink(path).catch((error: unknown) => {
        if (errno(error) !== "ENOENT") throw error;
      });
    }
    return await linkOrExists(pending, path);
  } finally {
    await unlink(marker).catch(() => undefined);
  }
}

/**
 * Removes a takeover marker whose owner died during a takeover. Renaming moves exactly one file, so
 * only one contender gets it; if what it moved is a live contender's marker, it is linked back.
 */
async function removeStaleMarker(marker: string, moved: string, self: LockOwnership): Promise<void> {
  try {
    await rename(marker, moved);
  } catch (error) {
    if (errno(error) === "ENOENT") return;
    throw error;
  }
  const owner = liveOwner((await readOrUndefined(moved)) ?? "", self);
  if (owner !== undefined) await link(moved, marker).catch(() => undefined);
  await unlink(moved).catch(() => undefined);
}

/** Takes the lock on `dir`; throws {@link ConflictError} if a live owner holds it. Returns the release function. */
export async function lockDirectory(dir: string): Promise<() => Promise<void>> {
  const key = resolve(dir);
  if (openHere.has(key)) throw new ConflictError(`storage directory ${dir} is already open in this process`);
  // Claimed before the first await, so two opens racing in this process cannot both pass the check.
  openHere.add(key);
  const path = join(dir, LOCK_FILE);
  try {
    await acquireLockFile(path);
  } catch (error) {
    openHere.delete(key);
    throw error;
  }
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    try {
      // Only remove the lock if it is still ours (a pid check may have judged us gone, wrongly).
      if (Number.parseInt((await readOrUndefined(path)) ?? "", 10) === process.pid) await unlink(path).catch(() => undefined);
    } finally {
      openHere.delete(key);
    }
  };
}
