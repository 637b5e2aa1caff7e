/**
 * `ReplicatedKV`: a small linearizable key-value store on a {@link RaftHost}. Writes go through the
 * log; reads wait for a ReadIndex barrier, so every operation is linearizable. Each write carries
 * a request id (client, sequence) so a client retrying after a timeout is applied once.
 *
 * @module
 */
import { z } from "zod";
import { ValidationError } from "../core/errors.js";
import { parseWith } from "../core/validation.js";
import type { LogEntry } from "../storage/types.js";
import { RaftHost } from "./host.js";
import type { ProposalResult, RaftHostOptions } from "./host-types.js";
import { signalOf } from "./waiter.js";
import { encodeKvCommand, KvStateMachine, type KvCommand, type KvWriteResult } from "./kv-state.js";

/** Identifies a write for deduplication: sequence numbers of one client must increase. */
export interface RequestId {
  readonly client: string;
  readonly seq: number;
}

const requestIdSchema = z.object({ client: z.string().min(1), seq: z.number().int().min(0) });
const keySchema = z.string().min(1, "key must not be empty");

function checkKey(key: string): void {
  if (typeof key !== "string" || key === "") parseWith(keySchema, key, "key");
}

export type ReplicatedKVOptions = Omit<RaftHostOptions<KvWriteResult>, "apply" | "snapshot" | "restore">;

/** Options of a write: a request id for deduplicated retries, and a signal to cancel waiting. */
export interface KvWriteOptions {
  readonly requestId?: RequestId;
  /** Aborting rejects the call with a `CancelledError` (the write may still be applied). */
  readonly signal?: AbortSignal;
}

/** Options of a read. */
export interface KvReadOptions {
  readonly signal?: AbortSignal;
}

/** A value with its revision: the log index of the entry that last wrote it (0: absent). */
export interface KvVersionedValue {
  readonly value: string | null;
  readonly revision: number;
}

/** What {@link ReplicatedKV.compareAndSwap} answers. */
export interface KvSwapResult {
  /** Whether the key held the expected value and was written. */
  readonly ok: boolean;
  /** The value found: on a miss, the value the key holds (as of the swap's place in the log). */
  readonly previous: string | null;
  /** The log index of the swap's entry: on success, the key's new revision. */
  readonly revision: number;
}

/** A write's options, also in the earlier form: a bare request id. */
function writeOptions(options: RequestId | KvWriteOptions | undefined): KvWriteOptions {
  if (options === undefined) return {};
  if (typeof options !== "object" || options === null) throw ValidationError.of("options", "must be a request id or { requestId, signal }", "invalid_type");
  return "client" in options || "seq" in options ? { requestId: options as RequestId } : (options as KvWriteOptions);
}

/**
 * @example
 * ```ts
 * const kv = new ReplicatedKV({ id: "a", voters: ["a", "b", "c"], transport, storage, clock, random });
 * await kv.start();
 * await kv.put("leader/placement", "edge-west-1"); // on the leader
 * await kv.compareAndSet("lease/x", null, "owner-1"); // true if it was absent
 * await kv.get("leader/placement"); // linearizable, on any member
 * ```
 */
export class ReplicatedKV {
  readonly host: RaftHost<KvWriteResult>;
  private readonly machine = new KvStateMachine();
  private readonly clientId: string;
  private seq = 0;

  constructor(options: ReplicatedKVOptions) {
    // The session table outlives this object: a restart drawing the same seed must still get a fresh
    // id, or its first writes would be answered as retries of the previous incarnation's.
    this.clientId = `${options.id}:${options.random.fork("kv-client").nextUint32().toString(36)}.${options.clock.now().toString(36)}`;
    this.host = new RaftHost<KvWriteResult>({
      ...options,
      apply: (entry: LogEntry) => this.machine.applyEncoded(entry.data, entry.index),
      snapshot: () => this.machine.snapshot(),
      restore: (data) => this.machine.restore(data),
    });
  }

  start(): Promise<void> {
    return this.host.start();
  }

