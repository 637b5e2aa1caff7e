/**
 * Seeded simulation of 3- and 5-member clusters driven directly (engine + in-process network):
 * clients issue get/put/CAS/delete while a fast-check nemesis partitions, loses, duplicates,
 * reorders and delays messages, crashes members (losing unsynced writes) and pauses them. Each run
 * checks Raft's safety properties, linearizability of the client history and liveness after heal.
 * `SIM_RUNS=N` for deep runs; a failure prints its seed (`SIM_SEED=<seed> SIM_RUNS=1` replays it).
 */
import { describe, it } from "vitest";
import { simRuns, simSeed, withSeed } from "../support/sim.js";
import { assertRun } from "./sim/check-run.js";
import { runDirectSim } from "./sim/direct-sim.js";
import { nemesisFor } from "./sim/nemesis.js";

const OPS = 2000;

function runMany(nodes: number, runs: number, base: number): Promise<void> {
  return (async () => {
    for (let i = 0; i < runs; i++) {
      const seed = base + i;
      await withSeed(seed, () => {
        const result = runDirectSim({ seed, nodes, clients: 6, ops: OPS, keys: 5, nemesis: nemesisFor(seed, nodes), snapshotEvery: 200 });
        assertRun(result, OPS);
      });
    }
  })();
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
});
