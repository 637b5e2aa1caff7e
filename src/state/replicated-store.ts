/**
 * {@link ReplicatedStateStore}: state objects persisted through a Raft-replicated {@link ReplicatedKV},
 * so an object survives the loss of its home edge and resumes elsewhere with every acknowledged write.
 *
 * @module
 */
import { z } from "zod";
import type { ReplicatedKV } from "../consensus/kv.js";
import { ClosedError, ValidationError } from "../core/errors.js";
import { checkSuccession, type StateStore } from "./store.js";
import { jsonValueSchema, stateMetadataSchema, type StoredState } from "./types.js";

const envelopeSchema = z.object({
  token: z.number().int(),
  record: z.object({ data: z.record(z.string(), jsonValueSchema), metadata: stateMetadataSchema }),
});

/** Options of {@link ReplicatedStateStore}. */
export interface ReplicatedStateStoreOptions {
  /** The member to write through: writes must reach the cluster's leader (pass a getter to follow it). */
  readonly kv: ReplicatedKV | (() => ReplicatedKV);
  /** Key prefix (default `"state/"`). */
  readonly prefix?: string;
}

/**
 * Each object is one key holding `{ token, record }`. A save is a compare-and-set against the value
 * it read, so the fencing and succession checks and the write are one atomic Raft command: a deposed home whose token
 * is older than the stored one is refused even if it races its successor.
 */
export class ReplicatedStateStore implements StateStore {
  private readonly kv: () => ReplicatedKV;
  private readonly prefix: string;
  private closed = false;

  constructor(options: ReplicatedStateStoreOptions) {
    if (typeof options !== "object" || options === null || options.kv === undefined) throw ValidationError.of("options.kv", "is required", "required");
    const { kv } = options;
    this.kv = typeof kv === "function" ? kv : () => kv;
    this.prefix = options.prefix ?? "state/";
  }

  async load(id: string): Promise<StoredState | undefined> {
    if (this.closed) throw new ClosedError("ReplicatedStateStore");
    const raw = await this.kv().get(this.prefix + id);
    return raw === null ? undefined : this.decode(raw).record;
  }

  async save(id: string, record: StoredState, token: number): Promise<void> {
    if (this.closed) throw new ClosedError("ReplicatedStateStore");
    const key = this.prefix + id;
    const value = JSON.stringify({ token, record });
    // A lost compare-and-set means another write landed in between: re-read and re-check the fence.
    for (;;) {
      const kv = this.kv();
      const raw = await kv.get(key);
      checkSuccession(id, raw === null ? undefined : this.decode(raw), record, token);
      if (await kv.compareAndSet(key, raw, value)) return;
    }
  }

  /** The Raft cluster's voters, as the member written through sees the configuration. */
  async replicas(): Promise<readonly string[]> {
    if (this.closed) throw new ClosedError("ReplicatedStateStore");
    return [...this.kv().host.status().voters].sort();
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private decode(raw: string): { token: number; record: StoredState } {
    return envelopeSchema.parse(JSON.parse(raw));
  }
}
