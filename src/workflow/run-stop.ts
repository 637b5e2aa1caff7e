/**
 * Stopping a run before its nodes have all ended: on cancellation (the caller's signal, or the
 * runtime closing) and, under fail-fast, after a node's final failure. Running attempts are aborted
 * and their late results ignored; nodes not started are skipped (a failure) or cancelled.
 *
 * @module
 */
import { CancelledError } from "../core/errors.js";
import type { CompiledNode } from "./graph.js";
import { CANCELLED, FAILED, RUNNING, SKIPPED, WAITING, type RunState, type StopState } from "./run-state.js";
import type { RunStatus } from "./types.js";

/** Marks every node not yet ended as stopped with `reason`; returns the status the run ends with. */
export function stopNodes(run: RunState, status: StopState, reason: string): RunStatus {
  const error = new CancelledError(reason);
  run.stopError = error;
  run.stopController?.abort(error);
  for (let i = 0; i < run.count; i++) {
    const state = run.nodeState[i];
    if (state === RUNNING) {
      run.nodeState[i] = CANCELLED;
      run.outcome[i] = reason;
      run.current[i]?.abort(error);
      run.current[i] = undefined;
    } else if (state === WAITING) {
      run.nodeState[i] = status === CANCELLED ? CANCELLED : SKIPPED;
      run.outcome[i] = reason;
      if (status === FAILED) run.env.events.emit("node:skip", { runId: run.request.runId, nodeId: (run.nodes[i] as CompiledNode).id, reason });
    }
  }
  run.running = 0;
  return status === CANCELLED ? "cancelled" : "failed";
}

/** Aborted once the run stops: what the waits between a node's attempts listen to. */
export function stopSignal(run: RunState): AbortSignal {
  if (run.stopController === undefined) {
    run.stopController = new AbortController();
    if (run.stopError !== undefined) run.stopController.abort(run.stopError);
  }
  return run.stopController.signal;
}
