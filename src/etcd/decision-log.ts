/**
 * {@link EtcdDecisionLog}: an append-only, totally ordered log of decisions on etcd, so every
 * service reads the same decisions in the same order.
 *
 * @module
 */
import { Range } from "etcd3";
import { z } from "zod";
import { ConflictError } from "../core/errors.js";
import { parseWith } from "../core/validation.js";
import type { EtcdCallOptions } from "./call.js";
import { EtcdClientOwner, parseMaxAttempts } from "./client.js";
import type { EtcdConnectionOptions } from "./connection.js";

/** One appended decision. */
export interface EtcdDecision {
  /** Position in the log, 1-based and contiguous. */
  readonly seq: number;
  /** etcd revision of the append; increases with `seq`. */
  readonly revision: number;
  readonly data: string;
}

/** Settings of an {@link EtcdDecisionLog}. */
export interface EtcdDecisionLogOptions extends EtcdConnectionOptions {
  /** Appends that lose a race retry up to this many times, then fail with a `ConflictError` (default 64). */
  readonly maxAttempts?: number;
}

const nameSchema = z.string().min(1).max(256).regex(/^[^/]+$/, "must not contain '/'");
// Built once: building a zod schema costs more than parsing with it.
const appendArgs = z.object({ name: nameSchema, data: z.string().max(1_500_000) });
const readArgs = z.object({ name: nameSchema, fromSeq: z.number().int().positive().optional(), limit: z.number().int().positive().optional() });
const SEQ_WIDTH = 16;

/**
 * Each append bumps the log's `next` counter and writes the entry in one transaction guarded by the
 * counter's mod revision, so sequence numbers are contiguous and their order is etcd's revision order.
 *
 * @example
 * ```ts
 * const log = new EtcdDecisionLog({ clock: new SystemClock(), hosts: ["http://127.0.0.1:2379"] });
 * await log.append("placement", JSON.stringify({ edge: "edge-1", to: "west" }));
 * for (const d of await log.read("placement")) console.log(d.seq, d.data);
 * ```
 */
export class EtcdDecisionLog extends EtcdClientOwner {

  private readonly maxAttempts: number;

  constructor(options: EtcdDecisionLogOptions) {
    const maxAttempts = parseMaxAttempts(options.maxAttempts);
    super("EtcdDecisionLog", options);
    this.maxAttempts = maxAttempts;
  }

  /** Appends `data` to log `name`; retries lost races up to `maxAttempts` times, then `ConflictError`. */
  async append(name: string, data: string, options: EtcdCallOptions = {}): Promise<EtcdDecision> {
    this.open();
    parseWith(appendArgs, { name, data });
    const counter = this.counterKey(name);
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      const current = (await this.call("read log head", () => this.client.get(counter).exec(), options.signal)).kvs[0];
      const seq = (current === undefined ? 0 : Number(current.value.toString())) + 1;
      const result = await this.call("append", () =>
        this.client
          .if(counter, "Mod", "==", current === undefined ? 0 : current.mod_revision)
          .then(this.client.put(counter).value(String(seq)), this.client.put(this.entryKey(name, seq)).value(data))
          .commit(), options.signal);
      if (result.succeeded) return { seq, revision: Number(result.header.revision), data };
    }
    throw new ConflictError(`appending to decision log "${name}" lost ${this.maxAttempts} races in a row`);
  }

  /** Decisions of log `name` with `seq >= fromSeq` (default 1), in order, at most `limit` of them. */
  async read(name: string, options: EtcdCallOptions & { readonly fromSeq?: number; readonly limit?: number } = {}): Promise<readonly EtcdDecision[]> {
    this.open();
    parseWith(readArgs, { name, fromSeq: options.fromSeq, limit: options.limit });
    const from = this.entryKey(name, options.fromSeq ?? 1);
    const end = `${this.prefix}log/${name}/entries0`; // '0' follows '/', so this bounds the entries
    const response = await this.call("read log", () => {
      const query = this.client.getAll().inRange(new Range(from, end)).sort("Key", "Ascend");
      return (options.limit === undefined ? query : query.limit(options.limit)).exec();
    }, options.signal);
    return response.kvs.map((kv) => ({ seq: Number(kv.key.toString().slice(-SEQ_WIDTH)), revision: Number(kv.mod_revision), data: kv.value.toString() }));
  }

  private counterKey(name: string): string {
    return `${this.prefix}log/${name}/next`;
  }

  private entryKey(name: string, seq: number): string {
    return `${this.prefix}log/${name}/entries/${String(seq).padStart(SEQ_WIDTH, "0")}`;
  }
}
