/**
 * One run of a workflow: the scheduler's state and its hot path. The scheduler works in passes: a
 * pass retires every node attempt that settled since the last one, in the order they settled, then
 * starts the nodes that became ready, in the order they did, up to the concurrency limit and at most
 * {@link SLICE} of them before yielding to the microtask queue. Attempts that settle while others are
 * in flight wait for the next pass (one microtask at most), so a pass retires them together under one
 * clock reading; a node alone in flight is retired at once. A node without a timeout or retries costs
 * one `then` on the promise its `run` returns (none if it returns without one), no async frame of
 * ours, no abort signal unless it reads `ctx.signal`, and no event payloads unless someone listens.
 * Per-node state lives in flat typed arrays: on a 10,000-node run, objects kept alive until the end
 * are what the garbage collector pays for.
 *
 * Timings: a node's `startedAt` is the pass's clock reading, taken before the first node of the pass
 * started, so what the nodes started before it in the same pass did up to their first `await` is
 * counted in its duration; its `finishedAt` is a reading taken after it settled. Listeners and nodes
 * that return without a promise are followed by a new reading, so neither is charged to later nodes.
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
import { NOT_PARSED, type FastParse } from "./compiled-schema.js";
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

/**
 * Launches between two yields to the microtask queue. Without a limit, a completion that readies
 * thousands of nodes starts them all in one pass, and all their promises, contexts and inputs are
 * alive at once: on a 7,500-wide fan-out the garbage collector then costs more than the nodes. A yield
 * lets the nodes already started progress (and most of them finish) before the next slice starts;
 * it waits for no slot, so under an unlimited concurrency every ready node is still started within
 * the same macrotask, however long the earlier ones take.
 */
const SLICE = 64;

// How an attempt ended, as queued for the next pass: a raw return to validate, a raw throw to wrap,
// or the guarded loop's outcome (output already checked, error already wrapped and reported).
const RETURNED = 1;
const THREW = 2;
const CHECKED = 3;
const WRAPPED = 4;
type SettledKind = typeof RETURNED | typeof THREW | typeof CHECKED | typeof WRAPPED;

