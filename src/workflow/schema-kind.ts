/**
 * Coarse compatibility checks between zod port schemas, used by `build()` to catch a string output wired
 * to a number input. Only clear-cut mismatches are reported; anything the schemas cannot tell
 * (unknown, unions, transforms, custom) is accepted and left to run-time validation.
 *
 * @module
 */
import type { z } from "zod";

const wrappers = new Set(["optional", "nullable", "default", "prefault", "readonly", "catch", "nonoptional", "lazy"]);
const comparable = new Set(["string", "number", "boolean", "bigint", "array", "object", "record", "date", "map", "set"]);

interface ZodInternals {
  readonly _zod: { readonly def: { readonly type: string; readonly innerType?: unknown; readonly getter?: () => unknown }; readonly optin?: string };
}

function internals(schema: unknown): ZodInternals["_zod"] | undefined {
  if (typeof schema !== "object" || schema === null || !("_zod" in schema)) return undefined;
  return (schema as ZodInternals)._zod;
}

/** The base kind of a schema (`"string"`, `"object"`, ...) after unwrapping optional/default/...; `undefined` if unclear. */
export function schemaKind(schema: z.ZodType): string | undefined {
  let current: unknown = schema;
  for (let depth = 0; depth < 16; depth++) {
    const zod = internals(current);
    if (zod === undefined) return undefined;
    const type = zod.def.type;
    if (type === "lazy" && zod.def.getter !== undefined) {
      current = zod.def.getter();
      continue;
    }
    if (wrappers.has(type)) {
      current = zod.def.innerType;
      continue;
    }
    if (!comparable.has(type)) return undefined;
    return type === "record" ? "object" : type;
  }
  return undefined;
}

/** Whether a value of `output`'s kind can clearly not satisfy `input`. */
export function kindsConflict(output: z.ZodType, input: z.ZodType): { output: string; input: string } | undefined {
  const out = schemaKind(output);
  const into = schemaKind(input);
  if (out === undefined || into === undefined || out === into) return undefined;
  return { output: out, input: into };
}

/** Whether an object-schema property may be left out (optional or defaulted). */
export function isOptionalPort(schema: z.ZodType): boolean {
  const optin = internals(schema)?.optin;
  return optin === "optional" || optin === "defaulted";
}
