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
      apply: (entry: LogEntry) => this.machine.applyEncoded(entry.data),
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

  /** The value under `key` (`null` when absent), linearizably. */
  async get(key: string): Promise<string | null> {
    checkKey(key);
    await this.host.read();
    return this.machine.get(key);
  }

  /** Sets `key` to `value`; resolves with the previous value once applied. */
  async put(key: string, value: string, requestId?: RequestId): Promise<KvWriteResult> {
    checkKey(key);
    if (typeof value !== "string") throw ValidationError.of("value", "value must be a string", "invalid_type");
    return (await this.write({ op: "put", key, value }, requestId)).result;
  }

  /** Removes `key`; `ok` says whether it existed. */
  async delete(key: string, requestId?: RequestId): Promise<KvWriteResult> {
    checkKey(key);
    return (await this.write({ op: "delete", key }, requestId)).result;
  }

  /** Sets `key` to `value` (or removes it, `null`) only if it currently holds `expected` (`null`: absent). */
  async compareAndSet(key: string, expected: string | null, value: string | null, requestId?: RequestId): Promise<boolean> {
    checkKey(key);
    if (expected !== null && typeof expected !== "string") throw ValidationError.of("expected", "must be a string or null (absent)", "invalid_type");
    if (value !== null && typeof value !== "string") throw ValidationError.of("value", "must be a string or null (delete)", "invalid_type");
    return (await this.write({ op: "cas", key, expected, value }, requestId)).result.ok;
  }

  /** The local replica's value, without a read barrier (may be stale). */
  localGet(key: string): string | null {
    return this.machine.get(key);
  }

  private write(cmd: KvCommand, requestId?: RequestId): Promise<ProposalResult<KvWriteResult>> {
    const id = requestId === undefined ? { client: this.clientId, seq: ++this.seq } : parseWith(requestIdSchema, requestId, "requestId");
    return this.host.propose(encodeKvCommand(cmd, id.client, id.seq));
  }
}