  stop(): Promise<void> {
    return this.host.stop();
  }

  /** Stops the host (timers, transport); the storage stays open. Same as {@link ReplicatedKV.stop}. */
  close(): Promise<void> {
    return this.host.close();
  }

  /** `await using kv = new ReplicatedKV(...)` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** The value under `key` (`null` when absent), linearizably. */
  async get(key: string, options?: KvReadOptions): Promise<string | null> {
    checkKey(key);
    await this.host.read(options);
    return this.machine.get(key);
  }

  /**
   * Sets `key` to `value`; resolves with the previous value once applied. The third argument is
   * `{ requestId, signal }` (or, as before, a bare request id).
   */
  async put(key: string, value: string, options?: RequestId | KvWriteOptions): Promise<KvWriteResult> {
    checkKey(key);
    if (typeof value !== "string") throw ValidationError.of("value", "value must be a string", "invalid_type");
    return (await this.write({ op: "put", key, value }, writeOptions(options))).result;
  }

  /** Removes `key`; `ok` says whether it existed. */
  async delete(key: string, options?: RequestId | KvWriteOptions): Promise<KvWriteResult> {
    checkKey(key);
    return (await this.write({ op: "delete", key }, writeOptions(options))).result;
  }

  /** Sets `key` to `value` (or removes it, `null`) only if it currently holds `expected` (`null`: absent). */
  async compareAndSet(key: string, expected: string | null, value: string | null, options?: RequestId | KvWriteOptions): Promise<boolean> {
    checkKey(key);
    if (expected !== null && typeof expected !== "string") throw ValidationError.of("expected", "must be a string or null (absent)", "invalid_type");
    if (value !== null && typeof value !== "string") throw ValidationError.of("value", "must be a string or null (delete)", "invalid_type");
    return (await this.write({ op: "cas", key, expected, value }, writeOptions(options))).result.ok;
  }

  /** The value under `key` with its revision, linearizably. */
  async read(key: string, options?: KvReadOptions): Promise<KvVersionedValue> {
    checkKey(key);
    await this.host.read(options);
    return { value: this.machine.get(key), revision: this.machine.revision(key) };
  }

  /**
   * {@link ReplicatedKV.compareAndSet} that also answers the value it found and the log index it was
   * decided at, so a caller that lost the race learns the winner's value without reading again.
   */
  async compareAndSwap(key: string, expected: string | null, value: string | null, options: KvReadOptions = {}): Promise<KvSwapResult> {
    checkKey(key);
    if (expected !== null && typeof expected !== "string") throw ValidationError.of("expected", "must be a string or null (absent)", "invalid_type");
    if (value !== null && typeof value !== "string") throw ValidationError.of("value", "must be a string or null (delete)", "invalid_type");
    // A fresh request id, never a caller's: a deduplicated retry would answer the first attempt's
    // result under this entry's index.
    const { index, result } = await this.write({ op: "cas", key, expected, value }, { ...(options.signal === undefined ? {} : { signal: options.signal }) });
    return { ok: result.ok, previous: result.previous, revision: index };
  }

  /** The keys starting with `prefix`, sorted, linearizably. */
  async keys(prefix: string, options?: KvReadOptions): Promise<string[]> {
    if (typeof prefix !== "string") throw ValidationError.of("prefix", "must be a string", "invalid_type");
    await this.host.read(options);
    return this.machine.keys().filter((k) => k.startsWith(prefix)).sort();
  }

  /** The local replica's value, without a read barrier (may be stale). */
  localGet(key: string): string | null {
    return this.machine.get(key);
  }

  private write(cmd: KvCommand, options: KvWriteOptions): Promise<ProposalResult<KvWriteResult>> {
    const id = options.requestId === undefined ? { client: this.clientId, seq: this.seq + 1 } : parseWith(requestIdSchema, options.requestId, "requestId");
    const signal = signalOf(options);
    if (options.requestId === undefined) this.seq++;
    return this.host.propose(encodeKvCommand(cmd, id.client, id.seq), signal === undefined ? undefined : { signal });
  }
}
