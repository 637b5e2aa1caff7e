/**
 * One run of a workflow: the scheduler's state and its hot path. A node whose producers are all done
 * is started at once, in the same turn; a node without a timeout or retries costs one `then` on the
 * promise its `run` returns, no async frame of ours, no abort signal unless it reads `ctx.signal`, and
 * no event payloads unless someone listens. Per-node state lives in flat typed arrays: on a
 * 10,000-node run, objects kept alive until the end are what the garbage collector pays for.
 *
 * @module
 */
import type { Clock } from "../core/clock.js";
import { CancelledError, NodeExecutionError, ValidationError, errorMessage, type EdgeflowError } from "../core/errors.js";
import type { TypedEmitter } from "../core/events.js";
import type { Logger } from "../core/logger.js";
import type { ServiceRegistry } from "../core/services.js";
import { zodIssues } from "../core/validation.js";
import { z } from "zod";
import { AttemptContext, type RunScope } from "./context.js";
import { WorkflowCancelledError, WorkflowFailedError } from "./errors.js";
import type { CompiledGraph, CompiledNode } from "./graph.js";
import { runGuardedNode } from "./guarded-node.js";
import { OutputShape, isolatedOutput } from "./node-output.js";
import type { RunPlan } from "./run-plan.js";
import { resultsView } from "./run-results.js";
import type { ErrorPolicy, NodeResult, RunResult, RunStatus, RuntimeEvents } from "./types.js";

/** What every run of one runtime shares. */
export interface RunEnvironment {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly infrastructure: ServiceRegistry;
  readonly events: TypedEmitter<RuntimeEvents>;
  readonly concurrency: number;
  readonly validateIO: boolean;
}

/** What one run is given. */
export interface RunRequest {
  readonly runId: string;
  readonly seed: number;
  readonly workflowName: string | undefined;
  readonly graph: CompiledGraph;
  readonly plan: RunPlan;
  readonly inputs: Readonly<Record<string, unknown>> | undefined;
  readonly signal: AbortSignal | undefined;
  readonly policy: ErrorPolicy;
}

// Node states.
const WAITING = 0;
const RUNNING = 1;
const COMPLETED = 2;
const FAILED = 3;
const SKIPPED = 4;
const CANCELLED = 5;

/**
 * Runs a workflow once; `promise` settles as {@link LocalRuntime.execute} documents. Internal: the
 * runtime creates one per `execute` call.
 */
export class WorkflowRun {
  readonly promise: Promise<RunResult>;
  readonly scope: RunScope;
  private readonly env: RunEnvironment;
  private readonly request: RunRequest;
  private readonly nodes: readonly CompiledNode[];
  private readonly plan: RunPlan;
  private readonly count: number;
  private readonly startedAt: number;
  private readonly state: Uint8Array;
  private readonly remaining: Int32Array;
  /** Index of the first producer of each node that did not complete, or -1. */
  private readonly blocker: Int32Array;
  /** Ready nodes, in the order they became ready; each node enters at most once. */
  private readonly ready: Int32Array;
  private readHead = 0;
  private readTail = 0;
  private readonly attempts: Uint32Array;
  private readonly nodeStartedAt: Float64Array;
  private readonly nodeFinishedAt: Float64Array;
  /** The output (completed), error (failed) or reason (skipped, cancelled) of each node. */
  private readonly outcome: unknown[];
  /** The attempt of each running node, so a stop can abort its signal. */
  private readonly current: Array<AttemptContext | undefined>;
  /** Workflow input values per node they feed, taken when the run starts. */
  private readonly bound: Array<Record<string, unknown> | undefined>;
  /**
   * The clock reading taken when a node completed, while no user code has run since (no node, no
   * listener): the next node launched in that same instant reuses it as its start time instead of
   * reading the clock again. `NaN` when there is none.
   */
  private stamp = Number.NaN;
  private running = 0;
  private finished = 0;
  private firstError: EdgeflowError | undefined;
  private settled = false;
  private stopError: CancelledError | undefined;
  private stopController: AbortController | undefined;
  private resolve: (result: RunResult) => void = () => undefined;
  private reject: (error: unknown) => void = () => undefined;
  private readonly onAbort = (): void => {
    this.cancel(new CancelledError("run cancelled", { cause: this.request.signal?.reason }), "run cancelled");
  };

