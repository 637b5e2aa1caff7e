/**
 * Shapes shared by the builder, the workflow and the runtime: node options, retry policy, the JSON
 * form of a workflow, run results and runtime events.
 *
 * @module
 */
import { z } from "zod";
import type { EdgeflowError, NodeExecutionError } from "../core/errors.js";

/**
 * When and how a failed node is tried again. Names follow Temporal's retry policy where they go
 * beyond `attempts` and `backoffMs`.
 */
export const retryPolicySchema = z
  .object({
    /** Total attempts, the first included (1 = no retry). */
    attempts: z.number().int().min(1).max(1000),
    /** Wait before the first retry, in ms. */
    backoffMs: z.number().min(0).max(86_400_000).default(0),
    /** Each further wait is the previous one times this. */
    backoffCoefficient: z.number().min(1).max(100).default(2),
    /** Upper bound on any single wait, in ms. */
    maximumBackoffMs: z.number().min(0).max(86_400_000).optional(),
    /** Error codes (`EdgeflowError.code`) or error class names that are never retried. */
    nonRetryableErrorTypes: z.array(z.string().min(1)).default([]),
  })
  .strict();

export type RetryPolicy = z.input<typeof retryPolicySchema>;
export type ResolvedRetryPolicy = z.output<typeof retryPolicySchema>;

/** Per-node execution options given to `addNode`. */
export const nodeOptionsSchema = z
  .object({
    /** Time limit of one attempt, in ms, measured on the runtime's clock. */
    timeoutMs: z.number().positive().max(2_147_483_647).optional(),
    retry: retryPolicySchema.optional(),
  })
  .strict();

export type NodeOptions = z.input<typeof nodeOptionsSchema>;

/** Node ids: letters, digits, `_`, `-`, `.`; starting with a letter or `_`. */
export const nodeIdPattern = /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/;

const nodeIdSchema = z.string().regex(nodeIdPattern, "must start with a letter or _ and contain only letters, digits, _ . - (max 128)");

/** The JSON form of a workflow (`Workflow.toJSON()`, `WorkflowBuilder.fromJSON()`). */
export const workflowJsonSchema = z
  .object({
    format: z.literal("edgeflow.workflow/v1"),
    name: z.string().optional(),
    nodes: z.array(
      z
        .object({
          id: nodeIdSchema,
          type: z.string().min(1),
          config: z.unknown(),
          // Checked against nodeOptionsSchema by the graph compiler; kept raw here so JSON round-trips exactly.
          options: z.record(z.string(), z.unknown()).optional(),
        })
        .strict(),
    ),
    connections: z.array(
      z.object({ from: nodeIdSchema, output: z.string().min(1), to: nodeIdSchema, input: z.string().min(1) }).strict(),
    ),
    inputs: z
      .array(z.object({ name: z.string().min(1), to: nodeIdSchema, input: z.string().min(1) }).strict())
      .default([]),
  })
  .strict();

export type WorkflowJson = z.input<typeof workflowJsonSchema>;

/** A connection from one node's output port to another node's input port. */
export interface Connection {
  readonly from: string;
  readonly output: string;
  readonly to: string;
  readonly input: string;
}

/** A workflow input (supplied to `execute`) feeding a node's input port. */
export interface WorkflowInputBinding {
  readonly name: string;
  readonly to: string;
  readonly input: string;
}

/** How the run reacts to a node that failed for good. */
export type ErrorPolicy = "fail-fast" | "continue";

/**
 * Outcome of one node in a run. `startedAt` and `finishedAt` are clock readings that bracket the node's
 * run: nodes started in the same scheduling pass share one start reading, so a node's duration may
 * include what the nodes started just before it did up to their first `await`.
 */
export type NodeResult<O = unknown> =
  | { readonly status: "completed"; readonly output: O; readonly attempts: number; readonly startedAt: number; readonly finishedAt: number }
  | { readonly status: "failed"; readonly error: NodeExecutionError; readonly attempts: number; readonly startedAt: number; readonly finishedAt: number }
  | { readonly status: "skipped"; readonly reason: string }
  | { readonly status: "cancelled"; readonly reason: string };

export type RunStatus = "completed" | "failed" | "cancelled";

/** What `LocalRuntime.execute` returns. */
export interface RunResult<Results extends { readonly [id: string]: NodeResult } = { readonly [id: string]: NodeResult }> {
  readonly runId: string;
  readonly status: RunStatus;
  readonly results: Results;
  /** The first failure (or the cancellation), when `status` is not `"completed"`. */
  readonly error?: EdgeflowError;
  readonly startedAt: number;
  readonly finishedAt: number;
}

/** Events a runtime emits while it runs workflows. */
export interface RuntimeEvents {
  [event: string]: unknown;
  "run:start": { readonly runId: string; readonly workflow: string | undefined; readonly nodeCount: number };
  "node:start": { readonly runId: string; readonly nodeId: string; readonly nodeType: string; readonly attempt: number };
  "node:progress": { readonly runId: string; readonly nodeId: string; readonly fraction: number; readonly message: string | undefined };
  "node:complete": { readonly runId: string; readonly nodeId: string; readonly output: unknown; readonly attempts: number; readonly durationMs: number };
  "node:error": {
    readonly runId: string;
    readonly nodeId: string;
    readonly error: NodeExecutionError;
    readonly attempt: number;
    /** Whether another attempt follows. */
    readonly willRetry: boolean;
  };
  "node:skip": { readonly runId: string; readonly nodeId: string; readonly reason: string };
  "run:complete": { readonly runId: string; readonly status: RunStatus; readonly durationMs: number };
}
