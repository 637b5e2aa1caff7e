/**
 * The attempts of a node with a timeout or retries: each attempt raced against its timeout on the
 * run's clock, and retried with backoff while the error allows it. Nodes without either take the
 * scheduler's direct path instead and pay for none of this.
 *
 * @module
 */
import { sleep, type Clock } from "../core/clock.js";
import { TimeoutError } from "../core/errors.js";
import type { NodeExecutionError } from "../core/errors.js";
import type { AttemptContext } from "./context.js";
import type { CompiledNode } from "./graph.js";
import { backoffDelay, isRetryable } from "./retry.js";
import type { WorkflowRun } from "./workflow-run.js";

/** How a node ended: its isolated output, or its last error. */
export type NodeOutcome = { ok: true; output: unknown; attempts: number } | { ok: false; error: NodeExecutionError; attempts: number };

/** All attempts of one node (inputs already validated). Never rejects: failures come back as `{ ok: false }`. */
export async function runGuardedNode(run: WorkflowRun, node: CompiledNode, inputs: unknown): Promise<NodeOutcome> {
  const maxAttempts = node.retry?.attempts ?? 1;
  const clock = run.scope.clock;
  for (let attempt = 1; ; attempt++) {
    try {
      const ctx = run.newAttempt(node, attempt);
      const raw = node.timeoutMs === undefined ? await node.definition.run(ctx, node.config, inputs) : await withTimeout(clock, ctx, node, inputs, node.timeoutMs);
      return { ok: true, output: run.checkOutput(node, raw), attempts: attempt };
    } catch (error) {
      const retry = attempt < maxAttempts && !run.stopped && isRetryable(error, node.retry);
      const wrapped = run.nodeError(node, error, attempt, retry);
      if (!retry || node.retry === undefined) return { ok: false, error: wrapped, attempts: attempt };
      try {
        await sleep(clock, backoffDelay(node.retry, attempt), run.stopSignal);
      } catch {
        return { ok: false, error: wrapped, attempts: attempt };
      }
    }
  }
}

/**
 * Runs the node, settling with a {@link TimeoutError} (and aborting `ctx.signal`) after `limit` ms.
 * Cancellation needs no such race: the scheduler stops waiting for a cancelled node by itself and
 * ignores its late result. Only a timeout must settle an attempt early.
 */
function withTimeout(clock: Clock, ctx: AttemptContext, node: CompiledNode, inputs: unknown, limit: number): Promise<unknown> {
  return new Promise<unknown>((resolve, reject) => {
    let timedOut = false;
    const timer = clock.setTimer(limit, () => {
      timedOut = true;
      const error = new TimeoutError(`attempt ${ctx.attempt} timed out after ${limit} ms`, limit);
      ctx.abort(error);
      reject(error);
    });
    const finish = (): boolean => {
      if (timedOut) return false;
      clock.clearTimer(timer);
      return true;
    };
    let pending: Promise<unknown>;
    try {
      pending = node.definition.run(ctx, node.config, inputs);
    } catch (error) {
      if (finish()) reject(error);
      return;
    }
    Promise.resolve(pending).then(
      (output) => {
        if (finish()) resolve(output);
      },
      (error: unknown) => {
        if (finish()) reject(error);
      },
    );
  });
}
