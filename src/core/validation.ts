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

/** The zod major version edgeflow's schemas must come from. */
export const REQUIRED_ZOD_MAJOR = 4;

/**
 * Throws a {@link ValidationError} that says what to install unless `value` is a schema of zod 4
 * (the classic API, `import { z } from "zod"`). Schemas cross the public API (`defineNode`), and one
 * built by another copy or major version of zod fails later in obscure ways; this names the problem
 * where the schema is handed over.
 *
 * @example
 * ```ts
 * assertZodSchema(spec.inputs, "inputs"); // throws: "inputs is a zod 3 schema; edgeflow needs zod 4 ..."
 * ```
 */
export function assertZodSchema(value: unknown, field: string): asserts value is z.ZodType {
  const problem = zodSchemaProblem(value);
  if (problem !== undefined) throw ValidationError.of(field, `${field} ${problem}`, "invalid_schema");
}

/** Why `value` is not a usable zod 4 schema, or `undefined` when it is. */
export function zodSchemaProblem(value: unknown): string | undefined {
  const need = `edgeflow needs a schema from zod ${REQUIRED_ZOD_MAJOR} (npm install zod@^${REQUIRED_ZOD_MAJOR}, then import { z } from "zod")`;
  if (typeof value !== "object" || value === null) return `must be a zod schema, got ${value === null ? "null" : typeof value}; ${need}`;
  const internals = (value as { _zod?: unknown })._zod;
  if (typeof internals !== "object" || internals === null) {
    // zod 3 schemas keep their definition in `_def` and have no `_zod`.
    return "_def" in value ? `is a zod 3 schema; ${need}` : `is not a zod schema; ${need}`;
  }
  const major = (internals as { version?: { major?: unknown } }).version?.major;
  if (major !== REQUIRED_ZOD_MAJOR) return `is a schema of zod ${String(major)}; ${need}`;
  // zod/mini shares the internals but not the chainable methods (`.optional()`, `.extend()`) nodes use.
  if (typeof (value as { optional?: unknown }).optional !== "function") return `is a zod/mini schema, which lacks the methods edgeflow uses; ${need}`;
  return undefined;
}
