/**
 * Typed errors. Every error edgeflow throws is an {@link EdgeflowError} with a stable `code`, so callers
 * branch on `error.code` (or `instanceof`) instead of parsing messages.
 *
 * One style for codes: generic ones are single words (`validation`, `timeout`, `not_found`,
 * `conflict`, `cancelled`, `closed`); those of one area are `<area>.<reason_in_snake_case>`
 * (`workflow.node_failed`, `raft.not_leader`, `storage.corruption`, `transport.auth_failed`).
 *
 * Messages are bounded: an error never carries a megabyte of the input that caused it.
 *
 * @module
 */
import { describeValue, truncateText } from "./describe.js";

/** Longest message an {@link EdgeflowError} keeps, in characters; the rest is cut with a note. */
export const MAX_ERROR_MESSAGE_CHARS = 4_000;
/** Longest message and path kept per {@link ValidationIssue}. */
const MAX_ISSUE_MESSAGE_CHARS = 500;
const MAX_ISSUE_PATH_CHARS = 200;
/** Issues listed in a {@link ValidationError}'s message, and the length of each line; all of them stay in `issues`. */
const MAX_LISTED_ISSUES = 10;
const MAX_LISTED_LINE_CHARS = 300;

/**
 * Base class of every error edgeflow throws.
 *
 * @example
 * ```ts
 * try {
 *   await runtime.execute(workflow);
 * } catch (error) {
 *   if (isEdgeflowError(error, "workflow.failed")) console.error(error.message);
 *   else throw error;
 * }
 * ```
 */
export class EdgeflowError extends Error {
  /** Stable, machine-readable code, e.g. `"validation"`, `"timeout"`, `"storage.corruption"`. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(truncateText(message, MAX_ERROR_MESSAGE_CHARS), options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** One problem found while validating input: where it is and what is wrong. */
export interface ValidationIssue {
  /** Dotted path to the offending value, e.g. `"nodes.fetch.config.timeoutMs"`; `""` for the root. */
  readonly path: string;
  /** What is wrong, in a sentence a user can act on. */
  readonly message: string;
  /** Machine-readable kind of problem, e.g. `"duplicate_id"`, `"cycle"`, `"invalid_type"`. */
  readonly code?: string;
}

function describeIssues(issues: readonly ValidationIssue[]): string {
  const lines = issues.slice(0, MAX_LISTED_ISSUES).map((i) => truncateText(`  - ${i.path === "" ? "(root)" : i.path}: ${i.message}`, MAX_LISTED_LINE_CHARS));
  if (issues.length > MAX_LISTED_ISSUES) lines.push(`  - … and ${issues.length - MAX_LISTED_ISSUES} more (see error.issues)`);
  return `${issues.length} validation problem${issues.length === 1 ? "" : "s"}:\n${lines.join("\n")}`;
}

function boundedIssue(issue: ValidationIssue): ValidationIssue {
  const bounded = { ...issue, path: truncateText(issue.path, MAX_ISSUE_PATH_CHARS), message: truncateText(issue.message, MAX_ISSUE_MESSAGE_CHARS) };
  return Object.freeze(bounded);
}

/**
 * Bad input. Carries *every* problem found, not just the first; its message lists the first ten.
 *
 * @example
 * ```ts
 * try {
 *   new LocalRuntime({ concurrency: 0 });
 * } catch (error) {
 *   if (error instanceof ValidationError) for (const issue of error.issues) console.log(issue.path, issue.message);
 * }
 * ```
 */
export class ValidationError extends EdgeflowError {
  readonly issues: readonly ValidationIssue[];

  constructor(issues: readonly ValidationIssue[], message?: string) {
    const bounded = issues.map(boundedIssue);
    super("validation", message ?? describeIssues(bounded));
    this.issues = Object.freeze(bounded);
  }

  /** A single-issue error, for the common case. */
  static of(path: string, message: string, code?: string): ValidationError {
    return new ValidationError([code === undefined ? { path, message } : { path, message, code }]);
  }
}

/**
 * An operation did not finish within its time limit.
 *
 * @example
 * ```ts
 * if (error instanceof TimeoutError) console.warn(`gave up after ${error.timeoutMs} ms`);
 * ```
 */
export class TimeoutError extends EdgeflowError {
  readonly timeoutMs: number;

  constructor(message: string, timeoutMs: number) {
    super("timeout", message);
    this.timeoutMs = timeoutMs;
  }
}

/**
 * An operation was cancelled, usually through an `AbortSignal`.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * const run = runtime.execute(workflow, { signal: controller.signal });
 * controller.abort();
 * await run.catch((error) => console.log(error instanceof CancelledError)); // true
 * ```
 */
export class CancelledError extends EdgeflowError {
  constructor(message = "operation cancelled", options?: { cause?: unknown }) {
    super("cancelled", message, options);
  }
}

/**
 * A workflow node failed; `cause` holds what it threw. Code `workflow.node_failed`.
 *
 * @example
 * ```ts
 * const failed = run.results.fetch;
 * if (failed.status === "failed") console.log(failed.error.nodeId, failed.error.attempts, failed.error.cause);
 * ```
 */
export class NodeExecutionError extends EdgeflowError {
  readonly nodeId: string;
  readonly nodeType: string;
  readonly attempts: number;

  constructor(nodeId: string, nodeType: string, message: string, options: { cause?: unknown; attempts?: number } = {}) {
    super("workflow.node_failed", `node "${nodeId}" (${nodeType}) failed: ${message}`, { cause: options.cause });
    this.nodeId = nodeId;
    this.nodeType = nodeType;
    this.attempts = options.attempts ?? 1;
  }
}

/**
 * Something looked up by id does not exist.
 *
 * @example
 * ```ts
 * if (error instanceof NotFoundError) console.log(`no ${error.kind} called ${error.id}`);
 * ```
 */
export class NotFoundError extends EdgeflowError {
  readonly kind: string;
  readonly id: string;

  constructor(kind: string, id: string, message?: string) {
    super("not_found", message ?? `${kind} "${id}" not found`);
    this.kind = kind;
    this.id = id;
  }
}

/**
 * The request is valid but conflicts with current state (stale fencing token, invalid transition, ...).
 *
 * @example
 * ```ts
 * if (isEdgeflowError(error, "conflict")) await retryWithFreshState();
 * ```
 */
export class ConflictError extends EdgeflowError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("conflict", message, options);
  }
}

/**
 * An object was used after `close()`.
 *
 * @example
 * ```ts
 * await storage.close();
 * await storage.load().catch((error) => console.log(error instanceof ClosedError)); // true
 * ```
 */
export class ClosedError extends EdgeflowError {
  constructor(what: string) {
    super("closed", `${what} is closed`);
  }
}

/** Whether `value` is an edgeflow error, optionally of a given code. */
export function isEdgeflowError(value: unknown, code?: string): value is EdgeflowError {
  return value instanceof EdgeflowError && (code === undefined || value.code === code);
}

/** The message of anything thrown, for logs and error wrapping; bounded like every error message. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return truncateText(error.message, MAX_ERROR_MESSAGE_CHARS);
  return typeof error === "string" ? truncateText(error, MAX_ERROR_MESSAGE_CHARS) : describeValue(error, MAX_ERROR_MESSAGE_CHARS);
}