const resolved = Promise.resolve();

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
   * The current pass's clock reading (see the module note on timings), taken on first use; `NaN`
   * until then and again after user code that may take time ran (a listener, a synchronous node).
   */
  private stamp = Number.NaN;
  /** Launches left in the current pass (see {@link SLICE}). */
  private budget = SLICE;
  /** Nodes whose attempt settled, in the order they did, until a pass retires them; each enters once. */
  private readonly done: Int32Array;
  private doneHead = 0;
  private doneTail = 0;
  /** How each queued node's attempt ended; its value waits in `outcome`. */
  private readonly settledKind: Uint8Array;
  private passPending = false;
  private inPass = false;
  private readonly pass = (): void => {
    this.passPending = false;
    this.runPass();
  };
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
    this.done = new Int32Array(count);
    this.settledKind = new Uint8Array(count);
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
    this.runPass();
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
      this.stamp = Number.NaN;
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
    const index = node.index;
    return isolatedOutput(plan.outputSchemas[index] ?? node.outputs, plan.outputShapes[index] ?? OutputShape.General, output, this.env.validateIO, plan.outputParsers[index]);
  }

  /**
   * Node `index`'s output, frozen, for whoever sees it whole (results, listeners). A flat output is
   * frozen only here: its consumers read primitives from its ports and never hold the object.
   */
  private exposedOutput(index: number): unknown {
    const output = this.outcome[index];
    if (this.plan.outputShapes[index] === OutputShape.Flat) Object.freeze(output);
    return output;
  }

  /** A reading of the clock for the current pass, taken on first use (see {@link SettledQueue}). */
  private now(): number {
    let stamp = this.stamp;
    if (stamp !== stamp) {
      stamp = this.env.clock.now();
      this.stamp = stamp;
    }
    return stamp;
  }

  /**
   * One scheduling pass: retires every attempt that settled since the last pass, in the order they
   * settled, each one's consumers launched right after it, up to the slice budget. Synchronous
   * nodes settle into the same queue, so a chain of them loops here instead of recursing.
   */
  private runPass(): void {
    this.inPass = true;
    this.stamp = Number.NaN;
    this.budget = SLICE;
    try {
      this.launchReady();
      // Everything that settled is retired before anything starts: measured, interleaving the two
      // cost a third more per node on a wide graph.
      while (!this.settled && this.doneHead < this.doneTail) {
        while (!this.settled && this.doneHead < this.doneTail) this.retire(this.done[this.doneHead++] ?? 0);
        this.launchReady();
      }
    } finally {
      // Only a bug of ours can throw here; later attempts must still be able to schedule a pass.
      this.inPass = false;
      this.stamp = Number.NaN;
    }
    if (this.settled) return;
    if (this.finished === this.count) this.finish(this.firstError === undefined ? "completed" : "failed");
    else if (this.budget === 0 && this.readHead < this.readTail && this.running < this.env.concurrency) this.schedulePass();
  }

  private schedulePass(): void {
    if (this.passPending || this.inPass) return;
    this.passPending = true;
    void resolved.then(this.pass);
  }

  private launchReady(): void {
    const concurrency = this.env.concurrency;
    while (!this.settled && this.budget > 0 && this.running < concurrency && this.readHead < this.readTail) {
      this.budget--;
      this.launch(this.ready[this.readHead++] ?? 0);
    }
  }

  private launch(index: number): void {
    const node = this.nodes[index] as CompiledNode;
    this.state[index] = RUNNING;
    this.running++;
    this.nodeStartedAt[index] = this.now();
    let inputs: unknown = this.assembleInputs(index);
    if (this.env.validateIO) {
      try {
        // `parse` rather than `safeParse`: on the common, valid path it allocates no result wrapper.
        const parsed = (this.plan.inputParsers[index] as FastParse)(inputs);
        inputs = parsed === NOT_PARSED ? (this.plan.inputSchemas[index] ?? node.definition.inputs).parse(inputs) : parsed;
      } catch (error) {
        const cause = error instanceof z.core.$ZodError ? new ValidationError(zodIssues(error as z.ZodError, "inputs")) : error;
        this.settleFailed(index, this.nodeError(node, cause, 1, false), 1);
        return;
      }
    }
    if (this.plan.guarded[index] === 1) {
      runGuardedNode(this, node, inputs).then(
        (result) => this.settle(index, result.ok ? CHECKED : WRAPPED, result.ok ? result.output : result.error, result.attempts),
        (error: unknown) => this.internalError(node, error),
      );
      return;
    }
    const ctx = this.newAttempt(node, 1);
    let pending: unknown;
    try {
      pending = node.definition.run(ctx, node.config, inputs);
      if (pending instanceof Promise) {
        // The common case, and the only one that leaves the pass's clock reading valid: what the node
        // did before its first `await` is charged to the nodes started after it in this pass.
        pending.then(
          (output: unknown) => this.settle(index, RETURNED, output, 1),
          (error: unknown) => this.settle(index, THREW, error, 1),
        );
        return;
      }
      this.stamp = Number.NaN;
      if (typeof (pending as { then?: unknown } | null | undefined)?.then === "function") {
        Promise.resolve(pending).then(
          (output: unknown) => this.settle(index, RETURNED, output, 1),
          (error: unknown) => this.settle(index, THREW, error, 1),
        );
        return;
      }
    } catch (error) {
      this.stamp = Number.NaN;
      this.settle(index, THREW, error, 1);
      return;
    }
    // Returned without a promise: retired in this same pass, from the queue, never by recursion.
    this.settle(index, RETURNED, pending, 1);
  }

  /** Queues what an attempt of node `index` ended with, for the next pass (or the current one). */
  private settle(index: number, kind: SettledKind, value: unknown, attempts: number): void {
    // A hand-made thenable may call back twice; only its first word counts.
    if (this.settled || this.state[index] !== RUNNING || this.settledKind[index] !== 0) return;
    this.settledKind[index] = kind;
    this.outcome[index] = value;
    this.attempts[index] = attempts;
    this.done[this.doneTail++] = index;
    // Alone in flight (a chain), nothing could settle in time to share the pass: no need to wait.
    if (this.running === 1 && !this.inPass && !this.passPending) this.runPass();
    else this.schedulePass();
  }

  /** The raw inputs of node `index`: workflow inputs, then its producers' outputs port by port. */
  private assembleInputs(index: number): Record<string, unknown> {
    const plan = this.plan;
    const assemble = plan.assemblers[index];
    if (assemble !== undefined) return assemble(this.outcome, plan.inFrom, plan.inStart[index] ?? 0);
    const bound = this.bound[index];
    const inputs: Record<string, unknown> = bound === undefined ? {} : bound;
    const end = plan.inStart[index + 1] ?? 0;
    for (let e = plan.inStart[index] ?? 0; e < end; e++) {
      const output = this.outcome[plan.inFrom[e] ?? 0] as Record<string, unknown>;
      inputs[plan.inInput[e] as string] = output[plan.inOutput[e] as string];
    }
    return inputs;
  }

  /** Completes or fails node `index` from what its attempt settled with. */
  private retire(index: number): void {
    const node = this.nodes[index] as CompiledNode;
    const value = this.outcome[index];
    const attempts = this.attempts[index] ?? 1;
    switch (this.settledKind[index]) {
      case RETURNED: {
        let output: unknown;
        try {
          output = this.checkOutput(node, value);
        } catch (error) {
          this.settleFailed(index, this.nodeError(node, error, attempts, false), attempts);
          return;
        }
        this.completed(index, output, attempts);
        return;
      }
      case CHECKED:
        this.completed(index, value, attempts);
        return;
      case THREW:
        this.settleFailed(index, this.nodeError(node, value, attempts, false), attempts);
        return;
      default:
        this.settleFailed(index, value as NodeExecutionError, attempts);
    }
  }

  private completed(index: number, output: unknown, attempts: number): void {
    if (this.settled) return;
    const finishedAt = this.now();
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
      // A listener is user code: whatever it did took time the next node must not be charged for.
      this.stamp = Number.NaN;
      if (this.settled) return;
    }
    this.release(index);
  }

  private settleFailed(index: number, error: NodeExecutionError, attempts: number): void {
    // Reporting the error ran listeners, and one of them may have stopped the run.
    if (this.settled) return;
    this.stamp = Number.NaN;
    this.running--;
    this.finished++;
    this.current[index] = undefined;
    this.state[index] = FAILED;
    this.outcome[index] = error;
    this.attempts[index] = attempts;
    this.nodeFinishedAt[index] = this.now();
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
