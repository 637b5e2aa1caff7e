import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { ManualClock } from "../../src/core/clock.js";
import { ConflictError, NotFoundError, ValidationError } from "../../src/core/errors.js";
import { serviceKey, ServiceRegistry } from "../../src/core/services.js";
import { EDGE_INFRASTRUCTURE, EdgeInfrastructure } from "../../src/infra/infrastructure.js";
import { InfrastructureUnavailableError } from "../../src/infra/errors.js";
import { matchesSelector } from "../../src/infra/selector.js";
import type { EdgeSpec } from "../../src/infra/types.js";
import { simRuns, simSeed } from "../support/sim.js";

const edge = (id: string, extra: Partial<EdgeSpec> = {}): EdgeSpec => ({
  id,
  region: "eu-west",
  coordinates: { lat: 53.3, lon: -6.3 },
  capacity: { cpu: 8, memoryMb: 16_384 },
  ...extra,
});

function fleet(): EdgeInfrastructure {
  const infra = new EdgeInfrastructure({ clock: new ManualClock(100) });
  infra.registerEdge(edge("eu-1", { labels: { tier: "premium", arch: "arm" }, complianceZones: ["eu", "gdpr"], capabilities: ["gpu"], lifecycleState: "active" }));
  infra.registerEdge(edge("eu-2", { labels: { tier: "standard" }, complianceZones: ["eu"], health: "degraded", lifecycleState: "active" }));
  infra.registerEdge(edge("us-1", { region: "us-east", coordinates: { lat: 39, lon: -77 }, labels: { tier: "premium" }, complianceZones: ["us"], capabilities: ["gpu", "wasm"] }));
  return infra;
}

