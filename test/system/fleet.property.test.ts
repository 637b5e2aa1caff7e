/**
 * The whole fleet under faults: fast-check generates fleets (regions, compliance zones, capacities),
 * workloads, a demand trace and a fault schedule (an edge crash, control-plane partitions, message
 * loss, member clocks skewed and drifting); a rollout and a failover workflow run the engines
 * together on a virtual clock over a simulated network, and every cross-engine invariant must hold:
 * no workload lost or running twice, one leader per term, one holder per lease with growing fencing
 * tokens, residency respected, capacity never over-committed, the cost report equal to its parts.
 *
 * `SIM_RUNS=N` (or `NUM_RUNS=N`) for deep runs. A failure prints fast-check's seed and path and the
 * command that replays it (`SIM_SEED=<seed> SIM_PATH=<path> npx vitest run test/system`).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { simRuns } from "../support/sim.js";
import { runScenario, type Outcome } from "./support/run.js";
import { scenarioArb } from "./support/scenario.js";

/** Runs: `NUM_RUNS` or `SIM_RUNS` for deep runs, a quick default otherwise. */
function runs(quickDefault: number): number {
  const raw = process.env["NUM_RUNS"];
  if (raw === undefined || raw === "") return simRuns(quickDefault);
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`NUM_RUNS must be a positive integer, got "${raw}"`);
  return n;
}

function replayParameters(): { seed?: number; path?: string } {
  const seed = process.env["SIM_SEED"];
  const path = process.env["SIM_PATH"];
  return {
    ...(seed === undefined || seed === "" ? {} : { seed: Number(seed) }),
    ...(path === undefined || path === "" ? {} : { path }),
  };
}

const numRuns = runs(15);

describe("the fleet under faults", () => {
  it("keeps every cross-engine invariant", { timeout: 60_000 + numRuns * 30_000 }, async () => {
    const outcomes: Outcome[] = [];
    const property = fc.asyncProperty(scenarioArb, async (scenario) => {
      const outcome = await runScenario(scenario);
      outcomes.push(outcome);
      expect(outcome.problems).toEqual([]);
    });
    // No shrinking: a scenario is cheap to replay from its seed and path, expensive to shrink.
    const details = await fc.check(property, { numRuns, endOnFailure: true, ...replayParameters() });
    if (details.failed) {
      const replay = `SIM_SEED=${details.seed} SIM_PATH=${details.counterexamplePath ?? ""} npx vitest run test/system`;
      throw new Error(`fleet scenario failed (seed ${details.seed}, path ${details.counterexamplePath ?? "?"}); replay: ${replay}\n${fc.defaultReportMessage(details) ?? ""}`);
    }
    expect(outcomes.length).toBeGreaterThan(0);
    // The schedule did what it says: an edge went down with workloads on it, leaders were elected,
    // and its lease changed hands (rollout, takeover) besides each migration's lock.
    expect(outcomes.every((o) => o.displaced > 0 && o.terms > 0 && o.leaseGrants >= 2 + o.displaced)).toBe(true);
  });
});
