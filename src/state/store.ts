/**
 * Where state objects persist: the {@link StateStore} contract and {@link InMemoryStateStore}.
 *
 * @module
 */
import { ClosedError } from "../core/errors.js";
import { StateConflictError, StateFencedError } from "./errors.js";
import type { StoredState } from "./types.js";

/**
 * Durable storage for state objects. Contract: `save` is one atomic check-and-write that refuses
 * - with {@link StateFencedError}, a record whose fencing token is lower than the highest token that
 *   already wrote the same id, so a deposed home cannot overwrite its successor's writes;
 * - with {@link StateConflictError}, a record that does not follow the stored one: its version must
 *   be the stored version + 1 (a change), or equal to it (a new home claiming the object with its
 *   token, which fences every older token before the new home serves anything). Nothing stored
 *   counts as version 0. Use {@link checkSuccession} to apply both rules the same way.
 */
export interface StateStore {
  /** The stored record, if any. */
  load(id: string): Promise<StoredState | undefined>;
  /** Persists `record` under fencing token `token`. */
  save(id: string, record: StoredState, token: number): Promise<void>;
  /**
   * The members holding copies of the records (Raft voters, etcd members), when the store is
   * replicated; absent for a process-local store.
   */
  replicas?(): Promise<readonly string[]>;
  /** Releases resources; later calls throw {@link ClosedError}. */
  close(): Promise<void>;
  /** Same as `close`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Throws unless `record` under `token` may replace `current` (see {@link StateStore}); shared by every
 * store so they refuse the same writes.
 */
export function checkSuccession(id: string, current: { readonly record: StoredState; readonly token: number } | undefined, record: StoredState, token: number): void {
  if (current !== undefined && token < current.token) throw new StateFencedError(id, token, current.token);
  const stored = current?.record.metadata.version ?? 0;
  const version = record.metadata.version;
  if (version !== stored + 1 && version !== stored) throw new StateConflictError(id, version - 1, stored);
}

/** A process-local {@link StateStore}: survives the loss of an object's home, not of the process. */
export class InMemoryStateStore implements StateStore {
  private readonly records = new Map<string, { record: StoredState; token: number }>();
  private closed = false;

  async load(id: string): Promise<StoredState | undefined> {
    if (this.closed) throw new ClosedError("InMemoryStateStore");
    return this.records.get(id)?.record;
  }

  async save(id: string, record: StoredState, token: number): Promise<void> {
    if (this.closed) throw new ClosedError("InMemoryStateStore");
    checkSuccession(id, this.records.get(id), record, token);
    this.records.set(id, { record: structuredClone(record), token });
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
