import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ValidationError } from "../../src/core/errors.js";
import { RttTable } from "../../src/placement/geo.js";
import { AffinityPlacer } from "../../src/placement/placer.js";
import { feasibleEdgesToFind } from "../../src/placement/session.js";
import type { Workload } from "../../src/placement/types.js";
import { simRuns, simSeed } from "../support/sim.js";
import { edgeSpecArb, registry, workloadArb } from "./fixtures.js";
import { referenceFeasible, referenceTotal, type Usage } from "./reference.js";

const base = { capacity: { cpu: 8, memoryMb: 8192 }, lifecycleState: "active" as const, costPerHour: 1 };
const europe = registry([
  { ...base, region: "eu-west", coordinates: { lat: 53.35, lon: -6.26 }, complianceZones: ["eu"], labels: { tier: "premium" } }, // Dublin
  { ...base, region: "eu-central", coordinates: { lat: 50.11, lon: 8.68 }, complianceZones: ["eu"], labels: { tier: "standard" } }, // Frankfurt
  { ...base, region: "us-east", coordinates: { lat: 39.04, lon: -77.49 }, complianceZones: ["us"], labels: { tier: "premium" } }, // Ashburn
]);
const parisUsers = [{ id: "paris", lat: 48.86, lon: 2.35 }];

