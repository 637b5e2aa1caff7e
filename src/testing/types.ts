/**
 * Types of the linearizability checker: the history a test records, the sequential model it is
 * checked against, and the verdict.
 *
 * @module
 */
import type { Clock } from "../core/clock.js";

/** Identifies the client (process, thread, session) that issued an operation. */
export type ClientId = string | number;

/**
 * One operation of a concurrent history, as a client saw it.
 *
 * `call` and `return` are timestamps on one clock (any unit, only their order matters). An operation
 * whose outcome is unknown — it timed out, the connection dropped (Jepsen's `:info`) — has `return`
 * `undefined` or `Infinity`: it may have taken effect at any point after its call, or never, and its
 * `output` is ignored. An operation that certainly did not take effect (Jepsen's `:fail`) should be
 * left out of the history altogether.
 */
export interface Operation<I, O> {
  readonly clientId: ClientId;
  readonly input: I;
  /** What the operation returned; ignored (the model sees `undefined`) when the outcome is unknown. */
  readonly output: O | undefined;
  /** When the client issued it. */
  readonly call: number;
  /** When the client got the answer; `undefined`/`Infinity` for an unknown outcome. */
  readonly return?: number | undefined;
}

/**
 * A sequential specification: the state machine a linearizable system must look like.
 *
 * `step` must be a pure function. It receives `output === undefined` for an operation whose outcome is
 * unknown and should then accept (return `true`) and apply whatever effect the operation has when it
 * takes effect.
 */
export interface Model<S, I, O> {
  /** The state before any operation. */
  init(): S;
  /** Whether `input` answered with `output` is legal in `state`, and the state after it. */
  step(state: S, input: I, output: O | undefined): readonly [ok: boolean, next: S];
  /** State equality for the search cache; defaults to equality of {@link Model.hash} (or `Object.is`). */
  equal?(a: S, b: S): boolean;
  /**
   * A hash of a state (equal states must hash equally); speeds up the search cache. Defaults to the
   * value itself for primitives and `JSON.stringify` otherwise.
   */
  hash?(state: S): string | number;
  /**
   * Splits a history into independent sub-histories (P-compositionality), e.g. one per key of a
   * key-value store. The whole history is linearizable iff every part is.
   */
  partition?(history: readonly Operation<I, O>[]): Operation<I, O>[][];
  /** Human-readable rendering of an operation, for counterexamples. */
  describe?(input: I, output: O | undefined): string;
}

/** Limits that keep a check from running forever; when hit, the verdict is `"unknown"`, never `"ok"`. */
export interface CheckOptions {
  /** Time budget for the whole check, in ms of `clock`. Default: no limit. */
  readonly timeoutMs?: number;
  /** What `timeoutMs` is measured on. Default: a `SystemClock` (real time). */
  readonly clock?: Clock;
  /** Budget of search steps for the whole check. Default: no limit. */
  readonly maxSteps?: number;
  /**
   * Memory budget of the search caches (all partitions together), in bytes. When it is spent, the
   * verdict is `"unknown"` with `limit: "memory"`. Default 512 MiB.
   */
  readonly maxMemoryBytes?: number;
  /** Use the model's `partition` when it has one. Default `true`. */
  readonly partition?: boolean;
}

/** Which budget ran out when the verdict is `"unknown"`. */
export type CheckLimit = "time" | "steps" | "memory";

/** `"ok"`: linearizable; `"illegal"`: provably not; `"unknown"`: a budget ran out first. */
export type Verdict = "ok" | "illegal" | "unknown";

/** Why a partition is not linearizable: the longest legal order found and where every order got stuck. */
export interface Counterexample<I, O> {
  /** The longest sequence of operations that could be linearized, in linearization order. */
  readonly linearized: readonly Operation<I, O>[];
  /** The operation that had to take effect next (its return was reached) but could not. */
  readonly stuckAt: Operation<I, O>;
  /** The linearized sequence and the stuck operation, rendered with the model's `describe`. */
  readonly description: string;
}

/** The verdict on one partition of the history. */
export interface PartitionResult<I, O> {
  /**
   * `"unknown"` when a budget ran out, and also when the check stopped early because another
   * partition was found illegal (partitions are raced, so the cheapest refutation wins).
   */
  readonly verdict: Verdict;
  /** Number of operations in this partition. */
  readonly operations: number;
  /** Search steps spent on it. */
  readonly steps: number;
  /** Present when `verdict === "illegal"`. */
  readonly counterexample?: Counterexample<I, O>;
}

/** The result of {@link checkLinearizable}. */
export interface CheckResult<I, O> {
  /** `true` only when every partition was shown linearizable. */
  readonly ok: boolean;
  readonly verdict: Verdict;
  /** `true` when a budget ran out before a verdict (then `verdict === "unknown"` unless a partition was illegal). */
  readonly timedOut: boolean;
  /** Per partition, in the order the model's `partition` returned them. */
  readonly partitions: readonly PartitionResult<I, O>[];
  /** The first illegal partition's counterexample, if any. */
  readonly counterexample?: Counterexample<I, O>;
  /** Total search steps. */
  readonly steps: number;
  /** With `verdict === "unknown"`: the budget that ran out. */
  readonly limit?: CheckLimit;
}
