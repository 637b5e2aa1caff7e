import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { EdgeInfrastructure } from "../../src/infra/infrastructure.js";
import type { EdgeRecord } from "../../src/infra/types.js";
import { analyzeDeployment, loadDeploymentPolicy } from "../../src/placement/deployment.js";
import { estimateRttMs, haversineKm, rttForDistanceMs, RttTable } from "../../src/placement/geo.js";
import { AffinityPlacer, placementOrder } from "../../src/placement/placer.js";
import { feasibleEdgesToFind } from "../../src/placement/session.js";
import type { Workload } from "../../src/placement/types.js";
import { casesFor, checkInvalidCallsAreNoOps, expectRejectedUnchanged, NOT_IDS, NOT_NUMBERS, validationPaths, type BadCall } from "../support/bad-input.js";

const loose = <T>(value: unknown): T => value as T;
const finiteBad = NOT_NUMBERS.filter((v) => v !== undefined);

function fleet(): readonly EdgeRecord[] {
  const infra = new EdgeInfrastructure({ clock: new ManualClock(0) });
  infra.registerEdge({ id: "edge-eu", region: "eu", coordinates: { lat: 50, lon: 8 }, capacity: { cpu: 8, memoryMb: 8192 }, complianceZones: ["eu"], lifecycleState: "active" });
  infra.registerEdge({ id: "edge-us", region: "us", coordinates: { lat: 40, lon: -74 }, capacity: { cpu: 8, memoryMb: 8192 }, complianceZones: ["us"], lifecycleState: "active" });
  return infra.edges();
}

const workload: Workload = { id: "api", requests: { cpu: 2, memoryMb: 512 }, users: [{ lat: 48, lon: 2 }] };

