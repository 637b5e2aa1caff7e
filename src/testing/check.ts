/**
 * `checkLinearizable`: the entry point of the linearizability checker.
 *
 * @module
 */
import { z } from "zod";
import { SystemClock, type Clock } from "../core/clock.js";
import { parseWith } from "../core/validation.js";
import { PartitionSearch } from "./search.js";
import type { CheckLimit, CheckOptions, CheckResult, Counterexample, Model, Operation, PartitionResult, Verdict } from "./types.js";

const optionsSchema = z
  .object({
    timeoutMs: z.number().positive().optional(),
    maxSteps: z.number().int().positive().optional(),
    maxMemoryBytes: z.number().int().positive().optional(),
    partition: z.boolean().optional(),
    clock: z.custom<Clock>((value) => typeof value === "object" && value !== null && typeof (value as Clock).now === "function", { message: "clock must be a Clock" }).optional(),
  })
  .strict();

const operationSchema = z
  .looseObject({
    clientId: z.union([z.string(), z.number()]),
    call: z.number(),
    // Infinity is a legal return (unknown outcome), which z.number() refuses.
    return: z.custom<number | undefined>((v) => v === undefined || (typeof v === "number" && !Number.isNaN(v)), {
      message: "return must be a number, Infinity or undefined",
    }),
  })
  .refine((op) => op.return === undefined || op.return >= op.call, { message: "return must not precede call", path: ["return"] });

const historySchema = z.array(operationSchema);

/** Steps in the first slice given to each partition; slices double every round. */
const INITIAL_SLICE = 4096;
/** Largest slice: bounds how far a wall-clock budget can be overshot (tens of milliseconds). */
const MAX_SLICE = 65_536;
/** Default memory budget of the search caches. */
const DEFAULT_MAX_MEMORY_BYTES = 512 * 1024 * 1024;
/** A `Map` holds at most 2^24 entries; stay well below, whatever the byte budget. */
const MAX_CACHE_ENTRIES = 8_000_000;

/**
 * Checks that a concurrent history is linearizable with respect to a sequential model: that every
 * operation can be given a single instant between its call and its return such that, in the order of
 * those instants, the model accepts every operation with the output the client saw.
 *
 * The search is Wing & Gong's with Lowe's memoisation (as in porcupine), exponential in the worst case
 * but fast on real histories. When the model has `partition` (say, one part per key), each part is
 * checked on its own (P-compositionality), which is what makes large key-value histories tractable.
 * Give a `timeoutMs` or `maxSteps` budget in tests: when it runs out the verdict is `"unknown"` and
 * `ok` is `false` — never a silent pass. The search cache is bounded too (`maxMemoryBytes`, default
 * 512 MiB): a history too hard for it is `"unknown"` with `limit: "memory"`, never a crash.
 *
 * Operations whose outcome is unknown (`return` undefined or `Infinity`) may take effect at any time
 * after their call, or never; leave out operations that certainly failed.
 *
 * @example
 * ```ts
 * import { checkLinearizable, type Model } from "edgeflow/testing";
 *
 * // A counter service: "inc" returns nothing, "get" returns the value.
 * type Input = { kind: "inc" } | { kind: "get" };
 * const counter: Model<number, Input, number> = {
 *   init: () => 0,
 *   step: (state, input, output) =>
 *     input.kind === "inc" ? [true, state + 1] : [output === undefined || output === state, state],
 * };
 *
 * const result = checkLinearizable(
 *   [
 *     { clientId: "a", input: { kind: "inc" }, output: undefined, call: 0, return: 10 },
 *     { clientId: "b", input: { kind: "get" }, output: 1, call: 5, return: 6 },   // overlaps the inc: fine
 *     { clientId: "b", input: { kind: "get" }, output: 0, call: 11, return: 12 }, // after the inc: stale!
 *   ],
 *   counter,
 *   { timeoutMs: 5_000 },
 * );
 * result.ok;                          // false
 * result.counterexample?.description; // the longest legal order and the operation that broke it
 * ```
 */
export function checkLinearizable<S, I, O>(history: readonly Operation<I, O>[], model: Model<S, I, O>, options: CheckOptions = {}): CheckResult<I, O> {
  const opts = parseWith(optionsSchema, options, "options");
  parseWith(historySchema, history, "history");
  const usePartition = opts.partition ?? true;
  const parts = usePartition && model.partition ? model.partition(history) : [history.slice()];
  const searches = parts.map((part) => new PartitionSearch(model, part));
  const clock = opts.clock ?? new SystemClock();
  const deadline = opts.timeoutMs === undefined ? Number.POSITIVE_INFINITY : clock.now() + opts.timeoutMs;
  let stepsLeft = opts.maxSteps ?? Number.POSITIVE_INFINITY;
  const maxMemory = opts.maxMemoryBytes ?? DEFAULT_MAX_MEMORY_BYTES;
  // Cache memory is shared by all partitions: each slice may use what the others left.
  let memoryUsed = 0;
  let entriesUsed = 0;
  let counterexample: Counterexample<I, O> | undefined;
  let timedOut = false;
  let limit: CheckLimit | undefined;
  // Race the partitions in doubling slices of steps, as porcupine runs them in parallel: a cheap
  // illegal partition ends the check early even when another partition is expensive to decide.
  let slice = INITIAL_SLICE;
  let pending = searches.filter((search) => search.verdict === undefined);
  while (pending.length > 0 && counterexample === undefined && !timedOut) {
    for (const search of pending) {
      const before = search.steps;
      const cachedBefore = search.cacheSize;
      const perEntry = search.bytesPerCacheEntry;
      search.cacheLimit = cachedBefore + Math.max(0, Math.min(MAX_CACHE_ENTRIES - entriesUsed, Math.floor((maxMemory - memoryUsed) / perEntry)));
      const verdict = search.run(Math.min(slice, stepsLeft));
      stepsLeft -= search.steps - before;
      // A decided search frees its cache.
      const cachedAfter = search.verdict === undefined ? search.cacheSize : 0;
      entriesUsed += cachedAfter - cachedBefore;
      memoryUsed += (cachedAfter - cachedBefore) * perEntry;
      if (verdict === "illegal") {
        counterexample = search.counterexample;
        break;
      }
      if (stepsLeft <= 0 || clock.now() > deadline) {
        timedOut = pending.some((p) => p.verdict === undefined);
        limit = stepsLeft <= 0 ? "steps" : "time";
        break;
      }
    }
    // A search whose cache is full cannot go on; the others may still find a counterexample.
    pending = pending.filter((search) => search.verdict === undefined && !search.full);
    if (pending.length === 0 && counterexample === undefined && searches.some((search) => search.full)) {
      timedOut = true;
      limit = "memory";
    }
    slice = Math.min(slice * 2, MAX_SLICE);
  }
  const partitions: PartitionResult<I, O>[] = searches.map((search) => {
    const base = { verdict: search.verdict ?? "unknown", operations: search.size, steps: search.steps };
    return search.counterexample === undefined ? base : { ...base, counterexample: search.counterexample };
  });
  const steps = searches.reduce((sum, search) => sum + search.steps, 0);
  const verdict: Verdict = counterexample !== undefined ? "illegal" : timedOut ? "unknown" : "ok";
  const base = { ok: verdict === "ok", verdict, timedOut: verdict === "unknown", partitions, steps, ...(verdict === "unknown" && limit !== undefined ? { limit } : {}) };
  return counterexample === undefined ? base : { ...base, counterexample };
}
