/**
 * A key-value store: get/put/append (Jepsen's kv histories) and delete/compare-and-set (what
 * `ReplicatedKV` offers), partitioned per key.
 *
 * @module
 */
import type { Model, Operation } from "./types.js";

export type KvInput =
  | { readonly kind: "get"; readonly key: string }
  | { readonly kind: "put"; readonly key: string; readonly value: string }
  | { readonly kind: "append"; readonly key: string; readonly value: string }
  | { readonly kind: "delete"; readonly key: string }
  /** Compare-and-set; a `null` value deletes the key. */
  | { readonly kind: "cas"; readonly key: string; readonly expected: string | null; readonly value: string | null };

/**
 * What an operation answered; every field is optional and checked only when present.
 * `get` answers `value` (`null` when absent); `cas` answers `ok` (whether it matched); `delete` may
 * answer `ok` (whether the key existed); `put`, `delete` and `cas` may answer `previous`, the value
 * before them (as `ReplicatedKV`'s writes do).
 */
export interface KvOutput {
  readonly value?: string | null;
  readonly ok?: boolean;
  readonly previous?: string | null;
}

/** The store's contents: key → value; absent keys are missing. */
export type KvState = Readonly<Record<string, string>>;

export interface KvModelOptions {
  /**
   * A value that a `get` answers for an absent key, besides `null`. Jepsen's kv histories answer `""`,
   * so for them use `{ absent: "" }`: then `""` and "absent" are the same thing.
   */
  readonly absent?: string | null;
}

function fnv1a(seed: number, text: string): number {
  let h = seed;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h;
}

// Keys are data: build states with defineProperty semantics (spread, fromEntries), never by
// assignment, which would turn a "__proto__" key into a prototype change.
function without(state: KvState, key: string): KvState {
  return Object.fromEntries(Object.entries(state).filter(([k]) => k !== key));
}

/**
 * The key-value model. Its `partition` splits a history per key, so each key is checked on its own.
 *
 * @example
 * ```ts
 * const result = checkLinearizable(history, keyValueModel(), { timeoutMs: 10_000 });
 * result.partitions.length; // one per key
 * ```
 */
export function keyValueModel(options: KvModelOptions = {}): Model<KvState, KvInput, KvOutput> {
  const absent = options.absent ?? null;
  const normalise = (value: string | null | undefined): string | null => (value === undefined || value === null || value === absent ? null : value);
  const read = (state: KvState, key: string): string | null => normalise(Object.hasOwn(state, key) ? state[key] : null);
  const write = (state: KvState, key: string, value: string | null): KvState => {
    const stored = normalise(value);
    return stored === null ? without(state, key) : { ...state, [key]: stored };
  };
  return {
    init: () => ({}),
    step(state, input, output) {
      const current = read(state, input.key);
      if (output !== undefined && output.previous !== undefined && input.kind !== "get" && normalise(output.previous) !== current) return [false, state];
      switch (input.kind) {
        case "get":
          return [output === undefined || normalise(output.value) === current, state];
        case "put":
          return [true, write(state, input.key, input.value)];
        case "append":
          return [true, write(state, input.key, (current ?? "") + input.value)];
        case "delete":
          return [output === undefined || output.ok === undefined || output.ok === (current !== null), write(state, input.key, null)];
        case "cas": {
          const matches = current === normalise(input.expected);
          const legal = output === undefined || output.ok === undefined || output.ok === matches;
          return [legal, matches ? write(state, input.key, input.value) : state];
        }
      }
    },
    // A number, so the search cache keys on integers instead of building strings per step.
    hash(state) {
      let h = 0x811c9dc5;
      const keys = Object.keys(state);
      if (keys.length > 1) keys.sort();
      for (const k of keys) {
        h = fnv1a(h, k);
        h = Math.imul(h ^ 0xff, 0x01000193);
        h = fnv1a(h, state[k] as string);
      }
      return h >>> 0;
    },
    equal(a, b) {
      if (a === b) return true;
      const keys = Object.keys(a);
      if (keys.length !== Object.keys(b).length) return false;
      return keys.every((k) => Object.hasOwn(b, k) && a[k] === b[k]);
    },
    partition(history: readonly Operation<KvInput, KvOutput>[]) {
      const byKey = new Map<string, Operation<KvInput, KvOutput>[]>();
      for (const op of history) {
        const part = byKey.get(op.input.key);
        if (part === undefined) byKey.set(op.input.key, [op]);
        else part.push(op);
      }
      return [...byKey.values()];
    },
    describe(input, output) {
      const result =
        output === undefined ? "?" : input.kind === "get" ? JSON.stringify(output.value ?? null) : input.kind === "cas" ? String(output.ok) : input.kind === "delete" && output.ok !== undefined ? String(output.ok) : "ok";
      switch (input.kind) {
        case "get":
        case "delete":
          return `${input.kind}(${JSON.stringify(input.key)}) -> ${result}`;
        case "put":
        case "append":
          return `${input.kind}(${JSON.stringify(input.key)}, ${JSON.stringify(input.value)}) -> ${result}`;
        case "cas":
          return `cas(${JSON.stringify(input.key)}, ${JSON.stringify(input.expected)}, ${JSON.stringify(input.value)}) -> ${result}`;
      }
    },
  };
}
