/**
 * Types of the policy replay: a trace of request arrivals is replayed on a `ManualClock` against a
 * {@link CapacityPolicy} that decides how many instances stay warm, and a {@link ReplayReport} says
 * what that cost (instance-seconds) and what users felt (cold starts, waits).
 *
 * The model: each instance serves `concurrencyPerInstance` requests at a time. A request that finds a
 * ready instance with a free slot starts at once (a warm start). Otherwise it is a **cold start**: it
 * takes a still-warming instance if one is free, else a new instance is started for it, and it waits
 * until that instance is ready (`coldStartMs` after its start). Between events the policy's target is
 * applied: extra instances start warming (pre-warm), surplus idle instances are released, longest
 * idle first; busy instances are never released.
 *
 * @module
 */
import { z } from "zod";

/** One request of a trace. */
export interface Arrival {
  /** Arrival time, ms on the replay's clock. */
  readonly at: number;
  /** How long the request occupies an instance slot once it starts, ms. */
  readonly serviceMs: number;
}

/** Request arrivals, sorted by `at` (the replay sorts a copy if they are not). */
export type Trace = readonly Arrival[];

/** The state of one replayed instance, as a policy sees it. */
export type ReplayInstanceState = "warming" | "idle" | "busy";

/** One instance, as a policy sees it. */
export interface ReplayInstanceView {
  readonly id: number;
  readonly state: ReplayInstanceState;
  /** Clock time the instance was started. */
  readonly startedAt: number;
  /** Clock time it is (or was) ready to serve. */
  readonly readyAt: number;
  /** Clock time it entered its current state. */
  readonly since: number;
  /** Requests it is serving now. */
  readonly active: number;
}

/** What a policy sees when asked to decide. */
export interface ReplayView {
  /** Current clock time, ms. */
  readonly now: number;
  /** Every live instance, in start order. */
  readonly instances: readonly ReplayInstanceView[];
  /** Requests being served or waiting for a warming instance. */
  readonly inFlight: number;
  /** Arrivals so far. */
  readonly arrivals: number;
  /** Time of the latest arrival, `undefined` before the first. */
  readonly lastArrivalAt: number | undefined;
  /** The replay's settings (cold-start time, per-instance concurrency, ...). */
  readonly options: Readonly<ReplayOptions>;
}

/** A policy's answer: how many instances (warming + idle + busy) should exist now. */
export interface CapacityDecision {
  /**
   * Desired instance count. Above the current count, new instances start warming now; below it, idle
   * instances (longest idle first), then warming ones, are released. Busy instances are never released,
   * so the count never drops below the busy count.
   */
  readonly target: number;
}

/** An event a policy may learn from. */
export type ReplayEvent =
  | { readonly type: "arrival"; readonly at: number; readonly arrival: Arrival; readonly cold: boolean }
  | { readonly type: "completion"; readonly at: number; readonly arrival: Arrival };

/**
 * A warming / keep-alive / scaling policy under replay. The replay calls {@link CapacityPolicy.observe}
 * on every arrival and completion, then {@link CapacityPolicy.decide}; it also calls `decide` every
 * `tickMs`. Policies must be deterministic: the replay gives them everything they may depend on.
 *
 * @example
 * ```ts
 * // Keep every instance for 10 minutes after it goes idle.
 * const keepAlive: CapacityPolicy = {
 *   name: "keep-alive-10m",
 *   decide: (view) => ({
 *     target: view.instances.filter((i) => i.state !== "idle" || view.now - i.since < 600_000).length,
 *   }),
 * };
 * ```
 */
export interface CapacityPolicy {
  /** Name shown in reports. */
  readonly name: string;
  /** Called once before the replay starts, with the clock time of the first tick. */
  reset?(start: number): void;
  /** Learns from an arrival or a completion. */
  observe?(event: ReplayEvent, view: ReplayView): void;
  /** The desired instance count now. */
  decide(view: ReplayView): CapacityDecision;
}

/** Settings of a replay. */
export interface ReplayOptions {
  /** Time from starting an instance to it being ready, ms (default 1000). */
  readonly coldStartMs: number;
  /** How often the policy is asked even when nothing happens, ms (default 1000). */
  readonly tickMs: number;
  /** Requests served at once by one instance (default 1). */
  readonly concurrencyPerInstance: number;
  /** A request that waited longer than this before starting is an SLO miss, ms (default 0: any wait). */
  readonly sloMs: number;
  /** Replay start; default the first arrival's time. */
  readonly start?: number;
  /** Replay end; default when the last request completes. Instances alive then are billed up to it. */
  readonly end?: number;
}

/** What a replay measured for one policy. */
export interface ReplayReport {
  readonly policy: string;
  readonly requests: number;
  /** Requests that found no ready instance with a free slot. */
  readonly coldStarts: number;
  /** `coldStarts / requests` (0 for an empty trace). */
  readonly coldStartRate: number;
  /** Instance-seconds of every instance from start to release (warming, idle and busy): the cost. */
  readonly warmInstanceSeconds: number;
  /** Slot-seconds actually serving requests, divided by `concurrencyPerInstance`. */
  readonly busyInstanceSeconds: number;
  /** `warmInstanceSeconds - busyInstanceSeconds`: paid for, not used. */
  readonly wastedInstanceSeconds: number;
  /** Requests that waited longer than `sloMs` before starting (SLO misses). */
  readonly waitedRequests: number;
  /** Mean wait before start over all requests, ms. */
  readonly meanWaitMs: number;
  /** Most instances alive at once. */
  readonly peakInstances: number;
  /** Replayed span, ms. */
  readonly durationMs: number;
}

/** Schema of an {@link Arrival}. */
export const arrivalSchema = z.object({
  at: z.number().finite(),
  serviceMs: z.number().finite().min(0),
});

/** Schema of a {@link Trace}. */
export const traceSchema = z.array(arrivalSchema);

/** Schema of {@link ReplayOptions} as given by a caller (every field optional). */
export const replayOptionsSchema = z.object({
  coldStartMs: z.number().finite().min(0).default(1000),
  tickMs: z.number().finite().positive().default(1000),
  concurrencyPerInstance: z.number().int().min(1).default(1),
  sloMs: z.number().finite().min(0).default(0),
  start: z.number().finite().optional(),
  end: z.number().finite().optional(),
});

/** Caller-side replay options: every field optional. */
export type ReplayOptionsInput = z.input<typeof replayOptionsSchema>;

/** Schema of a {@link ReplayReport}, for node outputs. */
export const replayReportSchema = z.object({
  policy: z.string(),
  requests: z.number().int(),
  coldStarts: z.number().int(),
  coldStartRate: z.number(),
  warmInstanceSeconds: z.number(),
  busyInstanceSeconds: z.number(),
  wastedInstanceSeconds: z.number(),
  waitedRequests: z.number().int(),
  meanWaitMs: z.number(),
  peakInstances: z.number().int(),
  durationMs: z.number(),
});
