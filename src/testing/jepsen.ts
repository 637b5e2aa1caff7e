/**
 * Parsers for Jepsen histories: the `jepsen.util` log lines of the etcd register test and the EDN
 * maps of a key-value test. `:fail` operations certainly did not happen and are dropped; `:info`
 * operations (and invocations that never completed) have an unknown outcome (`return: undefined`).
 * Times are event positions in the file.
 *
 * @module
 */
import { ValidationError } from "../core/errors.js";
import type { KvInput, KvOutput } from "./kv-model.js";
import type { RegisterInput, RegisterOutput } from "./register-model.js";
import type { ClientId, Operation } from "./types.js";

type Completion = "ok" | "fail" | "info";

interface Pending<I> {
  readonly input: I;
  readonly call: number;
}

/** Pairs invocations with completions per process; shared by both formats. */
class HistoryBuilder<I, O> {
  private readonly pending = new Map<ClientId, Pending<I>>();
  private readonly ops: Array<Operation<I, O> & { readonly order: number }> = [];
  private time = 0;

  invoke(clientId: ClientId, input: I): void {
    const earlier = this.pending.get(clientId);
    // A process that invokes again without completing gave up on the earlier call: outcome unknown.
    if (earlier !== undefined) this.ops.push({ clientId, input: earlier.input, output: undefined, call: earlier.call, return: undefined, order: earlier.call });
    this.pending.set(clientId, { input, call: this.time++ });
  }

  complete(clientId: ClientId, type: Completion, output: (input: I) => O, where: string): void {
    const call = this.pending.get(clientId);
    if (call === undefined) throw ValidationError.of(where, `:${type} of process ${String(clientId)} without an :invoke`, "unmatched_completion");
    this.pending.delete(clientId);
    const now = this.time++;
    if (type === "fail") return;
    if (type === "info") this.ops.push({ clientId, input: call.input, output: undefined, call: call.call, return: undefined, order: call.call });
    else this.ops.push({ clientId, input: call.input, output: output(call.input), call: call.call, return: now, order: call.call });
  }

  build(): Operation<I, O>[] {
    for (const [clientId, call] of this.pending) this.ops.push({ clientId, input: call.input, output: undefined, call: call.call, return: undefined, order: call.call });
    this.pending.clear();
    return this.ops.sort((a, b) => a.order - b.order).map(({ order: _order, ...op }) => op);
  }
}

const ETCD_LINE = /^INFO\s+jepsen\.util\s+-\s+(\d+)\s+:(invoke|ok|fail|info)\s+:(read|write|cas)\s+(.*?)\s*$/;

function parseInteger(text: string, where: string): number {
  if (!/^-?\d+$/.test(text)) throw ValidationError.of(where, `expected an integer, got "${text}"`, "invalid_value");
  return Number(text);
}

/**
 * Parses a Jepsen etcd log (a single register): lines like `INFO  jepsen.util - 3	:invoke	:write	4`.
 * Other lines are ignored. Check the result with {@link registerModel}.
 */
export function parseJepsenRegisterLog(text: string): Operation<RegisterInput, RegisterOutput>[] {
  const builder = new HistoryBuilder<RegisterInput, RegisterOutput>();
  text.split(/\r?\n/).forEach((line, i) => {
    const match = ETCD_LINE.exec(line);
    if (match === null) return;
    const where = `line ${i + 1}`;
    const [, process = "", type = "", f = "", value = ""] = match;
    const clientId = Number(process);
    if (type === "invoke") {
      if (f === "read") builder.invoke(clientId, { kind: "read" });
      else if (f === "write") builder.invoke(clientId, { kind: "write", value: parseInteger(value, where) });
      else {
        const cas = /^\[(\S+)\s+(\S+)\]$/.exec(value);
        if (cas === null) throw ValidationError.of(where, `expected [from to] for :cas, got "${value}"`, "invalid_value");
        const from = cas[1] ?? "";
        builder.invoke(clientId, { kind: "cas", expected: from === "nil" ? null : parseInteger(from, where), value: parseInteger(cas[2] ?? "", where) });
      }
      return;
    }
    builder.complete(
      clientId,
      type as Completion,
      (input) => {
        if (input.kind === "read") return { value: value === "nil" ? null : parseInteger(value, where) };
        if (input.kind === "cas") return { ok: true };
        return {};
      },
      where,
    );
  });
  return builder.build();
}

