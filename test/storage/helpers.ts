import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { HardState, LogEntry, PersistedState, Snapshot, StorageWrite } from "../../src/storage/types.js";

/** Creates a temp dir under os.tmpdir(); `cleanup()` removes every dir made so far. */
export function tempDirs(): { make(): Promise<string>; cleanup(): Promise<void> } {
  const dirs: string[] = [];
  return {
    async make() {
      const dir = await mkdtemp(join(tmpdir(), "edgeflow-storage-"));
      dirs.push(dir);
      return dir;
    },
    async cleanup() {
      await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
    },
  };
}

/** name → sha256 of every file in `dir`, to prove nothing on disk changed. */
export async function digestDir(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of (await readdir(dir)).sort()) out[name] = createHash("sha256").update(await readFile(join(dir, name))).digest("hex");
  return out;
}

export async function segmentFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.startsWith("wal-")).sort();
}

export const entry = (index: number, term: number, data = `cmd-${index}-${term}`): LogEntry => ({ index, term, type: "normal", data });

/**
 * An independent reference of the storage contract: the whole log kept with explicit indices.
 */
export class ReferenceStore {
  hardState: HardState = { term: 0, vote: null, commit: 0 };
  snapshot: Snapshot | null = null;
  entries: LogEntry[] = [];

  get snapshotIndex(): number {
    return this.snapshot?.metadata.index ?? 0;
  }

  get lastIndex(): number {
    return this.entries.at(-1)?.index ?? this.snapshotIndex;
  }

  termAt(index: number): number | undefined {
    if (index === this.snapshotIndex) return this.snapshot?.metadata.term ?? 0;
    return this.entries.find((e) => e.index === index)?.term;
  }

  save(write: StorageWrite): void {
    if (write.snapshot !== undefined) {
      const { index, term } = write.snapshot.metadata;
      const keep = this.termAt(index) === term;
      this.entries = keep ? this.entries.filter((e) => e.index > index) : [];
      this.snapshot = write.snapshot;
      const hs = write.hardState ?? this.hardState;
      this.hardState = hs.commit < index ? { ...hs, commit: index } : hs;
    }
    if (write.entries !== undefined && write.entries.length > 0) {
      const first = (write.entries[0] as LogEntry).index;
      this.entries = [...this.entries.filter((e) => e.index < first), ...write.entries];
    }
    if (write.hardState !== undefined && write.snapshot === undefined) {
      const floor = this.snapshotIndex;
      this.hardState = write.hardState.commit < floor ? { ...write.hardState, commit: floor } : write.hardState;
    }
  }

  compact(snapshot: Snapshot): void {
    if (snapshot.metadata.index <= this.snapshotIndex) return;
    this.entries = this.entries.filter((e) => e.index > snapshot.metadata.index);
    this.snapshot = snapshot;
    // A snapshot holds committed entries only.
    if (this.hardState.commit < snapshot.metadata.index) this.hardState = { ...this.hardState, commit: snapshot.metadata.index };
  }

  state(): PersistedState {
    return { hardState: this.hardState, snapshot: this.snapshot, entries: this.entries };
  }
}

/** Plain copies, so `toEqual` compares values and not frozen-ness. */
export function plain(state: PersistedState): unknown {
  return JSON.parse(JSON.stringify(state));
}
