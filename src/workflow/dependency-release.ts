/**
 * What a node's end means for its consumers: one producer fewer to wait for, and once none is left,
 * either ready to start or, when a producer did not complete, skipped in turn.
 *
 * @module
 */
import type { CompiledNode } from "./graph.js";
import { COMPLETED, SKIPPED, type RunState } from "./run-state.js";

/**
 * Counts node `first` done for its consumers. A node whose producer failed or was skipped is
 * skipped, and so on downstream, iteratively: a failure at the head of a 10,000-node chain must not
 * overflow the stack.
 */
export function releaseDependants(run: RunState, first: number): void {
  const plan = run.plan;
  // Allocated only once a skip must travel downstream: completions, the common case, need no stack.
  let work: number[] | undefined;
  for (let index: number | undefined = first; index !== undefined; index = work?.pop()) {
    const completed = run.nodeState[index] === COMPLETED;
    const end = plan.outStart[index + 1] ?? 0;
    for (let e = plan.outStart[index] ?? 0; e < end; e++) {
      const to = plan.outTo[e] ?? 0;
      if (!completed && run.blocker[to] === -1) run.blocker[to] = index;
      const left = (run.remaining[to] ?? 0) - 1;
      run.remaining[to] = left;
      if (left !== 0) continue;
      const blocker = run.blocker[to] ?? -1;
      if (blocker === -1) {
        run.ready[run.readTail++] = to;
        continue;
      }
      const reason = `dependency "${(run.nodes[blocker] as CompiledNode).id}" did not complete`;
      run.nodeState[to] = SKIPPED;
      run.outcome[to] = reason;
      run.finished++;
      run.stamp = Number.NaN;
      run.env.events.emit("node:skip", { runId: run.request.runId, nodeId: (run.nodes[to] as CompiledNode).id, reason });
      (work ??= []).push(to);
    }
  }
}
