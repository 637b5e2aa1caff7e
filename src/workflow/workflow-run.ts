/**
 * One run of a workflow: the scheduler's pass loop. A pass retires every node attempt that settled
 * since the last one, in the order they settled, then starts the nodes that became ready, in the
 * order they did, up to the concurrency limit and at most {@link SLICE} of them before yielding to the
 * microtask queue for two turns. Attempts that settle while others are in flight wait for the next
 * pass (two microtask turns at most), so a pass retires them together under one clock reading; a node
 * alone in flight is retired at once. A node without a timeout or retries costs one `then` on the
 * promise its `run` returns (none if it returns without one), with callbacks shared across the nodes
 * in flight (see `settle-slots.ts`), no async frame of ours, no abort signal unless it reads
 * `ctx.signal`, and no event payloads unless someone listens (see `run-events.ts`).
 *
 * The run's per-node state and its timings are in `run-state.ts`, which the scheduler extends, so that
 * the hot path reads them as fields of one object; a node's inputs, the release of its dependants,
 * stopping the run and its result each have a module of their own.
 *
 * @module
 */
import { CancelledError, NodeExecutionError, errorMessage } from "../core/errors.js";
import { isolatedCopy } from "../core/isolated-copy.js";
import { AttemptContext, type RunScope } from "./context.js";
import { WorkflowCancelledError, WorkflowFailedError } from "./errors.js";
import type { CompiledNode } from "./graph.js";
import { runGuardedNode } from "./guarded-node.js";
import { releaseDependants } from "./dependency-release.js";
import { assembleInputs, validInputs } from "./node-inputs.js";
import { OutputShape, isolatedOutput } from "./node-output.js";
import { exposedOutput, snapshot } from "./run-snapshot.js";
import { CANCELLED, COMPLETED, FAILED, RUNNING, RunState, type EndState, type RunEnvironment, type RunRequest, type StopState } from "./run-state.js";
import { stopNodes, stopSignal } from "./run-stop.js";
import { SettleSlots } from "./settle-slots.js";
import type { RunResult, RunStatus } from "./types.js";

/**
 * Launches between two yields to the microtask queue. Without a limit, a completion that readies
 * thousands of nodes starts them all in one pass, and all their promises, contexts and inputs are
 * alive at once: on a 7,500-wide fan-out the garbage collector then costs more than the nodes. A yield
 * lets the nodes already started progress (and most of them finish) before the next slice starts;
 * it waits for no slot, so under an unlimited concurrency every ready node is still started within
 * the same macrotask, however long the earlier ones take.
 *
 * The yield is two turns of the microtask queue (see `hop`): a trivial node settles two turns after
 * it started (its own `await`, then the reaction to its promise), so after a single turn the next slice
 * started while the last one was still in flight, and two or three slices were in flight at once. Two
 * turns let a slice of trivial nodes settle first, so a pass retires one slice, then starts the next,
 * and a slice at a time is in flight: fewer contexts, inputs and promises alive when the collector runs.
 */
const SLICE = 32;

// How an attempt ended, as queued for the next pass: a raw return to validate, a raw throw to wrap,
// or the guarded loop's outcome (output already checked, error already wrapped and reported).
const RETURNED = 1;
const THREW = 2;
const CHECKED = 3;
const WRAPPED = 4;
type SettledKind = typeof RETURNED | typeof THREW | typeof CHECKED | typeof WRAPPED;

const resolved = Promise.resolve();
// Read once: a `then` of anyone else's (a subclass, an own property) may call back more than once.
const nativeThen = Promise.prototype.then;

/**
 * Runs a workflow once; `promise` settles as {@link LocalRuntime.execute} documents. Internal: the
 * runtime creates one per `execute` call.
 */
export class WorkflowRun extends RunState {
  readonly promise: Promise<RunResult>;
  readonly scope: RunScope;
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
  /** The first of the two turns a yield between slices waits (see {@link SLICE}). */
  private readonly hop = (): void => {
    void resolved.then(this.pass);
  };
  private readonly slots = new SettleSlots((index, threw, value) => {
    this.settle(index, threw ? THREW : RETURNED, value, 1);
  });
  private resolve: (result: RunResult) => void = () => undefined;
  private reject: (error: unknown) => void = () => undefined;
  private readonly onAbort = (): void => {
    this.cancel(new CancelledError("run cancelled", { cause: this.request.signal?.reason }), "run cancelled");
  };

