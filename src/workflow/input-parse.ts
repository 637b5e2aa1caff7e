/**
 * A node's inputs built and parsed in one step, for nodes fed only by edges whose input schema is a
 * plain object of ports. zod's generated parser for an object of optional ports reads every port,
 * wraps each optional one in a closure of its own and builds its result key by key, whichever ports
 * are present: on a node fed one port of four that was most of what validating its inputs allocated.
 * Which ports a node is fed is fixed by its wiring, so the parser generated here reads only those,
 * each checked by zod's own parser for that port, and builds the result as one literal.
 *
 * It gives the result zod's object parser would, key for key and in the same order, or
 * {@link NOT_PARSED}, after which the caller assembles the inputs and parses them with the schema as
 * before, which then decides (and words any error) exactly as it always did.
 *
 * @module
 */
import type { z } from "zod";
import { NOT_PARSED, generatedParse, type FastParse } from "./compiled-schema.js";

/** The parsed inputs of a node whose incoming edges are `from[first]`, `from[first + 1]`, ..., or {@link NOT_PARSED}. */
export type ParsedInputAssembler = (outputs: readonly unknown[], from: Int32Array, first: number) => unknown;

interface PortInternals {
  readonly optin?: string;
  readonly optout?: string;
}

interface ObjectDef {
  readonly type: string;
  readonly shape?: Readonly<Record<string, z.ZodType>>;
  readonly catchall?: unknown;
  readonly checks?: readonly unknown[];
}

// Distinct (schema, wiring) pairs are few in real workflows; the bound only keeps a stream of
// generated ones finite.
const MAX_PER_SCHEMA = 512;
const generated = new WeakMap<z.ZodType, Map<string, ParsedInputAssembler | undefined>>();

/**
 * The shape of `schema` when parsing it is zod's plain object parse, which the generated code below
 * reproduces: no checks on the object, unknown keys stripped, string keys only, none of them `__proto__`.
 */
function plainShape(schema: z.ZodType): Readonly<Record<string, z.ZodType>> | undefined {
  const def = schema._zod.def as ObjectDef;
  if (def.type !== "object" || def.shape === undefined || def.catchall !== undefined) return undefined;
  if (def.checks !== undefined && def.checks.length > 0) return undefined;
  if (Object.getOwnPropertySymbols(def.shape).length > 0 || Object.hasOwn(def.shape, "__proto__")) return undefined;
  return def.shape;
}

/**
 * A port zod's object parse leaves out of the result when its key is absent, whatever the port's own
 * parse made of `undefined`: optional on the way in and on the way out (no default).
 */
function dropsWhenAbsent(port: z.ZodType): boolean {
  const internals = port._zod as PortInternals;
  return internals.optin === "optional" && internals.optout === "optional";
}

function generate(shape: Readonly<Record<string, z.ZodType>>, inputs: readonly string[], outputs: readonly string[]): ParsedInputAssembler | undefined {
  const lines: string[] = [];
  const fields: string[] = [];
  const parsers: FastParse[] = [];
  // Ports in the schema's order, as zod's object parse takes them: the same order of calls into
  // each port's parser, and the same order of keys in the result.
  for (const [key, port] of Object.entries(shape)) {
    const parse = generatedParse(port);
    if (parse === undefined) return undefined;
    const p = `p${parsers.length}`;
    parsers.push(parse);
    const k = inputs.indexOf(key);
    const name = JSON.stringify(key);
    if (k === -1) {
      if (!dropsWhenAbsent(port)) return undefined;
      // An absent key reads through to the prototype: a port named like something there is not absent.
      lines.push(`if (${name} in proto) return INVALID;`, `${p}(undefined);`);
      continue;
    }
    const r = `r${fields.length}`;
    lines.push(`const ${r} = ${p}(outputs[from[first + ${k}]][${JSON.stringify(outputs[k])}]);`, `if (${r} === INVALID) return INVALID;`);
    fields.push(`${name}: ${r}`);
  }
  const names = parsers.map((_, i) => `p${i}`);
  try {
    // Names enter the source only through JSON.stringify, as string literals.
    const factory = new Function("INVALID", "proto", ...names, `return (outputs, from, first) => {\n${lines.join("\n")}\nreturn { ${fields.join(", ")} };\n};`) as (
      invalid: symbol,
      proto: object,
      ...parsers: FastParse[]
    ) => ParsedInputAssembler;
    return factory(NOT_PARSED, Object.prototype, ...parsers);
  } catch {
    // Where code generation is refused (a content security policy), inputs are assembled, then parsed.
    return undefined;
  }
}

/**
 * The parsed-input assembler of a node with input schema `schema` whose k-th incoming edge feeds
 * input `inputs[k]` from its producer's output `outputs[k]`; `undefined` where the schema is not a
 * plain object of ports, zod cannot generate a port's parser, a port left unfed is not plainly
 * optional, or an input is fed twice or is not a port of the schema.
 */
export function parsedInputAssembler(schema: z.ZodType, inputs: readonly string[], outputs: readonly string[]): ParsedInputAssembler | undefined {
  const shape = plainShape(schema);
  if (shape === undefined || new Set(inputs).size !== inputs.length || !inputs.every((input) => Object.hasOwn(shape, input))) return undefined;
  let bySchema = generated.get(schema);
  if (bySchema === undefined) {
    bySchema = new Map();
    generated.set(schema, bySchema);
  }
  const key = JSON.stringify([inputs, outputs]);
  if (bySchema.has(key)) return bySchema.get(key);
  if (bySchema.size >= MAX_PER_SCHEMA) return undefined;
  const assembler = generate(shape, inputs, outputs);
  bySchema.set(key, assembler);
  return assembler;
}
