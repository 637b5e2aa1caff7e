/**
 * Runs workflows in this process: each node once, after all its inputs are ready, independent
 * branches concurrently up to a limit, with per-node timeouts and retries on the injected clock,
 * cancellation through `AbortSignal`, and typed progress events.
 *
 * @module
 */
import { z } from "zod";
import { SystemClock, type Clock } from "../core/clock.js";
import { CancelledError, ClosedError, ValidationError, errorMessage } from "../core/errors.js";
import type { TypedEmitter } from "../core/events.js";
import { noopLogger, type Logger } from "../core/logger.js";
import { Random, type Seed } from "../core/random.js";
import { ServiceRegistry } from "../core/services.js";
import { parseWith } from "../core/validation.js";
import type { NodeRegistry, NodeDefinitions } from "./registry.js";
import { RuntimeEmitter } from "./run-events.js";
import { runPlanOf } from "./run-plan.js";
import type { ErrorPolicy, NodeResult, RunResult, RuntimeEvents } from "./types.js";
import type { OutputsOf } from "./node.js";
import type { RunEnvironment } from "./run-state.js";
import { WorkflowRun } from "./workflow-run.js";
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
  /** Progress events of every run. A listener that throws is reported to the logger; the run goes on. */
  readonly events: TypedEmitter<RuntimeEvents>;
  readonly infrastructure: ServiceRegistry;
  readonly clock: Clock;
  private readonly registry: NodeRegistry<NodeDefinitions> | undefined;
  private readonly logger: Logger;
  private readonly concurrency: number;
  private readonly errorPolicy: ErrorPolicy;
  private readonly validateIO: boolean;
  private readonly random: Random;
  /** What this runtime created itself (and so closes); what it was given belongs to the caller. */
  private readonly owned: ReadonlyArray<{ close(): Promise<void> }>;
  /** Runs not settled yet, for {@link LocalRuntime.close}. */
  private readonly pendingRuns = new Set<WorkflowRun>();
  private readonly environment: RunEnvironment;
  /** {@link LocalRuntime.events}, as the runs see it: with its listener flags. */
  private readonly emitter = new RuntimeEmitter({
    onListenerError: (error, event) => this.logger.error({ event, error: errorMessage(error) }, "runtime event listener threw"),
  });
  private closing: Promise<void> | undefined;

  constructor(options: LocalRuntimeOptions = {}) {
    const parsed = parseWith(
      optionsSchema,
      { concurrency: options.concurrency, errorPolicy: options.errorPolicy, validateIO: options.validateIO },
      "options",
    );
    this.registry = options.registry;
    const infrastructure = options.infrastructure ?? new ServiceRegistry();
    const clock = options.clock ?? new SystemClock();
    this.infrastructure = infrastructure;
    this.clock = clock;
    this.owned = [...(options.infrastructure === undefined ? [infrastructure] : []), ...(clock instanceof SystemClock && options.clock === undefined ? [clock] : [])];
    this.logger = options.logger ?? noopLogger;
    this.random = new Random(options.seed ?? 0);
    this.concurrency = parsed.concurrency;
    this.errorPolicy = parsed.errorPolicy;
    this.validateIO = parsed.validateIO;
    this.events = this.emitter;
    this.environment = { clock, logger: this.logger, infrastructure, events: this.emitter, concurrency: this.concurrency, validateIO: this.validateIO };
  }

  /**
   * Runs `workflow`. Resolves with every node's result when the run completes — or, under the
   * `continue` policy, when nothing more can run (status `"failed"` if a node failed; its dependents
   * are `skipped`). Under `fail-fast` a node's final failure rejects with {@link WorkflowFailedError};
   * cancellation rejects with {@link WorkflowCancelledError}. Both carry the partial result.
   */
  execute<W extends Workflow<NodeDefinitions, NodeTypeMap>>(workflow: W, options: ExecuteOptions = {}): Promise<RunResult<ResultsOf<W>>> {
    if (this.closing !== undefined) throw new ClosedError("LocalRuntime");
    const policy = options.errorPolicy ?? this.errorPolicy;
    const graph = workflow.graph;
    this.checkRunnable(workflow, options, policy);

    const runId = `run-${this.random.nextUint32().toString(16).padStart(8, "0")}`;
    const seed = this.random.nextUint32();
    const run = new WorkflowRun(this.environment, {
      runId,
      seed,
      workflowName: workflow.name,
      graph,
      plan: runPlanOf(graph),
      inputs: options.inputs,
      signal: options.signal,
      policy,
    });
    this.events.emit("run:start", { runId, workflow: workflow.name, nodeCount: graph.nodes.length });
    this.pendingRuns.add(run);
    const done = (): void => {
      this.pendingRuns.delete(run);
    };
    run.promise.then(done, done);
    run.start();
    return run.promise as Promise<RunResult<ResultsOf<W>>>;
  }

  /**
   * Cancels every pending run (each rejects with {@link WorkflowCancelledError}), then closes what the
   * runtime created itself: its default clock and infrastructure (an infrastructure or clock you
   * passed in is yours to close). Later `execute` calls throw {@link ClosedError}. Idempotent.
   */
  close(): Promise<void> {
    if (this.closing === undefined) {
      for (const run of [...this.pendingRuns]) run.cancel(new CancelledError("runtime closed"), "runtime closed");
      this.closing = Promise.all(this.owned.map((resource) => resource.close())).then(() => undefined);
    }
    return this.closing;
  }

  /** Same as {@link LocalRuntime.close}, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
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
}
