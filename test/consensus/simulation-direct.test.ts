/**
 * Seeded simulation of 3- and 5-member clusters driven directly (engine + in-process network):
 * clients issue get/put/CAS/delete while a fast-check nemesis partitions, loses, duplicates,
 * reorders and delays messages, crashes members (losing unsynced writes) and pauses them, with a
 * majority window every few steps. Each run checks Raft's safety properties, linearizability of the
 * client history (every answer, including what deletes and writes returned) and liveness after heal.
 * A history the checker cannot decide is reported apart from violations.
 * `SIM_RUNS=N` for deep runs; a failure prints its seed (`SIM_SEED=<seed> SIM_RUNS=1` replays it).
 */
import { describe, expect, it } from "vitest";
import { simRuns, simSeed, withSeed } from "../support/sim.js";
import { assertRun, UndecidedRuns } from "./sim/check-run.js";
import { runDirectSim } from "./sim/direct-sim.js";
import { nemesisFor } from "./sim/nemesis.js";

const OPS = 2000;

async function runMany(nodes: number, runs: number, base: number): Promise<void> {
  const undecided = new UndecidedRuns();
  for (let i = 0; i < runs; i++) {
    const seed = base + i;
    await withSeed(seed, () => {
      const result = runDirectSim({ seed, nodes, clients: 6, ops: OPS, keys: 5, nemesis: nemesisFor(seed, nodes), snapshotEvery: 200 });
      undecided.record(seed, assertRun(result, OPS));
    });
  }
  undecided.check(runs);
}

describe("Raft simulation (engines driven directly)", () => {
  const three = simRuns(120);
  const five = simRuns(60);
  it("3 members: safe, linearizable and live under a generated nemesis", { timeout: 60_000 + three * 5_000 }, async () => {
    await runMany(3, three, simSeed(1));
  });

  it("5 members: safe, linearizable and live under a generated nemesis", { timeout: 60_000 + five * 5_000 }, async () => {
    await runMany(5, five, simSeed(100_001));
  });

  it("seed 100257 (5 members): a leader elected in term 13 is not asked for an entry committed in term 14", () => {
    const result = runDirectSim({ seed: 100_257, nodes: 5, clients: 6, ops: OPS, keys: 5, nemesis: nemesisFor(100_257, 5), snapshotEvery: 200 });
    expect(result.violations).toEqual([]);
    expect(assertRun(result, OPS)).toBe("ok");
  });

  it("seed 992 (3 members): the schedule leaves majority windows, so the history is decided", () => {
    const result = runDirectSim({ seed: 992, nodes: 3, clients: 6, ops: OPS, keys: 5, nemesis: nemesisFor(992, 3), snapshotEvery: 200 });
    expect(assertRun(result, OPS)).toBe("ok");
    // Every answered write is checked: deletes and compare-and-sets by `ok`, all writes by `previous`.
    const writes = result.history.filter((op) => op.input.kind !== "get" && op.return !== undefined);
    expect(writes.length).toBeGreaterThan(0);
    for (const op of writes) {
      expect(op.output?.previous).not.toBeUndefined();
      if (op.input.kind === "delete" || op.input.kind === "cas") expect(typeof op.output?.ok).toBe("boolean");
    }
  });
});
