/**
 * Seeded full-stack simulation: `ReplicatedKV` on `RaftHost` over `SimNetwork` (schema-validated
 * messages), `ManualClock` and `MemoryStorage` crashes that lose unsynced writes. Checks election
 * safety, monotonic durable commit, agreement of every member's durable committed log, converged state
 * machines, linearizability (every answer checked) and liveness after the heal (log matching and
 * leader completeness on the engines' in-memory logs are the direct simulation's job: the host does
 * not expose them). Undecided histories are reported apart from violations.
 * `SIM_RUNS=N` for deep runs; a failure prints its seed.
 */
import { describe, it } from "vitest";
import { simRuns, simSeed, withSeed } from "../support/sim.js";
import { assertRun, UndecidedRuns } from "./sim/check-run.js";
import { runHostSim } from "./sim/host-sim.js";
import { nemesisFor } from "./sim/nemesis.js";

const OPS = 2000;

describe("Raft simulation (RaftHost + ReplicatedKV on SimNetwork)", () => {
  const runs = simRuns(20);
  it("3 and 5 members: safe, linearizable and live under a generated nemesis", { timeout: 60_000 + runs * 10_000 }, async () => {
    const base = simSeed(200_001);
    const undecided = new UndecidedRuns();
    for (let i = 0; i < runs; i++) {
      const seed = base + i;
      const nodes = i % 4 === 3 ? 5 : 3;
      await withSeed(seed, async () => {
        const result = await runHostSim({ seed, nodes, clients: 6, ops: OPS, keys: 5, nemesis: nemesisFor(seed, nodes) });
        undecided.record(seed, assertRun(result, OPS));
      });
    }
    undecided.check(runs);
  });
});
