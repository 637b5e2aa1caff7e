/**
 * Typed errors. Every error edgeflow throws is an {@link EdgeflowError} with a stable `code`, so callers
 * branch on `error.code` (or `instanceof`) instead of parsing messages.
 *
 * @module
 */

/** Base class of every error edgeflow throws. */
export class EdgeflowError extends Error {
  /** Stable, machine-readable code, e.g. `"validation"`, `"timeout"`. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
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
  const lines = issues.map((i) => `  - ${i.path === "" ? "(root)" : i.path}: ${i.message}`);
  return `${issues.length} validation problem${issues.length === 1 ? "" : "s"}:\n${lines.join("\n")}`;
}

/** Bad input. Carries *every* problem found, not just the first. */
export class ValidationError extends EdgeflowError {
  readonly issues: readonly ValidationIssue[];

  constructor(issues: readonly ValidationIssue[], message?: string) {
    super("validation", message ?? describeIssues(issues));
    this.issues = Object.freeze(issues.map((i) => Object.freeze({ ...i })));
  }

  /** A single-issue error, for the common case. */
  static of(path: string, message: string, code?: string): ValidationError {
    return new ValidationError([code === undefined ? { path, message } : { path, message, code }]);
  }
}

/** An operation did not finish within its time limit. */
export class TimeoutError extends EdgeflowError {
  readonly timeoutMs: number;

  constructor(message: string, timeoutMs: number) {
    super("timeout", message);
    this.timeoutMs = timeoutMs;
  }
}

/** An operation was cancelled, usually through an `AbortSignal`. */
export class CancelledError extends EdgeflowError {
  constructor(message = "operation cancelled", options?: { cause?: unknown }) {
    super("cancelled", message, options);
  }
}

/** A workflow node failed; `cause` holds what it threw. */
export class NodeExecutionError extends EdgeflowError {
  readonly nodeId: string;
  readonly nodeType: string;
  readonly attempts: number;

  constructor(nodeId: string, nodeType: string, message: string, options: { cause?: unknown; attempts?: number } = {}) {
    super("node_execution", `node "${nodeId}" (${nodeType}) failed: ${message}`, { cause: options.cause });
    this.nodeId = nodeId;
    this.nodeType = nodeType;
    this.attempts = options.attempts ?? 1;
  }
}

/** Something looked up by id does not exist. */
export class NotFoundError extends EdgeflowError {
  readonly kind: string;
  readonly id: string;

  constructor(kind: string, id: string, message?: string) {
    super("not_found", message ?? `${kind} "${id}" not found`);
    this.kind = kind;
    this.id = id;
  }
}

/** The request is valid but conflicts with current state (stale fencing token, invalid transition, ...). */
export class ConflictError extends EdgeflowError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("conflict", message, options);
  }
}

/** An object was used after `close()`/`stop()`. */
export class ClosedError extends EdgeflowError {
  constructor(what: string) {
    super("closed", `${what} is closed`);
  }
}

/** Whether `value` is an edgeflow error, optionally of a given code. */
export function isEdgeflowError(value: unknown, code?: string): value is EdgeflowError {
  return value instanceof EdgeflowError && (code === undefined || value.code === code);
}

/** The message of anything thrown, for logs and error wrapping. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === "string" ? error : JSON.stringify(error) ?? String(error);
}
