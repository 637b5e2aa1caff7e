/**
 * Node port schemas as the runtime checks them on every run: compiled by zod ahead of time where the
 * installed zod can (`z.compile`, zod 4.5 and later), with identical results and identical issues, and
 * as given otherwise. A 10,000-node run parses 20,000 times; the interpreted parser's per-key walk and
 * allocations were the larger part of the runtime's own cost.
 *
 * @module
 */
import { z } from "zod";

type Compile = <T extends z.ZodType>(schema: T) => T;

// Read once: the peer dependency allows any zod 4, and `compile` only exists from 4.5.
const compile = (z as unknown as { compile?: Compile }).compile;
const compiled = new WeakMap<z.ZodType, z.ZodType>();

/** `schema`, compiled on first use and then shared by every workflow that uses it. */
export function compiledSchema<T extends z.ZodType>(schema: T): T {
  if (compile === undefined) return schema;
  let fast = compiled.get(schema);
  if (fast === undefined) {
    try {
      fast = compile(schema);
    } catch {
      // zod documents compile as never throwing; should one refuse anyway, the runtime parser is exact.
      fast = schema;
    }
    compiled.set(schema, fast);
  }
  return fast as T;
}

/**
 * A parse as the runtime calls it per node: the generated parser itself, which returns
 * {@link NOT_PARSED} where the schema's own parse must decide (it then gives the exact result or
 * error), without the wrapper and property lookups of `schema.parse` on every call.
 */
export type FastParse = (input: unknown) => unknown;

type CompileFn = (schema: z.ZodType) => FastParse;

// Both exist from zod 4.5 on; before, every parse goes through `schema.parse`.
const core = z.core as unknown as { compileFn?: CompileFn; INVALID?: symbol };
const compileFn = core.compileFn;
/** What a {@link FastParse} returns when it did not parse: call the schema's `parse`. */
export const NOT_PARSED: unique symbol = (core.INVALID ?? Symbol("not parsed")) as never;
const fastParsers = new WeakMap<z.ZodType, FastParse>();

/** The {@link FastParse} of `schema`, generated on first use and shared. */
export function fastParse(schema: z.ZodType): FastParse {
  let parse = fastParsers.get(schema);
  if (parse === undefined) {
    parse = generatedParse(schema) ?? (() => NOT_PARSED);
    fastParsers.set(schema, parse);
  }
  return parse;
}

/**
 * The parser zod generates for `schema` (a new one on each call), or `undefined` where zod cannot
 * generate one (a zod before 4.5, a cycle, an async refinement) and its own parse decides every time.
 */
export function generatedParse(schema: z.ZodType): FastParse | undefined {
  try {
    return compileFn?.(schema);
  } catch {
    return undefined;
  }
}
