/**
 * In-memory {@link RaftStorage} with a crash model: a write becomes durable only when its `save`
 * resolves, and {@link MemoryStorage.crash} discards writes still waiting for their sync (keeping a
 * prefix of them, as a real disk may have written some), so a simulated crash loses exactly what a
 * real one could.
 *
 * @module
 */
import { freeze } from "immer";
import type { Clock } from "../core/clock.js";
import { ClosedError, ConflictError, EdgeflowError, ValidationError } from "../core/errors.js";
import { parseWith } from "../core/validation.js";
import { z } from "zod";
import { snapshotSchema, storageWriteSchema } from "./schemas.js";
import type { HardState, LogEntry, PersistedState, RaftStorage, Snapshot, StorageWrite } from "./types.js";

const memoryOptionsSchema = z.object({ syncDelayMs: z.number().finite().min(0).optional() }).passthrough();

/** A `save` lost in a simulated crash before it was synced. */
export class StorageCrashedError extends EdgeflowError {
  constructor() {
    super("storage.crashed", "the storage crashed before this write was synced");
  }
}

export interface MemoryStorageOptions {
  /**
   * With a clock, each group of writes takes `syncDelayMs` of (virtual) time to become durable, so a
   * crash can catch writes in flight. Without one, writes are synced on the next microtask.
   */
  readonly clock?: Clock;
  readonly syncDelayMs?: number;
}

interface Pending {
  readonly write: StorageWrite;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * @example
 * ```ts
 * const storage = new MemoryStorage();
 * await storage.save({ hardState: { term: 1, vote: "a", commit: 0 } });
 * storage.crash(); // only resolved writes survive
 * (await storage.load()).hardState.term; // 1
 * ```
 */
export class MemoryStorage implements RaftStorage {
  private hardState: HardState = { term: 0, vote: null, commit: 0 };
  private snapshot: Snapshot | null = null;
  private entries: LogEntry[] = [];
  private pending: Pending[] = [];
  private syncScheduled = false;
  private closed = false;
  /** Number of syncs performed (group commit makes it lower than the number of saves). */
  syncs = 0;

  constructor(private readonly options: MemoryStorageOptions = {}) {
    parseWith(memoryOptionsSchema, options, "options");
  }

  async load(): Promise<PersistedState> {
    if (this.closed) throw new ClosedError("MemoryStorage");
    return freeze({ hardState: this.hardState, snapshot: this.snapshot, entries: this.entries.slice() }, true);
  }

  save(write: StorageWrite): Promise<void> {
    if (this.closed) return Promise.reject(new ClosedError("MemoryStorage"));
    let parsed: StorageWrite;
    try {
      parsed = freeze(parseWith(storageWriteSchema, write, "write"), true);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ write: parsed, resolve, reject });
      this.scheduleSync();
    });
  }

  async compact(snapshot: Snapshot): Promise<void> {
    if (this.closed) throw new ClosedError("MemoryStorage");
    snapshot = freeze(parseWith(snapshotSchema, snapshot, "snapshot"), true);
    const index = snapshot.metadata.index;
    if (this.snapshot !== null && index <= this.snapshot.metadata.index) return;
    const first = this.entries[0];
    this.entries = first === undefined ? [] : this.entries.slice(Math.max(0, index - first.index + 1));
    this.snapshot = snapshot;
    // A snapshot holds committed entries only: the commit index is at least its index.
    if (this.hardState.commit < index) this.hardState = { ...this.hardState, commit: index };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.sync();
    this.closed = true;
  }

  /** Same as {@link MemoryStorage.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * Simulates a power loss: of the writes not yet synced, a prefix of `keep` survives (default none)
   * and the rest are lost; their `save` promises reject with {@link StorageCrashedError}. The store
   * stays usable, as the disk after a reboot.
   */
  crash(keep = 0): void {
    parseWith(z.number().int().min(0), keep, "keep");
    const pending = this.pending;
    this.pending = [];
    pending.forEach((p, i) => {
      if (i < keep) this.tryApply(p.write);
      p.reject(new StorageCrashedError());
    });
  }

  /** Writes waiting for their sync. */
  pendingWrites(): number {
    return this.pending.length;
  }

  private scheduleSync(): void {
    if (this.syncScheduled) return;
    this.syncScheduled = true;
    const run = (): void => {
      this.syncScheduled = false;
      void this.sync();
    };
    const clock = this.options.clock;
    if (clock !== undefined) clock.setTimer(this.options.syncDelayMs ?? 0, run);
    else queueMicrotask(run);
  }

  private async sync(): Promise<void> {
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    this.syncs++;
    // A write that does not fit the log fails alone; the others in the group still land.
    const outcomes = batch.map((p) => this.tryApply(p.write));
    batch.forEach((p, i) => {
      const error = outcomes[i];
      if (error === undefined) p.resolve();
      else p.reject(error);
    });
  }

  private tryApply(write: StorageWrite): unknown {
    try {
      this.applyWrite(write);
      return undefined;
    } catch (error) {
      return error;
    }
  }

  /** Validates `write` against the current contents in full, then applies it: never half-applied. */
  private applyWrite(write: StorageWrite): void {
    let snapshot = this.snapshot;
    let stored = this.entries;
    let hardState = this.hardState;
    if (write.snapshot !== undefined) {
      const { index, term } = write.snapshot.metadata;
      const current = snapshot?.metadata.index ?? 0;
      if (index <= current) throw new ConflictError(`snapshot at index ${index} is not newer than the stored one at ${current}`);
      const first = stored[0]?.index ?? 0;
      const at = first > 0 ? stored[index - first] : undefined;
      // Entries beyond the snapshot survive only if the log agrees with it at its index.
      stored = at !== undefined && at.term === term ? stored.slice(index - first + 1) : [];
      snapshot = write.snapshot;
      if (hardState.commit < index) hardState = { ...hardState, commit: index };
    }
    const entries = write.entries;
    if (entries !== undefined && entries.length > 0) {
      const first = (entries[0] as LogEntry).index;
      const base = snapshot?.metadata.index ?? 0;
      if (first <= base) throw ValidationError.of("write.entries[0].index", `must be above the snapshot index ${base}, got ${first}`);
      const keep = first - base - 1;
      if (keep > stored.length) throw ValidationError.of("write.entries[0].index", `would leave a gap: the last stored index is ${base + stored.length}, got ${first}`);
      // Checks are done: from here on nothing throws, so trimming in place cannot half-apply.
      stored.length = keep;
      for (const e of entries) stored.push(e);
    }
    if (write.hardState !== undefined) hardState = write.hardState;
    // A snapshot holds committed entries only: the commit index cannot be below it.
    const floor = snapshot?.metadata.index ?? 0;
    if (hardState.commit < floor) hardState = { ...hardState, commit: floor };
    this.snapshot = snapshot;
    this.entries = stored;
    this.hardState = hardState;
  }
}
