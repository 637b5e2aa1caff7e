/**
 * Isolating values handed from one party to another (a node's output to its consumers, a caller's
 * config to a workflow) without touching what the giver owns.
 *
 * @module
 */

function isPlainContainer(value: unknown): value is object {
  if (typeof value !== "object" || value === null) return false;
  if (Array.isArray(value)) return true;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function emptyLike(value: object): Record<string, unknown> | unknown[] {
  if (Array.isArray(value)) return new Array<unknown>(value.length);
  return Object.getPrototypeOf(value) === null ? (Object.create(null) as Record<string, unknown>) : {};
}

/**
 * The common case, a node's output of a few ports holding numbers and strings, without the
 * bookkeeping of the general walk: `undefined` when some value is itself an object.
 */
function flatCopy(value: object): Readonly<Record<string, unknown>> | readonly unknown[] | undefined {
  if (Array.isArray(value)) {
    for (const item of value) if (typeof item === "object" && item !== null) return undefined;
    return Object.freeze(value.slice());
  }
  const copy = emptyLike(value) as Record<string, unknown>;
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    const item = (value as Record<string, unknown>)[key];
    if ((typeof item === "object" && item !== null) || key === "__proto__") return undefined;
    copy[key] = item;
  }
  return Object.freeze(copy);
}

/**
 * {@link isolatedCopy} for a value its caller has just created and shares with no one, such as the
 * fresh object a schema parse returns: a flat plain object (nothing but primitives in it) is frozen
 * in place instead of copied. Anything else is copied as {@link isolatedCopy} does.
 */
export function isolatedFresh<T>(value: T): T {
  if (!isPlainContainer(value) || Array.isArray(value)) return isolatedCopy(value);
  for (const key in value) {
    const item = (value as Record<string, unknown>)[key];
    if (typeof item === "object" && item !== null) return isolatedCopy(value);
  }
  return Object.freeze(value);
}

/**
 * A deep-frozen copy of the plain objects and arrays in `value`; anything else (class instances,
 * Maps, functions) is kept by reference, since engines hand those out immutable. The original is
 * never frozen or changed. Iterative, so depth is bounded by memory, not by the call stack; shared
 * and cyclic references are copied once and stay shared and cyclic.
 *
 * @example
 * ```ts
 * const mine = { a: { b: 1 } };
 * const theirs = isolatedCopy(mine);
 * Object.isFrozen(theirs.a); // true
 * Object.isFrozen(mine.a);   // false
 * ```
 */
export function isolatedCopy<T>(value: T): T {
  if (!isPlainContainer(value)) return value;
  const flat = flatCopy(value);
  if (flat !== undefined) return flat as T;
  const copies = new Map<object, Record<string, unknown> | unknown[]>();
  const pending: Array<[object, Record<string, unknown> | unknown[]]> = [];
  const copyOf = (item: unknown): unknown => {
    if (!isPlainContainer(item)) return item;
    const existing = copies.get(item);
    if (existing !== undefined) return existing;
    const copy = emptyLike(item);
    copies.set(item, copy);
    pending.push([item, copy]);
    return copy;
  };
  const root = copyOf(value);
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [source, target] = next;
    if (Array.isArray(source)) {
      const array = target as unknown[];
      for (let i = 0; i < source.length; i++) array[i] = copyOf(source[i]);
      continue;
    }
    const record = target as Record<string, unknown>;
    for (const key of Object.keys(source)) {
      const item = copyOf((source as Record<string, unknown>)[key]);
      // Keys are data: "__proto__" must become an own property, not a prototype change.
      if (key === "__proto__") Object.defineProperty(record, key, { value: item, enumerable: true, writable: true, configurable: true });
      else record[key] = item;
    }
  }
  for (const copy of copies.values()) Object.freeze(copy);
  return root as T;
}
