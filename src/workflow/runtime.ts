/**
 * Runs workflows in this process: each node once, after all its inputs are ready, independent
 * branches concurrently up to a limit, with per-node timeouts and retries on the injected clock,
 * cancellation through `AbortSignal`, and typed progress events.
 *
 * @module
 */
import { z } from "zod";
import { SystemClock, sleep, type Clock } from "../core/clock.js";
import { CancelledError, NodeExecutionError, TimeoutError, ValidationError, errorMessage, type EdgeflowError } from "../core/errors.js";
import { TypedEmitter } from "../core/events.js";
import { noopLogger, type Logger } from "../core/logger.js";
import { Random, type Seed } from "../core/random.js";
import { ServiceRegistry } from "../core/services.js";
import { isolatedCopy } from "../core/isolated-copy.js";
import { parseWith, zodIssues } from "../core/validation.js";
import { AttemptContext, type RunScope } from "./context.js";
import { WorkflowCancelledError, WorkflowFailedError } from "./errors.js";
import type { CompiledNode } from "./graph.js";
import type { NodeRegistry, NodeDefinitions } from "./registry.js";
import { backoffDelay, isRetryable } from "./retry.js";
import type { ErrorPolicy, NodeResult, RunResult, RuntimeEvents } from "./types.js";
import type { OutputsOf } from "./node.js";
import type { NodeRef, NodeTypeMap, Workflow } from "./workflow.js";

export interface LocalRuntimeOptions {
  /** When given, `execute` refuses workflows using node types this registry does not hold. */
  readonly registry?: NodeRegistry<NodeDefinitions>;
  /** The shared infrastructure context every node receives. Default: a new, empty one. */
  readonly infrastructure?: ServiceRegistry;
  /** Default: {@link SystemClock}. Pass a `ManualClock` for deterministic tests. */
  readonly clock?: Clock;
  /** Seed for run ids and each node's `ctx.random`. Default 0. */
  readonly seed?: Seed;
  readonly logger?: Logger;
  /** Maximum nodes running at once. Default 32. */
  readonly concurrency?: number;
  /** Default error policy for runs. Default `"fail-fast"`. */
  readonly errorPolicy?: ErrorPolicy;
  /** Validate node inputs and outputs against their schemas at run time. Default true. */
  readonly validateIO?: boolean;
}

export interface ExecuteOptions {
  /** Values for the workflow inputs declared with `WorkflowBuilder.input`. */
  readonly inputs?: Readonly<Record<string, unknown>>;
  /** Cancels the run and every running node's `ctx.signal`. */
  readonly signal?: AbortSignal;
  readonly errorPolicy?: ErrorPolicy;
}

const optionsSchema = z.object({
  concurrency: z.union([z.number().int().positive(), z.literal(Number.POSITIVE_INFINITY)]).default(32),
  errorPolicy: z.enum(["fail-fast", "continue"]).default("fail-fast"),
  validateIO: z.boolean().default(true),
});

/** Output type of a node (type and operation as the builder recorded them) in a registry. */
export type OutputOfNode<Defs extends NodeDefinitions, N extends NodeRef> = N["type"] extends keyof Defs ? OutputsOf<Defs[N["type"]], N["operation"]> : unknown;

/** Per-node results of a run of `W`, typed by node id (and, for nodes with operations, by the operation chosen). */
export type ResultsOf<W> = W extends Workflow<infer Defs, infer Nodes>
  ? { readonly [Id in keyof Nodes]: NodeResult<OutputOfNode<Defs, Nodes[Id]>> }
  : { readonly [id: string]: NodeResult };

/**
 * @example
 * ```ts
 * const runtime = new LocalRuntime({ infrastructure: new EdgeInfrastructure(), concurrency: 8 });
 * runtime.events.on("node:complete", (e) => console.log(e.nodeId, e.durationMs));
 * const { results } = await runtime.execute(workflow, { inputs: { x: 21 } });
 * ```
 */
export class LocalRuntime {
  /** Progress events of every run. */
  readonly events = new TypedEmitter<RuntimeEvents>();
  readonly infrastructure: ServiceRegistry;
  readonly clock: Clock;
  private readonly registry: NodeRegistry<NodeDefinitions> | undefined;
  private readonly logger: Logger;
  private readonly concurrency: number;
  private readonly errorPolicy: ErrorPolicy;
  private readonly validateIO: boolean;
  private readonly random: Random;