describe("EdgeInfrastructure", () => {
  it("registers edges with defaults and returns deeply frozen snapshots", () => {
    const infra = fleet();
    const us = infra.getEdge("us-1");
    expect(us).toMatchObject({ health: "healthy", lifecycleState: "initialized", costPerHour: 0, allocated: { cpu: 0, memoryMb: 0 }, revision: 1, updatedAt: 100 });
    expect(Object.isFrozen(us)).toBe(true);
    expect(Object.isFrozen(us.capacity)).toBe(true);
    expect(Object.isFrozen(infra.edges())).toBe(true);
    expect(() => {
      (us.labels as Record<string, string>)["tier"] = "hacked";
    }).toThrow(TypeError);
    expect(infra.getEdge("us-1").labels["tier"]).toBe("premium");
  });

  it("refuses bad edges with every problem named, and duplicates as conflicts", () => {
    const infra = new EdgeInfrastructure();
    let caught: unknown;
    try {
      infra.registerEdge({ id: "", region: "x", coordinates: { lat: 100, lon: 0 }, capacity: { cpu: -1, memoryMb: 1 } });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    const paths = (caught as ValidationError).issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(["edge.id", "edge.coordinates.lat", "edge.capacity.cpu"]));
    expect(infra.edges()).toHaveLength(0);
    infra.registerEdge(edge("a"));
    expect(() => infra.registerEdge(edge("a"))).toThrow(ConflictError);
    expect(() => infra.registerEdge(edge("b", { allocated: { gpu: 1 } }))).toThrow(/no "gpu" capacity/);
  });

  it("finds edges by label selector, region, capability, compliance zone, health and lifecycle state", () => {
    const infra = fleet();
    const ids = (q: Parameters<EdgeInfrastructure["findEdges"]>[0]): string[] => infra.findEdges(q).map((e) => e.id);
    expect(ids({ selector: { matchLabels: { tier: "premium" } } })).toEqual(["eu-1", "us-1"]);
    expect(ids({ selector: { matchExpressions: [{ key: "arch", operator: "DoesNotExist" }] } })).toEqual(["eu-2", "us-1"]);
    expect(ids({ selector: { matchExpressions: [{ key: "tier", operator: "NotIn", values: ["standard"] }] } })).toEqual(["eu-1", "us-1"]);
    expect(ids({ regions: ["us-east"] })).toEqual(["us-1"]);
    expect(ids({ capabilities: ["gpu", "wasm"] })).toEqual(["us-1"]);
    expect(ids({ complianceZones: ["eu"] })).toEqual(["eu-1", "eu-2"]);
    expect(ids({ health: ["healthy"], lifecycleStates: ["active"] })).toEqual(["eu-1"]);
    expect(() => infra.findEdges({ selector: { matchExpressions: [{ key: "k", operator: "In" }] } })).toThrow(ValidationError);
  });

  it("announces changes and updates atomically", () => {
    const infra = fleet();
    const events: string[] = [];
    infra.events.on("edge:updated", ({ edge: e, previous }) => events.push(`${e.id}:${previous.health}->${e.health}`));
    infra.events.on("edge:deregistered", ({ edge: e }) => events.push(`gone:${e.id}`));
    const before = infra.getEdge("eu-1");
    infra.setHealth("eu-1", "unhealthy");
    expect(before.health).toBe("healthy");
    expect(infra.getEdge("eu-1").revision).toBe(2);
    expect(() => infra.updateEdge("eu-1", { costPerHour: -1, health: "degraded" })).toThrow(ValidationError);
    expect(infra.getEdge("eu-1").health).toBe("unhealthy");
    infra.deregisterEdge("eu-2");
    expect(events).toEqual(["eu-1:healthy->unhealthy", "gone:eu-2"]);
    expect(() => infra.getEdge("eu-2")).toThrow(NotFoundError);
  });

  it("allocates within capacity and refuses over-commit without changing anything", () => {
    const infra = fleet();
    infra.allocate("eu-1", { cpu: 6, memoryMb: 1_000 });
    expect(() => infra.allocate("eu-1", { cpu: 3 })).toThrow(ConflictError);
    expect(infra.getEdge("eu-1").allocated).toEqual({ cpu: 6, memoryMb: 1_000 });
    infra.free("eu-1", { cpu: 10 });
    expect(infra.getEdge("eu-1").allocated.cpu).toBe(0);
  });

  it("is a ServiceRegistry that other engines register typed services on; from() finds it or says why not", () => {
    const infra = new EdgeInfrastructure();
    const COUNTER = serviceKey<{ n: number }>("test.counter");
    infra.register(COUNTER, { n: 1 });
    expect(infra.get(COUNTER).n).toBe(1);
    expect(EdgeInfrastructure.from(infra)).toBe(infra);
    const plain = new ServiceRegistry();
    expect(() => EdgeInfrastructure.from(plain)).toThrow(InfrastructureUnavailableError);
    expect(() => EdgeInfrastructure.from(plain)).toThrow(/LocalRuntime\(\{ infrastructure \}\)/);
    plain.register(EDGE_INFRASTRUCTURE, infra);
    expect(EdgeInfrastructure.from(plain)).toBe(infra);
  });

  it("instances are independent: no global state", () => {
    const a = fleet();
    const b = new EdgeInfrastructure();
    expect(a.edges()).toHaveLength(3);
    expect(b.edges()).toHaveLength(0);
  });

  it("property: findEdges returns exactly the edges satisfying each criterion", () => {
    const labelValue = fc.constantFrom("a", "b", "c");
    const spec = fc.record({
      region: fc.constantFrom("r1", "r2"),
      labels: fc.dictionary(fc.constantFrom("k1", "k2"), labelValue),
      zones: fc.subarray(["eu", "us", "gdpr"]),
      caps: fc.subarray(["gpu", "wasm"]),
    });
    fc.assert(
      fc.property(fc.array(spec, { maxLength: 12 }), fc.dictionary(fc.constantFrom("k1", "k2"), labelValue), fc.subarray(["eu", "us"], { minLength: 1 }), (specs, matchLabels, zones) => {
        const infra = new EdgeInfrastructure({ clock: new ManualClock(0) });
        specs.forEach((s, i) => infra.registerEdge(edge(`e${i}`, { region: s.region, labels: s.labels, complianceZones: s.zones, capabilities: s.caps })));
        const found = new Set(infra.findEdges({ selector: { matchLabels }, complianceZones: zones, capabilities: ["gpu"] }).map((e) => e.id));
        specs.forEach((s, i) => {
          const expected = Object.entries(matchLabels).every(([k, v]) => s.labels[k] === v) && s.zones.some((z) => zones.includes(z)) && s.caps.includes("gpu");
          expect(found.has(`e${i}`)).toBe(expected);
          expect(matchesSelector(s.labels, { matchLabels })).toBe(Object.entries(matchLabels).every(([k, v]) => s.labels[k] === v));
        });
      }),
      { numRuns: simRuns(100), seed: simSeed(100) },
    );
  });
});