  constructor(env: RunEnvironment, request: RunRequest) {
    super(env, request);
    this.done = new Int32Array(this.count);
    this.settledKind = new Uint8Array(this.count);
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
    this.stop(CANCELLED, reason);
  }

  /** Whether the run has stopped (failed under fail-fast, or cancelled). */
  get stopped(): boolean {
    return this.stopError !== undefined;
  }

  /** Aborted once the run stops: what the waits between a node's attempts listen to. */
  get stopSignal(): AbortSignal {
    return stopSignal(this);
  }

  /** A new attempt of node `index`, aborted at once when the run has already stopped. */
  newAttempt(node: CompiledNode, attempt: number): AttemptContext {
    const ctx = new AttemptContext(this.scope, node.id, node.type, attempt);
    this.current[node.index] = ctx;
    if (this.stopError !== undefined) ctx.abort(this.stopError);
    if (this.env.events.startListened) {
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

  /** Validates and isolates an attempt's output; throws a `ValidationError` when it is wrong. */
  checkOutput(node: CompiledNode, output: unknown): unknown {
    const plan = this.plan;
    const index = node.index;
    // Unvalidated, an output of a flat schema is copied by its generated copy (see `output-copy.ts`),
    // or deeply where that gives up, as `isolatedOutput` would; anything but an object is its to refuse.
    const copy = this.env.validateIO ? undefined : plan.outputCopies[index];
    if (copy !== undefined && typeof output === "object" && output !== null) return copy(output) ?? isolatedCopy(output);
    return isolatedOutput(plan.outputSchemas[index] ?? node.outputs, plan.outputShapes[index] ?? OutputShape.General, output, this.env.validateIO, plan.outputParsers[index]);
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
      // Everything that settled is retired before anything starts: measured, interleaving the two
      // cost a third more per node on a wide graph.
      do {
        while (!this.settled && this.doneHead < this.doneTail) this.retire(this.done[this.doneHead++] ?? 0);
        this.launchReady();
      } while (!this.settled && this.doneHead < this.doneTail);
    } finally {
      // Only a bug of ours can throw here; later attempts must still be able to schedule a pass.
      this.inPass = false;
      this.stamp = Number.NaN;
    }
    if (this.settled) return;
    if (this.finished === this.count) this.finish(this.firstError === undefined ? "completed" : "failed");
    else if (this.budget === 0 && this.readHead < this.readTail && this.running < this.env.concurrency) this.schedulePass(true);
  }

  /** A pass one turn from now, or two when it ends a slice (`deep`, see {@link SLICE}). */
  private schedulePass(deep = false): void {
    if (this.passPending || this.inPass) return;
    this.passPending = true;
    void resolved.then(deep ? this.hop : this.pass);
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
    this.nodeState[index] = RUNNING;
    this.running++;
    this.nodeStartedAt[index] = this.now();
    let inputs: unknown;
    if (this.env.validateIO) {
      try {
        inputs = validInputs(this, node);
      } catch (error) {
        this.ended(index, FAILED, this.nodeError(node, error, 1, false), 1);
        return;
      }
    } else inputs = assembleInputs(this, index);
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
        // did before its first `await` is charged to the nodes started after it in this pass. A
        // promise whose `then` is the engine's calls back once, as a shared slot requires.
        if (pending.then === nativeThen) this.slots.await(pending, index);
        else this.awaitOwn(pending, index);
        return;
      }
      this.stamp = Number.NaN;
      if (typeof (pending as { then?: unknown } | null | undefined)?.then === "function") {
        this.awaitOwn(Promise.resolve(pending), index);
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

  /** Settles node `index` from `promise` through callbacks of its own, which a second call cannot misdirect. */
  private awaitOwn(promise: PromiseLike<unknown>, index: number): void {
    promise.then(
      (output: unknown) => this.settle(index, RETURNED, output, 1),
      (error: unknown) => this.settle(index, THREW, error, 1),
    );
  }

  /** Queues what an attempt of node `index` ended with, for the next pass (or the current one). */
  private settle(index: number, kind: SettledKind, value: unknown, attempts: number): void {
    // A hand-made thenable may call back twice; only its first word counts.
    if (this.settled || this.nodeState[index] !== RUNNING || this.settledKind[index] !== 0) return;
    this.settledKind[index] = kind;
    this.outcome[index] = value;
    this.attempts[index] = attempts;
    this.done[this.doneTail++] = index;
    // Alone in flight (a chain), nothing could settle in time to share the pass: no need to wait.
    if (this.running === 1 && !this.inPass && !this.passPending) this.runPass();
    else this.schedulePass();
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
          this.ended(index, FAILED, this.nodeError(node, error, attempts, false), attempts);
          return;
        }
        this.ended(index, COMPLETED, output, attempts);
        return;
      }
      case CHECKED:
        this.ended(index, COMPLETED, value, attempts);
        return;
      case THREW:
        this.ended(index, FAILED, this.nodeError(node, value, attempts, false), attempts);
        return;
      default:
        this.ended(index, FAILED, value, attempts);
    }
  }

  /**
   * Records node `index` as ended, with its output (completed) or its error (failed), then releases
   * its dependants, or stops the run when it failed under fail-fast.
   */
  private ended(index: number, end: EndState, value: unknown, attempts: number): void {
    // Reporting a failure ran listeners, and one of them may have stopped the run; nor is the time
    // they took this node's, so a failure gets a reading of its own.
    if (this.settled) return;
    if (end === FAILED) this.stamp = Number.NaN;
    const finishedAt = this.now();
    this.running--;
    this.finished++;
    this.current[index] = undefined;
    this.nodeState[index] = end;
    this.outcome[index] = value;
    this.attempts[index] = attempts;
    this.nodeFinishedAt[index] = finishedAt;
    // Listeners checked first: on trivial nodes, building unused event payloads is a measurable share
    // of the cost. The rare paths are methods of their own, so that this one stays small.
    const stopped = end === FAILED ? this.failed(index, value as NodeExecutionError) : this.env.events.completeListened && this.reportCompleted(index, finishedAt);
    if (!stopped) releaseDependants(this, index);
  }

  /** Records node `index`'s failure; whether it stopped the run (under fail-fast). */
  private failed(index: number, error: NodeExecutionError): boolean {
    this.firstError ??= error;
    if (this.request.policy !== "fail-fast") return false;
    this.stop(FAILED, `run stopped after node "${(this.nodes[index] as CompiledNode).id}" failed`);
    return true;
  }

  /** Tells listeners node `index` completed; whether one of them stopped the run. */
  private reportCompleted(index: number, finishedAt: number): boolean {
    const nodeId = (this.nodes[index] as CompiledNode).id;
    const durationMs = finishedAt - (this.nodeStartedAt[index] ?? 0);
    this.env.events.emit("node:complete", { runId: this.request.runId, nodeId, output: exposedOutput(this, index), attempts: this.attempts[index] ?? 1, durationMs });
    // A listener is user code: whatever it did took time the next node must not be charged for.
    this.stamp = Number.NaN;
    return this.settled;
  }

  private internalError(node: CompiledNode, error: unknown): void {
    // The guarded loop never rejects; anything here is a bug in the runtime itself.
    if (this.settled) return;
    this.firstError ??= new NodeExecutionError(node.id, node.type, `internal runtime error: ${errorMessage(error)}`, { cause: error });
    this.stop(FAILED, "internal runtime error");
  }

  private stop(status: StopState, reason: string): void {
    this.finish(stopNodes(this, status, reason));
  }

  private finish(status: RunStatus): void {
    if (this.settled) return;
    this.settled = true;
    this.request.signal?.removeEventListener("abort", this.onAbort);
    const result = snapshot(this, status);
    this.env.events.emit("run:complete", { runId: this.request.runId, status, durationMs: result.finishedAt - this.startedAt });
    if (status === "cancelled") this.reject(new WorkflowCancelledError(result, this.firstError));
    else if (status === "failed" && this.request.policy === "fail-fast") this.reject(new WorkflowFailedError(result, this.firstError));
    else this.resolve(result);
  }
}