  constructor(options: LocalRuntimeOptions = {}) {
    const parsed = parseWith(
      optionsSchema,
      { concurrency: options.concurrency, errorPolicy: options.errorPolicy, validateIO: options.validateIO },
      "options",
    );
    this.registry = options.registry;
    this.infrastructure = options.infrastructure ?? new ServiceRegistry();
    this.clock = options.clock ?? new SystemClock();
    this.logger = options.logger ?? noopLogger;
    this.random = new Random(options.seed ?? 0);
    this.concurrency = parsed.concurrency;
    this.errorPolicy = parsed.errorPolicy;
    this.validateIO = parsed.validateIO;
  }

  /**
   * Runs `workflow`. Resolves with every node's result when the run completes — or, under the
   * `continue` policy, when nothing more can run (status `"failed"` if a node failed; its dependents
   * are `skipped`). Under `fail-fast` a node's final failure rejects with {@link WorkflowFailedError};
   * cancellation rejects with {@link WorkflowCancelledError}. Both carry the partial result.
   */
  execute<W extends Workflow<NodeDefinitions, NodeTypeMap>>(workflow: W, options: ExecuteOptions = {}): Promise<RunResult<ResultsOf<W>>> {
    const policy = options.errorPolicy ?? this.errorPolicy;
    const graph = workflow.graph;
    this.checkRunnable(workflow, options, policy);

    const runId = `run-${this.random.nextUint32().toString(16).padStart(8, "0")}`;
    const seed = this.random.nextUint32();
    const startedAt = this.clock.now();
    const count = graph.nodes.length;
    const results: Array<NodeResult | undefined> = new Array<NodeResult | undefined>(count);
    const inputs: Array<Record<string, unknown>> = graph.nodes.map(() => ({}));
    const remaining = graph.inDegree.slice();
    const blockedBy: Array<string | undefined> = new Array<string | undefined>(count);
    const running = new Map<number, RunningNode>();
    const ready: number[] = [];
    const runController = new AbortController();
    let finished = 0;
    let readHead = 0;
    let firstError: EdgeflowError | undefined;
    let settled = false;

    for (const binding of graph.inputs) {
      const target = inputs[binding.to];
      if (target !== undefined) target[binding.input] = options.inputs?.[binding.name];
    }

    const scope: RunScope = {
      runId,
      seed,
      clock: this.clock,
      logger: this.logger,
      infrastructure: this.infrastructure,
      onProgress: (nodeId, fraction, message) => this.events.emit("node:progress", { runId, nodeId, fraction, message }),
    };

    this.events.emit("run:start", { runId, workflow: workflow.name, nodeCount: count });

    return new Promise<RunResult<ResultsOf<W>>>((resolve, reject) => {
      const snapshot = (status: RunResult["status"]): RunResult<ResultsOf<W>> => {
        const byId: Record<string, NodeResult> = {};
        graph.nodes.forEach((node, i) => {
          byId[node.id] = results[i] ?? { status: "skipped", reason: "not reached" };
        });
        return {
          runId,
          status,
          results: byId as ResultsOf<W>,
          ...(firstError === undefined ? {} : { error: firstError }),
          startedAt,
          finishedAt: this.clock.now(),
        };
      };

      const finish = (status: RunResult["status"]): void => {
        if (settled) return;
        settled = true;
        options.signal?.removeEventListener("abort", onAbort);
        const result = snapshot(status);
        this.events.emit("run:complete", { runId, status, durationMs: result.finishedAt - startedAt });
        if (status === "cancelled") reject(new WorkflowCancelledError(result, firstError));
        else if (status === "failed" && policy === "fail-fast") reject(new WorkflowFailedError(result, firstError));
        else resolve(result);
      };

      const stopAll = (status: "failed" | "cancelled", reason: string): void => {
        const error = new CancelledError(reason);
        runController.abort(error);
        for (const [index, handle] of running) {
          results[index] = { status: "cancelled", reason };
          handle.stopReason = error;
          handle.ctx?.abort(error);
        }
        running.clear();
        graph.nodes.forEach((node, i) => {
          if (results[i] === undefined) {
            results[i] = status === "cancelled" ? { status: "cancelled", reason } : { status: "skipped", reason };
            if (status === "failed") this.events.emit("node:skip", { runId, nodeId: node.id, reason });
          }
        });
        finish(status);
      };

      const onAbort = (): void => {
        if (settled) return;
        firstError = new CancelledError("run cancelled", { cause: options.signal?.reason });
        stopAll("cancelled", "run cancelled");
      };
      if (options.signal?.aborted) {
        onAbort();
        return;
      }
      options.signal?.addEventListener("abort", onAbort, { once: true });

      // A node whose producer failed or was skipped is skipped, and so on downstream (iteratively:
      // a failure at the head of a 10,000-node chain must not overflow the stack).
      const release = (first: number): void => {
        const work = [first];
        for (let index = work.pop(); index !== undefined; index = work.pop()) {
          const node = graph.nodes[index] as CompiledNode;
          const outcome = results[index];
          for (const edge of graph.outgoing[index] ?? []) {
            if (outcome?.status === "completed") {
              const target = inputs[edge.to];
              if (target !== undefined) target[edge.input] = (outcome.output as Record<string, unknown>)[edge.output];
            } else {
              blockedBy[edge.to] ??= node.id;
            }
            const left = (remaining[edge.to] ?? 0) - 1;
            remaining[edge.to] = left;
            if (left !== 0) continue;
            const blocker = blockedBy[edge.to];
            if (blocker === undefined) {
              ready.push(edge.to);
              continue;
            }
            const reason = `dependency "${blocker}" did not complete`;
            results[edge.to] = { status: "skipped", reason };
            finished++;
            this.events.emit("node:skip", { runId, nodeId: (graph.nodes[edge.to] as CompiledNode).id, reason });
            work.push(edge.to);
          }
        }
      };

      const pump = (): void => {
        while (!settled && running.size < this.concurrency && readHead < ready.length) {
          const index = ready[readHead++] as number;
          start(index);
        }
        if (!settled && finished === count) {
          finish(firstError === undefined ? "completed" : "failed");
        }
      };

      const start = (index: number): void => {
        const node = graph.nodes[index] as CompiledNode;
        const handle: RunningNode = { ctx: undefined, stopReason: undefined };
        running.set(index, handle);
        const nodeStart = this.clock.now();
        this.runNode(scope, node, inputs[index] ?? {}, handle, runController.signal).then(
          (outcome) => {
            if (settled || running.get(index) !== handle) return;
            running.delete(index);
            finished++;
            const finishedAt = this.clock.now();
            if (outcome.ok) {
              results[index] = { status: "completed", output: outcome.output, attempts: outcome.attempts, startedAt: nodeStart, finishedAt };
              // Checked first: on trivial nodes, building unused event payloads is a measurable share of the cost.
              if (this.events.listenerCount("node:complete") > 0) {
                this.events.emit("node:complete", { runId, nodeId: node.id, output: outcome.output, attempts: outcome.attempts, durationMs: finishedAt - nodeStart });
              }
            } else {
              results[index] = { status: "failed", error: outcome.error, attempts: outcome.attempts, startedAt: nodeStart, finishedAt };
              firstError ??= outcome.error;
              if (policy === "fail-fast") {
                stopAll("failed", `run stopped after node "${node.id}" failed`);
                return;
              }
            }
            release(index);
            pump();
          },
          (error: unknown) => {
            // runNode never rejects; anything here is a bug in the runtime itself.
            firstError ??= new NodeExecutionError(node.id, node.type, `internal runtime error: ${errorMessage(error)}`, { cause: error });
            stopAll("failed", "internal runtime error");
          },
        );
      };

      graph.nodes.forEach((_, i) => {
        if (remaining[i] === 0) ready.push(i);
      });
      pump();
    });
  }

