/**
 * A directory lock, so two FileStorage instances (in this process or another) never append to the
 * same WAL. The lock file holds the owner's pid; a lock left by a process that is gone is taken over.
 *
 * @module
 */
import { readFile, unlink, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { ConflictError } from "../core/errors.js";

export const LOCK_FILE = "LOCK";

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

/** Takes the lock on `dir`; throws {@link ConflictError} if a live owner holds it. Returns the release function. */
export async function lockDirectory(dir: string): Promise<() => Promise<void>> {
  const key = resolve(dir);
  if (openHere.has(key)) throw new ConflictError(`storage directory ${dir} is already open in this process`);
  const path = join(dir, LOCK_FILE);
  let owner: number | undefined;
  try {
    owner = Number.parseInt(await readFile(path, "utf8"), 10);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  // Our own pid in a lock we do not hold here is stale (a container restarts with the same pid).
  if (owner !== undefined && Number.isSafeInteger(owner) && owner > 0 && owner !== process.pid && processAlive(owner)) {
    throw new ConflictError(`storage directory ${dir} is locked by running process ${owner} (remove ${path} if that is wrong)`);
  }
  openHere.add(key);
  try {
    await writeFile(path, String(process.pid));
  } catch (error) {
    openHere.delete(key);
    throw error;
  }
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    openHere.delete(key);
    await unlink(path).catch(() => undefined);
  };
}
