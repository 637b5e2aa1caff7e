/**
 * Turning zod results into edgeflow's {@link ValidationError}, so every boundary reports problems the
 * same way: all of them, each with a dotted path.
 *
 * @module
 */
import type { z } from "zod";
import { truncateText } from "./describe.js";
import { ValidationError, type ValidationIssue } from "./errors.js";

/** Joins path segments into the dotted form used in {@link ValidationIssue.path}. */
export function joinPath(...segments: ReadonlyArray<PropertyKey | undefined>): string {
  let out = "";
  for (const segment of segments) {
    if (segment === undefined || segment === "") continue;
    if (typeof segment === "number") out += `[${segment}]`;
    else out += out === "" ? String(segment) : `.${String(segment)}`;
  }
  return out;
}

/** Converts zod issues to edgeflow issues, prefixing each path with `prefix`. */
export function zodIssues(error: z.ZodError, prefix = ""): ValidationIssue[] {
  // Bounded here too, not only in ValidationError: safeParseWith hands these out directly, and a
  // refinement's message may quote the input.
  return error.issues.map((issue) => ({
    path: truncateText(joinPath(prefix, ...issue.path), 200),
    message: truncateText(issue.message, 500),
    code: issue.code,
  }));
}

/** Parses `value` with `schema`; throws one {@link ValidationError} listing every problem. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, prefix = ""): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ValidationError(zodIssues(result.error, prefix));
  return result.data;
}

/** Like {@link parseWith} but returns issues instead of throwing. */
export function safeParseWith<S extends z.ZodType>(
  schema: S,
  value: unknown,
  prefix = "",
): { ok: true; value: z.output<S> } | { ok: false; issues: ValidationIssue[] } {
  const result = schema.safeParse(value);
  return result.success ? { ok: true, value: result.data } : { ok: false, issues: zodIssues(result.error, prefix) };
}
