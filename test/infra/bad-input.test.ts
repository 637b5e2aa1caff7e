import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { ServiceRegistry } from "../../src/core/services.js";
import { EdgeInfrastructure, type EdgeInfrastructureOptions } from "../../src/infra/infrastructure.js";
import { matchesQuery, matchesSelector } from "../../src/infra/selector.js";
import type { EdgeSpec } from "../../src/infra/types.js";
import { casesFor, checkInvalidCallsAreNoOps, expectRejectedUnchanged, NOT_IDS, NOT_NUMBERS, validationPaths, type BadCall } from "../support/bad-input.js";

const loose = <T>(value: unknown): T => value as T;

const spec = (id: string, extra: Partial<EdgeSpec> = {}): EdgeSpec => ({ id, region: "eu", coordinates: { lat: 10, lon: 20 }, capacity: { cpu: 4, memoryMb: 1024 }, ...extra });

function setup(): EdgeInfrastructure {
  const infra = new EdgeInfrastructure({ clock: new ManualClock(1_000) });
  infra.registerEdge(spec("edge-1", { labels: { tier: "gold" } }));
  return infra;
}

const state = (infra: EdgeInfrastructure): unknown => ({ edges: infra.edges(), version: infra.version });

describe("EdgeInfrastructure refuses bad input and stays as it was", () => {
  it("every public method, table-driven", async () => {
    const infra = setup();
    const badAmounts = NOT_NUMBERS.filter((v) => v !== undefined).concat([-1]);
    const cases: BadCall[] = [
      ...casesFor("registerEdge", "edge", [null, 5, "edge"], (v) => infra.registerEdge(v)),
      ...casesFor("registerEdge id", "edge.id", NOT_IDS, (v) => infra.registerEdge(spec(v))),
      ...casesFor("registerEdge lat", "edge.coordinates.lat", [...NOT_NUMBERS, 91, -91], (v) => infra.registerEdge(spec("edge-2", { coordinates: { lat: v, lon: 0 } }))),
      ...casesFor("registerEdge cpu", "edge.capacity.cpu", [...NOT_NUMBERS, -1], (v) => infra.registerEdge(spec("edge-2", { capacity: { cpu: v, memoryMb: 1 } }))),
      ...casesFor("registerEdge extra resource", "edge.capacity.gpu", badAmounts, (v) => infra.registerEdge(spec("edge-2", { capacity: { cpu: 1, memoryMb: 1, gpu: v } }))),
      ...casesFor("registerEdge costPerHour", "edge.costPerHour", badAmounts, (v) => infra.registerEdge(spec("edge-2", { costPerHour: v }))),
      { name: "registerEdge allocation of an unknown resource", path: "edge.allocated.gpu", call: () => infra.registerEdge(spec("edge-2", { allocated: { gpu: 1 } })) },
      ...casesFor("registerEdge health", "edge.health", ["sick", 5], (v) => infra.registerEdge(spec("edge-2", { health: v }))),
      ...casesFor("deregisterEdge", "id", NOT_IDS, (v) => infra.deregisterEdge(v)),
      ...casesFor("getEdge", "id", NOT_IDS, (v) => infra.getEdge(v)),
      ...casesFor("tryGetEdge", "id", NOT_IDS, (v) => infra.tryGetEdge(v)),
      ...casesFor("hasEdge", "id", NOT_IDS, (v) => infra.hasEdge(v)),
      ...casesFor("updateEdge id", "id", NOT_IDS, (v) => infra.updateEdge(v, { region: "us" })),
      ...casesFor("updateEdge patch", "patch", [null, 5, { unknownField: 1 }], (v) => infra.updateEdge("edge-1", v)),
      ...casesFor("updateEdge lon", "patch.coordinates.lon", [...NOT_NUMBERS, 181], (v) => infra.updateEdge("edge-1", { coordinates: { lat: 0, lon: v } })),
      ...casesFor("updateEdge costPerHour", "patch.costPerHour", badAmounts, (v) => infra.updateEdge("edge-1", { costPerHour: v })),
      ...casesFor("setHealth id", "id", NOT_IDS, (v) => infra.setHealth(v, "healthy")),
      ...casesFor("setHealth", "health", ["sick", 5, null], (v) => infra.setHealth("edge-1", v)),
      ...casesFor("setLifecycleState", "lifecycleState", ["sleeping", 5, null], (v) => infra.setLifecycleState("edge-1", v)),
      ...casesFor("allocate id", "id", NOT_IDS, (v) => infra.allocate(v, { cpu: 1 })),
      ...casesFor("allocate request", "request", [null, 5, "cpu"], (v) => infra.allocate("edge-1", v)),
      ...casesFor("allocate cpu", "request.cpu", badAmounts, (v) => infra.allocate("edge-1", { cpu: v })),
      { name: "allocate an unknown resource", path: "request.gpu", call: () => infra.allocate("edge-1", { cpu: 1, gpu: 1 }) },
      ...casesFor("free cpu", "request.cpu", badAmounts, (v) => infra.free("edge-1", { cpu: v })),
      ...casesFor("findEdges", "query", [null, 5, { regions: "eu" }, { health: ["sick"] }, { selector: { matchExpressions: [{ key: "a", operator: "In" }] } }], (v) => infra.findEdges(v)),
      ...casesFor("from", "registry", [null, {}, 5], (v) => EdgeInfrastructure.from(v)),
      ...casesFor("matchesSelector labels", "labels", [null, 5], (v) => matchesSelector(v, undefined)),
      ...casesFor("matchesSelector selector", "selector", [5, { matchExpressions: [{ key: "a", operator: "In" }] }, { matchLabels: { a: 5 } }], (v) => matchesSelector({}, v)),
      ...casesFor("matchesQuery edge", "edge", [null, {}, 5], (v) => matchesQuery(v, {})),
      ...casesFor("matchesQuery query", "query", [null, { regions: "eu" }], (v) => matchesQuery(infra.getEdge("edge-1"), v)),
    ];
    await expectRejectedUnchanged(cases, () => state(infra));
  });

  it("constructor names the bad option, and from() still finds a registered infrastructure", async () => {
    expect(await validationPaths(() => new EdgeInfrastructure(loose<EdgeInfrastructureOptions>(null)))).toEqual(["options"]);
    expect(await validationPaths(() => new EdgeInfrastructure(loose<EdgeInfrastructureOptions>({ clock: 5 })))).toEqual(["options.clock"]);
    const infra = setup();
    const registry = new ServiceRegistry();
    registry.register({ name: "infra.edges" }, infra);
    expect(EdgeInfrastructure.from(registry)).toBe(infra);
  });

  it("property: invalid calls mixed into any sequence of registry changes change nothing", async () => {
    type Op = { valid: true; kind: "register" | "deregister" | "allocate" | "free" | "health"; edge: number; n: number } | { valid: false; which: number; edge: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ valid: fc.constant(true as const), kind: fc.constantFrom("register" as const, "deregister" as const, "allocate" as const, "free" as const, "health" as const), edge: fc.nat(2), n: fc.integer({ min: 0, max: 3 }) }),
      fc.record({ valid: fc.constant(false as const), which: fc.nat(5), edge: fc.nat(2) }),
    );
    await checkInvalidCallsAreNoOps({
      ops: fc.array(op, { maxLength: 30 }),
      make: setup,
      apply: (infra, o) => {
        const id = `edge-${o.edge}`;
        if (!o.valid) {
          return [
            () => infra.registerEdge(spec(id, { capacity: { cpu: Number.NaN, memoryMb: 1 } })),
            () => infra.allocate(id, { cpu: Number.POSITIVE_INFINITY }),
            () => infra.free(id, loose({ cpu: "1" })),
            () => infra.updateEdge(id, loose({ costPerHour: -1 })),
            () => infra.setHealth(loose(5), "healthy"),
            () => infra.findEdges(loose({ regions: [""] })),
          ][o.which]?.();
        }
        if (o.kind === "register") return infra.hasEdge(id) ? undefined : infra.registerEdge(spec(id));
        if (!infra.hasEdge(id)) return undefined;
        if (o.kind === "deregister") return infra.deregisterEdge(id);
        if (o.kind === "allocate") return infra.allocate(id, { cpu: o.n });
        if (o.kind === "free") return infra.free(id, { cpu: o.n });
        return infra.setHealth(id, o.n % 2 === 0 ? "healthy" : "degraded");
      },
      // updatedAt comes from each instance's own clock, equal in both runs.
      snapshot: state,
    });
  });
});
