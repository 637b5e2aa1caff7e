/**
 * The {@link RunResult} of a settled run, and the frozen node outputs that whoever sees one whole
 * (the results, listeners) is handed.
 *
 * @module
 */
import type { NodeExecutionError } from "../core/errors.js";
import { OutputShape } from "./node-output.js";
import { resultsView } from "./run-results.js";
import { CANCELLED, COMPLETED, FAILED, SKIPPED, type RunState } from "./run-state.js";
import type { NodeResult, RunResult, RunStatus } from "./types.js";

/**
 * Node `index`'s output, frozen. A flat output is frozen only here: its consumers read primitives
 * from its ports and never hold the object.
 */
export function exposedOutput(run: RunState, index: number): unknown {
  const output = run.outcome[index];
  if (run.plan.outputShapes[index] === OutputShape.Flat) Object.freeze(output);
  return output;
}

/** The result of the run, ending with `status` now; its per-node results are built when read. */
export function snapshot(run: RunState, status: RunStatus): RunResult {
  // Nothing changes a node's state once the run has settled, so the view can read it later.
  const plan = run.plan;
  const results = resultsView({ ids: plan.ids, indexOf: plan.indexOf, resultOf: (index) => resultOf(run, index) });
  return {
    runId: run.request.runId,
    status,
    results,
    ...(run.firstError === undefined ? {} : { error: run.firstError }),
    startedAt: run.startedAt,
    finishedAt: run.env.clock.now(),
  };
}

function resultOf(run: RunState, index: number): NodeResult {
  const outcome = run.outcome[index];
  const attempts = run.attempts[index] ?? 0;
  const startedAt = run.nodeStartedAt[index] ?? 0;
  const finishedAt = run.nodeFinishedAt[index] ?? 0;
  switch (run.nodeState[index]) {
    case COMPLETED:
      return { status: "completed", output: exposedOutput(run, index), attempts, startedAt, finishedAt };
    case FAILED:
      return { status: "failed", error: outcome as NodeExecutionError, attempts, startedAt, finishedAt };
    case SKIPPED:
      return { status: "skipped", reason: outcome as string };
    case CANCELLED:
      return { status: "cancelled", reason: outcome as string };
    default:
      return { status: "skipped", reason: "not reached" };
  }
}
