/**
 * The deterministic state machine behind {@link ReplicatedKV}: applies encoded commands in log
 * order, remembers the last answer per client session so a retried request is applied once, and
 * snapshots to a string. Each key also remembers its revision: the log index of the entry that last
 * wrote it, which only grows across the whole store (etcd's mod revision, for the same uses).
 *
 * @module
 */
import { z } from "zod";
import { ValidationError } from "../core/errors.js";
import { parseWith } from "../core/validation.js";

/** A write command as it travels in the log. */
export const kvCommandSchema = z.discriminatedUnion("op", [
  z.object({ op: z.literal("put"), key: z.string(), value: z.string(), client: z.string().optional(), seq: z.number().int().min(0).optional() }),
  z.object({ op: z.literal("delete"), key: z.string(), client: z.string().optional(), seq: z.number().int().min(0).optional() }),
  z.object({
    op: z.literal("cas"),
    key: z.string(),
    expected: z.string().nullable(),
    value: z.string().nullable(),
    client: z.string().optional(),
    seq: z.number().int().min(0).optional(),
  }),
]);

export type KvCommand = z.output<typeof kvCommandSchema>;

/** What a write answered: the previous value, and for compare-and-set whether it matched. */
export interface KvWriteResult {
  /** The value before the command (`null` when absent). */
  readonly previous: string | null;
  /** For `cas`: whether the expected value matched and the write happened. For `delete`: whether the key existed. */
  readonly ok: boolean;
}

const sessionSchema = z.object({ seq: z.number().int().min(0), result: z.object({ previous: z.string().nullable(), ok: z.boolean() }) });

/**
 * Snapshot format: keys and client ids are data, so they travel as `[key, value]` pairs, never as
 * object property names (a `"__proto__"` property does not survive every parser).
 */
const snapshotSchema = z.object({
  v: z.union([z.literal(2), z.literal(3)]),
  data: z.array(z.tuple([z.string(), z.string()])),
  sessions: z.array(z.tuple([z.string(), sessionSchema])),
  /** Since v3: `[key, revision]`; a v2 snapshot's keys read as revision 0 (written before it was kept). */
  revisions: z.array(z.tuple([z.string(), z.number().int().min(0)])).optional(),
});

/** The earlier format, `{ data: {key: value}, sessions: {client: session} }`, read without rebuilding objects. */
function parseLegacySnapshot(raw: unknown): { data: Array<[string, string]>; sessions: Array<[string, z.output<typeof sessionSchema>]> } {
  const record = (value: unknown, where: string): Array<[string, unknown]> => {
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw ValidationError.of(where, "must be an object", "invalid_snapshot");
    // JSON.parse defines "__proto__" as an own property; Object.entries reads it back as data.
    return Object.entries(value);
  };
  const top = record(raw, "snapshot");
  const field = (name: string): unknown => top.find(([k]) => k === name)?.[1];
  const data = record(field("data"), "snapshot.data").map(([k, v]): [string, string] => {
    if (typeof v !== "string") throw ValidationError.of(`snapshot.data[${JSON.stringify(k)}]`, "must be a string", "invalid_snapshot");
    return [k, v];
  });
  const sessions = record(field("sessions"), "snapshot.sessions").map(([k, v]): [string, z.output<typeof sessionSchema>] => [k, parseWith(sessionSchema, v, `snapshot.sessions[${JSON.stringify(k)}]`)]);
  return { data, sessions };
}

function nullableString(x: unknown): boolean {
  return x === null || typeof x === "string";
}

// A compact encoding for the hot path: an op letter, then each field as `<length>:<text>` or `~`
// for null/absent. JSON.stringify/parse of small objects cost more than the rest of an apply.
const OPS = { put: "P", delete: "D", cas: "C" } as const;

function field(value: string | null | undefined): string {
  return value === null || value === undefined ? "~" : `${value.length}:${value}`;
}

/** Encodes a command for the log (see {@link decodeKvCommand}); `client`/`seq` override the command's. */
export function encodeKvCommand(cmd: KvCommand, client = cmd.client, seq = cmd.seq): string {
  const value = cmd.op === "delete" ? undefined : cmd.value;
  const expected = cmd.op === "cas" ? cmd.expected : undefined;
  return OPS[cmd.op] + field(cmd.key) + field(value) + field(expected) + field(client) + field(seq === undefined ? undefined : String(seq));
}

function decodeCompact(data: string): unknown {
  let at = 1;
  const fields: Array<string | null> = [];
  while (at < data.length) {
    if (data[at] === "~") {
      fields.push(null);
      at++;
      continue;
    }
    const colon = data.indexOf(":", at);
    const length = Number(data.slice(at, colon));
    if (colon < 0 || !Number.isInteger(length) || length < 0) return undefined;
    fields.push(data.slice(colon + 1, colon + 1 + length));
    at = colon + 1 + length;
  }
  if (fields.length !== 5) return undefined;
  const [key, value, expected, client, seq] = fields;
  const common = { key, ...(client !== null ? { client } : {}), ...(seq !== null ? { seq: Number(seq) } : {}) };
  switch (data[0]) {
    case "P":
      return { op: "put", value, ...common };
    case "D":
      return { op: "delete", ...common };
    case "C":
      return { op: "cas", value, expected, ...common };
    default:
      return undefined;
  }
}

