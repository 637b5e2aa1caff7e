/**
 * A node attempt's output as its consumers get it: checked against the node's output ports, and
 * deep-frozen in a copy, so no consumer can change what another sees and the node's own objects are
 * never frozen under it.
 *
 * @module
 */
import { z } from "zod";
import { ValidationError } from "../core/errors.js";
import { isolatedCopy, isolatedFresh } from "../core/isolated-copy.js";
import { zodIssues } from "../core/validation.js";
import { NOT_PARSED, fastParse, type FastParse } from "./compiled-schema.js";
import { flatPlainCopy } from "./output-copy.js";

/** How parsing with an output schema hands its result back, which decides what isolating it takes. */
export const OutputShape = {
  /** Anything: the parsed value is copied. */
  General: 0,
  /** Always a new top-level object (see {@link parsesToFreshObject}): frozen in place when flat. */
  Fresh: 1,
  /** A new object whose ports can only hold primitives (see {@link parsesToFlatObject}). */
  Flat: 2,
} as const;
export type OutputShape = (typeof OutputShape)[keyof typeof OutputShape];

interface SchemaDef {
  readonly type: string;
  readonly checks?: readonly { readonly _zod: { readonly def: { readonly check: string } } }[];
  readonly innerType?: z.ZodType;
  readonly shape?: Readonly<Record<string, z.ZodType>>;
  readonly catchall?: z.ZodType;
  readonly values?: readonly unknown[];
}

function defOf(schema: z.ZodType): SchemaDef {
  return schema._zod.def as SchemaDef;
}

/**
 * Whether parsing with `schema` always yields a new top-level object that nothing else holds: a
 * `z.object` builds its result afresh, unless a check (`.refine`, `.overwrite`) could hand back
 * another object.
 */
export function parsesToFreshObject(schema: z.ZodType): boolean {
  const def = defOf(schema);
  return def.type === "object" && (def.checks === undefined || def.checks.length === 0);
}

// Wrappers whose parse yields their inner type's value or a default of it (`catch` is left out:
// its callback may return anything).
const primitiveWrappers = new Set(["optional", "nullable", "default", "prefault", "readonly", "nonoptional"]);
const primitiveTypes = new Set(["string", "number", "boolean", "bigint", "null", "undefined", "nan", "enum", "literal"]);

function parsesToPrimitive(schema: z.ZodType): boolean {
  let current: z.ZodType | undefined = schema;
  for (let depth = 0; depth < 8 && current !== undefined; depth++) {
    const def = defOf(current);
    // An `.overwrite` check may replace the value with anything; other checks only look at it.
    if (def.checks?.some((check) => check._zod.def.check === "overwrite") === true) return false;
    if (primitiveWrappers.has(def.type)) {
      current = def.innerType;
      continue;
    }
    if (def.type === "enum") return true;
    if (def.type === "literal") return (def.values ?? []).every((value) => value === null || typeof value !== "object");
    return primitiveTypes.has(def.type);
  }
  return false;
}

/**
 * Whether parsing with `schema` always yields a new object of primitives only: a fresh object
 * (see {@link parsesToFreshObject}) with no extra keys let through and every port a primitive
 * type. Consumers read such an output port by port and so can share nothing mutable through it.
 */
export function parsesToFlatObject(schema: z.ZodType): boolean {
  if (!parsesToFreshObject(schema)) return false;
  const def = defOf(schema);
  if (def.catchall !== undefined && defOf(def.catchall).type !== "never") return false;
  return Object.values(def.shape ?? {}).every(parsesToPrimitive);
}

/** The {@link OutputShape} of `schema`. */
export function outputShapeOf(schema: z.ZodType): OutputShape {
  if (parsesToFlatObject(schema)) return OutputShape.Flat;
  return parsesToFreshObject(schema) ? OutputShape.Fresh : OutputShape.General;
}

/**
 * The isolated output; throws a {@link ValidationError} (never retried) when `output` is wrong.
 * A {@link OutputShape.Flat} output comes back unfrozen: nothing but the caller holds it, and the
 * caller freezes it before anyone else can see it (most never are seen whole).
 */
export function isolatedOutput(schema: z.ZodType, shape: OutputShape, output: unknown, validate: boolean, parse: FastParse = fastParse(schema)): unknown {
  if (!validate) {
    // Even unvalidated, outputs are read port by port: anything but an object is a node bug.
    if (typeof output !== "object" || output === null) {
      throw ValidationError.of("output", `a node must return an object of output ports, got ${output === null ? "null" : typeof output}`, "invalid_output");
    }
    if (shape === OutputShape.Flat) {
      const copy = flatPlainCopy(output);
      if (copy !== undefined) return copy;
    }
    return isolatedCopy(output);
  }
  let parsed = parse(output);
  try {
    // `parse` rather than `safeParse`: on the common, valid path it allocates no result wrapper.
    if (parsed === NOT_PARSED) parsed = schema.parse(output);
  } catch (error) {
    // Any zod flavour's error (classic or mini), as `safeParse` would have reported it.
    if (error instanceof z.core.$ZodError) throw new ValidationError(zodIssues(error as z.ZodError, "output"));
    throw error;
  }
  if (shape === OutputShape.Flat) return parsed;
  return shape === OutputShape.Fresh ? isolatedFresh(parsed) : isolatedCopy(parsed);
}