  constructor(env: RunEnvironment, request: RunRequest) {
    this.env = env;
    this.request = request;
    this.nodes = request.graph.nodes;
    this.plan = request.plan;
    const count = request.plan.nodeCount;
    this.count = count;
    this.startedAt = env.clock.now();
    this.state = new Uint8Array(count);
    this.remaining = request.plan.inDegree.slice();
    this.blocker = new Int32Array(count).fill(-1);
    this.ready = new Int32Array(count);
    this.attempts = new Uint32Array(count);
    this.nodeStartedAt = new Float64Array(count);
    this.nodeFinishedAt = new Float64Array(count);
    this.outcome = new Array<unknown>(count);
    this.current = new Array<AttemptContext | undefined>(count);
    this.bound = new Array<Record<string, unknown> | undefined>(count);
    for (const binding of request.graph.inputs) {
      const target = (this.bound[binding.to] ??= {});
      target[binding.input] = request.inputs?.[binding.name];
    }
    const { runId, seed } = request;
    const events = env.events;
    this.scope = {
      runId,
      seed,
      clock: env.clock,
      logger: env.logger,
      infrastructure: env.infrastructure,
      onProgress: (nodeId, fraction, message) => events.emit("node:progress", { runId, nodeId, fraction, message }),
    };
    this.promise = new Promise<RunResult>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  /** Starts the sources. Call once. */
  start(): void {
    const signal = this.request.signal;
    if (signal?.aborted === true) {
      this.onAbort();
      return;
    }
    signal?.addEventListener("abort", this.onAbort, { once: true });
    for (const index of this.plan.sources) this.ready[this.readTail++] = index;
    this.pump();
  }

  /** Stops the run as cancelled (the runtime is closing, or the caller's signal aborted). */
  cancel(error: CancelledError, reason: string): void {
    if (this.settled) return;
    this.firstError = error;
    this.stopAll(CANCELLED, reason);
  }

  /** Whether the run has stopped (failed under fail-fast, or cancelled). */
  get stopped(): boolean {
    return this.stopError !== undefined;
  }

  /** Aborted once the run stops: what the waits between a node's attempts listen to. */
  get stopSignal(): AbortSignal {
    if (this.stopController === undefined) {
      this.stopController = new AbortController();
      if (this.stopError !== undefined) this.stopController.abort(this.stopError);
    }
    return this.stopController.signal;
  }

  /** A new attempt of node `index`, aborted at once when the run has already stopped. */
  newAttempt(node: CompiledNode, attempt: number): AttemptContext {
    const ctx = new AttemptContext(this.scope, node.id, node.type, attempt);
    this.current[node.index] = ctx;
    if (this.stopError !== undefined) ctx.abort(this.stopError);
    if (this.env.events.listenerCount("node:start") > 0) {
      this.env.events.emit("node:start", { runId: this.request.runId, nodeId: node.id, nodeType: node.type, attempt });
    }
    return ctx;
  }

  /** Wraps what an attempt threw, and reports it. */
  nodeError(node: CompiledNode, error: unknown, attempt: number, willRetry: boolean): NodeExecutionError {
    const wrapped = new NodeExecutionError(node.id, node.type, errorMessage(error), { cause: error, attempts: attempt });
    this.env.events.emit("node:error", { runId: this.request.runId, nodeId: node.id, error: wrapped, attempt, willRetry });
    return wrapped;
  }

  /** Validates and isolates an attempt's output; throws a {@link ValidationError} when it is wrong. */
  checkOutput(node: CompiledNode, output: unknown): unknown {
    const plan = this.plan;
    return isolatedOutput(plan.outputSchemas[node.index] ?? node.outputs, plan.outputShapes[node.index] ?? OutputShape.General, output, this.env.validateIO);
  }

  /**
   * Node `index`'s output, frozen, for whoever sees it whole (results, listeners). A flat output is
   * frozen only here: its consumers read primitives from its ports and never hold the object.
   */
  private exposedOutput(index: number): unknown {
    const output = this.outcome[index];
    if (this.plan.outputShapes[index] === OutputShape.Flat && this.env.validateIO) Object.freeze(output);
    return output;
  }

  private pump(): void {
    const concurrency = this.env.concurrency;
    while (!this.settled && this.running < concurrency && this.readHead < this.readTail) {
      this.launch(this.ready[this.readHead++] ?? 0);
    }
    if (!this.settled && this.finished === this.count) this.finish(this.firstError === undefined ? "completed" : "failed");
  }

  private launch(index: number): void {
    const node = this.nodes[index] as CompiledNode;
    this.state[index] = RUNNING;
    this.running++;
    const stamp = this.stamp;
    this.stamp = Number.NaN;
    this.nodeStartedAt[index] = stamp === stamp ? stamp : this.env.clock.now();
    let inputs: unknown = this.assembleInputs(index);
    if (this.env.validateIO) {
      try {
        // `parse` rather than `safeParse`: on the common, valid path it allocates no result wrapper.
        inputs = (this.plan.inputSchemas[index] ?? node.definition.inputs).parse(inputs);
      } catch (error) {
        const cause = error instanceof z.core.$ZodError ? new ValidationError(zodIssues(error as z.ZodError, "inputs")) : error;
        // Settled without pumping: launch runs inside pump's loop, which goes on by itself.
        this.settleFailed(index, this.nodeError(node, cause, 1, false), 1);
        return;
      }
    }
    if (this.plan.guarded[index] === 1) {
      runGuardedNode(this, node, inputs).then(
        (result) => {
          if (result.ok) this.completed(index, result.output, result.attempts);
          else this.failed(index, result.error, result.attempts);
        },
        (error: unknown) => this.internalError(node, error),
      );
      return;
    }
    const ctx = this.newAttempt(node, 1);
    let pending: unknown;
    try {
      pending = node.definition.run(ctx, node.config, inputs);
    } catch (error) {
      // Handled like a rejection, a turn later: a failure must never re-enter pump from inside it.
      pending = Promise.reject(error);
    }
    (pending instanceof Promise ? pending : Promise.resolve(pending)).then(
      (output: unknown) => this.attemptReturned(index, output),
      (error: unknown) => this.attemptThrew(index, error),
    );
  }

  /** The raw inputs of node `index`: workflow inputs, then its producers' outputs port by port. */
  private assembleInputs(index: number): Record<string, unknown> {
    const plan = this.plan;
    const bound = this.bound[index];
    const inputs: Record<string, unknown> = bound === undefined ? {} : bound;
    const end = plan.inStart[index + 1] ?? 0;
    for (let e = plan.inStart[index] ?? 0; e < end; e++) {
      const output = this.outcome[plan.inFrom[e] ?? 0] as Record<string, unknown>;
      inputs[plan.inInput[e] as string] = output[plan.inOutput[e] as string];
    }
    return inputs;
  }

  private attemptReturned(index: number, raw: unknown): void {
    if (this.settled) return;
    const node = this.nodes[index] as CompiledNode;
    let output: unknown;
    try {
      output = this.checkOutput(node, raw);
    } catch (error) {
      this.failed(index, this.nodeError(node, error, 1, false), 1);
      return;
    }
    this.completed(index, output, 1);
  }

  private attemptThrew(index: number, error: unknown): void {
    if (this.settled) return;
    this.failed(index, this.nodeError(this.nodes[index] as CompiledNode, error, 1, false), 1);
  }

  private completed(index: number, output: unknown, attempts: number): void {
    if (this.settled) return;
    const finishedAt = this.env.clock.now();
    this.running--;
    this.finished++;
    this.current[index] = undefined;
    this.state[index] = COMPLETED;
    this.outcome[index] = output;
    this.attempts[index] = attempts;
    this.nodeFinishedAt[index] = finishedAt;
    const events = this.env.events;
    // Checked first: on trivial nodes, building unused event payloads is a measurable share of the cost.
    if (events.listenerCount("node:complete") > 0) {
      const nodeId = (this.nodes[index] as CompiledNode).id;
      events.emit("node:complete", { runId: this.request.runId, nodeId, output: this.exposedOutput(index), attempts, durationMs: finishedAt - (this.nodeStartedAt[index] ?? 0) });
      if (this.settled) return;
    } else {
      this.stamp = finishedAt;
    }
    this.release(index);
    this.pump();
    this.stamp = Number.NaN;
  }

  private failed(index: number, error: NodeExecutionError, attempts: number): void {
    if (this.settled) return;
    this.settleFailed(index, error, attempts);
    this.pump();
  }

  private settleFailed(index: number, error: NodeExecutionError, attempts: number): void {
    // Reporting the error ran listeners, and one of them may have stopped the run.
    if (this.settled) return;
    this.running--;
    this.finished++;
    this.current[index] = undefined;
    this.state[index] = FAILED;
    this.outcome[index] = error;
    this.attempts[index] = attempts;
    this.nodeFinishedAt[index] = this.env.clock.now();
    this.firstError ??= error;
    if (this.request.policy === "fail-fast") {
      this.stopAll(FAILED, `run stopped after node "${(this.nodes[index] as CompiledNode).id}" failed`);
      return;
    }
    this.release(index);
  }

  private internalError(node: CompiledNode, error: unknown): void {
    // The guarded loop never rejects; anything here is a bug in the runtime itself.
    if (this.settled) return;
    this.firstError ??= new NodeExecutionError(node.id, node.type, `internal runtime error: ${errorMessage(error)}`, { cause: error });
    this.stopAll(FAILED, "internal runtime error");
  }

  /**
   * Counts node `first` done for its consumers. A node whose producer failed or was skipped is
   * skipped, and so on downstream, iteratively: a failure at the head of a 10,000-node chain must not
   * overflow the stack.
   */
  private release(first: number): void {
    const plan = this.plan;
    // Allocated only once a skip must travel downstream: completions, the common case, need no stack.
    let work: number[] | undefined;
    for (let index: number | undefined = first; index !== undefined; index = work?.pop()) {
      const completed = this.state[index] === COMPLETED;
      const end = plan.outStart[index + 1] ?? 0;
      for (let e = plan.outStart[index] ?? 0; e < end; e++) {
        const to = plan.outTo[e] ?? 0;
        if (!completed && this.blocker[to] === -1) this.blocker[to] = index;
        const left = (this.remaining[to] ?? 0) - 1;
        this.remaining[to] = left;
        if (left !== 0) continue;
        const blocker = this.blocker[to] ?? -1;
        if (blocker === -1) {
          this.ready[this.readTail++] = to;
          continue;
        }
        const reason = `dependency "${(this.nodes[blocker] as CompiledNode).id}" did not complete`;
        this.state[to] = SKIPPED;
        this.outcome[to] = reason;
        this.finished++;
        this.stamp = Number.NaN;
        this.env.events.emit("node:skip", { runId: this.request.runId, nodeId: (this.nodes[to] as CompiledNode).id, reason });
        (work ??= []).push(to);
      }
    }
  }

  private stopAll(status: typeof FAILED | typeof CANCELLED, reason: string): void {
    const error = new CancelledError(reason);
    this.stopError = error;
    this.stopController?.abort(error);
    for (let i = 0; i < this.count; i++) {
      const state = this.state[i];
      if (state === RUNNING) {
        this.state[i] = CANCELLED;
        this.outcome[i] = reason;
        this.current[i]?.abort(error);
        this.current[i] = undefined;
      } else if (state === WAITING) {
        this.state[i] = status === CANCELLED ? CANCELLED : SKIPPED;
        this.outcome[i] = reason;
        if (status === FAILED) this.env.events.emit("node:skip", { runId: this.request.runId, nodeId: (this.nodes[i] as CompiledNode).id, reason });
      }
    }
    this.running = 0;
    this.finish(status === CANCELLED ? "cancelled" : "failed");
  }

  private finish(status: RunStatus): void {
    if (this.settled) return;
    this.settled = true;
    this.request.signal?.removeEventListener("abort", this.onAbort);
    const result = this.snapshot(status);
    this.env.events.emit("run:complete", { runId: this.request.runId, status, durationMs: result.finishedAt - this.startedAt });
    if (status === "cancelled") this.reject(new WorkflowCancelledError(result, this.firstError));
    else if (status === "failed" && this.request.policy === "fail-fast") this.reject(new WorkflowFailedError(result, this.firstError));
    else this.resolve(result);
  }

  private snapshot(status: RunStatus): RunResult {
    // Nothing changes a node's state once the run has settled, so the view can read it later.
    const plan = this.plan;
    const results = resultsView({ ids: plan.ids, indexOf: plan.indexOf, resultOf: (index) => this.resultOf(index) });
    return {
      runId: this.request.runId,
      status,
      results,
      ...(this.firstError === undefined ? {} : { error: this.firstError }),
      startedAt: this.startedAt,
      finishedAt: this.env.clock.now(),
    };
  }

  private resultOf(index: number): NodeResult {
    const outcome = this.outcome[index];
    const attempts = this.attempts[index] ?? 0;
    const startedAt = this.nodeStartedAt[index] ?? 0;
    const finishedAt = this.nodeFinishedAt[index] ?? 0;
    switch (this.state[index]) {
      case COMPLETED:
        return { status: "completed", output: this.exposedOutput(index), attempts, startedAt, finishedAt };
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
}