describe("AffinityPlacer", () => {
  it("picks the nearest edge to the users and explains each component", () => {
    const placer = new AffinityPlacer();
    const decision = placer.place(europe, { id: "api", requests: { cpu: 1, memoryMb: 512 }, users: parisUsers });
    expect(decision.edgeId).toBe("edge-001"); // Frankfurt is nearer Paris than Dublin
    expect(decision.score?.rttMs).toBeGreaterThan(5);
    expect(decision.score?.components.latency).toBeGreaterThan(90);
    expect(decision.message).toMatch(/^placed on edge-001; 3\/3 edges are available/);
  });

  it("keeps EU data in EU zones and says why the others were refused", () => {
    const placer = new AffinityPlacer();
    const workload: Workload = { id: "gdpr", users: [{ lat: 40.7, lon: -74 }], residency: ["eu"] };
    expect(placer.place(europe, workload).edgeId).not.toBe("edge-002");
    const explanation = placer.explain(europe, workload);
    const us = explanation.edges.find((e) => e.edgeId === "edge-002");
    expect(us?.feasible).toBe(false);
    expect(us?.rejections[0]?.filter).toBe("residency");
    expect(us?.rejections[0]?.message).toContain("[us]");
    expect(explanation.message).toContain("1 residency refused");
  });

  it("refuses edges on capacity, labels and lifecycle and reports counts like the Kubernetes scheduler", () => {
    const placer = new AffinityPlacer();
    const decision = placer.place(europe, { id: "big", requests: { cpu: 9 } });
    expect(decision.edgeId).toBeNull();
    expect(decision.rejected).toEqual({ capacity: 3 });
    expect(decision.message).toBe("0/3 edges are available: 3 capacity refused");
    const labelled = placer.place(europe, { id: "p", edgeSelector: { matchLabels: { tier: "standard" } } });
    expect(labelled.edgeId).toBe("edge-001");
    const drained = registry([{ ...base, region: "r", coordinates: { lat: 0, lon: 0 }, lifecycleState: "draining" }]);
    expect(placer.place(drained, { id: "x" }).rejected).toEqual({ lifecycle: 1 });
  });

  it("lets measured RTTs override the distance model", () => {
    const rtts = new RttTable().set("edge-000", "paris", 1).set("edge-001", "paris", 80);
    const decision = new AffinityPlacer({}, { rtts }).place(europe, { id: "api", users: parisUsers });
    expect(decision.edgeId).toBe("edge-000");
    expect(decision.score?.rttMs).toBe(1);
  });

  it("breaks exact ties by the smaller edge id", () => {
    const twins = registry([0, 1, 2].map(() => ({ ...base, region: "r", coordinates: { lat: 10, lon: 10 } })));
    expect(new AffinityPlacer().place(twins, { id: "w", users: [{ lat: 0, lon: 0 }] }).edgeId).toBe("edge-000");
  });

  it("keeps anti-affine workloads apart within a batch", () => {
    const placer = new AffinityPlacer({ weights: { latency: 10, locality: 0, balance: 0, cost: 0 } });
    const replica = (id: string): Workload => ({
      id,
      users: parisUsers,
      labels: { app: "db" },
      antiAffinity: [{ selector: { matchLabels: { app: "db" } }, scope: "edge" }],
    });
    const batch = placer.placeBatch(europe, [replica("db-1"), replica("db-2"), replica("db-3"), replica("db-4")]);
    expect(batch.decisions.map((d) => d.edgeId)).toEqual(["edge-001", "edge-000", "edge-002", null]);
    expect(batch.decisions[3]?.rejected).toEqual({ anti_affinity: 3 });
  });

  it("anti-affinity rules that match unlabelled workloads (DoesNotExist, empty selector) see unlabelled ones placed before", () => {
    const twins = registry([
      { ...base, region: "eu", coordinates: { lat: 50, lon: 8 } },
      { ...base, region: "eu", coordinates: { lat: 50, lon: 8 } },
    ]);
    const placer = new AffinityPlacer();
    const plain: Workload = { id: "plain" };
    const awayFromUntiered: Workload = {
      id: "picky",
      labels: { tier: "gold" },
      antiAffinity: [{ selector: { matchExpressions: [{ key: "tier", operator: "DoesNotExist" }] }, scope: "edge" }],
    };
    const batch = placer.placeBatch(twins, [plain, awayFromUntiered]);
    expect(batch.decisions.map((d) => d.edgeId)).toEqual(["edge-000", "edge-001"]);
    const loner: Workload = { id: "loner", antiAffinity: [{ selector: {}, scope: "region" }] };
    const second = placer.placeBatch(twins, [plain, loner]);
    expect(second.decisions[1]?.edgeId).toBeNull();
    expect(second.decisions[1]?.rejected).toEqual({ anti_affinity: 2 });
  });

  it("region-scoped anti-affinity keeps replicas out of each other's region", () => {
    const fleetOf = registry([
      { ...base, region: "eu", coordinates: { lat: 50, lon: 8 } },
      { ...base, region: "eu", coordinates: { lat: 50, lon: 9 } },
      { ...base, region: "us", coordinates: { lat: 39, lon: -77 } },
    ]);
    const replica = (id: string): Workload => ({
      id,
      users: parisUsers,
      labels: { app: "kv" },
      antiAffinity: [{ selector: { matchLabels: { app: "kv" } }, scope: "region" }],
    });
    const batch = new AffinityPlacer().placeBatch(fleetOf, [replica("a"), replica("b"), replica("c")]);
    expect(batch.decisions.map((d) => d.edgeId)).toEqual(["edge-000", "edge-002", null]);
  });

  it("least_allocated spreads, most_allocated packs", () => {
    const twins = registry([0, 1].map(() => ({ ...base, region: "r", coordinates: { lat: 0, lon: 0 } })));
    const jobs: Workload[] = [{ id: "a", requests: { cpu: 2 } }, { id: "b", requests: { cpu: 2 } }];
    const spread = new AffinityPlacer({ balance: "least_allocated" }).placeBatch(twins, jobs);
    expect(spread.decisions.map((d) => d.edgeId)).toEqual(["edge-000", "edge-001"]);
    const packed = new AffinityPlacer({ balance: "most_allocated" }).placeBatch(twins, jobs);
    expect(packed.decisions.map((d) => d.edgeId)).toEqual(["edge-000", "edge-000"]);
    expect(packed.allocations["edge-000"]?.["cpu"]).toBe(4);
  });

  it("validates workloads and policies, reporting every problem", () => {
    expect(() => new AffinityPlacer({ weights: { latency: -1 }, percentageOfEdgesToScore: 150 } as never)).toThrow(ValidationError);
    try {
      new AffinityPlacer().placeBatch(europe, [{ id: "a" }, { id: "a", requests: { cpu: -1 } }]);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues.map((i) => i.path)).toEqual(expect.arrayContaining(["workloads[1].id", "workloads[1].requests.cpu"]));
    }
  });

  it("sizes the search like percentageOfNodesToScore", () => {
    expect(feasibleEdgesToFind(50, 10, 100)).toBe(50);
    expect(feasibleEdgesToFind(1_000, 100, 100)).toBe(1_000);
    expect(feasibleEdgesToFind(1_000, 0, 100)).toBe(420); // 50 - 1000/125 = 42 %
    expect(feasibleEdgesToFind(10_000, 0, 100)).toBe(500); // floor at 5 %
    expect(feasibleEdgesToFind(1_000, 1, 100)).toBe(100); // never below the minimum
  });

  it("property: a placement never violates a filter, and the chosen edge has the best total among feasible edges", () => {
    fc.assert(
      fc.property(fc.array(edgeSpecArb, { minLength: 1, maxLength: 25 }), workloadArb("w"), (specs, workload) => {
        const edges = registry(specs);
        const placer = new AffinityPlacer();
        const decision = placer.place(edges, workload);
        const usage: Usage = new Map();
        const feasible = edges.filter((e) => referenceFeasible(e, workload, placer.policy, usage));
        if (feasible.length === 0) {
          expect(decision.edgeId).toBeNull();
          return;
        }
        const chosen = edges.find((e) => e.id === decision.edgeId);
        expect(chosen).toBeDefined();
        if (chosen === undefined) return;
        expect(referenceFeasible(chosen, workload, placer.policy, usage)).toBe(true);
        const best = Math.max(...feasible.map((e) => referenceTotal(e, edges, workload, placer.policy, usage)));
        const mine = referenceTotal(chosen, edges, workload, placer.policy, usage);
        expect(mine).toBeCloseTo(best, 6);
        expect(decision.score?.total).toBeCloseTo(mine, 6);
        expect(decision.feasible).toBe(feasible.length);
        expect(placer.explain(edges, workload).edgeId).toBe(decision.edgeId);
      }),
      { numRuns: simRuns(200), seed: simSeed(200) },
    );
  });

  it("property: a batch (sampled or not) never over-commits any edge and places each workload on a then-feasible edge", () => {
    const batchArb = fc.integer({ min: 1, max: 30 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => workloadArb(`w${i}`))));
    fc.assert(
      fc.property(fc.array(edgeSpecArb, { minLength: 1, maxLength: 12 }), batchArb, fc.boolean(), (specs, workloads, sampled) => {
        const edges = registry(specs);
        const placer = new AffinityPlacer(sampled ? { percentageOfEdgesToScore: 10, minFeasibleEdgesToFind: 2, seed: 7 } : {});
        const batch = placer.placeBatch(edges, workloads);
        const usage: Usage = new Map();
        batch.decisions.forEach((decision, i) => {
          const workload = workloads[i] as Workload;
          const edge = edges.find((e) => e.id === decision.edgeId);
          if (edge === undefined) {
            expect(edges.some((e) => referenceFeasible(e, workload, placer.policy, usage))).toBe(false);
            return;
          }
          expect(referenceFeasible(edge, workload, placer.policy, usage)).toBe(true);
          const row = { ...(usage.get(edge.id) ?? edge.allocated) };
          for (const [r, amount] of Object.entries(workload.requests ?? {})) row[r] = (row[r] ?? 0) + amount;
          usage.set(edge.id, row);
        });
        for (const edge of edges) {
          const row = usage.get(edge.id);
          if (row === undefined) continue;
          for (const [r, amount] of Object.entries(row)) expect(amount).toBeLessThanOrEqual((edge.capacity[r] ?? 0) + 1e-9);
          expect(batch.allocations[edge.id]).toMatchObject(row);
        }
        expect(batch.placed + batch.unplaced.length).toBe(workloads.length);
      }),
      { numRuns: simRuns(100), seed: simSeed(100) },
    );
  });

  it("property: with sampling on, results are the same for the same seed and every choice stays feasible", () => {
    const batchArb = fc.integer({ min: 1, max: 20 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => workloadArb(`w${i}`))));
    fc.assert(
      fc.property(fc.array(edgeSpecArb, { minLength: 1, maxLength: 40 }), batchArb, fc.integer(), (specs, workloads, seed) => {
        const edges = registry(specs);
        const policy = { percentageOfEdgesToScore: 10, minFeasibleEdgesToFind: 3, seed };
        const first = new AffinityPlacer(policy).placeBatch(edges, workloads);
        const again = new AffinityPlacer(policy).placeBatch(registry(specs), workloads);
        expect(again).toEqual(first);
        for (const d of first.decisions) {
          expect(d.feasible).toBeLessThanOrEqual(Math.min(feasibleEdgesToFind(edges.length, 10, 3), d.evaluated));
          expect(d.evaluated).toBeLessThanOrEqual(edges.length);
        }
      }),
      { numRuns: simRuns(60), seed: simSeed(60) },
    );
  });
});
