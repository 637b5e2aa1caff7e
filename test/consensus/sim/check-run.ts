/** Shared verdict for a simulated run: safety violations, liveness, linearizability (decided or not). */
import { checkLinearizable, keyValueModel } from "../../../src/testing/index.js";
import type { HistoryOp } from "./direct-sim.js";

/** How a run's history was judged: `unknown` means the checker's budget ran out, which is not a violation. */
export type RunVerdict = "ok" | "unknown";

/**
 * Throws on a safety or liveness violation or a history shown not linearizable. Returns `"unknown"`
 * when the checker could not decide within its budget, so callers report undecided runs apart from
 * violations (and can bound how many they tolerate).
 */
export function assertRun(result: { history: HistoryOp[]; violations: readonly string[]; completedOps: number }, ops: number): RunVerdict {
  if (result.violations.length > 0) throw new Error(`safety/liveness violations:\n  ${result.violations.join("\n  ")}`);
  if (result.completedOps < ops) throw new Error(`only ${result.completedOps} of ${ops} operations completed`);
  const check = checkLinearizable(result.history, keyValueModel(), { timeoutMs: 20_000, maxMemoryBytes: 256 * 1024 * 1024 });
  if (check.verdict === "illegal") throw new Error(`history is not linearizable: ${check.counterexample?.description ?? ""}`);
  return check.verdict;
}

/** Collects undecided runs of a simulation test and fails only if they are more than `maxShare` of the runs. */
export class UndecidedRuns {
  private readonly seeds: number[] = [];

  record(seed: number, verdict: RunVerdict): void {
    if (verdict === "unknown") this.seeds.push(seed);
  }

  /** Reports the undecided seeds (they are not violations) and throws if too many runs were undecided. */
  check(runs: number, maxShare = 0.01): void {
    if (this.seeds.length === 0) return;
    console.warn(`${this.seeds.length} of ${runs} run(s) had a history the checker could not decide within its budget (not a violation): seeds ${this.seeds.join(", ")}`);
    if (this.seeds.length > Math.max(1, Math.floor(runs * maxShare))) throw new Error(`too many undecided histories: ${this.seeds.length} of ${runs} (seeds ${this.seeds.join(", ")})`);
  }
}
