/**
 * What one run knows about its nodes, shared by the scheduler and the code that releases
 * dependants, stops the run and snapshots it. Per-node state lives in flat typed arrays indexed by
 * node: on a 10,000-node run, objects kept alive until the end are what the garbage collector pays for.
 *
 * Timings: a node's `startedAt` is the pass's clock reading, taken before the first node of the pass
 * started, so what the nodes started before it in the same pass did up to their first `await` is
 * counted in its duration; its `finishedAt` is a reading taken after it settled. Listeners and nodes
 * that return without a promise are followed by a new reading, so neither is charged to later nodes.
 *
 * @module
 */
import type { Clock } from "../core/clock.js";
import type { CancelledError, EdgeflowError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import type { ServiceRegistry } from "../core/services.js";
import type { AttemptContext } from "./context.js";
import type { CompiledGraph, CompiledNode } from "./graph.js";
import { boundInputs } from "./node-inputs.js";
import type { RuntimeEmitter } from "./run-events.js";
import type { RunPlan } from "./run-plan.js";
import type { ErrorPolicy } from "./types.js";

/** What every run of one runtime shares. */
export interface RunEnvironment {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly infrastructure: ServiceRegistry;
  readonly events: RuntimeEmitter;
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

// Node states, as kept in `RunState.nodeState`.
export const WAITING = 0;
export const RUNNING = 1;
export const COMPLETED = 2;
export const FAILED = 3;
export const SKIPPED = 4;
export const CANCELLED = 5;

/** How a node ended, or how the run stopped. */
export type EndState = typeof COMPLETED | typeof FAILED;
export type StopState = typeof FAILED | typeof CANCELLED;

/** The state of one run. Fields are written by the scheduler and the modules it delegates to. */
export class RunState {
  readonly env: RunEnvironment;
  readonly request: RunRequest;
  readonly nodes: readonly CompiledNode[];
  readonly plan: RunPlan;
  readonly count: number;
  readonly startedAt: number;
  /** One of WAITING ... CANCELLED per node. */
  readonly nodeState: Uint8Array;
  /** Producers of each node not yet ended. */
  readonly remaining: Int32Array;
  /** Index of the first producer of each node that did not complete, or -1. */
  readonly blocker: Int32Array;
  /** Ready nodes, in the order they became ready; each node enters at most once. */
  readonly ready: Int32Array;
  readHead = 0;
  readTail = 0;
  readonly attempts: Uint32Array;
  readonly nodeStartedAt: Float64Array;
  readonly nodeFinishedAt: Float64Array;
  /** The output (completed), error (failed) or reason (skipped, cancelled) of each node. */
  readonly outcome: unknown[];
  /** The attempt of each running node, so a stop can abort its signal. */
  readonly current: Array<AttemptContext | undefined>;
  /** Workflow input values per node they feed, taken when the run starts. */
  readonly bound: Array<Record<string, unknown> | undefined>;
  /**
   * The current pass's clock reading (see the module note on timings), taken on first use; `NaN`
   * until then and again after user code that may take time ran (a listener, a synchronous node).
   */
  stamp = Number.NaN;
  running = 0;
  finished = 0;
  firstError: EdgeflowError | undefined;
  /** Whether the run's promise has settled: from then on nothing changes a node's state. */
  settled = false;
  /** Set once the run stops (failed under fail-fast, or cancelled). */
  stopError: CancelledError | undefined;
  /** Created only when something waits on the stop (see `stopSignal`). */
  stopController: AbortController | undefined;

  constructor(env: RunEnvironment, request: RunRequest) {
    this.env = env;
    this.request = request;
    this.nodes = request.graph.nodes;
    this.plan = request.plan;
    const count = request.plan.nodeCount;
    this.count = count;
    this.startedAt = env.clock.now();
    this.nodeState = new Uint8Array(count);
    this.remaining = request.plan.inDegree.slice();
    this.blocker = new Int32Array(count).fill(-1);
    this.ready = new Int32Array(count);
    this.attempts = new Uint32Array(count);
    this.nodeStartedAt = new Float64Array(count);
    this.nodeFinishedAt = new Float64Array(count);
    this.outcome = new Array<unknown>(count);
    this.current = new Array<AttemptContext | undefined>(count);
    this.bound = boundInputs(request.graph, request.inputs);
  }

  /** A reading of the clock for the current pass, taken on first use (see the module note on timings). */
  now(): number {
    let stamp = this.stamp;
    if (stamp !== stamp) {
      stamp = this.env.clock.now();
      this.stamp = stamp;
    }
    return stamp;
  }
}
