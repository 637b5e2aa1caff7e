/**
 * Turning zod results into edgeflow's {@link ValidationError}, so every boundary reports problems the
 * same way: all of them, each with a dotted path.
 *
 * @module
 */
import type { z } from "zod";
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
  return error.issues.map((issue) => ({
    path: joinPath(prefix, ...issue.path),
    message: issue.message,
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

/**
 * A short description of a value for an error message: strings are quoted and cut, objects named by
 * their shape, so a message never echoes a megabyte of user input.
 */
export function describeValue(value: unknown, maxLength = 80): string {
  switch (typeof value) {
    case "string": {
      const cut = value.length > maxLength ? `${value.slice(0, maxLength)}… (${value.length} chars)` : value;
      return JSON.stringify(cut);
    }
    case "number":
    case "boolean":
    case "bigint":
    case "symbol":
      return String(value);
    case "undefined":
      return "undefined";
    case "function":
      return "a function";
    default:
      if (value === null) return "null";
      if (Array.isArray(value)) return `an array of ${value.length}`;
      return "an object";
  }
}
