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
