/**
 * Errors that end a workflow run. Both carry the partial {@link RunResult}, so a caller can see which
 * nodes completed before the failure or cancellation.
 *
 * @module
 */
import { CancelledError, EdgeflowError } from "../core/errors.js";
import type { RunResult } from "./types.js";

/**
 * A node failed for good under the `fail-fast` policy; `cause` is its `NodeExecutionError`. Code
 * `workflow.failed`.
 *
 * @example
 * ```ts
 * try {
 *   await runtime.execute(workflow);
 * } catch (error) {
 *   if (error instanceof WorkflowFailedError) console.log(error.result.results, error.cause);
 * }
 * ```
 */
export class WorkflowFailedError extends EdgeflowError {
  readonly result: RunResult;

  constructor(result: RunResult, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super("workflow.failed", `run ${result.runId} failed: ${reason}`, { cause });
    this.result = result;
  }
}

/**
 * The run was cancelled through its `AbortSignal`.
 *
 * @example
 * ```ts
 * const run = runtime.execute(workflow, { signal: AbortSignal.timeout(5_000) });
 * await run.catch((error) => {
 *   if (error instanceof WorkflowCancelledError) console.log("completed before cancel:", error.result.results);
 * });
 * ```
 */
export class WorkflowCancelledError extends CancelledError {
  readonly result: RunResult;

  constructor(result: RunResult, cause: unknown) {
    super(`run ${result.runId} was cancelled`, { cause });
    this.result = result;
  }
}