type EdnValue = string | number | boolean | null | { readonly keyword: string };

/** Reads one flat EDN map `{:k v, ...}` whose values are strings, numbers, keywords, booleans or nil. */
function parseEdnMap(line: string, where: string): Map<string, EdnValue> {
  const out = new Map<string, EdnValue>();
  let i = 0;
  const fail = (reason: string): never => {
    throw ValidationError.of(where, `${reason} at column ${i + 1}`, "invalid_edn");
  };
  const skip = (): void => {
    while (i < line.length && /[\s,]/.test(line[i] as string)) i++;
  };
  const token = (): string => {
    const start = i;
    while (i < line.length && !/[\s,{}\]]/.test(line[i] as string)) i++;
    return line.slice(start, i);
  };
  skip();
  if (line[i] !== "{") fail("expected {");
  i++;
  for (;;) {
    skip();
    if (i >= line.length) fail("unterminated map");
    if (line[i] === "}") break;
    if (line[i] !== ":") fail("expected a keyword key");
    i++;
    const key = token();
    skip();
    let value: EdnValue;
    if (line[i] === '"') {
      let text = "";
      i++;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === "\\") {
          i++;
          const escaped = line[i];
          text += escaped === "n" ? "\n" : escaped === "t" ? "\t" : (escaped ?? "");
        } else text += line[i];
        i++;
      }
      if (line[i] !== '"') fail("unterminated string");
      i++;
      value = text;
    } else {
      const word = token();
      if (word === "nil") value = null;
      else if (word === "true" || word === "false") value = word === "true";
      else if (word.startsWith(":")) value = { keyword: word.slice(1) };
      else if (/^-?\d+(\.\d+)?$/.test(word)) value = Number(word);
      else value = fail(`unsupported value "${word}"`);
    }
    out.set(key, value);
  }
  return out;
}

function keywordOf(map: Map<string, EdnValue>, key: string, where: string): string {
  const value = map.get(key);
  if (value === null || typeof value !== "object") throw ValidationError.of(where, `:${key} must be a keyword`, "invalid_value");
  return value.keyword;
}

function textOf(map: Map<string, EdnValue>, key: string): string | null {
  const value = map.get(key);
  if (value === undefined || value === null) return null;
  return typeof value === "object" ? value.keyword : String(value);
}

/**
 * Parses a Jepsen key-value history: one EDN map per line,
 * `{:process 0, :type :invoke, :f :append, :key "0", :value "x 0 0 y"}`, with `:f` one of `:get`,
 * `:put`, `:append`; lines of a keyword process such as `:nemesis` are skipped. Check the result with `keyValueModel({ absent: "" })` (these histories read an
 * absent key as `""`).
 */
export function parseJepsenKvHistory(text: string): Operation<KvInput, KvOutput>[] {
  const builder = new HistoryBuilder<KvInput, KvOutput>();
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === "") return;
    const where = `line ${i + 1}`;
    const map = parseEdnMap(line, where);
    const process = map.get("process");
    // A keyword process (`:nemesis`) injects faults; it is not a client of the store.
    if (process !== null && typeof process === "object") return;
    if (typeof process !== "number" && typeof process !== "string") throw ValidationError.of(where, ":process must be a number or string", "invalid_value");
    const type = keywordOf(map, "type", where);
    const f = keywordOf(map, "f", where);
    const key = textOf(map, "key");
    if (key === null) throw ValidationError.of(where, ":key is missing", "invalid_value");
    const value = textOf(map, "value");
    if (type === "invoke") {
      if (f === "get") builder.invoke(process, { kind: "get", key });
      else if (f === "put" || f === "append") builder.invoke(process, { kind: f, key, value: value ?? "" });
      else throw ValidationError.of(where, `unsupported :f :${f}`, "invalid_value");
      return;
    }
    if (type !== "ok" && type !== "fail" && type !== "info") throw ValidationError.of(where, `unsupported :type :${type}`, "invalid_value");
    builder.complete(process, type, (input) => (input.kind === "get" ? { value } : {}), where);
  });
  return builder.build();
}
