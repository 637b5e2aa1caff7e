/**
 * {@link EtcdStateStore}: the edge state objects' {@link StateStore} on an etcd cluster, so an object
 * outlives the process (and the edge) that held it and resumes elsewhere with every acknowledged write.
 *
 * @module
 */
import type { IKeyValue } from "etcd3";
import { z } from "zod";
import { ConflictError, ValidationError } from "../core/errors.js";
import { parseWith } from "../core/validation.js";
import { checkSuccession, type StateStore } from "../state/store.js";
import { jsonValueSchema, stateMetadataSchema, type StoredState } from "../state/types.js";
import type { EtcdCallOptions } from "./call.js";
import { EtcdClientOwner, parseMaxAttempts } from "./client.js";
import type { EtcdConnectionOptions } from "./connection.js";

/** Settings of an {@link EtcdStateStore}. */
export interface EtcdStateStoreOptions extends EtcdConnectionOptions {
  /** Compare-and-swap attempts of one save before giving up with a `ConflictError` (default 64). */
  readonly maxAttempts?: number;
}

const storedSchema = z.object({
  token: z.number().int(),
  record: z.object({ data: z.record(z.string(), jsonValueSchema), metadata: stateMetadataSchema }),
});
const idSchema = z.string().min(1).max(1024);
const saveArgsSchema = z.object({ id: idSchema, record: storedSchema.shape.record, token: z.number().int() });

/**
 * Each object is one key, `<prefix>state/<id>`, holding `{ token, record }`. A save reads the key,
 * applies the fencing and succession rules to what it read, and writes in a transaction guarded by the
 * mod revision it read, so the checks and the write are atomic even when a deposed home races its successor.
 *
 * @example
 * ```ts
 * const options = { clock: new SystemClock(), hosts: ["http://127.0.0.1:2379"] };
 * const cart = new EdgeStateObject({ id: "cart:42", edgeId: "fra-1", clock: options.clock, leases: new EtcdLeaseStore(options), store: new EtcdStateStore(options) });
 * await cart.increment("items"); // survives the loss of this process
 * ```
 */
export class EtcdStateStore extends EtcdClientOwner implements StateStore {
  private readonly maxAttempts: number;

  constructor(options: EtcdStateStoreOptions) {
    const maxAttempts = parseMaxAttempts(options.maxAttempts);
    super("EtcdStateStore", options);
    this.maxAttempts = maxAttempts;
  }

  /** The stored record of `id`, read linearizably; `undefined` when there is none. */
  async load(id: string, options: EtcdCallOptions = {}): Promise<StoredState | undefined> {
    this.open();
    parseWith(idSchema, id, "id");
    return (await this.read(id, options.signal))?.stored.record;
  }

  /**
   * Persists `record` under fencing token `token`: `state.fenced` when a newer token already wrote,
   * `state.conflict` when the record does not follow the stored one (see {@link checkSuccession}).
   * The check is made against the value read and the write is guarded by that value's mod revision,
   * so check and write are one etcd transaction; a lost race reads again and checks again.
   */
  async save(id: string, record: StoredState, token: number, options: EtcdCallOptions = {}): Promise<void> {
    this.open();
    parseWith(saveArgsSchema, { id, record, token });
    const key = this.keyOf(id);
    const value = JSON.stringify({ token, record });
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      const current = await this.read(id, options.signal);
      checkSuccession(id, current?.stored, record, token);
      const guard = current === undefined ? this.client.if(key, "Create", "==", 0) : this.client.if(key, "Mod", "==", current.kv.mod_revision);
      const result = await this.call("save state", () => guard.then(this.client.put(key).value(value)).commit(), options.signal);
      if (result.succeeded) return;
    }
    throw new ConflictError(`saving state "${id}" lost ${this.maxAttempts} compare-and-swap races in a row`);
  }

  /** The cluster's voting members (names, or ids for unnamed ones), as `where` reports replicas. */
  async replicas(options: EtcdCallOptions = {}): Promise<readonly string[]> {
    this.open();
    const list = await this.call("list members", () => this.client.cluster.memberList({}), options.signal);
    return list.members.filter((m) => !m.isLearner).map((m) => (m.name === "" ? m.ID : m.name)).sort();
  }

  private keyOf(id: string): string {
    return `${this.prefix}state/${id}`;
  }

  private async read(id: string, signal: AbortSignal | undefined): Promise<{ stored: z.output<typeof storedSchema>; kv: IKeyValue } | undefined> {
    const response = await this.call("load state", () => this.client.get(this.keyOf(id)).exec(), signal);
    const kv = response.kvs[0];
    if (kv === undefined) return undefined;
    let raw: unknown;
    try {
      raw = JSON.parse(kv.value.toString());
    } catch {
      raw = undefined;
    }
    const parsed = storedSchema.safeParse(raw);
    if (!parsed.success) throw ValidationError.of(`etcd:${kv.key.toString()}`, "stored value is not a state record", "corrupt_record");
    return { stored: parsed.data, kv };
  }
}