  private checkRunnable(workflow: Workflow<NodeDefinitions, NodeTypeMap>, options: ExecuteOptions, policy: ErrorPolicy): void {
    const issues = [];
    if (policy !== "fail-fast" && policy !== "continue") {
      issues.push({ path: "errorPolicy", message: `must be "fail-fast" or "continue", got ${String(policy)}` });
    }
    const expected = new Set(workflow.inputNames());
    for (const name of expected) {
      if (options.inputs === undefined || !(name in options.inputs)) {
        issues.push({ path: `inputs.${name}`, code: "missing_input", message: `workflow input "${name}" is required` });
      }
    }
    for (const name of Object.keys(options.inputs ?? {})) {
      if (!expected.has(name)) issues.push({ path: `inputs.${name}`, code: "unknown_input", message: `workflow has no input "${name}"` });
    }
    if (this.registry !== undefined) {
      for (const node of workflow.graph.nodes) {
        if (this.registry.get(node.type) !== node.definition) {
          issues.push({ path: `nodes.${node.id}.type`, code: "unknown_type", message: `node type "${node.type}" is not registered with this runtime` });
        }
      }
    }
    if (issues.length > 0) throw new ValidationError(issues);
  }

  /** All attempts of one node. Never rejects: failures come back as `{ ok: false }`. */
  private async runNode(
    scope: RunScope,
    node: CompiledNode,
    rawInputs: Record<string, unknown>,
    handle: RunningNode,
    runSignal: AbortSignal,
  ): Promise<{ ok: true; output: unknown; attempts: number } | { ok: false; error: NodeExecutionError; attempts: number }> {
    const definition = node.definition;
    const maxAttempts = node.retry?.attempts ?? 1;
    let inputs: unknown = rawInputs;
    if (this.validateIO) {
      const parsed = definition.inputs.safeParse(rawInputs);
      if (!parsed.success) {
        const error = new ValidationError(zodIssues(parsed.error, "inputs"));
        return { ok: false, error: this.nodeError(scope, node, error, 1, false), attempts: 1 };
      }
      inputs = parsed.data;
    }
    for (let attempt = 1; ; attempt++) {
      if (this.events.listenerCount("node:start") > 0) {
        this.events.emit("node:start", { runId: scope.runId, nodeId: node.id, nodeType: node.type, attempt });
      }
      try {
        // Inlined rather than a separate async method: one promise hop less per node.
        const ctx = new AttemptContext(scope, node.id, node.type, attempt);
        handle.ctx = ctx;
        if (handle.stopReason !== undefined) ctx.abort(handle.stopReason);
        const raw = node.timeoutMs === undefined ? await definition.run(ctx, node.config, inputs) : await this.withTimeout(ctx, node, inputs, node.timeoutMs);
        return { ok: true, output: this.checkOutput(raw, node), attempts: attempt };
      } catch (error) {
        const retry = attempt < maxAttempts && !runSignal.aborted && isRetryable(error, node.retry);
        const wrapped = this.nodeError(scope, node, error, attempt, retry);
        if (!retry || node.retry === undefined) return { ok: false, error: wrapped, attempts: attempt };
        try {
          await sleep(this.clock, backoffDelay(node.retry, attempt), runSignal);
        } catch {
          return { ok: false, error: wrapped, attempts: attempt };
        }
      }
    }
  }

