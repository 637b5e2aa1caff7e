/** Shared verdict for a simulated run: safety violations, linearizability, liveness. */
import { checkLinearizable, keyValueModel } from "../../../src/testing/index.js";
import type { HistoryOp } from "./direct-sim.js";

export function assertRun(result: { history: HistoryOp[]; violations: readonly string[]; completedOps: number }, ops: number): void {
  if (result.violations.length > 0) throw new Error(`safety/liveness violations:\n  ${result.violations.join("\n  ")}`);
  if (result.completedOps < ops) throw new Error(`only ${result.completedOps} of ${ops} operations completed`);
  const check = checkLinearizable(result.history, keyValueModel(), { timeoutMs: 20_000 });
  if (check.verdict !== "ok") {
    throw new Error(`history is not linearizable (${check.verdict}): ${check.counterexample?.description ?? "search budget exhausted"}`);
  }
}
