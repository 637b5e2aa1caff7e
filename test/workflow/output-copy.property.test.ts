import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { z } from "zod";
import { flatOutputCopy, flatPlainCopy, type FlatCopy } from "../../src/workflow/output-copy.js";

const names = ["a", "b", "value", "1", "toString", "__proto__"] as const;
const primitive = fc.oneof(fc.double(), fc.integer(), fc.string(), fc.boolean(), fc.constantFrom(null, undefined, Number.NaN));
const item = fc.oneof(primitive, primitive, fc.record({ x: fc.integer() }), fc.array(fc.integer(), { maxLength: 2 }));

class Instance {}

/** How an output is built from its entries: as nodes build them, and in the odd ways a node might. */
const builds = ["plain", "plain", "plain", "inherited", "instance", "null-prototype", "symbol", "hidden", "getter"] as const;

function outputOf(entries: ReadonlyArray<readonly [string, unknown]>, build: (typeof builds)[number]): object {
  const base: Record<string, unknown> =
    build === "instance" ? (new Instance() as Record<string, unknown>) : build === "null-prototype" ? (Object.create(null) as Record<string, unknown>) : {};
  // A defined property, so that `__proto__` is a key and not the prototype.
  for (const [key, value] of entries) Object.defineProperty(base, key, { value, enumerable: true, writable: true, configurable: true });
  if (build === "inherited") return Object.create(base) as object;
  if (build === "symbol") base[Symbol("s") as unknown as string] = 1;
  if (build === "hidden") Object.defineProperty(base, "b", { value: 2, enumerable: false });
  if (build === "getter") Object.defineProperty(base, "value", { get: () => 5, enumerable: true, configurable: true });
  return base;
}

const ports = fc.uniqueArray(fc.constantFrom(...names), { minLength: 1, maxLength: 4 });
const entries = fc.uniqueArray(fc.tuple(fc.constantFrom(...names), item), { maxLength: 5, selector: ([key]) => key });

function copierOf(keys: readonly string[]): FlatCopy {
  const shape = Object.fromEntries(keys.map((key) => [key, z.number()] as const));
  // A port named `__proto__` must be a key of the shape, not its prototype.
  if (keys.includes("__proto__")) Object.defineProperty(shape, "__proto__", { value: z.number(), enumerable: true });
  return flatOutputCopy(z.object(shape)) ?? flatPlainCopy;
}

function describeCopy(copy: Record<string, unknown> | undefined): unknown {
  if (copy === undefined) return undefined;
  return { prototype: Object.getPrototypeOf(copy) as unknown, entries: Object.keys(copy).map((key) => [key, copy[key]]), frozen: Object.isFrozen(copy) };
}

describe("the generated copy of a flat output", () => {
  it("gives the generic copy's result, key for key and in order, whatever the node returned", () => {
    fc.assert(
      fc.property(ports, entries, fc.constantFrom(...builds), (keys, given, build) => {
        const output = outputOf(given, build);
        expect(describeCopy(copierOf(keys)(output))).toEqual(describeCopy(flatPlainCopy(output)));
      }),
      { numRuns: 2000 },
    );
  });

  it("gives the generic copy's result for outputs with exactly the schema's ports, in any order", () => {
    fc.assert(
      fc.property(ports, fc.array(primitive, { minLength: 4, maxLength: 4 }), fc.boolean(), (keys, values, shuffled) => {
        const order = shuffled ? [...keys].reverse() : keys;
        const output = outputOf(order.map((key, i) => [key, values[i]] as const), "plain");
        expect(describeCopy(copierOf(keys)(output))).toEqual(describeCopy(flatPlainCopy(output)));
      }),
    );
  });

  it("never lets a change to the copy reach the node's output, nor a change to the output reach the copy", () => {
    fc.assert(
      fc.property(ports, fc.array(primitive, { minLength: 4, maxLength: 4 }), primitive, (keys, values, other) => {
        const output = Object.fromEntries(keys.filter((key) => key !== "__proto__").map((key, i) => [key, values[i]]));
        const before = { ...output };
        const copy = copierOf(keys)(output);
        if (copy === undefined) return;
        expect(copy).not.toBe(output);
        for (const key of Object.keys(copy)) copy[key] = other;
        copy["added"] = other;
        expect(output).toEqual(before);
        const copied = { ...copy };
        for (const key of Object.keys(output)) output[key] = values[0] === other ? "changed" : other;
        expect(copy).toEqual(copied);
      }),
    );
  });

  it("leaves a port inherited from a changed Object.prototype out, as the generic copy does", () => {
    const copy = copierOf(["a", "zz"]);
    const prototype = Object.prototype as Record<string, unknown>;
    const output = { a: 1 };
    let generated: Record<string, unknown> | undefined;
    let generic: Record<string, unknown> | undefined;
    // Nothing else runs while the prototype carries the key: the assertions below would read it too.
    prototype["zz"] = 9;
    try {
      generated = copy(output);
      generic = flatPlainCopy(output);
    } finally {
      delete prototype["zz"];
    }
    expect(describeCopy(generated)).toEqual(describeCopy(generic));
    expect(Object.keys(generated ?? {})).toEqual(["a"]);
  });

  it("is shared by schemas with the same ports in the same order", () => {
    expect(flatOutputCopy(z.object({ p: z.number(), q: z.string() }))).toBe(flatOutputCopy(z.object({ p: z.boolean(), q: z.number() })));
    expect(flatOutputCopy(z.object({ p: z.number(), q: z.string() }))).not.toBe(flatOutputCopy(z.object({ q: z.number(), p: z.string() })));
  });
});
