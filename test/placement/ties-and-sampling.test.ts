import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Random } from "../../src/core/random.js";
import type { EdgeRecord, EdgeSpec } from "../../src/infra/types.js";
import { AffinityPlacer } from "../../src/placement/placer.js";
import { feasibleEdgesToFind } from "../../src/placement/session.js";
import type { Workload } from "../../src/placement/types.js";
import { simRuns, simSeed } from "../support/sim.js";
import { registry } from "./fixtures.js";
import { referenceFeasible, referenceTotal, type Usage } from "./reference.js";

// Few distinct values, so many edges are exact copies of one another and totals tie often.
const sites = [
  { lat: 48.86, lon: 2.35 },
  { lat: 40.71, lon: -74.0 },
] as const;
const tiedEdgeArb: fc.Arbitrary<Omit<EdgeSpec, "id">> = fc.record({
  region: fc.constantFrom("r1", "r2"),
  coordinates: fc.constantFrom(...sites),
  capacity: fc.record({ cpu: fc.constantFrom(4, 8), memoryMb: fc.constant(4096) }),
  costPerHour: fc.constantFrom(1, 2),
  labels: fc.constant({ tier: "standard" }),
  complianceZones: fc.constantFrom(["eu"], ["us"], ["eu", "us"]),
  capabilities: fc.constant([]),
  health: fc.constantFrom("healthy", "healthy", "unhealthy"),
  lifecycleState: fc.constant("active" as const),
});
const tiedWorkloadArb: fc.Arbitrary<Workload> = fc.record(
  {
    id: fc.constantFrom("w1", "w2", "w3"),
    requests: fc.record({ cpu: fc.constantFrom(0, 2, 6), memoryMb: fc.constantFrom(0, 1024) }),
    users: fc.constantFrom([], [{ ...sites[0] }], [{ ...sites[1], weight: 2 }, { ...sites[0] }]),
    residency: fc.constantFrom(["eu"], ["us"]),
    dataRegions: fc.constantFrom(["r1"], ["r2"]),
  },
  { requiredKeys: ["id", "requests"] },
);

/** The best feasible edge among `candidates` by the reference total, ties to the smaller id. */
function referenceBest(candidates: readonly EdgeRecord[], all: readonly EdgeRecord[], w: Workload, placer: AffinityPlacer): EdgeRecord | undefined {
  const usage: Usage = new Map();
  let best: { edge: EdgeRecord; total: number } | undefined;
  for (const edge of [...candidates].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    if (!referenceFeasible(edge, w, placer.policy, usage)) continue;
    const total = referenceTotal(edge, all, w, placer.policy, usage);
    if (best === undefined || total > best.total + 1e-9) best = { edge, total };
  }
  return best?.edge;
}

describe("placement against a brute-force reference: ties and sampling", () => {
  it("property: without sampling, the chosen edge is the reference's best, exact ties going to the smaller id", () => {
    let ties = 0;
    fc.assert(
      fc.property(fc.array(tiedEdgeArb, { minLength: 1, maxLength: 12 }), tiedWorkloadArb, (specs, workload) => {
        const edges = registry(specs);
        const placer = new AffinityPlacer();
        const decision = placer.place(edges, workload);
        const best = referenceBest(edges, edges, workload, placer);
        expect(decision.edgeId).toBe(best?.id ?? null);
        const explained = placer.explain(edges, workload).edges.filter((e) => e.feasible);
        if (explained.length > 1 && explained[0]?.score?.total === explained[1]?.score?.total) ties++;
      }),
      { numRuns: simRuns(200), seed: simSeed(201) },
    );
    // The generator must really produce ties, or the tie-break above was never exercised.
    expect(ties).toBeGreaterThan(0);
  });

  it("property: with sampling, the chosen edge is the best in the window the search covered (seeded start, id order)", () => {
    let sampledRuns = 0;
    fc.assert(
      fc.property(fc.array(tiedEdgeArb, { minLength: 1, maxLength: 30 }), tiedWorkloadArb, fc.integer({ min: 0, max: 1_000 }), (specs, workload, seed) => {
        const edges = registry(specs);
        const placer = new AffinityPlacer({ percentageOfEdgesToScore: 10, minFeasibleEdgesToFind: 2, seed });
        const decision = placer.place(edges, workload);
        const sorted = [...edges].sort((a, b) => (a.id < b.id ? -1 : 1));
        const n = sorted.length;
        const toFind = feasibleEdgesToFind(n, 10, 2);
        // The scan starts where `place` documents: a draw from the policy seed and the workload id.
        const start = toFind >= n ? 0 : new Random(`${seed}:${workload.id}`).int(0, n - 1);
        const window = Array.from({ length: decision.evaluated }, (_, k) => sorted[(start + k) % n] as EdgeRecord);
        const usage: Usage = new Map();
        const feasibleInWindow = window.filter((e) => referenceFeasible(e, workload, placer.policy, usage)).length;
        expect(decision.feasible).toBe(feasibleInWindow);
        // It stops early only once enough feasible edges were found.
        if (decision.evaluated < n) {
          sampledRuns++;
          expect(feasibleInWindow).toBe(toFind);
        }
        expect(decision.edgeId).toBe(referenceBest(window, edges, workload, placer)?.id ?? null);
      }),
      { numRuns: simRuns(200), seed: simSeed(202) },
    );
    expect(sampledRuns).toBeGreaterThan(0);
  });
});
