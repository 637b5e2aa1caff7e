/**
 * A node attempt's output as its consumers get it: checked against the node's output ports, and
 * deep-frozen in a copy, so no consumer can change what another sees and the node's own objects are
 * never frozen under it.
 *
 * @module
 */
import { ValidationError } from "../core/errors.js";
import { isolatedCopy, isolatedFresh } from "../core/isolated-copy.js";
import { zodIssues } from "../core/validation.js";
import type { z } from "zod";

/**
 * Whether parsing with `schema` always yields a new top-level object that nothing else holds: a
 * `z.object` builds its result afresh, unless a check (`.refine`, `.overwrite`) could hand back
 * another object.
 */
export function parsesToFreshObject(schema: z.ZodType): boolean {
  const def = schema._zod.def as { type: string; checks?: readonly unknown[] };
  return def.type === "object" && (def.checks === undefined || def.checks.length === 0);
}

/**
 * The isolated output; throws a {@link ValidationError} (never retried) when `output` is wrong.
 * `fresh` says {@link parsesToFreshObject} of `schema`, so a flat parsed output needs no second copy.
 */
export function isolatedOutput(schema: z.ZodType, fresh: boolean, output: unknown, validate: boolean): unknown {
  if (!validate) {
    // Even unvalidated, outputs are read port by port: anything but an object is a node bug.
    if (typeof output !== "object" || output === null) {
      throw ValidationError.of("output", `a node must return an object of output ports, got ${output === null ? "null" : typeof output}`, "invalid_output");
    }
    return isolatedCopy(output);
  }
  const parsed = schema.safeParse(output);
  if (!parsed.success) throw new ValidationError(zodIssues(parsed.error, "output"));
  return fresh ? isolatedFresh(parsed.data) : isolatedCopy(parsed.data);
}