describe("placement refuses bad input and stays as it was", () => {
  it("AffinityPlacer and RttTable, every public method, table-driven", async () => {
    const edges = fleet();
    const rtts = new RttTable().set("edge-eu", "paris", 9);
    const placer = new AffinityPlacer({}, { rtts });
    const edge = edges[0] as EdgeRecord;
    const badEdges: Array<[unknown, string]> = [
      [null, "edges"],
      [5, "edges"],
      [[{ ...edge, coordinates: { lat: Number.NaN, lon: 0 } }], "edges[0].coordinates.lat"],
      [[{ ...edge, capacity: { cpu: "8", memoryMb: 1 } }], "edges[0].capacity.cpu"],
      [[{ ...edge, capacity: { cpu: Number.POSITIVE_INFINITY, memoryMb: 1 } }], "edges[0].capacity.cpu"],
      [[{ ...edge, id: "" }], "edges[0].id"],
      [[{ ...edge, costPerHour: -1 }], "edges[0].costPerHour"],
      [[{ ...edge, allocated: undefined }], "edges[0]"],
      [[null], "edges[0]"],
    ];
    const cases: BadCall[] = [
      ...badEdges.map(([v, path]) => ({ name: `place edges ${JSON.stringify(v)?.slice(0, 60)}`, path, call: () => placer.place(loose(v), workload) })),
      ...badEdges.map(([v, path]) => ({ name: `placeBatch edges ${JSON.stringify(v)?.slice(0, 60)}`, path, call: () => placer.placeBatch(loose(v), [workload]) })),
      ...badEdges.map(([v, path]) => ({ name: `explain edges ${JSON.stringify(v)?.slice(0, 60)}`, path, call: () => placer.explain(loose(v), workload) })),
      ...casesFor("place workload", "workload", [null, 5, { id: "" }, { id: "a", requests: { cpu: Number.NaN } }, { id: "a", users: [{ lat: 91, lon: 0 }] }, { id: "a", maxRttMs: 0 }, { id: "a", priority: Number.POSITIVE_INFINITY }], (v) => placer.place(edges, v)),
      ...casesFor("explain workload", "workload", [null, { id: "a", requests: { cpu: -1 } }], (v) => placer.explain(edges, v)),
      { name: "placeBatch duplicate ids", path: "workloads[1].id", call: () => placer.placeBatch(edges, [workload, workload]) },
      ...casesFor("placeBatch workloads", "workloads", [null, 5, [null]], (v) => placer.placeBatch(edges, v)),
      ...casesFor("placementOrder", "workloads", [null, 5, [null]], (v) => placementOrder(v)),
      { name: "placementOrder NaN priority", path: "workloads[0].priority", call: () => placementOrder([{ priority: Number.NaN }]) },
      ...casesFor("rtts.set edgeId", "edgeId", NOT_IDS, (v) => rtts.set(v, "paris", 1)),
      ...casesFor("rtts.set locationId", "locationId", NOT_IDS, (v) => rtts.set("edge-eu", v, 1)),
      ...casesFor("rtts.set rttMs", "rttMs", [...NOT_NUMBERS, -1], (v) => rtts.set("edge-eu", "paris", v)),
      ...casesFor("rtts.get", "edgeId", NOT_IDS, (v) => rtts.get(v, "paris")),
      ...casesFor("rtts.row", "edgeId", NOT_IDS, (v) => rtts.row(v)),
      ...casesFor("haversineKm a", "a", [null, 5], (v) => haversineKm(v, { lat: 0, lon: 0 })),
      ...casesFor("haversineKm a.lat", "a.lat", [...NOT_NUMBERS, 91], (v) => haversineKm({ lat: v, lon: 0 }, { lat: 0, lon: 0 })),
      ...casesFor("haversineKm b.lon", "b.lon", [...NOT_NUMBERS, 181], (v) => haversineKm({ lat: 0, lon: 0 }, { lat: 0, lon: v })),
      ...casesFor("rttForDistanceMs", "distanceKm", [...NOT_NUMBERS, -1], (v) => rttForDistanceMs(v)),
      ...casesFor("rttForDistanceMs model", "model.fibreKmPerMs", [...finiteBad, 0], (v) => rttForDistanceMs(1, { baseMs: 5, fibreKmPerMs: v, routeFactor: 1.5 })),
      ...casesFor("estimateRttMs model", "model", [null, 5], (v) => estimateRttMs({ lat: 0, lon: 0 }, { lat: 0, lon: 0 }, v)),
      ...casesFor("feasibleEdgesToFind n", "n", [...NOT_NUMBERS, -1, 1.5], (v) => feasibleEdgesToFind(v, 50, 10)),
      ...casesFor("feasibleEdgesToFind percentage", "percentage", [...NOT_NUMBERS, -1, 101], (v) => feasibleEdgesToFind(100, v, 10)),
      ...casesFor("feasibleEdgesToFind minimum", "minimum", [...NOT_NUMBERS, 0], (v) => feasibleEdgesToFind(100, 50, v)),
      ...casesFor("loadDeploymentPolicy", "policy", [null, 5, { memoryMb: Number.NaN }, { provider: "" }, { provider: "nope" }, { extra: 1 }], (v) => loadDeploymentPolicy(v)),
      ...casesFor("analyzeDeployment jobs", "jobs", [null, [], [{ id: "a", memoryMb: Number.NaN, durationSec: 1 }], [{ id: "a", memoryMb: 1, durationSec: 1 }, { id: "a", memoryMb: 1, durationSec: 1 }]], (v) => analyzeDeployment(v)),
    ];
    const decision = placer.place(edges, workload);
    await expectRejectedUnchanged(cases, () => ({ edges, policy: placer.policy, rtts: [...(rtts.row("edge-eu") ?? [])], size: rtts.size, decision: placer.place(edges, workload) }));
    expect(decision.edgeId).toBe("edge-eu");
  });

  it("constructor names the bad option", async () => {
    const table: Array<[() => unknown, string]> = [
      [() => new AffinityPlacer(loose(null)), "policy"],
      [() => new AffinityPlacer({ weights: { latency: Number.NaN } }), "policy.weights.latency"],
      [() => new AffinityPlacer({ percentageOfEdgesToScore: 101 }), "policy.percentageOfEdgesToScore"],
      [() => new AffinityPlacer({ seed: 1.5 }), "policy.seed"],
      [() => new AffinityPlacer({}, loose(null)), "options"],
      [() => new AffinityPlacer({}, { rtts: loose({}) }), "options.rtts"],
    ];
    for (const [call, path] of table) expect(await validationPaths(call)).toContain(path);
  });

  it("property: invalid calls mixed into any sequence of measurements and placements change nothing", async () => {
    type Op = { valid: true; kind: "rtt" | "place"; edge: number; ms: number } | { valid: false; which: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ valid: fc.constant(true as const), kind: fc.constantFrom("rtt" as const, "place" as const), edge: fc.nat(1), ms: fc.integer({ min: 0, max: 500 }) }),
      fc.record({ valid: fc.constant(false as const), which: fc.nat(4) }),
    );
    const edges = fleet();
    await checkInvalidCallsAreNoOps({
      ops: fc.array(op, { maxLength: 25 }),
      make: () => {
        const rtts = new RttTable();
        return { rtts, placer: new AffinityPlacer({}, { rtts }), decisions: [] as unknown[] };
      },
      apply: ({ rtts, placer, decisions }, o) => {
        if (!o.valid) {
          return [
            () => rtts.set("edge-eu", "api-users", Number.NaN),
            () => rtts.set(loose(5), "api-users", 1),
            () => placer.place(edges, loose({ id: "api", requests: { cpu: "1" } })),
            () => placer.placeBatch(edges, [workload, workload]),
            () => placer.place(loose([{ ...edges[0], capacity: { cpu: -1, memoryMb: 1 } }]), workload),
          ][o.which]?.();
        }
        if (o.kind === "rtt") return rtts.set(o.edge === 0 ? "edge-eu" : "edge-us", "api-users", o.ms);
        decisions.push(placer.place(edges, { ...workload, users: [{ id: "api-users", lat: 48, lon: 2 }] }));
        return undefined;
      },
      snapshot: ({ rtts, decisions }) => ({ eu: [...(rtts.row("edge-eu") ?? [])], us: [...(rtts.row("edge-us") ?? [])], decisions }),
      runs: 40,
    });
  });
});
