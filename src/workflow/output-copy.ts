/**
 * Copying an unvalidated output of a flat schema away from the node that returned it. The generic
 * copy walks the output with `for...in`, checks each key is its own and stores it into an empty
 * object by a computed key: on a 7,500-wide fan-out of trivial nodes that made running without
 * validation dearer than running with it, whose generated parser builds the output as a literal.
 * Outputs of one schema nearly always come with the schema's ports in the schema's order, so the copy
 * generated here checks that they do and builds the copy as one literal, and otherwise hands the
 * output to the generic copy. Either way the result is the generic copy's, key for key and in order.
 *
 * @module
 */
import type { z } from "zod";

/** A copy of an output as {@link flatPlainCopy} makes it, or `undefined` where that one would give up. */
export type FlatCopy = (output: object) => Record<string, unknown> | undefined;

/**
 * An unvalidated output of a flat schema as the validated path would hand it on: a new object of
 * the same primitives, left unfrozen because its consumers read it port by port and it is frozen
 * when something sees it whole. `undefined` when the node returned anything else (a class instance,
 * a nested object, a `__proto__` key), which the deep copy handles.
 */
export function flatPlainCopy(output: object): Record<string, unknown> | undefined {
  if (Object.getPrototypeOf(output) !== Object.prototype) return undefined;
  // Own string keys only, as the deep copy takes them: a spread would also carry symbol-keyed values
  // across by reference, unchecked.
  const copy: Record<string, unknown> = {};
  for (const key in output) {
    if (!Object.hasOwn(output, key)) continue;
    const item = (output as Record<string, unknown>)[key];
    if ((typeof item === "object" && item !== null) || key === "__proto__") return undefined;
    copy[key] = item;
  }
  return copy;
}

interface ShapeDef {
  readonly shape?: Readonly<Record<string, z.ZodType>>;
}

// Distinct port lists are few in real workflows; the bound only keeps a stream of generated ones finite.
const MAX_COPIES = 512;
const copies = new Map<string, FlatCopy | undefined>();

function generate(keys: readonly string[]): FlatCopy | undefined {
  const names = keys.map((key) => JSON.stringify(key));
  // Every key the loop meets must be the output's own and the next port: then its own enumerable
  // string keys are the ports in order. `hasOwnProperty` on the loop's own key, because V8 can fold
  // that into the loop's map check, where `Object.hasOwn` stays a call.
  const loop = [
    "let n = 0;",
    "for (const key in output) {",
    "  if (!Object.prototype.hasOwnProperty.call(output, key)) return generic(output);",
    "  switch (n++) {",
    ...names.map((name, i) => `    case ${i}: if (key !== ${name}) return generic(output); break;`),
    "    default: return generic(output);",
    "  }",
    "}",
  ];
  // Values are read after the keys, once each, in the order the generic copy reads them.
  const reads = names.map((name, i) => `const v${i} = output[${name}];\nif (typeof v${i} === "object" && v${i} !== null) return undefined;`);
  const fields = names.map((name, i) => `${name}: v${i}`);
  const body = ["if (getPrototypeOf(output) !== proto) return undefined;", ...loop, `if (n !== ${keys.length}) return generic(output);`, ...reads, `return { ${fields.join(", ")} };`];
  try {
    // Names enter the source only through JSON.stringify, as string literals.
    const factory = new Function("proto", "getPrototypeOf", "generic", `return (output) => {\n${body.join("\n")}\n};`) as (
      proto: object,
      getPrototypeOf: (value: object) => unknown,
      generic: FlatCopy,
    ) => FlatCopy;
    return factory(Object.prototype, Object.getPrototypeOf, flatPlainCopy);
  } catch {
    // Where code generation is refused (a content security policy), the generic copy does.
    return undefined;
  }
}

/**
 * The copy for unvalidated outputs of the flat object schema `schema`, shared by every schema with
 * the same ports in the same order; `undefined` where {@link flatPlainCopy} must do (no ports, a
 * `__proto__` port, or code generation refused).
 */
export function flatOutputCopy(schema: z.ZodType): FlatCopy | undefined {
  const shape = (schema._zod.def as ShapeDef).shape;
  if (shape === undefined) return undefined;
  const keys = Object.keys(shape);
  // A literal's `__proto__` sets the prototype instead of a key: the generic copy refuses such outputs.
  if (keys.length === 0 || keys.includes("__proto__")) return undefined;
  const key = JSON.stringify(keys);
  if (copies.has(key)) return copies.get(key);
  if (copies.size >= MAX_COPIES) return undefined;
  const copy = generate(keys);
  copies.set(key, copy);
  return copy;
}