  private nodeError(scope: RunScope, node: CompiledNode, error: unknown, attempt: number, willRetry: boolean): NodeExecutionError {
    const wrapped = new NodeExecutionError(node.id, node.type, errorMessage(error), { cause: error, attempts: attempt });
    this.events.emit("node:error", { runId: scope.runId, nodeId: node.id, error: wrapped, attempt, willRetry });
    return wrapped;
  }

  /**
   * Validates an attempt's output. Cancellation needs no race around `run`: the scheduler stops
   * waiting for a cancelled node by itself and ignores its late result. Only a timeout must settle an
   * attempt early, so only nodes with a timeout pay for the race ({@link LocalRuntime.withTimeout}).
   */
  private checkOutput(output: unknown, node: CompiledNode): unknown {
    // Even unvalidated, outputs are read port by port: anything but an object is a node bug.
    if (!this.validateIO && (typeof output !== "object" || output === null)) {
      throw ValidationError.of("output", `a node must return an object of output ports, got ${output === null ? "null" : typeof output}`, "invalid_output");
    }
    // One output may feed several consumers: each gets the same deep-frozen copy, so none can change
    // what the others see, and the node's own objects are never frozen under it.
    return isolatedCopy(this.validateIO ? parseWith(node.outputs, output, "output") : output);
  }

  /** Runs the node, settling with a {@link TimeoutError} (and aborting `ctx.signal`) after `limit` ms. */
  private withTimeout(ctx: AttemptContext, node: CompiledNode, inputs: unknown, limit: number): Promise<unknown> {
    return new Promise<unknown>((resolve, reject) => {
      let timedOut = false;
      const timer = this.clock.setTimer(limit, () => {
        timedOut = true;
        const error = new TimeoutError(`attempt ${ctx.attempt} timed out after ${limit} ms`, limit);
        ctx.abort(error);
        reject(error);
      });
      const finish = (): boolean => {
        if (timedOut) return false;
        this.clock.clearTimer(timer);
        return true;
      };
      let pending: Promise<unknown>;
      try {
        pending = node.definition.run(ctx, node.config, inputs);
      } catch (error) {
        if (finish()) reject(error);
        return;
      }
      pending.then(
        (output) => {
          if (finish()) resolve(output);
        },
        (error: unknown) => {
          if (finish()) reject(error);
        },
      );
    });
  }
}

/** What the scheduler keeps for a running node, so it can stop it without event listeners. */
interface RunningNode {
  /** The context of the attempt running now (its signal is aborted when the node must stop). */
  ctx: AttemptContext | undefined;
  /** Set once the node must stop: any attempt starting later is aborted at once. */
  stopReason: unknown;
}
