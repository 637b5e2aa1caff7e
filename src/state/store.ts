/**
 * Where state objects persist: the {@link StateStore} contract and {@link InMemoryStateStore}.
 *
 * @module
 */
import { ClosedError } from "../core/errors.js";
import { StateFencedError } from "./errors.js";
import type { StoredState } from "./types.js";

/**
 * Durable storage for state objects. Contract: `save` is atomic and refuses (with
 * {@link StateFencedError}) a write whose fencing token is lower than the highest token that already
 * wrote the same id, so a deposed home cannot overwrite its successor's writes.
 */
export interface StateStore {
  /** The stored record, if any. */
  load(id: string): Promise<StoredState | undefined>;
  /** Persists `record` under fencing token `token`. */
  save(id: string, record: StoredState, token: number): Promise<void>;
  /** Releases resources; later calls throw {@link ClosedError}. */
  close(): Promise<void>;
  /** Same as `close`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>;
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
    const current = this.records.get(id);
    if (current !== undefined && token < current.token) throw new StateFencedError(id, token, current.token);
    this.records.set(id, { record: structuredClone(record), token });
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