/** Decodes a command written by {@link encodeKvCommand}, or as JSON. */
export function decodeKvCommand(data: string): KvCommand {
  const raw: unknown = data.startsWith("{") ? JSON.parse(data) : decodeCompact(data);
  // Hot path: well-formed commands pass a cheap shape check; anything else gets the full schema,
  // which names what is wrong.
  return isCommand(raw) ? raw : parseWith(kvCommandSchema, raw, "command");
}

function isCommand(v: unknown): v is KvCommand {
  if (typeof v !== "object" || v === null) return false;
  const c = v as Record<string, unknown>;
  if (typeof c["key"] !== "string") return false;
  if (c["client"] !== undefined && typeof c["client"] !== "string") return false;
  const seq = c["seq"];
  if (seq !== undefined && !(typeof seq === "number" && Number.isInteger(seq) && seq >= 0)) return false;
  switch (c["op"]) {
    case "put":
      return typeof c["value"] === "string";
    case "delete":
      return true;
    case "cas":
      return nullableString(c["expected"]) && nullableString(c["value"]);
    default:
      return false;
  }
}

export class KvStateMachine {
  private data = new Map<string, string>();
  private revisions = new Map<string, number>();
  private sessions = new Map<string, { seq: number; result: KvWriteResult }>();

  get(key: string): string | null {
    return this.data.get(key) ?? null;
  }

  /** The log index of the entry that last wrote `key` (0: never written, or absent since). */
  revision(key: string): number {
    return this.revisions.get(key) ?? 0;
  }

  size(): number {
    return this.data.size;
  }

  keys(): string[] {
    return [...this.data.keys()];
  }

  /**
   * Applies a command (already decoded) found at log `index`. Returns the remembered answer for a
   * retried request.
   */
  apply(cmd: KvCommand, index = 0): KvWriteResult {
    if (cmd.client !== undefined && cmd.seq !== undefined) {
      const session = this.sessions.get(cmd.client);
      if (session !== undefined && cmd.seq <= session.seq) {
        // A retry of a request already applied (or older): answer as the first time, change nothing.
        return session.seq === cmd.seq ? session.result : { previous: null, ok: false };
      }
    }
    const previous = this.data.get(cmd.key) ?? null;
    let ok = true;
    switch (cmd.op) {
      case "put":
        this.set(cmd.key, cmd.value, index);
        break;
      case "delete":
        ok = this.remove(cmd.key);
        break;
      case "cas":
        ok = previous === cmd.expected;
        if (ok) {
          if (cmd.value === null) this.remove(cmd.key);
          else this.set(cmd.key, cmd.value, index);
        }
        break;
    }
    const result = { previous, ok };
    if (cmd.client !== undefined && cmd.seq !== undefined) this.sessions.set(cmd.client, { seq: cmd.seq, result });
    return result;
  }

  /**
   * Decodes and applies a log entry's data. An entry that is not a command (proposed through the raw
   * host) changes nothing and answers `ok: false`: every replica decodes it the same way, and a throw
   * here would stop every member on the same entry, again on each restart.
   */
  applyEncoded(data: string, index = 0): KvWriteResult {
    let cmd: KvCommand;
    try {
      cmd = decodeKvCommand(data);
    } catch {
      return { previous: null, ok: false };
    }
    return this.apply(cmd, index);
  }

  snapshot(): string {
    return JSON.stringify({ v: 3, data: [...this.data], sessions: [...this.sessions], revisions: [...this.revisions] });
  }

  /** Replaces the state with a snapshot's; on a malformed snapshot it throws and keeps the current state. */
  restore(snapshot: string): void {
    if (snapshot === "") {
      this.data = new Map();
      this.revisions = new Map();
      this.sessions = new Map();
      return;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(snapshot);
    } catch (error) {
      throw ValidationError.of("snapshot", `is not JSON: ${String(error)}`, "invalid_snapshot");
    }
    const parsed: z.output<typeof snapshotSchema> = typeof raw === "object" && raw !== null && "v" in raw ? parseWith(snapshotSchema, raw, "snapshot") : { v: 2, ...parseLegacySnapshot(raw) };
    this.data = new Map(parsed.data);
    this.revisions = new Map(parsed.revisions);
    this.sessions = new Map(parsed.sessions);
  }

  private set(key: string, value: string, index: number): void {
    this.data.set(key, value);
    this.revisions.set(key, index);
  }

  private remove(key: string): boolean {
    this.revisions.delete(key);
    return this.data.delete(key);
  }
}
